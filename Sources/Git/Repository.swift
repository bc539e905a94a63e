import CGit2
import Foundation
import Support

/// An open libgit2 repository. Not shared between threads: each worker opens its own.
public final class Repository {
    let handle: OpaquePointer
    /// The path it was opened or created at, for error messages.
    public let path: String

    init(handle: OpaquePointer, path: String) {
        self.handle = handle
        self.path = path
    }

    deinit { git_repository_free(handle) }

    /// Opens an existing repository (bare or not) at exactly `url`.
    public static func open(at url: URL) throws -> Repository {
        Library.ensure()
        var out: OpaquePointer?
        try check(git_repository_open_ext(&out, url.path, UInt32(GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue), nil), "open repository", url.path)
        return Repository(handle: out!, path: url.path)
    }

    /// Creates a bare repository (the shared object stores and bundle mirrors).
    public static func createBare(at url: URL) throws -> Repository {
        Library.ensure()
        var opts = git_repository_init_options()
        git_repository_init_options_init(&opts, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION))
        opts.flags = UInt32(GIT_REPOSITORY_INIT_BARE.rawValue | GIT_REPOSITORY_INIT_MKPATH.rawValue)
        var out: OpaquePointer?
        try check(git_repository_init_ext(&out, url.path, &opts), "create repository", url.path)
        return Repository(handle: out!, path: url.path)
    }

    /// Creates a repository whose git directory lives at `gitDirectory` and whose
    /// work tree is `workTree`, which gets a `.git` *file* (a relative gitlink),
    /// the layout Google's `repo` uses and seL4's build relies on.
    public static func createLinked(gitDirectory: URL, workTree: URL) throws -> Repository {
        Library.ensure()
        var opts = git_repository_init_options()
        git_repository_init_options_init(&opts, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION))
        opts.flags = UInt32(
            GIT_REPOSITORY_INIT_NO_DOTGIT_DIR.rawValue | GIT_REPOSITORY_INIT_MKPATH.rawValue
                | GIT_REPOSITORY_INIT_RELATIVE_GITLINK.rawValue
        )
        var out: OpaquePointer?
        let result = workTree.path.withCString { wt -> Int32 in
            opts.workdir_path = wt
            return git_repository_init_ext(&out, gitDirectory.path, &opts)
        }
        try check(result, "create repository", gitDirectory.path)
        return Repository(handle: out!, path: gitDirectory.path)
    }

    /// The git directory (for bare repositories, the repository itself).
    public var gitDirectory: URL {
        URL(fileURLWithPath: String(cString: git_repository_path(handle)))
    }

    /// The work tree, or nil for a bare repository.
    public var workTree: URL? {
        guard let wd = git_repository_workdir(handle) else { return nil }
        return URL(fileURLWithPath: String(cString: wd))
    }

    /// True when `id` names an object present in this repository (or its alternates).
    public func contains(_ id: ObjectID) -> Bool {
        var odb: OpaquePointer?
        guard git_repository_odb(&odb, handle) == 0, let odb else { return false }
        defer { git_odb_free(odb) }
        var oid = id.raw
        return git_odb_exists(odb, &oid) == 1
    }

    /// Resolves a revision to a commit: a full commit id, `refs/heads/X`,
    /// `refs/tags/X`, or a bare branch or tag name (branches first, as repo does).
    public func resolveCommit(_ revision: String) throws -> ObjectID {
        var candidates: [String] = []
        if let id = ObjectID(hex: revision) {
            guard contains(id) else {
                throw GitError(code: .notFound, operation: "find commit", subject: revision, message: "not present in \(path)")
            }
            return try peelToCommit(spec: id.hex)
        }
        if revision.hasPrefix("refs/") {
            candidates = [revision]
        } else {
            candidates = ["refs/heads/\(revision)", "refs/tags/\(revision)", "refs/remotes/origin/\(revision)"]
        }
        for candidate in candidates {
            var ref: OpaquePointer?
            if git_reference_lookup(&ref, handle, candidate) == 0, let ref {
                git_reference_free(ref)
                return try peelToCommit(spec: candidate)
            }
        }
        throw GitError(code: .notFound, operation: "resolve revision", subject: revision, message: "no branch, tag or commit of that name in \(path)")
    }

    private func peelToCommit(spec: String) throws -> ObjectID {
        var object: OpaquePointer?
        try check(git_revparse_single(&object, handle, spec), "resolve revision", spec)
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "peel to commit", spec)
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit).pointee)
    }

    /// The commit HEAD points at, or nil when HEAD is unborn.
    public func head() throws -> ObjectID? {
        var ref: OpaquePointer?
        let result = git_repository_head(&ref, handle)
        if result == GIT_EUNBORNBRANCH.rawValue || result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "read HEAD of", path)
        defer { git_reference_free(ref) }
        guard let target = git_reference_target(ref) else { return nil }
        return ObjectID(target.pointee)
    }

    /// Points HEAD at a commit, detached, as `repo sync` leaves checkouts,
    /// with `message` as the reflog line (libgit2's own names the commit HEAD
    /// already points at when the work tree was checked out first).
    public func setHeadDetached(_ id: ObjectID, message: String) throws {
        var oid = id.raw
        var ref: OpaquePointer?
        try check(git_reference_create(&ref, handle, "HEAD", &oid, 1, message), "set HEAD of", path)
        git_reference_free(ref)
    }

    /// True when `id` is, or is an ancestor of, a commit a branch or tag of
    /// this repository points at (so moving HEAD away does not lose it).
    public func isReachableFromBranchOrTag(_ id: ObjectID) throws -> Bool {
        var target = id.raw
        for name in try references(under: "refs/heads/") + references(under: "refs/tags/") {
            guard let tip = try? peelToCommit(spec: name) else { continue }
            if tip == id { return true }
            var tipRaw = tip.raw
            if git_graph_descendant_of(handle, &tipRaw, &target) == 1 { return true }
        }
        return false
    }

    /// The first line of a commit's message.
    public func summary(of id: ObjectID) throws -> String {
        var oid = id.raw
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, handle, &oid), "look up commit", id.hex)
        defer { git_commit_free(commit) }
        return git_commit_summary(commit).map { String(cString: $0) } ?? ""
    }

    /// Creates or moves a reference to a commit.
    public func setReference(_ name: String, to id: ObjectID, message: String = "sel4img") throws {
        var oid = id.raw
        var ref: OpaquePointer?
        try check(git_reference_create(&ref, handle, name, &oid, 1, message), "set reference", name)
        git_reference_free(ref)
    }

    /// Every reference name below a prefix (e.g. "refs/tags/").
    public func references(under prefix: String) throws -> [String] {
        var array = git_strarray()
        try check(git_reference_list(&array, handle), "list references of", path)
        defer { git_strarray_dispose(&array) }
        var names: [String] = []
        for i in 0..<array.count {
            if let p = array.strings[i] {
                let name = String(cString: p)
                if name.hasPrefix(prefix) { names.append(name) }
            }
        }
        return names.sorted()
    }

    /// Makes this repository borrow objects from other object directories
    /// (`objects/info/alternates`), written as paths relative to this
    /// repository's object directory so a workspace can be moved.
    public func setAlternates(_ objectDirectories: [URL]) throws {
        let objects = gitDirectory.appendingPathComponent("objects")
        let info = objects.appendingPathComponent("info")
        try FileManager.default.createDirectory(at: info, withIntermediateDirectories: true)
        let lines = objectDirectories.map { objects.relativePath(to: $0) }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: info.appendingPathComponent("alternates"), options: .atomic)
        // The object database caches its alternates; reopening is the reliable refresh.
        var odb: OpaquePointer?
        if git_repository_odb(&odb, handle) == 0, let odb {
            git_odb_refresh(odb)
            git_odb_free(odb)
        }
    }
}

extension Repository {
    /// The committer time of a commit, in seconds since 1970 (for SOURCE_DATE_EPOCH).
    public func commitTime(_ id: ObjectID) throws -> Int64 {
        var oid = id.raw
        var commit: OpaquePointer?
        try check(git_commit_lookup(&commit, handle, &oid), "look up commit", id.hex)
        defer { git_commit_free(commit) }
        return Int64(git_commit_time(commit))
    }
}
