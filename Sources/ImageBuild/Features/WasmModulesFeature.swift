import Boards
import Foundation
import Support
import WasmHost

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

    /// wabt's wasm2c translation of the modules, for the runner's ahead-of-time tier.
    func aotDirectory(_ build: BuildContext) -> URL {
        build.sideDirectory("wasm").appendingPathComponent("aot")
    }

    func cmakeSettings(_ build: BuildContext, given settings: [String: String]) throws -> [String: String] {
        var settings = [wasm.archiveSetting: archive(build).path]
        if let aot = wasm.aotSetting { settings[aot] = aotDirectory(build).path }
        return settings
    }

    func plannedArtifacts(_ build: BuildContext) -> [String] { [Self.role] }

    func prepare(_ build: BuildContext, sourceDateEpoch: Int64, progress: any ProgressReporter) throws {
        guard let bundle = build.options.wasm else { return }
        let archive = archive(build)
        let written = try bundle.writeArchive(to: archive, timestamp: sourceDateEpoch)
        let count = bundle.modules.count
        progress.update("wasm", "\(count) module\(count == 1 ? "" : "s") \(written ? "packed into" : "unchanged in") \(archive.lastPathComponent)")
        if wasm.aotSetting != nil {
            try translate(bundle, into: aotDirectory(build), environment: ProcessInfo.processInfo.environment, progress: progress)
        }
    }

    /// Translates every module with wasm2c into `directory` (only files whose bytes change are
    /// written, so Ninja rebuilds what changed; files of modules no longer given are removed). A
    /// module wasm2c cannot translate, or whose imports the runner's glue does not provide, is
    /// left out with a note: it runs on the interpreter. No wasm2c at all: every module does.
    func translate(_ bundle: WasmBundle, into directory: URL, environment: [String: String], progress: any ProgressReporter) throws {
        var files: [String: Data] = [:]
        var translated: [AOTTranslation.Translated] = []
        let loaded = try bundle.load()
        var seen = Set<String>()
        let unique = loaded.filter { seen.insert($0.name).inserted }
        if bundle.tier == .interpreter {
            try Self.writeDirectory(directory, files: ["modules.c": Data(AOTTranslation.modulesSource([]).utf8),
                                                       AOTTranslation.definesFile: Data(AOTTranslation.definesHeader.utf8)])
            progress.update("wasm", "no modules translated (--wasm-tier interpreter)")
            return
        }
        do throws(AOTUnavailable) {
            let (wasm2c, runtime, _) = try AOTToolchain.translator(environment: environment)
            let translation = AOTTranslation(wasm2c: wasm2c, runtime: runtime)
            for (name, bytes) in unique {
                do throws(AOTUnavailable) {
                    let (module, output) = try translation.translate([UInt8](bytes), name: name, identifier: "m\(translated.count)")
                    translated.append(module)
                    files.merge(output) { _, new in new }
                } catch {
                    progress.note("note: \(name.escapingControlCharacters) runs on the interpreter: \(error.reason)")
                }
            }
            if !translated.isEmpty { files.merge(try translation.runtimeSources()) { _, new in new } }
        } catch {
            progress.note("note: the modules run on the interpreter: \(error.reason)")
            translated = []
            files = [:]
        }
        files["modules.c"] = Data(AOTTranslation.modulesSource(translated).utf8)
        files[AOTTranslation.definesFile] = Data(AOTTranslation.definesHeader.utf8)
        try Self.writeDirectory(directory, files: files)
        let count = translated.count
        progress.update("wasm", "\(count) of \(unique.count) module\(unique.count == 1 ? "" : "s") translated by wasm2c for the ahead-of-time tier")
    }

    /// Makes `directory` hold exactly `files`, writing only those whose bytes differ.
    static func writeDirectory(_ directory: URL, files: [String: Data]) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in try fm.contentsOfDirectory(atPath: directory.path) where files[name] == nil {
            try fm.removeItem(at: directory.appendingPathComponent(name))
        }
        for (name, bytes) in files.sorted(by: { $0.key < $1.key }) {
            let target = directory.appendingPathComponent(name)
            if let old = try? Data(contentsOf: target), old == bytes { continue }
            try bytes.write(to: target, options: .atomic)
        }
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
