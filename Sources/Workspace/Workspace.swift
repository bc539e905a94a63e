import Foundation
import Git
import Manifest
import Support

/// A directory of checked-out projects described by a manifest, and the
/// operations on it: init, sync, status, bundle.
public struct Workspace: Sendable {
    public let layout: WorkspaceLayout
    public let config: WorkspaceConfig

    /// Opens an initialised workspace.
    public static func open(at root: URL) throws -> Workspace {
        let layout = WorkspaceLayout(root: root)
        guard layout.isInitialized else { throw WorkspaceError.notAWorkspace(layout.root) }
        let config: WorkspaceConfig
        do {
            config = try JSONDecoder().decode(WorkspaceConfig.self, from: Data(contentsOf: layout.configFile))
        } catch {
            throw WorkspaceError(.notAWorkspace, "\(layout.configFile.path) is damaged: \(LockFile.describe(error))",
                                 hint: "remove .sel4img/workspace.json and run 'sel4img init' again; checkouts are kept")
        }
        return Workspace(layout: layout, config: config)
    }

    /// Reads the manifest and resolves it into the projects to sync.
    public func loadProjects() throws -> (projects: [ProjectSpec], manifest: LockFile.ManifestInfo) {
        let file = SafePath.join(layout.manifestDirectory, config.manifestFile)
        let manifest = try ManifestLoader.load(file: file, manifestURL: config.manifestURL)
        let projects = try manifest.resolve().map { p in
            ProjectSpec(
                name: p.name, path: p.path, url: p.url, revision: p.revision,
                linkfiles: p.linkfiles,
                copyfiles: p.copyfiles,
                excludes: p.excludes
            )
        }
        return (projects, .init(file: config.manifestFile, url: config.manifestURL, sha256: manifest.manifestHash))
    }

    public func readLock() throws -> LockFile? {
        FileManager.default.fileExists(atPath: layout.lockFile.path) ? try LockFile.read(from: layout.lockFile) : nil
    }

    /// Fetches and checks out every project, then writes the lock.
    public func sync(options: SyncOptions, progress: any ProgressReporter) throws -> SyncReport {
        var options = options
        if options.mirror == nil, let mirror = config.mirror { options.mirror = Mirror(root: URL(fileURLWithPath: mirror)) }
        let (projects, manifest) = try loadProjects()
        return try Syncer(layout: layout, options: options).sync(projects, manifest: manifest, lock: try readLock(), progress: progress)
    }
}

// MARK: - init

extension Workspace {
    /// Where `init` reads the manifest from.
    public enum ManifestSourceKind: Sendable, Equatable {
        /// A manifest file on disk; `manifestURL` resolves relative remotes.
        case file(URL, manifestURL: String?)
        /// A manifest repository (URL or local git directory), its branch and file.
        case repository(url: String, revision: String?, file: String)
        /// A directory written by `sel4img bundle`.
        case bundle(URL)

        /// Decides from what the user typed: a bundle directory, a file, or a repository.
        public static func guess(_ text: String, file: String = "default.xml", revision: String? = nil, manifestURL: String? = nil) -> ManifestSourceKind {
            let url = URL(fileURLWithPath: text)
            if FileManager.default.fileExists(atPath: url.appendingPathComponent(Bundle.markerFile).path) { return .bundle(url) }
            if text.contains("://") || FileManager.default.fileExists(atPath: url.appendingPathComponent("HEAD").path)
                || FileManager.default.fileExists(atPath: url.appendingPathComponent(".git").path) {
                return .repository(url: text, revision: revision, file: file)
            }
            return .file(url, manifestURL: manifestURL)
        }
    }

    /// Creates the workspace's state directory and takes a copy of the manifest
    /// (and everything it includes). Nothing is fetched but the manifest itself.
    @discardableResult
    ///
    /// Without `mirror`, a mirror an earlier `init` saved is kept. When the
    /// manifest cannot be read, a workspace directory this call created is
    /// removed again.
    public static func initialize(at root: URL, from source: ManifestSourceKind, mirror: Mirror?, progress: any ProgressReporter) throws -> Workspace {
        let layout = WorkspaceLayout(root: root)
        let fm = FileManager.default
        let createdRoot = !fm.fileExists(atPath: layout.root.path)
        let createdState = !fm.fileExists(atPath: layout.stateDirectory.path)
        do {
            return try initialize(layout, from: source, mirror: mirror ?? savedMirror(layout), progress: progress)
        } catch {
            // Leave nothing behind that this call made: the state directory, then the (then empty) root.
            if createdState { try? fm.removeItem(at: layout.stateDirectory) }
            if createdRoot { rmdir(layout.root.path) }
            throw error
        }
    }

    /// The mirror recorded by an earlier `init` of this workspace, if any.
    private static func savedMirror(_ layout: WorkspaceLayout) -> Mirror? {
        guard let data = FileManager.default.contents(atPath: layout.configFile.path),
              let config = try? JSONDecoder().decode(WorkspaceConfig.self, from: data),
              let mirror = config.mirror else { return nil }
        return Mirror(root: URL(fileURLWithPath: mirror))
    }

    private static func initialize(_ layout: WorkspaceLayout, from source: ManifestSourceKind, mirror: Mirror?, progress: any ProgressReporter) throws -> Workspace {
        let fm = FileManager.default
        try fm.createDirectory(at: layout.root, withIntermediateDirectories: true)
        let staging = layout.stateDirectory.appendingPathComponent("manifests.new")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: staging) }

        var config: WorkspaceConfig
        var lockToCopy: URL?
        switch source {
        case .file(let file, let manifestURL):
            guard fm.fileExists(atPath: file.path) else {
                throw WorkspaceError(.manifestNotFound, "manifest \(file.path) does not exist")
            }
            // Load once to validate and learn which files it includes.
            let manifest = try ManifestLoader.load(file: file, manifestURL: manifestURL)
            for included in manifest.sources {
                let from = URL(fileURLWithPath: included.path)
                // Includes are copied to the same place relative to the top file.
                guard SafePath.problem(with: included.name) == nil else {
                    throw WorkspaceError(.manifestNotFound, "\(file.path) includes \(included.path), which lies outside the manifest's directory and cannot be copied into the workspace")
                }
                let to = SafePath.join(staging, included.name)
                try fm.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
                try fm.copyItem(at: from, to: to)
            }
            config = WorkspaceConfig(manifestFile: file.lastPathComponent, manifestURL: manifestURL, source: file.path)
        case .repository(let url, let revision, let file):
            let commit = try fetchManifestRepository(url: url, revision: revision, layout: layout, mirror: mirror, progress: progress)
            let store = try Repository.open(at: layout.objectStore(for: url))
            try store.exportTree(commit, to: staging)
            guard SafePath.problem(with: file) == nil, fm.fileExists(atPath: SafePath.join(staging, file).path) else {
                throw WorkspaceError(.manifestNotFound, "the manifest repository \(url) has no file '\(file)' at \(commit.short)",
                                     hint: "name the manifest file with --manifest-file")
            }
            config = WorkspaceConfig(manifestFile: file, manifestURL: url, source: url)
        case .bundle(let dir):
            let info = try Bundle.readInfo(dir)
            try fm.removeItem(at: staging)
            try fm.copyItem(at: dir.appendingPathComponent("manifests"), to: staging)
            config = WorkspaceConfig(manifestFile: info.manifestFile, manifestURL: info.manifestURL, source: dir.path)
            config.mirror = dir.standardizedFileURL.path
            lockToCopy = dir.appendingPathComponent("sel4img.lock")
        }
        if let mirror, config.mirror == nil { config.mirror = mirror.root.standardizedFileURL.path }

        try? fm.removeItem(at: layout.manifestDirectory)
        try fm.moveItem(at: staging, to: layout.manifestDirectory)
        if let lockToCopy {
            try? fm.removeItem(at: layout.lockFile)
            try fm.copyItem(at: lockToCopy, to: layout.lockFile)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try fm.writeAtomically(try encoder.encode(config), to: layout.configFile)
        let workspace = Workspace(layout: layout, config: config)
        _ = try workspace.loadProjects()
        return workspace
    }

    private static func fetchManifestRepository(url: String, revision: String?, layout: WorkspaceLayout, mirror: Mirror?, progress: any ProgressReporter) throws -> ObjectID {
        let storeURL = layout.objectStore(for: url)
        let store = FileManager.default.fileExists(atPath: storeURL.appendingPathComponent("HEAD").path)
            ? try Repository.open(at: storeURL) : try Repository.createBare(at: storeURL)
        let source = try mirror.map { try $0.location(for: url).path } ?? url
        progress.update("manifest", "fetching \(url)")
        do {
            try store.fetch(from: source)
        } catch let error as GitError {
            throw WorkspaceError(.fetchFailed, "cannot fetch the manifest repository \(url): \(error.message)")
        }
        for candidate in revision.map({ [$0] }) ?? ["master", "main"] {
            if let commit = try? store.resolveCommit(candidate) {
                progress.update("manifest", "done (\(commit.short))")
                return commit
            }
        }
        throw WorkspaceError(.revisionNotFound, "the manifest repository \(url) has no branch '\(revision ?? "master")'",
                             hint: "name one with --manifest-revision")
    }
}
