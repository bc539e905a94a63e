import Boards
import Foundation
import GuestImage
import Support

/// An app that runs a Linux guest VM (`guest`, e.g. wasm-vm): the guest's
/// kernel, initramfs and DTB are built beside the build directory (with the
/// modules given with `--wasm`; their `--args` are refused, the guest gives
/// its own), handed to CMake in `guest.directorySetting`, and kept among the
/// artifacts. A build for the board's QEMU machine (`--emulated`) gives
/// the guest's device tree the board's `emulatedOverlay`.
struct LinuxGuestFeature: AppFeature {
    var guest: App.Guest

    var name: String { "linuxGuest" }
    var takesWasmModules: Bool { true }

    static func directory(_ build: BuildContext) -> URL { build.sideDirectory("guest") }

    /// What builds the guest's files, with the given modules.
    func image(_ build: BuildContext, timestamp: Int64, modules: [(name: String, bytes: Data)] = []) -> GuestImage {
        GuestImage(guest: guest, appFile: build.appFile, repository: build.dataDirectory, timestamp: timestamp,
                   modules: modules.map { GuestImage.Module(name: $0.name, bytes: $0.bytes) }, blobs: build.options.guestBlobs,
                   emulated: build.options.emulated)
    }

    func checkInputs(_ build: BuildContext) throws {
        // The guest's modules are optional; the guest agent runs them with its own arguments.
        if let bundle = build.options.wasm {
            guard bundle.arguments.isEmpty else {
                throw BuildError(.invalidModule, "--args is not used by app '\(build.app.name)': arguments are given in the guest: emit FILE.wasm ARGS",
                                 hint: "build with --wasm only; the modules are in \(guest.modulesDirectory) in the guest")
            }
            _ = try bundle.load()
        }
        try image(build, timestamp: 0).checkSources()
    }

    func inputs(_ build: BuildContext) -> [BuildPlan.Input] {
        var inputs = [BuildPlan.Input(role: "guest device tree", path: build.dataDirectory.appendingPathComponent(guest.deviceTree).path)]
        if let overlay = image(build, timestamp: 0).appliedOverlay {
            inputs.append(BuildPlan.Input(role: "guest device tree overlay (emulated)", path: build.dataDirectory.appendingPathComponent(overlay).path))
        }
        inputs += guest.files.map { BuildPlan.Input(role: "guest file \($0.path)", path: build.dataDirectory.appendingPathComponent($0.source).path) }
        inputs += guest.programs.flatMap { program in
            program.sources.map { BuildPlan.Input(role: "guest program \(program.path)", path: build.dataDirectory.appendingPathComponent($0).path) }
        }
        inputs += (build.options.wasm?.modules ?? []).map { BuildPlan.Input(role: "wasm module", path: $0.path) }
        return inputs
    }

    func cmakeSettings(_ build: BuildContext, given settings: [String: String]) throws -> [String: String] {
        [guest.directorySetting: Self.directory(build).path]
    }

    func plannedArtifacts(_ build: BuildContext) -> [String] { GuestImage.outputFiles.map(\.role) }

    /// Builds the guest's files; files whose bytes did not change are not rewritten.
    @discardableResult
    func build(_ build: BuildContext, sourceDateEpoch: Int64, progress: any ProgressReporter) throws -> GuestImage.Outputs {
        try image(build, timestamp: sourceDateEpoch, modules: try build.options.wasm?.load() ?? [])
            .build(into: Self.directory(build), progress: progress)
    }

    func prepare(_ build: BuildContext, sourceDateEpoch: Int64, progress: any ProgressReporter) throws {
        try self.build(build, sourceDateEpoch: sourceDateEpoch, progress: progress)
    }

    /// The guest's files as they are now: they become artifacts, so they shape them.
    func reuseInputs(_ build: BuildContext) -> [String] {
        GuestImage.outputFiles.map { file in
            "\(file.role) \((try? SHA256Hex.ofFile(at: Self.directory(build).appendingPathComponent(file.name))) ?? "absent")"
        }
    }

    func components(_ build: BuildContext) throws -> [Provenance.Component] {
        var components = [Provenance.Component(kind: "guest component", name: "kernel", blob: guest.kernel),
                          Provenance.Component(kind: "guest component", name: "busybox", blob: guest.busybox)]
        if let overlay = image(build, timestamp: 0).appliedOverlay {
            // Which tree the guest got: the emulated build's differs from the hardware's.
            let url = build.dataDirectory.appendingPathComponent(overlay)
            components.append(Provenance.Component(kind: Provenance.Component.emulatedOverlayKind, name: overlay,
                                                   sha256: try SHA256Hex.ofFile(at: url)))
        }
        return components + (try Provenance.Component.wasmModules(build))
    }

    func addArtifacts(_ build: BuildContext, to staged: inout StagedArtifacts, sourceDateEpoch: Int64, progress: any ProgressReporter) throws {
        // The Linux guest's kernel, initramfs and DTB, as the image's build used them.
        for file in GuestImage.outputFiles {
            let source = Self.directory(build).appendingPathComponent(file.name)
            guard FileManager.default.fileExists(atPath: source.path) else { continue }
            guard !FileManager.default.fileExists(atPath: staged.directory.appendingPathComponent(file.name).path) else {
                throw BuildError(.outputMissing, "the guest's \(file.name) has the name of another artifact of \(build.app.name)",
                                 hint: "rename the app output that is called \(file.name)")
            }
            try staged.add(role: file.role, copying: source)
        }
    }
}

extension BuildPipeline {
    /// Where the guest's files go (apps with `guest`).
    public var guestDirectory: URL { LinuxGuestFeature.directory(context) }

    /// Builds the guest's files (apps with `guest`), stamped with the
    /// workspace's SOURCE_DATE_EPOCH; nil for other apps.
    @discardableResult
    public func buildGuest(progress: any ProgressReporter) throws -> GuestImage.Outputs? {
        guard let guest = app.guest else { return nil }
        return try LinuxGuestFeature(guest: guest.on(board: context.board.name)).build(context, sourceDateEpoch: try SourceState.read(context.workspaceRoot).sourceDateEpoch, progress: progress)
    }
}
