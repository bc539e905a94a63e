import Boards
import Foundation
import Support

/// One thing an app (or its board) adds to the plain seL4 build: WebAssembly
/// modules, a Linux guest, a boot disk, Swift modules, device-tree overlays.
/// `BuildPipeline` walks the plan's features in order and knows none of them
/// by name; a new feature is one new type (one file) plus its tests, and a
/// line in `AppFeatures.features(for:)`.
///
/// Every requirement has a default that adds nothing, so a feature states
/// only what it contributes.
public protocol AppFeature: Sendable {
    /// The feature's name in the build plan.
    var name: String { get }

    /// Whether the feature takes the modules given with `--wasm` (an app none
    /// of whose features does refuses them).
    var takesWasmModules: Bool { get }

    /// Checks what the feature needs from the command line and sel4img's
    /// data, before any work (a bad module, a missing file).
    func checkInputs(_ build: BuildContext) throws

    /// The files the feature reads, for the plan.
    func inputs(_ build: BuildContext) -> [BuildPlan.Input]

    /// CMake settings the feature adds to the board's and the app's;
    /// `settings` holds those so far (a feature may leave a setting the app
    /// gives itself alone).
    func cmakeSettings(_ build: BuildContext, given settings: [String: String]) throws -> [String: String]

    /// Host programs the feature needs beyond the base build's.
    func hostTools(_ build: BuildContext) -> [String]

    /// The artifact roles the feature adds after the build, for the plan.
    func plannedArtifacts(_ build: BuildContext) -> [String]

    /// Writes what CMake reads (an archive, a guest's files) and fetches what
    /// the feature will need after the build, so a missing download stops the
    /// build before the long part.
    func prepare(_ build: BuildContext, sourceDateEpoch: Int64, progress: any ProgressReporter) throws

    /// Lines naming what, besides the build outputs, shapes this feature's
    /// artifacts now (hashes of files it copies), for the reuse key.
    func reuseInputs(_ build: BuildContext) -> [String]

    /// Adjusts what provenance records: settings that hold a machine's paths,
    /// versions of tools the feature uses.
    func recordProvenance(_ build: BuildContext, settings: inout [String: String], tools: inout [String: String])

    /// What the feature puts into the image besides the projects' code
    /// (boot blobs, guest components, WebAssembly modules), for provenance
    /// and the SBOM.
    func components(_ build: BuildContext) throws -> [Provenance.Component]

    /// Adds the feature's files to the artifacts being staged.
    func addArtifacts(_ build: BuildContext, to staged: inout StagedArtifacts, sourceDateEpoch: Int64, progress: any ProgressReporter) throws
}

extension AppFeature {
    public var takesWasmModules: Bool { false }
    public func checkInputs(_ build: BuildContext) throws {}
    public func inputs(_ build: BuildContext) -> [BuildPlan.Input] { [] }
    public func cmakeSettings(_ build: BuildContext, given settings: [String: String]) throws -> [String: String] { [:] }
    public func hostTools(_ build: BuildContext) -> [String] { [] }
    public func plannedArtifacts(_ build: BuildContext) -> [String] { [] }
    public func prepare(_ build: BuildContext, sourceDateEpoch: Int64, progress: any ProgressReporter) throws {}
    public func reuseInputs(_ build: BuildContext) -> [String] { [] }
    public func recordProvenance(_ build: BuildContext, settings: inout [String: String], tools: inout [String: String]) {}
    public func components(_ build: BuildContext) throws -> [Provenance.Component] { [] }
    public func addArtifacts(_ build: BuildContext, to staged: inout StagedArtifacts, sourceDateEpoch: Int64, progress: any ProgressReporter) throws {}
}

extension Provenance.Component {
    /// A blob as the board or app file pins it; a `.deb` URL's file name
    /// (NAME_VERSION_ARCH.deb) gives the package's version.
    init(kind: String, name: String, blob: Blob) {
        var version: String?
        if let url = blob.url, let last = url.split(separator: "/").last, last.hasSuffix(".deb") {
            let parts = last.dropLast(4).split(separator: "_")
            if parts.count == 3 { version = String(parts[1]).removingPercentEncoding }
        }
        self.init(kind: kind, name: name, sha256: blob.sha256, url: blob.url, member: blob.member,
                  path: blob.path, package: blob.package, packageVersion: version)
    }

    /// The modules given with `--wasm`, by the names the image holds them under.
    static func wasmModules(_ build: BuildContext) throws -> [Provenance.Component] {
        try (build.options.wasm?.load() ?? []).map { Provenance.Component(kind: Provenance.Component.wasmModuleKind, name: $0.name, sha256: SHA256Hex.of($0.bytes)) }
    }
}

/// The features a board and app have, in the order they run.
public enum AppFeatures {
    public static func features(for board: Board, app: App) -> [any AppFeature] {
        var features: [any AppFeature] = [BoardOverlaysFeature()]
        if let modules = app.sources?.swiftModules, !modules.isEmpty { features.append(SwiftModulesFeature(modules: modules)) }
        if let wasm = app.wasm { features.append(WasmModulesFeature(wasm: wasm)) }
        if let guest = app.guest { features.append(LinuxGuestFeature(guest: guest.on(board: board.name))) }
        features.append(BootDiskFeature())
        return features
    }
}

/// The artifacts being collected in the staging directory, before it
/// replaces the artifacts directory.
public struct StagedArtifacts {
    public let directory: URL
    public internal(set) var artifacts: [Artifact]

    public init(directory: URL, artifacts: [Artifact]) {
        self.directory = directory
        self.artifacts = artifacts
    }

    /// The first staged artifact with `role`.
    public func first(role: String) -> Artifact? { artifacts.first { $0.role == role } }

    /// Copies `source` into the staging directory under its own name and
    /// records it with its size and SHA-256.
    public mutating func add(role: String, copying source: URL) throws {
        try FileManager.default.copyItem(at: source, to: directory.appendingPathComponent(source.lastPathComponent))
        try record(role: role, file: source.lastPathComponent)
    }

    /// Records a file already in the staging directory, with its size and SHA-256.
    public mutating func record(role: String, file: String) throws {
        let url = directory.appendingPathComponent(file)
        let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        artifacts.append(Artifact(role: role, file: file, size: size, sha256: try SHA256Hex.ofFile(at: url)))
    }
}

extension AppFeatures {
    /// Refuses an input from the command line that none of the app's
    /// features takes, before any work.
    static func checkUnclaimedInputs(_ build: BuildContext, features: [any AppFeature]) throws {
        if build.options.wasm != nil, !features.contains(where: \.takesWasmModules) {
            throw BuildError(.invalidModule, "app '\(build.app.name)' does not run WebAssembly modules; --wasm and --args are for apps like wasm-runner")
        }
    }
}
