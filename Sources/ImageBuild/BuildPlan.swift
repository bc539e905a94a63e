import Boards
import Doctor
import Foundation
import Support

/// What `sel4img build` will do for one board and app, derived before any
/// work starts and not changed after: the settings CMake gets, the files the
/// build reads, the artifacts it collects, the host tools it needs, and the
/// app's features in the order they run. `sel4img build --plan` prints it.
public struct BuildPlan: Codable, Equatable, Sendable {
    /// A file the build reads besides the workspace's sources.
    public struct Input: Codable, Equatable, Sendable {
        /// What the file is to the build: "wasm module", "board overlay", …
        public var role: String
        public var path: String

        public init(role: String, path: String) {
            self.role = role
            self.path = path
        }
    }

    /// How the workspace's sources are brought up to date before the build.
    public enum SourceUpdate: String, Codable, Equatable, Sendable {
        /// Sync (locked while the lock matches the manifest), then the app's patch sets.
        case sync
        /// Sync only if the lock matches the manifest; refuse otherwise (`--locked`).
        case locked
        /// Build the tree as it is (`--no-sync`).
        case none
    }

    public var board: String
    public var app: String
    public var workspace: String
    public var buildDirectory: String
    public var artifactsDirectory: String
    /// The pinned manifest a new workspace starts from.
    public var manifest: String
    public var sourceUpdate: SourceUpdate
    public var patchSets: [String]
    /// The app's features (and the board's), in the order they run.
    public var features: [String]
    /// Every CMake cache setting, as `-DKEY=VALUE` passes it.
    public var cmakeSettings: [String: String]
    public var inputs: [Input]
    /// Build outputs to collect: role → pattern relative to the build directory.
    public var outputs: [String: String]
    /// The roles `artifacts.json` will list, in order.
    public var artifacts: [String]
    /// Programs checked on PATH before any work.
    public var hostTools: [String]
    /// Checked before CMake runs (seL4's Python generators need them).
    public var configureChecks: [String]
    /// The compiler cache (`--cache`, `SEL4IMG_CACHE`); absent without one.
    public var compilerCache: CompilerCache?

    /// The plan as `--plan` prints it: JSON with sorted keys.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// What every seL4 build runs, whatever the app.
    public static func baseHostTools(for board: Board) -> [String] {
        ["cmake", "ninja", board.crossCompilerPrefix + "gcc", "dtc", "protoc", "xmllint", "cpio", "python3"]
    }

    /// The Python modules seL4's generators import, checked when CMake is about to run.
    public static var configureChecks: [String] {
        HostCheck.standard.filter { $0.required && $0.name.hasPrefix("python3 module ") }.map(\.name)
    }
}
