import Foundation
import Git
import Support

/// Writes everything a locked workspace needs into one directory that another
/// machine can build from with no network: each project's repository in
/// mirror layout (HOST/OWNER/NAME.git) holding at least the locked commit,
/// the manifest files, the lock, and a `sel4img-bundle.json` marker.
///
/// On the other machine: `sel4img init --manifest BUNDLE` then `sel4img sync --locked`.
///
/// Object files are copied as they are (hard links where possible), like a
/// local sync does, not re-packed through libgit2's local fetch: that packs
/// every object the refs reach and fails on a blob a manifest's `<exclude>`
/// left out of the workspace (a mirror made from a partial copy lacks it).
/// The marker lists each project's excluded paths; the bundled manifest
/// carries the same `<exclude>`s, so a sync from the bundle leaves out the same
/// files and needs none of the missing blobs.
public enum Bundle {
    public static let markerFile = "sel4img-bundle.json"

    public struct Info: Codable, Sendable, Equatable {
        public var format: Int = 1
        public var manifestFile: String
        public var manifestURL: String?
        public var projects: Int
        /// Per project path, the paths its checkout leaves out (`<exclude>`),
        /// whose blobs the bundle need not hold; absent when there are none.
        public var excluded: [String: [String]]?

        public init(manifestFile: String, manifestURL: String?, projects: Int, excluded: [String: [String]]? = nil) {
            self.manifestFile = manifestFile
            self.manifestURL = manifestURL
            self.projects = projects
            self.excluded = excluded
        }
    }

    static func readInfo(_ dir: URL) throws -> Info {
        let file = dir.appendingPathComponent(markerFile)
        do {
            let info = try JSONDecoder().decode(Info.self, from: Data(contentsOf: file))
            guard info.format == 1, SafePath.problem(with: info.manifestFile) == nil else {
                throw WorkspaceError(.manifestNotFound, "\(file.path): unsupported bundle format \(info.format) or unsafe manifest name")
            }
            return info
        } catch let error as WorkspaceError {
            throw error
        } catch {
            throw WorkspaceError(.manifestNotFound, "\(file.path) is not a valid sel4img bundle marker: \(LockFile.describe(error))")
        }
    }

    /// Writes the bundle for a workspace whose lock is current.
    public static func write(_ workspace: Workspace, to destination: URL, progress: any ProgressReporter) throws -> Info {
        let fm = FileManager.default
        guard let lock = try workspace.readLock() else {
            throw WorkspaceError(.notInLock, "the workspace has no lock file to bundle", hint: "run 'sel4img sync' first")
        }
        if fm.fileExists(atPath: destination.path), !((try? fm.contentsOfDirectory(atPath: destination.path))?.isEmpty ?? true),
           !fm.fileExists(atPath: destination.appendingPathComponent(markerFile).path) {
            throw WorkspaceError(.pathOccupied, "\(destination.path) exists, is not empty and is not a sel4img bundle",
                                 hint: "name a new directory")
        }
        let layout = workspace.layout
        var excluded: [String: [String]] = [:]
        for spec in try workspace.loadProjects().projects where !spec.excludes.isEmpty {
            excluded[spec.path] = ExcludedPaths(spec.excludes).paths
        }
        try fm.createDirectory(at: destination, withIntermediateDirectories: true)
        for project in lock.projects {
            progress.update(project.path, "bundling \(project.commit.short)")
            let store = try Repository.open(at: layout.objectStore(for: project.url))
            // A ref keeps the locked commit reachable, whatever branches do later.
            try store.setReference("refs/sel4img/locked/\(project.commit.hex)", to: project.commit)
            let target = RepositoryURL.mirrorRelativePath(project.url).split(separator: "/").reduce(destination) {
                $0.appendingPathComponent(String($1))
            }
            let mirror = fm.fileExists(atPath: target.appendingPathComponent("HEAD").path)
                ? try Repository.open(at: target) : try Repository.createBare(at: target)
            // Every object file the store has, with its branches, tags and refs/sel4img/*;
            // a fetch (which packs every reachable object) only for a store that borrows objects.
            if try !mirror.copyObjectsLocally(from: store.gitDirectory) {
                try mirror.fetch(from: store.gitDirectory.path, refspecs: Repository.mirrorRefspecs + ["+refs/sel4img/*:refs/sel4img/*"])
            }
            guard mirror.contains(project.commit) else {
                throw WorkspaceError(.revisionNotFound, "bundling \(project.path): commit \(project.commit.hex) did not reach \(target.path)")
            }
            progress.update(project.path, "done")
        }
        let manifests = destination.appendingPathComponent("manifests")
        try? fm.removeItem(at: manifests)
        try fm.copyItem(at: layout.manifestDirectory, to: manifests)
        try? fm.removeItem(at: destination.appendingPathComponent("sel4img.lock"))
        try fm.copyItem(at: layout.lockFile, to: destination.appendingPathComponent("sel4img.lock"))
        let info = Info(manifestFile: workspace.config.manifestFile, manifestURL: workspace.config.manifestURL, projects: lock.projects.count,
                        excluded: excluded.isEmpty ? nil : excluded)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try fm.writeAtomically(try encoder.encode(info), to: destination.appendingPathComponent(markerFile))
        return info
    }
}
