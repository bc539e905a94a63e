import Foundation
import Git

/// How one checkout compares with the lock.
public struct ProjectStatus: Sendable, Codable, Equatable {
    public var path: String
    public var locked: ObjectID?
    public var head: ObjectID?
    public var changes: [FileChange]
    /// False when the project has not been checked out yet.
    public var present: Bool

    public var matchesLock: Bool { head != nil && head == locked }
}

extension Workspace {
    /// Each project's HEAD against the lock, and its uncommitted changes.
    public func status() throws -> [ProjectStatus] {
        let (projects, _) = try loadProjects()
        let lock = try readLock()
        return try projects.map { project in
            let gitDir = layout.gitDirectory(forProjectPath: project.path)
            let locked = lock?.project(atPath: project.path)?.commit
            guard FileManager.default.fileExists(atPath: gitDir.appendingPathComponent("HEAD").path) else {
                return ProjectStatus(path: project.path, locked: locked, head: nil, changes: [], present: false)
            }
            let repo = try Repository.open(at: gitDir)
            return ProjectStatus(path: project.path, locked: locked, head: try repo.head(), changes: try repo.changes(includeUntracked: true), present: true)
        }
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
