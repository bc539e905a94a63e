import Foundation
import Git
import Support

/// Writes everything a locked workspace needs into one directory that another
/// machine can build from with no network: each project's repository in
/// mirror layout (HOST/OWNER/NAME.git) holding at least the locked commit,
/// the manifest files, the lock, and a `sel4img-bundle.json` marker.
///
/// On the other machine: `sel4img init --manifest BUNDLE` then `sel4img sync --locked`.
public enum Bundle {
    public static let markerFile = "sel4img-bundle.json"

    public struct Info: Codable, Sendable, Equatable {
        public var format: Int = 1
        public var manifestFile: String
        public var manifestURL: String?
        public var projects: Int
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
            try mirror.fetch(from: store.gitDirectory.path, refspecs: Repository.mirrorRefspecs + ["+refs/sel4img/*:refs/sel4img/*"])
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
        let info = Info(manifestFile: workspace.config.manifestFile, manifestURL: workspace.config.manifestURL, projects: lock.projects.count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try fm.writeAtomically(try encoder.encode(info), to: destination.appendingPathComponent(markerFile))
        return info
    }
}
