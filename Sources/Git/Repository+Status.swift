import CGit2
import Foundation

/// One path that differs from HEAD in a work tree.
public struct FileChange: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Codable {
        case modified, added, deleted, renamed, typeChanged = "type-changed", untracked
    }

    public var path: String
    public var kind: Kind

    public var description: String { "\(path) (\(kind.rawValue))" }
}

extension Repository {
    /// Changes in the index and work tree relative to HEAD. Untracked files are
    /// included only when asked: sync never removes them, so they do not make a
    /// checkout dirty. Files left out of the work tree on purpose (flagged
    /// skip-worktree, see `checkout(_:force:excluding:only:)`) are not
    /// deleted, as git's own status agrees.
    public func changes(includeUntracked: Bool = false) throws -> [FileChange] {
        var opts = git_status_options()
        git_status_options_init(&opts, UInt32(GIT_STATUS_OPTIONS_VERSION))
        opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        var flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
        if includeUntracked {
            flags |= GIT_STATUS_OPT_INCLUDE_UNTRACKED.rawValue | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS.rawValue
        }
        opts.flags = flags
        var list: OpaquePointer?
        try check(git_status_list_new(&list, handle, &opts), "read status of", workTree?.path ?? path)
        defer { git_status_list_free(list) }

        var index: OpaquePointer?
        try check(git_repository_index(&index, handle), "open the index of", path)
        defer { git_index_free(index) }
        var result: [FileChange] = []
        for i in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, i)?.pointee else { continue }
            let status = entry.status.rawValue
            let delta = entry.index_to_workdir ?? entry.head_to_index
            guard let delta, let cPath = delta.pointee.new_file.path ?? delta.pointee.old_file.path else { continue }
            let kind: FileChange.Kind
            // libgit2 1.5 reports an absent skip-worktree file as deleted from the work tree.
            if status == GIT_STATUS_WT_DELETED.rawValue, let entry = git_index_get_bypath(index, cPath, 0), Self.isSkipWorktree(entry) {
                continue
            }
            if status & (GIT_STATUS_WT_NEW.rawValue) != 0, status & GIT_STATUS_INDEX_NEW.rawValue == 0 {
                kind = .untracked
            } else if status & (GIT_STATUS_WT_DELETED.rawValue | GIT_STATUS_INDEX_DELETED.rawValue) != 0 {
                kind = .deleted
            } else if status & (GIT_STATUS_WT_RENAMED.rawValue | GIT_STATUS_INDEX_RENAMED.rawValue) != 0 {
                kind = .renamed
            } else if status & (GIT_STATUS_WT_TYPECHANGE.rawValue | GIT_STATUS_INDEX_TYPECHANGE.rawValue) != 0 {
                kind = .typeChanged
            } else if status & GIT_STATUS_INDEX_NEW.rawValue != 0 {
                kind = .added
            } else if status & (GIT_STATUS_WT_MODIFIED.rawValue | GIT_STATUS_INDEX_MODIFIED.rawValue) != 0 {
                kind = .modified
            } else {
                continue
            }
            result.append(FileChange(path: String(cString: cPath), kind: kind))
        }
        return result.sorted { $0.path < $1.path }
    }
}
