import CGit2
import Foundation

extension Repository {
    /// Checks out `commit` into the work tree and detaches HEAD there.
    ///
    /// Without `force`, libgit2's safe mode refuses to overwrite local changes
    /// (callers check `changes()` first to name the files). With `force`,
    /// tracked files are reset to the commit. Untracked files are never removed.
    ///
    /// Files `exclusions` covers are not written, and are removed when an
    /// earlier checkout wrote them; files an earlier checkout left out that
    /// are no longer excluded are written. The index keeps the excluded
    /// files flagged skip-worktree (see `Repository+Exclusions.swift`), so
    /// their blobs need not exist. `only`, when given, limits the checkout to
    /// those paths (exact paths, no patterns): with HEAD already at `commit`,
    /// the files whose exclusion changed.
    public func checkout(_ commit: ObjectID, force: Bool, excluding exclusions: ExcludedPaths, only: [String]? = nil) throws {
        var oid = commit.raw
        var commitObject: OpaquePointer?
        try check(git_commit_lookup(&commitObject, handle, &oid), "look up commit", commit.hex)
        defer { git_commit_free(commitObject) }
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commitObject), "read the tree of", commit.hex)
        defer { git_tree_free(tree) }
        let subject = workTree?.path ?? path

        // The target: the commit's tree without the excluded paths.
        let target = try filteredTree(tree!, excluding: exclusions)
        defer { if let target { git_tree_free(target) } }
        // The baseline (what the work tree is expected to hold; HEAD by
        // default): without the files an earlier checkout left out, so they
        // count as absent rather than deleted, and are written if now wanted.
        let skipped = try skipWorktreePaths()
        var headTree: OpaquePointer?
        defer { if let headTree { git_tree_free(headTree) } }
        var filteredHeadTree: OpaquePointer?
        defer { if let filteredHeadTree { git_tree_free(filteredHeadTree) } }
        if !skipped.isEmpty, let head = try head() {
            var headOID = head.raw
            var headCommit: OpaquePointer?
            try check(git_commit_lookup(&headCommit, handle, &headOID), "look up commit", head.hex)
            defer { git_commit_free(headCommit) }
            try check(git_commit_tree(&headTree, headCommit), "read the tree of", head.hex)
            filteredHeadTree = try filteredTree(headTree!, excluding: ExcludedPaths(skipped))
        }

        var opts = git_checkout_options()
        git_checkout_options_init(&opts, UInt32(GIT_CHECKOUT_OPTIONS_VERSION))
        opts.checkout_strategy = force
            ? GIT_CHECKOUT_FORCE.rawValue
            : (GIT_CHECKOUT_SAFE.rawValue | GIT_CHECKOUT_RECREATE_MISSING.rawValue)
        opts.baseline = filteredHeadTree ?? headTree
        var cStrings = (only ?? []).map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        if only != nil {
            opts.checkout_strategy |= GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH.rawValue
        }
        if TestKillPoint.isArmed {
            opts.progress_cb = { path, _, _, _ in if path != nil { TestKillPoint.reached("checkout") } }
        }
        let previous = try head()
        let result = cStrings.withUnsafeMutableBufferPointer { buffer -> Int32 in
            if only != nil { opts.paths = git_strarray(strings: buffer.baseAddress, count: buffer.count) }
            return git_checkout_tree(handle, target ?? tree, &opts)
        }
        try check(result, "check out \(commit.short) in", subject)
        if !exclusions.isEmpty || !skipped.isEmpty {
            try writeIndex(matching: tree!, excluding: exclusions)
        }
        try setHeadDetached(commit, message: "sel4img sync: moving from \(previous?.hex ?? "nothing") to \(commit.hex)")
    }

    /// Writes the given blob content of a path at HEAD back into the work tree
    /// (used to undo changes a failed patch set made).
    public func restoreFromHead(paths: [String]) throws {
        guard !paths.isEmpty else { return }
        var opts = git_checkout_options()
        git_checkout_options_init(&opts, UInt32(GIT_CHECKOUT_OPTIONS_VERSION))
        opts.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH.rawValue
        var cStrings = paths.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let result = cStrings.withUnsafeMutableBufferPointer { buffer -> Int32 in
            opts.paths = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return git_checkout_head(handle, &opts)
        }
        try check(result, "restore files in", workTree?.path ?? path)
    }

    /// The content of `path` in the HEAD commit, or nil when HEAD has no such file.
    public func contentAtHead(_ path: String) throws -> Data? {
        var object: OpaquePointer?
        let result = git_revparse_single(&object, handle, "HEAD:\(path)")
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "read HEAD:\(path) in", self.path)
        defer { git_object_free(object) }
        guard git_object_type(object) == GIT_OBJECT_BLOB else { return nil }
        let blob = object
        let size = Int(git_blob_rawsize(blob))
        guard let raw = git_blob_rawcontent(blob) else { return Data() }
        return Data(bytes: raw, count: size)
    }
}

extension Repository {
    /// Writes the files of `commit` into `directory` without touching this
    /// repository's HEAD or index (works on bare repositories).
    public func exportTree(_ commit: ObjectID, to directory: URL) throws {
        var oid = commit.raw
        var commitObject: OpaquePointer?
        try check(git_commit_lookup(&commitObject, handle, &oid), "look up commit", commit.hex)
        defer { git_commit_free(commitObject) }
        var opts = git_checkout_options()
        git_checkout_options_init(&opts, UInt32(GIT_CHECKOUT_OPTIONS_VERSION))
        opts.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_DONT_UPDATE_INDEX.rawValue
        let result = directory.path.withCString { dir -> Int32 in
            opts.target_directory = dir
            return git_checkout_tree(handle, commitObject, &opts)
        }
        try check(result, "export \(commit.short) to", directory.path)
    }
}

extension Repository {
    /// A file of a commit whose content is not in the object store.
    public struct MissingBlob: Equatable, Sendable {
        public var path: String
        public var blob: ObjectID
    }

    /// The files of `commit` whose blobs are absent from the object store (and
    /// its alternates), in tree order. Mirrors made from partial copies of a
    /// repository can lack large files; checking first lets a checkout name them
    /// and write nothing, instead of stopping half-way on the first one.
    /// Files `exclusions` covers are not looked at.
    public func missingBlobs(in commit: ObjectID, excluding exclusions: ExcludedPaths = ExcludedPaths()) throws -> [MissingBlob] {
        var oid = commit.raw
        var commitObject: OpaquePointer?
        try check(git_commit_lookup(&commitObject, handle, &oid), "look up commit", commit.hex)
        defer { git_commit_free(commitObject) }
        var tree: OpaquePointer?
        try check(git_commit_tree(&tree, commitObject), "read the tree of", commit.hex)
        defer { git_tree_free(tree) }
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, handle), "open the object store of", path)
        defer { git_odb_free(odb) }

        final class Walk {
            let odb: OpaquePointer?
            let exclusions: ExcludedPaths
            var missing: [MissingBlob] = []
            init(odb: OpaquePointer?, exclusions: ExcludedPaths) {
                self.odb = odb
                self.exclusions = exclusions
            }
        }
        let walk = Walk(odb: odb, exclusions: exclusions)
        let result = git_tree_walk(tree, GIT_TREEWALK_PRE, { root, entry, payload in
            guard let entry, let payload else { return 0 }
            let walk = Unmanaged<Walk>.fromOpaque(payload).takeUnretainedValue()
            let type = git_tree_entry_type(entry)
            guard type == GIT_OBJECT_BLOB || type == GIT_OBJECT_TREE, let id = git_tree_entry_id(entry) else { return 0 }
            let path = (root.map { String(cString: $0) } ?? "") + String(cString: git_tree_entry_name(entry))
            // A positive return skips an excluded directory's contents.
            if walk.exclusions.contains(path) { return type == GIT_OBJECT_TREE ? 1 : 0 }
            var raw = id.pointee
            if type == GIT_OBJECT_BLOB, git_odb_exists(walk.odb, &raw) != 1 {
                walk.missing.append(MissingBlob(path: path, blob: ObjectID(raw)))
            }
            return 0
        }, Unmanaged.passUnretained(walk).toOpaque())
        try check(result, "walk the tree of", commit.hex)
        return walk.missing
    }
}
