import Boards
import Foundation
import Support
import Workspace

/// What the workspace's sources are for one build, read once: the lock, its
/// hash, and the SOURCE_DATE_EPOCH every file sel4img or a tool writes is
/// stamped with.
public struct SourceState: Sendable, Equatable {
    public var lock: LockFile?
    /// SHA-256 of `sel4img.lock`, or "" when there is none.
    public var lockSHA256: String
    public var sourceDateEpoch: Int64

    /// The state of an opened workspace (nil: not a workspace yet).
    public init(workspace: Workspace?, root: URL, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        lock = try workspace?.readLock()
        lockSHA256 = (try? SHA256Hex.ofFile(at: WorkspaceLayout(root: root).lockFile)) ?? ""
        sourceDateEpoch = try Self.sourceDateEpoch(lock: lock, workspace: workspace, environment: environment)
    }

    /// Opens the workspace at `root` when there is one.
    public static func read(_ root: URL) throws -> SourceState {
        let workspace = WorkspaceLayout(root: root).isInitialized ? try Workspace.open(at: root) : nil
        return try SourceState(workspace: workspace, root: root)
    }

    /// SOURCE_DATE_EPOCH from the environment, else the newest committer time
    /// among the locked commits: the same for every build of one lock.
    static func sourceDateEpoch(lock: LockFile?, workspace: Workspace?, environment: [String: String]) throws -> Int64 {
        if let text = environment["SOURCE_DATE_EPOCH"] {
            guard let value = Int64(text), value >= 0 else {
                throw BuildError(.configureFailed, "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970; got '\(text)'")
            }
            return value
        }
        guard let lock, let workspace else { return 0 }
        return try workspace.commitTimes(of: lock).max() ?? 0
    }
}

/// Everything besides the build outputs that shapes the artifacts: when it
/// and every output are unchanged (and the directory still verifies), the
/// artifacts are not collected again. Hashed once into
/// `Builder.collectionContext`.
struct ArtifactReuseKey: Codable, Equatable {
    var board: Boards.Board
    var app: Boards.App
    var sourceDateEpoch: Int64
    var lockSHA256: String
    var patchSets: [Provenance.PatchSetInfo]
    /// The settings as provenance records them.
    var cmakeSettings: [String: String]
    /// What each feature's own artifacts are made from now.
    var featureInputs: [String]
    /// The files written beside the outputs, so artifacts collected before one was added are collected again.
    var records = ["provenance.json", SBOM.fileName]

    var hash: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return SHA256Hex.of((try? encoder.encode(self)) ?? Data())
    }
}
