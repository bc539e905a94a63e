import Foundation
import Support

/// One hostile layout: symbolic links placed below a root, then a path below
/// the root that a writer of files is asked to write (or delete). Every
/// writer (sync's checkouts, copyfile, linkfile, patches, CPIO extraction,
/// app sources) runs the same cases; see `EscapeCorpus.cases`.
public struct EscapeCase: Sendable, CustomStringConvertible {
    public var label: String
    /// Links to make, in order: path below the root → target. In a target,
    /// `{outside}` is the outside directory's absolute path, `{up}` the
    /// relative way from the link's directory to the outside directory and
    /// `{top}` the relative way from the link's directory to the root.
    public var links: [(path: String, target: String)]
    /// The path the writer is asked to write, below the root.
    public var path: String
    /// The part of `path` the refusal names.
    public var component: String

    public var description: String { label }

    /// The same case one directory further down (`e/…`), e.g. inside a project at `e`.
    public func under(_ prefix: String) -> EscapeCase {
        EscapeCase(label: label, links: links.map { (prefix + "/" + $0.path, $0.target) },
                   path: prefix + "/" + path, component: prefix + "/" + component)
    }
}

public enum EscapeCorpus {
    /// The escapes through symbolic links.
    public static let cases: [EscapeCase] = [
        EscapeCase(label: "a symlink to an absolute directory outside", links: [("evil", "{outside}")],
                   path: "evil/sub/x", component: "evil"),
        EscapeCase(label: "a relative ../.. symlink", links: [("d/evil", "{up}")],
                   path: "d/evil/x", component: "d/evil"),
        EscapeCase(label: "a chain of symlinks, the last leading out", links: [("a", "b"), ("b", "{outside}")],
                   path: "a/x", component: "a"),
        EscapeCase(label: "a symlink to a dangling path outside", links: [("evil", "{outside}/missing/deeper")],
                   path: "evil/x", component: "evil"),
        EscapeCase(label: "a deep path below a symlink", links: [("evil", "{outside}")],
                   path: "evil/a/b/c/d/x", component: "evil"),
        EscapeCase(label: "a symlink inside that climbs out through another", links: [("in/up", "{top}"), ("in/far", "up/..")],
                   path: "in/far/x", component: "in/far"),
    ]

    /// The detail a refusal gives: the target of the first link met at `component`.
    public static func firstTarget(_ c: EscapeCase, root: URL, outside: URL) -> String {
        let link = c.links.first { $0.path == c.component }!
        return expand(link.target, linkPath: link.path, root: root, outside: outside)
    }

    static func expand(_ target: String, linkPath: String, root: URL, outside: URL) -> String {
        let parent = SafePath.join(root, linkPath).deletingLastPathComponent()
        return target.replacingOccurrences(of: "{outside}", with: outside.path)
            .replacingOccurrences(of: "{up}", with: parent.relativePath(to: outside))
            .replacingOccurrences(of: "{top}", with: parent.relativePath(to: root))
    }

    /// The links of `c` with their targets as they must read below `root`.
    public static func links(_ c: EscapeCase, root: URL, outside: URL) -> [(path: String, target: String)] {
        c.links.map { ($0.path, expand($0.target, linkPath: $0.path, root: root, outside: outside)) }
    }

    /// Makes the links of `c` below `root` (creating parent directories).
    public static func makeLinks(_ c: EscapeCase, in root: URL, outside: URL) throws {
        for link in c.links {
            let url = SafePath.join(root, link.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                atPath: url.path, withDestinationPath: expand(link.target, linkPath: link.path, root: root, outside: outside))
        }
    }

    /// The containment refusal for `c`, as `ContainmentError.description` words it.
    public static func refusal(_ c: EscapeCase, root: URL, outside: URL, rootName: String) -> String {
        "'\(c.path)' goes through '\(c.component)', a symbolic link to '\(firstTarget(c, root: root, outside: outside))', which leads outside \(rootName)"
    }
}

/// A directory outside every root a test writes to, holding a file (`victim`)
/// a hostile path might delete; `listing()` before and after shows whether
/// anything was created, changed or removed there.
public struct OutsideDirectory: Sendable {
    public let url: URL

    public init(in parent: URL) throws {
        url = parent.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try Data("keep me\n".utf8).write(to: url.appendingPathComponent("victim"))
        try FileManager.default.createDirectory(at: url.appendingPathComponent("sub"), withIntermediateDirectories: true)
    }

    /// Every path below it with its size and content hash, sorted.
    public func listing() -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        let base = url.path + "/"
        if let walker = fm.enumerator(atPath: url.path) {
            for case let relative as String in walker {
                let full = base + relative
                let data = (try? Data(contentsOf: URL(fileURLWithPath: full))) ?? Data()
                out.append("\(relative) \(data.count) \(SHA256Hex.of(data))")
            }
        }
        return out.sorted()
    }
}
