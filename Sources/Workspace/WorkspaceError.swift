import Foundation
import Git
import Support

/// Everything that can go wrong while setting up or syncing a workspace,
/// each with the project and path involved.
public typealias WorkspaceError = ModuleError<WorkspaceErrorKind>

public enum WorkspaceErrorKind: ErrorKind {
    case notAWorkspace
    case alreadyInitialized
    case manifestNotFound
    case dirtyCheckout
    case notInLock
    case lockMismatch
    case lockUnreadable
    case mirrorMissing
    case pathOccupied
    case gitDirectoryCheckout
    case unsafeLink
    case fetchFailed
    case revisionNotFound
    case missingObjects
    case busy
    case localCommit
}

extension WorkspaceError {
    static func notAWorkspace(_ root: URL) -> WorkspaceError {
        .init(.notAWorkspace, "\(root.path) is not a sel4img workspace (no .sel4img directory)",
              hint: "run 'sel4img init --manifest PATH|URL --workspace \(root.path)' first")
    }

    static func dirty(_ project: String, _ files: [FileChange]) -> WorkspaceError {
        let list = files.prefix(10).map { "    \($0)" }.joined(separator: "\n")
        let more = files.count > 10 ? "\n    … and \(files.count - 10) more" : ""
        return .init(.dirtyCheckout, "\(project) has uncommitted changes that a checkout would overwrite:\n\(list)\(more)",
                     hint: "commit or save them, or pass --force to discard them")
    }

    static func localCommit(_ project: String, _ head: ObjectID, summary: String, target: ObjectID) -> WorkspaceError {
        .init(.localCommit, "\(project) has a local commit on its detached HEAD, \(head.short) \"\(summary.escapingControlCharacters)\", that exists only in this checkout; checking out \(target.short) would leave it behind",
              hint: "save it on a branch ('git -C \(project) branch NAME \(head.short)') and sync again, or pass --force to leave it (it stays in the reflog)")
    }

    static func notInLock(_ path: String) -> WorkspaceError {
        .init(.notInLock, "project \(path) is not in the lock file",
              hint: "run 'sel4img sync' without --locked to update the lock")
    }
}
