/// A project with everything filled in: the URL to fetch from, the revision
/// to check out, and the values inherited from its remote and `<default>`.
public struct ResolvedProject: Sendable, Equatable, Codable {
    public var name: String
    /// Checkout path relative to the workspace root (checked, normalised).
    public var path: String
    /// The name of the remote it is fetched from.
    public var remote: String
    /// The repository URL: resolved remote fetch + "/" + name.
    public var url: String
    /// Project revision, else remote revision, else default revision.
    public var revision: String
    public var upstream: String?
    public var destBranch: String?
    public var groups: [String]
    public var linkfiles: [FileLink]
    public var copyfiles: [FileLink]
    /// Paths of the project left out of its checkout (see `Project.excludes`).
    public var excludes: [String]

    public init(
        name: String, path: String, remote: String, url: String, revision: String, upstream: String?,
        destBranch: String?, groups: [String], linkfiles: [FileLink], copyfiles: [FileLink], excludes: [String] = []
    ) {
        self.name = name
        self.path = path
        self.remote = remote
        self.url = url
        self.revision = revision
        self.upstream = upstream
        self.destBranch = destBranch
        self.groups = groups
        self.linkfiles = linkfiles
        self.copyfiles = copyfiles
        self.excludes = excludes
    }

    /// What `revision` names: a commit, a tag or a branch.
    public var revisionKind: Revision { Revision(revision) }
}

extension Manifest {
    /// Every project with its URL and revision, in manifest order.
    public func resolve() throws -> [ResolvedProject] {
        try projects.map(resolve)
    }

    /// One project with its URL and revision.
    public func resolve(_ project: Project) throws -> ResolvedProject {
        guard let remoteName = project.remote ?? defaults.remote else {
            throw ManifestError(.noRemote, at: project.location, "project '\(project.name)' names no remote and <default> names none")
        }
        guard let remote = remote(named: remoteName) else {
            throw ManifestError(.unknownRemote, at: project.location, "project '\(project.name)' names unknown remote '\(remoteName)'")
        }
        guard let revision = project.revision ?? remote.revision ?? defaults.revision else {
            throw ManifestError(
                .noRevision, at: project.location,
                "project '\(project.name)' has no revision: neither the project, its remote '\(remoteName)', nor <default> sets one")
        }
        return ResolvedProject(
            name: project.name, path: project.path, remote: remoteName,
            url: FetchURL.projectURL(resolvedFetch: try fetchURL(of: remote), name: project.name),
            revision: revision, upstream: project.upstream ?? defaults.upstream,
            destBranch: project.destBranch ?? defaults.destBranch, groups: project.groups,
            linkfiles: project.linkfiles, copyfiles: project.copyfiles, excludes: project.excludes)
    }

    /// The remote's fetch resolved against `manifestURL` (repo's
    /// `_resolveFetchUrl`). Without a manifest URL only an absolute fetch works.
    public func fetchURL(of remote: Remote) throws -> String {
        if let manifestURL {
            return FetchURL.resolve(fetch: remote.fetch, manifestURL: manifestURL)
        }
        guard FetchURL.isAbsolute(remote.fetch) else {
            throw ManifestError(
                .relativeFetchWithoutURL, at: remote.location,
                "remote '\(remote.name)' has the relative fetch '\(remote.fetch)' but the manifest's own URL is not known")
        }
        return FetchURL.stripTrailingSlashes(remote.fetch)
    }
}
