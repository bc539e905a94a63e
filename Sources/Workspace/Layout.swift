import Foundation

/// Where a workspace keeps things. Project checkouts sit at their manifest
/// paths under `root`; everything sel4img owns lives in `root/.sel4img`:
///
///     .sel4img/workspace.json      how the workspace was initialised
///     .sel4img/manifests/          the manifest file(s)
///     .sel4img/objects/HOST/P.git  one bare object store per remote repository
///     .sel4img/projects/PATH.git   per-checkout git directories (alternates → objects)
///     .sel4img/sel4img.pid         the workspace lock (see `WorkspaceLock`)
///     sel4img.lock                 exact commits, written by every sync
public struct WorkspaceLayout: Sendable, Equatable {
    public let root: URL

    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    public var stateDirectory: URL { root.appendingPathComponent(".sel4img") }
    public var configFile: URL { stateDirectory.appendingPathComponent("workspace.json") }
    public var manifestDirectory: URL { stateDirectory.appendingPathComponent("manifests") }
    public var objectsDirectory: URL { stateDirectory.appendingPathComponent("objects") }
    public var projectsDirectory: URL { stateDirectory.appendingPathComponent("projects") }
    public var lockFile: URL { root.appendingPathComponent("sel4img.lock") }

    public var isInitialized: Bool { FileManager.default.fileExists(atPath: configFile.path) }

    /// The bare store for a remote URL: the same HOST/PATH.git layout as a mirror.
    public func objectStore(for url: String) -> URL {
        RepositoryURL.mirrorRelativePath(url).split(separator: "/").reduce(objectsDirectory) {
            $0.appendingPathComponent(String($1))
        }
    }

    public func gitDirectory(forProjectPath path: String) -> URL {
        projectsDirectory.appendingPathComponent(path + ".git")
    }

    /// Written before a checkout writes its first file and removed once HEAD
    /// points at the commit: while it exists, the work tree holds a checkout
    /// sel4img did not finish (see `Syncer.checkout`).
    public func checkoutJournal(forProjectPath path: String) -> URL {
        gitDirectory(forProjectPath: path).appendingPathComponent("sel4img-checkout")
    }

    public func workTree(forProjectPath path: String) -> URL {
        path.split(separator: "/").reduce(root) { $0.appendingPathComponent(String($1)) }
    }
}

/// What `sel4img init` recorded: where the manifest came from.
public struct WorkspaceConfig: Codable, Sendable, Equatable {
    public var format: Int = 1
    /// The manifest file inside `.sel4img/manifests/`.
    public var manifestFile: String
    /// The URL the manifest was read from; relative remotes (`fetch="."`) resolve against it.
    public var manifestURL: String?
    /// What the user passed to `init`, for messages.
    public var source: String
    /// A mirror to sync from when none is named (set for bundles and `init --mirror`).
    public var mirror: String?

    public init(manifestFile: String, manifestURL: String?, source: String) {
        self.manifestFile = manifestFile
        self.manifestURL = manifestURL
        self.source = source
    }
}

/// Mapping of remote URLs onto local paths.
public enum RepositoryURL {
    /// `https://HOST/OWNER/NAME[.git]` → `HOST/OWNER/NAME.git`; a local path
    /// `/a/b/c` → `local/a/b/c.git`. Used for mirrors and for the object stores.
    public static func mirrorRelativePath(_ url: String) -> String {
        var rest: String
        if let range = url.range(of: "://") {
            rest = String(url[range.upperBound...])
            if url.hasPrefix("file://") { rest = "local/" + rest }
            // Drop user info (git@host) and a port.
            if let at = rest.firstIndex(of: "@"), let slash = rest.firstIndex(of: "/"), at < slash {
                rest = String(rest[rest.index(after: at)...])
            }
        } else if url.hasPrefix("/") {
            rest = "local" + url
        } else if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") {
            // scp-like git@host:owner/name
            var host = String(url[..<colon])
            if let at = host.firstIndex(of: "@") { host = String(host[host.index(after: at)...]) }
            rest = host + "/" + url[url.index(after: colon)...]
        } else {
            rest = "local/" + url
        }
        var parts = rest.split(separator: "/").map(String.init).filter { !$0.isEmpty && $0 != "." && $0 != ".." }
        if let host = parts.first, let colon = host.firstIndex(of: ":") { parts[0] = String(host[..<colon]) }
        var joined = parts.joined(separator: "/")
        if !joined.hasSuffix(".git") { joined += ".git" }
        return joined
    }
}

/// An offline mirror laid out as `DIR/HOST/OWNER/NAME.git` (what
/// `shared/tools/make-mirror` and `sel4img bundle` write).
public struct Mirror: Sendable, Equatable {
    public let root: URL

    public init(root: URL) { self.root = root }

    /// The local repository that stands in for `url`, or an error naming the path expected.
    public func location(for url: String) throws -> URL {
        let candidate = RepositoryURL.mirrorRelativePath(url).split(separator: "/").reduce(root) {
            $0.appendingPathComponent(String($1))
        }
        if !FileManager.default.fileExists(atPath: candidate.path), let folded = Self.caseInsensitiveMatch(candidate, below: root) {
            // GitHub ignores case in owner and repository names; mirrors keep one spelling.
            return folded
        }
        guard FileManager.default.fileExists(atPath: candidate.path) else {
            throw WorkspaceError(.mirrorMissing, "the mirror \(root.path) has no copy of \(url) (expected \(candidate.path))",
                                 hint: "add it with shared/tools/make-mirror, or sync without --mirror")
        }
        return candidate
    }

    /// Walks from `root` to `path`, matching each component without regard to case.
    static func caseInsensitiveMatch(_ path: URL, below root: URL) -> URL? {
        let parts = path.pathComponents.dropFirst(root.pathComponents.count)
        var current = root
        for part in parts {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: current.path)) ?? []
            guard let match = names.first(where: { $0.lowercased() == part.lowercased() }) else { return nil }
            current = current.appendingPathComponent(match)
        }
        return current
    }
}
