import Foundation
import Git

/// How one checkout compares with the manifest and the lock.
public struct ProjectStatus: Sendable, Codable, Equatable {
    public var path: String
    public var locked: ObjectID?
    public var head: ObjectID?
    public var changes: [FileChange]
    /// False when the project has not been checked out yet.
    public var present: Bool
    /// True for a checkout (or lock entry) of a project the manifest no longer has.
    public var removed = false
    /// The commit of a checkout an earlier sync started and did not finish
    /// (killed); the next sync finishes it.
    public var interruptedCheckout: ObjectID?
    /// Git lock files in this project's git directory left by a killed
    /// sel4img (workspace-relative); the next sync or patch apply removes them.
    public var staleLocks: [String] = []

    public init(path: String, locked: ObjectID?, head: ObjectID?, changes: [FileChange], present: Bool) {
        self.path = path
        self.locked = locked
        self.head = head
        self.changes = changes
        self.present = present
    }

    public var matchesLock: Bool { head != nil && head == locked }

    /// The exit-status rule of `sel4img status`: a project is clean when it
    /// is in the manifest, checked out at its locked commit, with no local
    /// changes and nothing left by an interrupted sel4img.
    public var isClean: Bool {
        present && !removed && matchesLock && changes.isEmpty && interruptedCheckout == nil && staleLocks.isEmpty
    }
}

extension Workspace {
    /// Each project's HEAD against the lock, its uncommitted changes and
    /// what an interrupted sel4img left in it; then the projects that are
    /// no longer in the manifest but still in the lock or checked out.
    public func status() throws -> [ProjectStatus] {
        let (projects, _) = try loadProjects()
        let lock = try readLock()
        let staleLocks: [String]
        if case .abandoned(_, let files) = WorkspaceLock.state(stateDirectory: layout.stateDirectory) {
            staleLocks = files
        } else {
            staleLocks = []
        }
        func status(of path: String) throws -> ProjectStatus {
            let gitDir = layout.gitDirectory(forProjectPath: path)
            let locked = lock?.project(atPath: path)?.commit
            guard FileManager.default.fileExists(atPath: gitDir.appendingPathComponent("HEAD").path) else {
                return ProjectStatus(path: path, locked: locked, head: nil, changes: [], present: false)
            }
            var result = ProjectStatus(path: path, locked: locked, head: nil, changes: [], present: true)
            let prefix = ".sel4img/projects/\(path).git/"
            result.staleLocks = staleLocks.filter { $0.hasPrefix(prefix) }
            result.interruptedCheckout = Syncer.interruptedCheckout(layout, projectPath: path)
            // A lock file a killed process left makes libgit2 refuse to read
            // the index; the rest is still worth reporting.
            let repo = try Repository.open(at: gitDir)
            result.head = try repo.head()
            result.changes = try repo.changes(includeUntracked: true)
            return result
        }
        var statuses = try projects.map { try status(of: $0.path) }
        let inManifest = Set(projects.map(\.path))
        let removed = Set((lock?.projects.map(\.path) ?? []) + checkedOutProjectPaths()).subtracting(inManifest)
        for path in removed.sorted() {
            var s = try status(of: path)
            s.removed = true
            statuses.append(s)
        }
        return statuses
    }

    /// The project paths that have a git directory in `.sel4img/projects`.
    func checkedOutProjectPaths() -> [String] {
        let root = layout.projectsDirectory
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isDirectoryKey]) else { return [] }
        var paths: [String] = []
        for case let url as URL in walker where url.lastPathComponent.hasSuffix(".git") {
            walker.skipDescendants()
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent("HEAD").path) else { continue }
            paths.append(String(url.relativePath(from: root).dropLast(".git".count)))
        }
        return paths
    }
}

extension Workspace {
    /// The committer time of every locked commit (for SOURCE_DATE_EPOCH).
    public func commitTimes(of lock: LockFile) throws -> [Int64] {
        try lock.projects.map { project in
            try Repository.open(at: layout.objectStore(for: project.url)).commitTime(project.commit)
        }
    }
}
