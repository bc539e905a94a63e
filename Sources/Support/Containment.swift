import Foundation

/// The one check every writer of files runs before it writes or deletes a
/// path it was given by a manifest, a patch, an archive or an app file:
/// the path must stay below a root (the workspace, a project's work tree, an
/// extraction directory) on the disk as it is *now*.
///
/// `resolve` walks the path one component at a time from the root's physical
/// location (`realpath`), with `lstat` on each existing component:
/// - a directory is entered;
/// - a symbolic link is followed only when where it leads stays below the
///   root; its target is walked the same way (so chains are checked link by
///   link, up to 40 links). A relative target is walked from the link's
///   directory; an absolute target is accepted only when it names a path
///   below the root's own path (physical or as given), and is otherwise
///   refused even if a further link would bring it back;
/// - a component that does not exist is taken lexically (a `..` after it
///   goes back one component, never above the root), and the walk goes on;
/// - the last component, when `followLast` is false, is taken as it is (a
///   link there is the thing to replace or delete, not a directory to write through).
///
/// With `protectWorkspaceState` (the root is a workspace), a path that
/// resolves to `.sel4img` or below it, or to `sel4img.lock`, is refused too.
///
/// The result names the physical path to use. The check and the write that
/// follows are two steps: callers check right before they write, with the
/// tree as the earlier steps of their own work left it.
public struct Containment: Sendable {
    /// The root as the caller named it.
    public let root: URL
    /// How messages name the root, e.g. "the workspace" or "projects/seL4".
    public let rootName: String
    public let protectWorkspaceState: Bool

    /// The workspace's own state, refused below a workspace root.
    public static let stateDirectoryName = ".sel4img"
    public static let lockFileName = "sel4img.lock"
    static let maximumLinks = 40

    public init(root: URL, name rootName: String, protectWorkspaceState: Bool = false) {
        self.root = root.standardizedFileURL
        self.rootName = rootName
        self.protectWorkspaceState = protectWorkspaceState
    }

    /// A path below the root, resolved.
    public struct Resolved: Sendable, Equatable {
        /// The physical path to read, write or delete.
        public var url: URL
        /// The same path relative to the root's physical location (symlinks
        /// that stay inside resolved), e.g. for the state-path check.
        public var relative: String
    }

    /// Resolves `relative` below the root, or throws a `ContainmentError`
    /// naming the path and the component that is the problem.
    public func resolve(_ relative: String, followLast: Bool = true) throws -> Resolved {
        if let problem = Self.lexicalProblem(relative) {
            throw ContainmentError(.unsafePath, path: relative, component: relative, rootName: rootName, detail: problem)
        }
        let physicalRoot = Self.physicalPath(of: root)
        let rootParts = Self.components(physicalRoot)
        let givenRootParts = Self.components(root.path)
        let original = Self.components(relative)

        // `current` is always below (or at) the physical root, fully resolved where it exists.
        var current: [String] = []
        var links = 0
        for (index, part) in original.enumerated() {
            let shown = original.prefix(index + 1).joined(separator: "/")
            let lastOriginal = index == original.count - 1
            func outside(_ detail: String) -> ContainmentError {
                ContainmentError(.linkLeadsOutside, path: relative, component: shown, rootName: rootName, detail: detail)
            }
            // This component, with the targets of links met on the way pushed in front.
            var pending = [part]
            var firstTarget: String?
            while let step = pending.popLast() {
                if step == "." { continue }
                if step == ".." {
                    guard !current.isEmpty else { throw outside(firstTarget.map { "a symbolic link to '\($0)'" } ?? "'..'") }
                    current.removeLast()
                    continue
                }
                let candidate = current + [step]
                let isLast = lastOriginal && pending.isEmpty
                let physical = "/" + (rootParts + candidate).joined(separator: "/")
                var info = stat()
                guard lstat(physical, &info) == 0 else {
                    // Not there (yet): taken lexically. Later components are
                    // still looked at, in case a `..` leads back to what exists.
                    current = candidate
                    continue
                }
                let type = info.st_mode & S_IFMT
                if type == S_IFLNK, !(isLast && !followLast && firstTarget == nil) {
                    links += 1
                    guard links <= Self.maximumLinks else {
                        throw ContainmentError(.tooManyLinks, path: relative, component: shown, rootName: rootName,
                                               detail: "more than \(Self.maximumLinks) symbolic links")
                    }
                    let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: physical)) ?? ""
                    if firstTarget == nil { firstTarget = target }
                    let targetParts = Self.components(target)
                    if target.hasPrefix("/") {
                        guard let rest = Self.suffix(targetParts, after: rootParts) ?? Self.suffix(targetParts, after: givenRootParts),
                              !rest.contains("..") else {
                            throw outside("a symbolic link to '\(firstTarget!)'")
                        }
                        current = []
                        pending.append(contentsOf: rest.reversed())
                    } else {
                        pending.append(contentsOf: targetParts.reversed())
                    }
                    continue
                }
                if type != S_IFDIR, type != S_IFLNK, !isLast {
                    throw ContainmentError(.notADirectory, path: relative, component: shown, rootName: rootName, detail: "not a directory")
                }
                current = candidate
            }
        }

        if current.isEmpty {
            throw ContainmentError(.rootItself, path: relative, component: relative, rootName: rootName, detail: "the root itself")
        }
        if protectWorkspaceState {
            if current.first == Self.stateDirectoryName {
                throw ContainmentError(.workspaceState, path: relative, component: current.joined(separator: "/"), rootName: rootName,
                                       detail: "sel4img's own state directory (\(Self.stateDirectoryName)/)")
            }
            if current == [Self.lockFileName] {
                throw ContainmentError(.workspaceState, path: relative, component: Self.lockFileName, rootName: rootName,
                                       detail: "sel4img's lock file")
            }
        }
        let url = current.reduce(URL(fileURLWithPath: physicalRoot, isDirectory: true)) { $0.appendingPathComponent($1) }
        return Resolved(url: url, relative: current.joined(separator: "/"))
    }

    /// Why a relative path given by a file cannot name something below a
    /// root, before looking at the disk; nil when it can.
    public static func lexicalProblem(_ path: String) -> String? {
        if path.isEmpty { return "is empty" }
        if path.hasPrefix("/") { return "is absolute" }
        if path.contains("\0") { return "contains a NUL byte" }
        if components(path).contains("..") { return "contains '..'" }
        if components(path).allSatisfy({ $0 == "." }) { return "names the root itself" }
        return nil
    }

    /// Whether a workspace-relative path (as written in a manifest) names
    /// sel4img's own state: `.sel4img` or below, or `sel4img.lock`.
    public static func namesWorkspaceState(_ path: String) -> Bool {
        let parts = components(path).filter { $0 != "." }
        return parts.first == stateDirectoryName || parts == [lockFileName]
    }

    static func components(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    static func suffix(_ parts: [String], after prefix: [String]) -> [String]? {
        guard parts.count >= prefix.count, Array(parts.prefix(prefix.count)) == prefix else { return nil }
        return Array(parts.dropFirst(prefix.count))
    }

    /// `realpath` of the root (which the caller trusts, links and all); the
    /// standardised path when it does not exist yet.
    static func physicalPath(of url: URL) -> String {
        guard let resolved = realpath(url.path, nil) else { return url.standardizedFileURL.path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Why a path cannot be used below a root. `description` reads, e.g.,
/// "'e/evil/sub/x' goes through 'e/evil', a symbolic link to '/tmp/outside', which leads outside the workspace".
public struct ContainmentError: UserFacingError, Equatable {
    public enum Kind: String, Sendable {
        /// Empty, absolute, with `..` or NUL: refused before looking at the disk.
        case unsafePath
        /// A component is a symbolic link (or `..`) that leads out of the root.
        case linkLeadsOutside
        /// A component is a file, so nothing can be below it.
        case notADirectory
        case tooManyLinks
        /// The path resolves to the root itself.
        case rootItself
        /// The path resolves to `.sel4img/…` or `sel4img.lock`.
        case workspaceState
    }

    public var kind: Kind
    /// The path as given.
    public var path: String
    /// The leading part of `path` that is the problem.
    public var component: String
    public var rootName: String
    public var detail: String

    public init(_ kind: Kind, path: String, component: String, rootName: String, detail: String) {
        self.kind = kind
        self.path = path
        self.component = component
        self.rootName = rootName
        self.detail = detail
    }

    public var description: String {
        let p = "'\(Containment.printable(path))'"
        let c = "'\(Containment.printable(component))'"
        switch kind {
        case .unsafePath: return "\(p) \(detail)"
        case .linkLeadsOutside:
            return component == path
                ? "\(p) is \(Containment.printable(detail)), which leads outside \(rootName)"
                : "\(p) goes through \(c), \(Containment.printable(detail)), which leads outside \(rootName)"
        case .notADirectory: return "\(p) goes through \(c), which is a file, not a directory"
        case .tooManyLinks: return "\(p) goes through \(c), which leads through \(detail)"
        case .rootItself: return "\(p) resolves to \(rootName) itself"
        case .workspaceState: return "\(p) resolves to \(c), \(detail); sel4img never writes there for a manifest, patch or app"
        }
    }

    public var hint: String? {
        switch kind {
        case .linkLeadsOutside, .tooManyLinks: return "remove the symbolic link '\(Containment.printable(component))', or choose a path that does not go through it"
        case .workspaceState: return "choose a path outside .sel4img/ and other than sel4img.lock"
        default: return nil
        }
    }
}

extension Containment {
    /// `text` with control characters written as escapes (`\n`, `\u{1B}`), for messages that echo names from files.
    public static func printable(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                    out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
