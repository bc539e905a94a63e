import Foundation
import Support

/// Where something was written: the manifest file (as shown to the user) and
/// the 1-based line of the element's start tag.
public struct SourceLocation: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// The path of the file as shown in messages: the path of the URL given to
    /// `ManifestLoader.load` for the top file, that file's directory plus the
    /// `<include name>` for included files.
    public var file: String
    public var line: Int

    public init(file: String, line: Int) {
        self.file = file
        self.line = line
    }

    public var description: String { "\(file):\(line)" }
}

/// One file read while loading a manifest (the top file and every include).
public struct ManifestSource: Sendable, Equatable, Codable {
    /// The path as shown in messages (see `SourceLocation.file`).
    public var path: String
    /// The path relative to the top file's directory (`default.xml`,
    /// `common.xml`, `sub/extra.xml`); independent of where the files live.
    public var name: String
    /// Lower-case hex SHA-256 of the file's bytes.
    public var sha256: String

    public init(path: String, name: String, sha256: String) {
        self.path = path
        self.name = name
        self.sha256 = sha256
    }
}

/// A `<remote>`: where projects naming it are fetched from.
public struct Remote: Sendable, Equatable, Codable {
    public var name: String
    /// The `fetch` attribute as written: absolute (`https://github.com/nanopb`)
    /// or relative to the manifest's own URL (`.`, `../sel4proj`).
    public var fetch: String
    public var review: String?
    /// The revision for projects using this remote that set none themselves.
    public var revision: String?
    public var location: SourceLocation

    public init(name: String, fetch: String, review: String? = nil, revision: String? = nil, location: SourceLocation) {
        self.name = name
        self.fetch = fetch
        self.review = review
        self.revision = revision
        self.location = location
    }

    /// True when two remotes say the same thing, wherever they were written.
    func sameDefinition(as other: Remote) -> Bool {
        name == other.name && fetch == other.fetch && review == other.review && revision == other.revision
    }
}

/// The `<default>` element: values for projects that do not set their own.
/// Every field is nil when the manifest has no `<default>`.
public struct Defaults: Sendable, Equatable, Codable {
    public var remote: String?
    public var revision: String?
    public var upstream: String?
    public var destBranch: String?
    /// The `sync-j` attribute: how many projects repo would fetch at once.
    public var syncJobs: Int?
    public var location: SourceLocation?

    public init(
        remote: String? = nil, revision: String? = nil, upstream: String? = nil,
        destBranch: String? = nil, syncJobs: Int? = nil, location: SourceLocation? = nil
    ) {
        self.remote = remote
        self.revision = revision
        self.upstream = upstream
        self.destBranch = destBranch
        self.syncJobs = syncJobs
        self.location = location
    }

    func sameDefinition(as other: Defaults) -> Bool {
        remote == other.remote && revision == other.revision && upstream == other.upstream
            && destBranch == other.destBranch && syncJobs == other.syncJobs
    }
}

/// A `<linkfile>` or `<copyfile>`: `src` is relative to the project's
/// checkout, `dest` relative to the workspace root. Both were checked with
/// `SafePath.problem(with:)` when the manifest was loaded.
public struct FileLink: Sendable, Equatable, Hashable, Codable {
    public var src: String
    public var dest: String

    public init(src: String, dest: String) {
        self.src = src
        self.dest = dest
    }
}

/// A `<project>` as written (after `<extend-project>` and `<remove-project>`
/// were applied). Values that come from the remote or `<default>` are filled
/// in by `Manifest.resolve()`.
public struct Project: Sendable, Equatable, Codable {
    /// The repository name, appended to the remote's fetch URL.
    public var name: String
    /// Where it is checked out, relative to the workspace root; the name
    /// when the manifest gives no path. Always safe (see `SafePath`).
    public var path: String
    /// The remote named on the project, or nil to use `<default remote>`.
    public var remote: String?
    public var revision: String?
    public var upstream: String?
    public var destBranch: String?
    public var groups: [String]
    public var linkfiles: [FileLink]
    public var copyfiles: [FileLink]
    /// The `<exclude path>` children (a sel4img extension, ignored by repo):
    /// paths relative to the project's checkout, each a file or a directory
    /// with everything below it, that a sync leaves out of the work tree.
    /// Normalised (`./a//b/` → `a/b`), checked with `SafePath`, without
    /// repeats, in the order written.
    public var excludes: [String]
    public var location: SourceLocation

    public init(
        name: String, path: String? = nil, remote: String? = nil, revision: String? = nil,
        upstream: String? = nil, destBranch: String? = nil, groups: [String] = [],
        linkfiles: [FileLink] = [], copyfiles: [FileLink] = [], excludes: [String] = [], location: SourceLocation
    ) {
        self.name = name
        self.path = path ?? name
        self.remote = remote
        self.revision = revision
        self.upstream = upstream
        self.destBranch = destBranch
        self.groups = groups
        self.linkfiles = linkfiles
        self.copyfiles = copyfiles
        self.excludes = excludes
        self.location = location
    }
}

/// A loaded and validated `repo` manifest: its remotes, defaults and projects
/// in file order (included files' projects where the `<include>` stood).
public struct Manifest: Sendable, Equatable, Codable {
    /// The URL the manifest repository was cloned from; relative remote
    /// `fetch` values are resolved against it. Nil when unknown.
    public var manifestURL: String?
    public var remotes: [Remote]
    public var defaults: Defaults
    public var projects: [Project]
    /// Every file read, the top file first, then includes in reading order.
    public var sources: [ManifestSource]

    public init(manifestURL: String?, remotes: [Remote], defaults: Defaults, projects: [Project], sources: [ManifestSource]) {
        self.manifestURL = manifestURL
        self.remotes = remotes
        self.defaults = defaults
        self.projects = projects
        self.sources = sources
    }

    /// Looks a remote up by name.
    public func remote(named name: String) -> Remote? {
        remotes.first { $0.name == name }
    }

    /// The hash the lock file records for the manifest. With one file it is
    /// the SHA-256 of that file's bytes (what `sha256sum default.xml` prints);
    /// with includes it is the SHA-256 of `sha256sum`-style lines
    /// (`<hash>  <name>\n`) for every file read, in reading order.
    public var manifestHash: String {
        if sources.count == 1, let only = sources.first { return only.sha256 }
        return SHA256Hex.of(sources.map { "\($0.sha256)  \($0.name)\n" }.joined())
    }
}
