import Support

/// Turns the flattened top-level elements of a manifest into remotes,
/// defaults and projects, in repo's order: all `<remote>`s first, then
/// `<default>`, then `<project>`, `<remove-project>` and `<extend-project>`
/// in document order. Unknown elements are ignored, as repo ignores them.
struct ManifestBuilder {
    var remotes: [Remote] = []
    var defaults = Defaults()
    var projects: [Project] = []
    /// Which project holds each normalised checkout path.
    var pathOwners: [String: Project] = [:]

    mutating func interpret(_ elements: [PlacedElement]) throws {
        for element in elements where element.node.name == "remote" {
            try addRemote(element)
        }
        for element in elements where element.node.name == "default" {
            try setDefaults(element)
        }
        for element in elements {
            switch element.node.name {
            case "project": try addProject(element)
            case "remove-project": try removeProject(element)
            case "extend-project": try extendProject(element)
            default: break
            }
        }
    }

    // MARK: - remotes and defaults

    mutating func addRemote(_ element: PlacedElement) throws {
        let node = element.node, at = element.location
        let name = try required("name", of: node, at: at)
        let fetch = try required("fetch", of: node, at: at)
        let remote = Remote(
            name: name, fetch: fetch, review: node.attribute("review"), revision: node.attribute("revision"), location: at)
        if let existing = remotes.first(where: { $0.name == name }) {
            guard existing.sameDefinition(as: remote) else {
                throw ManifestError(
                    .duplicateRemote, at: at,
                    "remote '\(name)' is already defined at \(existing.location) with different attributes")
            }
            return
        }
        remotes.append(remote)
    }

    mutating func setDefaults(_ element: PlacedElement) throws {
        let node = element.node, at = element.location
        var syncJobs: Int?
        if let text = node.attribute("sync-j") {
            guard let jobs = Int(text), jobs > 0 else {
                throw ManifestError(.invalidAttribute, at: at, "<default> has invalid sync-j '\(text)': expected a positive whole number")
            }
            syncJobs = jobs
        }
        let new = Defaults(
            remote: node.attribute("remote"), revision: node.attribute("revision"), upstream: node.attribute("upstream"),
            destBranch: node.attribute("dest-branch"), syncJobs: syncJobs, location: at)
        if let remote = new.remote, !remotes.contains(where: { $0.name == remote }) {
            throw ManifestError(.unknownRemote, at: at, "<default> names unknown remote '\(remote)'")
        }
        if let first = defaults.location {
            guard defaults.sameDefinition(as: new) else {
                throw ManifestError(.duplicateDefault, at: at, "a second <default> with different attributes (the first is at \(first))")
            }
            return
        }
        defaults = new
    }

    // MARK: - projects

    mutating func addProject(_ element: PlacedElement) throws {
        let node = element.node, at = element.location
        let name = try required("name", of: node, at: at)
        if let problem = SafePath.problem(with: name) {
            throw ManifestError(.unsafePath, at: at, "project name '\(name)' is unsafe: \(problem)")
        }
        let path = try checkedPath(node.attribute("path") ?? name, project: name, at: at)
        let remote = node.attribute("remote")
        if let remote {
            try checkRemoteExists(remote, subject: "project '\(name)'", at: at)
        } else if defaults.remote == nil {
            throw ManifestError(.noRemote, at: at, "project '\(name)' names no remote and <default> names none")
        }
        var linkfiles: [FileLink] = []
        var copyfiles: [FileLink] = []
        var excludes: [String] = []
        for child in node.children {
            let childAt = SourceLocation(file: at.file, line: child.line)
            switch child.name {
            case "linkfile": linkfiles.append(try fileLink(child, project: name, at: childAt))
            case "copyfile": copyfiles.append(try fileLink(child, project: name, at: childAt))
            case "exclude": Self.add(try excludePath(child, project: name, at: childAt), to: &excludes)
            case "project": throw ManifestError(.unsupported, at: childAt, "nested <project> elements are not supported (in project '\(name)')")
            default: break
            }
        }
        let project = Project(
            name: name, path: path, remote: remote, revision: node.attribute("revision"),
            upstream: node.attribute("upstream"), destBranch: node.attribute("dest-branch"),
            groups: Self.groups(node.attribute("groups")), linkfiles: linkfiles, copyfiles: copyfiles,
            excludes: excludes, location: at)
        try claim(path: path, for: project, at: at)
        projects.append(project)
    }

    mutating func removeProject(_ element: PlacedElement) throws {
        let node = element.node, at = element.location
        let name = node.attribute("name")
        let path = try node.attribute("path").map { try checkedPath($0, project: name ?? $0, at: at) }
        guard name != nil || path != nil else {
            throw ManifestError(.missingAttribute, at: at, "<remove-project> is missing the required attribute 'name' (or 'path')")
        }
        let matches: (Project) -> Bool = { project in
            (name == nil || project.name == name) && (path == nil || project.path == path)
        }
        let removed = projects.filter(matches)
        if removed.isEmpty {
            if node.attribute("optional") == "true" { return }
            throw ManifestError(.unknownProject, at: at, "<remove-project> names unknown project " + Self.describe(name: name, path: path))
        }
        projects.removeAll(where: matches)
        for project in removed { pathOwners[project.path] = nil }
    }

    mutating func extendProject(_ element: PlacedElement) throws {
        let node = element.node, at = element.location
        let name = try required("name", of: node, at: at)
        let path = try node.attribute("path").map { try checkedPath($0, project: name, at: at) }
        let destPath = try node.attribute("dest-path").map { try checkedPath($0, project: name, at: at) }
        let remote = node.attribute("remote")
        if let remote { try checkRemoteExists(remote, subject: "<extend-project> for '\(name)'", at: at) }
        let indices = projects.indices.filter { projects[$0].name == name && (path == nil || projects[$0].path == path) }
        if indices.isEmpty {
            throw ManifestError(.unknownProject, at: at, "<extend-project> names unknown project " + Self.describe(name: name, path: path))
        }
        let excludes = try node.children.filter { $0.name == "exclude" }.map {
            try excludePath($0, project: name, at: SourceLocation(file: at.file, line: $0.line))
        }
        for index in indices {
            var project = projects[index]
            for exclude in excludes { Self.add(exclude, to: &project.excludes) }
            if let remote { project.remote = remote }
            if let revision = node.attribute("revision") { project.revision = revision }
            if let upstream = node.attribute("upstream") { project.upstream = upstream }
            if let destBranch = node.attribute("dest-branch") { project.destBranch = destBranch }
            project.groups += Self.groups(node.attribute("groups")).filter { !project.groups.contains($0) }
            if let destPath, destPath != project.path {
                pathOwners[project.path] = nil
                project.path = destPath
                try claim(path: destPath, for: project, at: at)
            }
            projects[index] = project
            pathOwners[project.path] = project
        }
    }

    // MARK: - helpers

    func required(_ attribute: String, of node: XMLNode, at: SourceLocation) throws -> String {
        guard let value = node.attribute(attribute) else {
            throw ManifestError(.missingAttribute, at: at, "<\(node.name)> is missing the required attribute '\(attribute)'")
        }
        return value
    }

    func checkRemoteExists(_ remote: String, subject: String, at: SourceLocation) throws {
        guard remotes.contains(where: { $0.name == remote }) else {
            throw ManifestError(.unknownRemote, at: at, "\(subject) names unknown remote '\(remote)'")
        }
    }

    /// Checks a checkout path and normalises it (`./a//b/` → `a/b`), so that
    /// spelling variants of one path are caught as duplicates.
    func checkedPath(_ path: String, project: String, at: SourceLocation) throws -> String {
        if let problem = SafePath.problem(with: path) {
            throw ManifestError(.unsafePath, at: at, "project '\(project)' has an unsafe path '\(path)': \(problem)")
        }
        if Containment.namesWorkspaceState(path) {
            throw ManifestError(.unsafePath, at: at, "project '\(project)' has an unsafe path '\(path)': \(Self.workspaceStateProblem)")
        }
        return path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    static let workspaceStateProblem = "names sel4img's own state (\(Containment.stateDirectoryName)/ or \(Containment.lockFileName))"

    mutating func claim(path: String, for project: Project, at: SourceLocation) throws {
        if let owner = pathOwners[path] {
            throw ManifestError(
                .duplicatePath, at: at,
                "project '\(project.name)' uses path '\(path)', already used by project '\(owner.name)' at \(owner.location)")
        }
        pathOwners[path] = project
    }

    func fileLink(_ node: XMLNode, project: String, at: SourceLocation) throws -> FileLink {
        let kind = node.name
        guard let src = node.attribute("src") else {
            throw ManifestError(.missingAttribute, at: at, "<\(kind)> in project '\(project)' is missing the required attribute 'src'")
        }
        guard let dest = node.attribute("dest") else {
            throw ManifestError(.missingAttribute, at: at, "<\(kind)> in project '\(project)' is missing the required attribute 'dest'")
        }
        for (label, value) in [("src", src), ("dest", dest)] {
            if let problem = SafePath.problem(with: value) {
                throw ManifestError(.unsafePath, at: at, "<\(kind)> \(label) '\(value)' in project '\(project)' is unsafe: \(problem)")
            }
        }
        if Containment.namesWorkspaceState(dest) {
            throw ManifestError(.unsafePath, at: at, "<\(kind)> dest '\(dest)' in project '\(project)' is unsafe: \(Self.workspaceStateProblem)")
        }
        return FileLink(src: src, dest: dest)
    }

    /// The checked, normalised path of an `<exclude>` (`./tx1//` → `tx1`),
    /// the way project paths are normalised.
    func excludePath(_ node: XMLNode, project: String, at: SourceLocation) throws -> String {
        // Read the raw attribute: an empty path is an error of its own, not a missing one.
        guard let path = node.attributes["path"] else {
            throw ManifestError(.missingAttribute, at: at, "<exclude> in project '\(project)' is missing the required attribute 'path'")
        }
        if let problem = SafePath.problem(with: path) {
            throw ManifestError(.unsafePath, at: at, "<exclude> path '\(path)' in project '\(project)' is unsafe: \(problem)")
        }
        return path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    /// Appends an exclude path unless it is already there.
    static func add(_ exclude: String, to excludes: inout [String]) {
        if !excludes.contains(exclude) { excludes.append(exclude) }
    }

    /// repo's `groups` syntax: names separated by commas and/or whitespace.
    static func groups(_ text: String?) -> [String] {
        guard let text else { return [] }
        return text.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init)
    }

    static func describe(name: String?, path: String?) -> String {
        switch (name, path) {
        case let (name?, path?): "'\(name)' at path '\(path)'"
        case let (name?, nil): "'\(name)'"
        case let (nil, path?): "at path '\(path)'"
        case (nil, nil): "(none given)"
        }
    }
}
