import Boards
import Foundation
import Support

/// An app that runs WebAssembly modules (`wasm`, e.g. wasm-runner): the
/// modules given with `--wasm` are checked, packed into an archive beside
/// the build directory that CMake embeds (`wasm.archiveSetting`), and the
/// archive is kept among the artifacts.
struct WasmModulesFeature: AppFeature {
    var wasm: App.Wasm

    var name: String { "wasmModules" }
    var takesWasmModules: Bool { true }

    static let role = "modules"

    func archive(_ build: BuildContext) -> URL {
        build.sideDirectory("wasm").appendingPathComponent("modules.cpio")
    }

    func checkInputs(_ build: BuildContext) throws {
        guard let bundle = build.options.wasm else {
            throw BuildError(.invalidModule, "app '\(build.app.name)' runs WebAssembly modules, and none were given",
                             hint: "pass --wasm FILE.wasm (several: --wasm A.wasm,B.wasm), and --args \"WORDS\" for their arguments")
        }
        _ = try bundle.load()
    }

    func inputs(_ build: BuildContext) -> [BuildPlan.Input] {
        (build.options.wasm?.modules ?? []).map { BuildPlan.Input(role: "wasm module", path: $0.path) }
    }

    func cmakeSettings(_ build: BuildContext, given settings: [String: String]) throws -> [String: String] {
        [wasm.archiveSetting: archive(build).path]
    }

    func plannedArtifacts(_ build: BuildContext) -> [String] { [Self.role] }

    func prepare(_ build: BuildContext, sourceDateEpoch: Int64, progress: any ProgressReporter) throws {
        guard let bundle = build.options.wasm else { return }
        let archive = archive(build)
        let written = try bundle.writeArchive(to: archive, timestamp: sourceDateEpoch)
        let count = bundle.modules.count
        progress.update("wasm", "\(count) module\(count == 1 ? "" : "s") \(written ? "packed into" : "unchanged in") \(archive.lastPathComponent)")
    }

    func components(_ build: BuildContext) throws -> [Provenance.Component] {
        try Provenance.Component.wasmModules(build)
    }

    func addArtifacts(_ build: BuildContext, to staged: inout StagedArtifacts, sourceDateEpoch: Int64, progress: any ProgressReporter) throws {
        // The WebAssembly modules the image embeds, as an archive beside it.
        let archive = archive(build)
        guard FileManager.default.fileExists(atPath: archive.path) else { return }
        try staged.add(role: Self.role, copying: archive)
    }
}
