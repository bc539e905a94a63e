import CGit2
import Foundation

/// Paths of a commit that a checkout leaves out of the work tree: each one a
/// file, or a directory with everything below it. Matching is by whole path
/// components, so `tx1` covers `tx1/linux` but not `tx10`.
public struct ExcludedPaths: Sendable, Equatable {
    /// The paths, normalised (`./a//b/` → `a/b`), without repeats, sorted.
    public let paths: [String]
    private let members: Set<String>
    /// Every proper ancestor directory of a path, so a tree walk descends only
    /// where something is excluded.
    private let ancestors: Set<String>

    /// `paths` are relative to the work tree's root; callers check them
    /// (the manifest does, with `SafePath`).
    public init(_ paths: [String] = []) {
        let clean = paths.map { $0.split(separator: "/").filter { $0 != "." }.joined(separator: "/") }.filter { !$0.isEmpty }
        members = Set(clean)
        self.paths = members.sorted()
        var ancestors: Set<String> = []
        for path in members {
            var parts = path.split(separator: "/").dropLast()
            while !parts.isEmpty {
                ancestors.insert(parts.joined(separator: "/"))
                parts = parts.dropLast()
            }
        }
        self.ancestors = ancestors
    }

    public var isEmpty: Bool { members.isEmpty }

    /// True when `path` (relative, `/`-separated) is an excluded path or lies below one.
    public func contains(_ path: String) -> Bool {
        if members.isEmpty { return false }
        if members.contains(path) { return true }
        var end = path.endIndex
        while let slash = path[..<end].lastIndex(of: "/") {
            if members.contains(String(path[..<slash])) { return true }
            end = slash
        }
        return false
    }

    /// True when an excluded path lies strictly below directory `path`.
    func hasPaths(below path: String) -> Bool {
        ancestors.contains(path)
    }

    public static func == (a: ExcludedPaths, b: ExcludedPaths) -> Bool { a.members == b.members }
}

/// How a checkout's excluded files differ from what is wanted (see
/// `Repository.exclusionChanges(_:)`).
public struct ExclusionChanges: Sendable, Equatable {
    /// Files the exclusions now cover that an earlier checkout wrote.
    public var newlyExcluded: [String]
    /// Files left out so far that the exclusions no longer cover.
    public var newlyIncluded: [String]

    public var isEmpty: Bool { newlyExcluded.isEmpty && newlyIncluded.isEmpty }
    public var paths: [String] { (newlyExcluded + newlyIncluded).sorted() }
}

// Excluded files are kept in the index as git keeps sparse checkouts: with
// the commit's blob id and the skip-worktree flag, so the index matches HEAD
// (no staged deletions) and `git status` (the CLI) shows the checkout clean.
// libgit2 1.5 honours the flag only when the file exists (diff_generate.c,
// `maybe_modified`) and reports an absent one as deleted, so `changes()`
// drops those deletions itself. Checkout does not know the flag at all, so
// it is given a target tree without the excluded paths.
extension Repository {
    /// The paths in the index that carry the skip-worktree flag.
    public func skipWorktreePaths() throws -> [String] {
        try withIndex { index in
            var paths: [String] = []
            for i in 0..<git_index_entrycount(index) {
                guard let entry = git_index_get_byindex(index, i), Self.isSkipWorktree(entry) else { continue }
                paths.append(String(cString: entry.pointee.path))
            }
            return paths
        }
    }

    /// Compares the index's skip-worktree flags with `exclusions`. Empty when
    /// the checkout leaves out exactly what `exclusions` covers.
    public func exclusionChanges(_ exclusions: ExcludedPaths) throws -> ExclusionChanges {
        try withIndex { index in
            var changes = ExclusionChanges(newlyExcluded: [], newlyIncluded: [])
            for i in 0..<git_index_entrycount(index) {
                guard let entry = git_index_get_byindex(index, i) else { continue }
                let path = String(cString: entry.pointee.path)
                let skipped = Self.isSkipWorktree(entry)
                let wanted = exclusions.contains(path)
                if wanted && !skipped { changes.newlyExcluded.append(path) }
                if skipped && !wanted { changes.newlyIncluded.append(path) }
            }
            return changes
        }
    }

    static func isSkipWorktree(_ entry: UnsafePointer<git_index_entry>) -> Bool {
        UInt32(entry.pointee.flags_extended) & GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue != 0
    }

    /// Runs `body` with the repository's index, freshly read from disk.
    func withIndex<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        var index: OpaquePointer?
        try check(git_repository_index(&index, handle), "open the index of", path)
        defer { git_index_free(index) }
        try check(git_index_read(index, 0), "read the index of", path)
        return try body(index!)
    }

    /// After a checkout of the filtered tree: makes the index hold every file
    /// of `tree` (stat data kept for files that did not change), the excluded
    /// ones flagged skip-worktree. Blobs are not needed: entries come from
    /// the tree, and the flag is set on the index's own entries, because
    /// `git_index_add` would insist that each blob exists.
    func writeIndex(matching tree: OpaquePointer, excluding exclusions: ExcludedPaths) throws {
        try withIndex { index in
            try check(git_index_read_tree(index, tree), "read the tree into the index of", path)
            for i in 0..<git_index_entrycount(index) {
                guard let entry = git_index_get_byindex(index, i),
                      exclusions.contains(String(cString: entry.pointee.path)) else { continue }
                let mutable = UnsafeMutablePointer(mutating: entry)
                mutable.pointee.flags_extended |= UInt16(GIT_INDEX_ENTRY_SKIP_WORKTREE.rawValue)
            }
            try check(git_index_write(index), "write the index of", path)
        }
    }

    /// A copy of `tree` without the excluded paths (directories left empty
    /// are dropped too), written to this repository's object store; nil when
    /// nothing is excluded from it. Only trees are read, so the blobs of
    /// excluded files need not exist.
    func filteredTree(_ tree: OpaquePointer, excluding exclusions: ExcludedPaths) throws -> OpaquePointer? {
        guard var id = try filteredTreeID(tree, excluding: exclusions, prefix: "")?.id else { return nil }
        var out: OpaquePointer?
        try check(git_tree_lookup(&out, handle, &id), "look up tree", ObjectID(id).hex)
        return out
    }

    /// The id of the filtered copy of `tree` (whose entries' paths start with
    /// `prefix`), or nil when nothing in it is excluded. `empty` is true when
    /// nothing is left; then the tree is written only at the root.
    private func filteredTreeID(_ tree: OpaquePointer, excluding exclusions: ExcludedPaths, prefix: String) throws -> (id: git_oid, empty: Bool)? {
        var removals: [String] = []
        var replacements: [(name: String, id: git_oid)] = []
        let count = git_tree_entrycount(tree)
        for i in 0..<count {
            guard let entry = git_tree_entry_byindex(tree, i) else { continue }
            let name = String(cString: git_tree_entry_name(entry))
            let entryPath = prefix + name
            if exclusions.contains(entryPath) {
                removals.append(name)
            } else if git_tree_entry_type(entry) == GIT_OBJECT_TREE, exclusions.hasPaths(below: entryPath) {
                var subtree: OpaquePointer?
                try check(git_tree_lookup(&subtree, handle, git_tree_entry_id(entry)), "look up tree", entryPath)
                defer { git_tree_free(subtree) }
                guard let filtered = try filteredTreeID(subtree!, excluding: exclusions, prefix: entryPath + "/") else { continue }
                if filtered.empty { removals.append(name) } else { replacements.append((name, filtered.id)) }
            }
        }
        if removals.isEmpty && replacements.isEmpty { return nil }
        if removals.count == count && !prefix.isEmpty { return (git_oid(), true) }

        var builder: OpaquePointer?
        try check(git_treebuilder_new(&builder, handle, tree), "copy tree", prefix.isEmpty ? "/" : prefix)
        defer { git_treebuilder_free(builder) }
        for name in removals {
            try check(git_treebuilder_remove(builder, name), "leave out", prefix + name)
        }
        for var replacement in replacements {
            try check(git_treebuilder_insert(nil, builder, replacement.name, &replacement.id, GIT_FILEMODE_TREE),
                      "replace tree", prefix + replacement.name)
        }
        let empty = git_treebuilder_entrycount(builder) == 0
        if empty && !prefix.isEmpty { return (git_oid(), true) }
        var id = git_oid()
        try check(git_treebuilder_write(&id, builder), "write tree", prefix.isEmpty ? "/" : prefix)
        return (id, empty)
    }
}
