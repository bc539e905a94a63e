import Foundation
import Support
#if canImport(Glibc)
import Glibc
#endif

/// Reads a `repo` manifest file and everything it includes, and checks it
/// (see `ManifestError` for what is refused). Nothing is fetched or written.
public enum ManifestLoader {
    /// Files larger than this are refused (real manifests are a few KiB).
    public static let maximumFileSize = 4 << 20
    /// At most this many `<include>`s are followed in total.
    public static let maximumIncludes = 256

    /// Loads `file` and its includes. `manifestURL` is the URL the manifest
    /// repository was cloned from (nil when unknown); it is needed only to
    /// resolve relative remote `fetch` values in `Manifest.resolve()`.
    /// Messages and `ManifestSource.path` name the top file by `file.path`
    /// (absolute for file URLs, so the paths stay usable whatever the
    /// current directory is) and included files by that path's directory
    /// plus the `<include name>`.
    public static func load(file: URL, manifestURL: String?) throws -> Manifest {
        var reader = IncludeReader(topDirectory: file.deletingLastPathComponent())
        let elements = try reader.read(
            url: file, display: file.path, name: file.lastPathComponent, chain: [], site: nil)
        var builder = ManifestBuilder()
        try builder.interpret(elements)
        return Manifest(
            manifestURL: manifestURL, remotes: builder.remotes, defaults: builder.defaults,
            projects: builder.projects, sources: reader.sources)
    }

    /// Loads manifest text that is not in a file (for tests and for
    /// manifests read straight out of git). `displayName` is used in
    /// messages; the text cannot use `<include>`.
    public static func load(data: Data, displayName: String, manifestURL: String?) throws -> Manifest {
        let root = try IncludeReader.parseRoot(data, display: displayName)
        var elements: [PlacedElement] = []
        for child in root.children {
            let location = SourceLocation(file: displayName, line: child.line)
            if child.name == "include" {
                throw ManifestError(.unsupported, at: location, "<include> is not possible in a manifest that is not read from a file")
            }
            elements.append(PlacedElement(node: child, location: location))
        }
        var builder = ManifestBuilder()
        try builder.interpret(elements)
        let source = ManifestSource(path: displayName, name: displayName, sha256: SHA256Hex.of(data))
        return Manifest(
            manifestURL: manifestURL, remotes: builder.remotes, defaults: builder.defaults,
            projects: builder.projects, sources: [source])
    }
}

/// A top-level manifest element and where it was written.
struct PlacedElement {
    var node: XMLNode
    var location: SourceLocation
}

/// Reads manifest files, replacing each `<include>` by the included file's
/// elements, and records every file read.
struct IncludeReader {
    /// The top manifest file's directory: every included file must resolve inside it.
    var topDirectory: URL
    var sources: [ManifestSource] = []
    var includeCount = 0

    /// One file being read: the key for cycle detection and its label in
    /// cycle messages.
    struct Open {
        var key: String
        var label: String
    }

    mutating func read(url: URL, display: String, name: String, chain: [Open], site: SourceLocation?) throws -> [PlacedElement] {
        let data = try Self.contents(of: url, display: display, site: site)
        sources.append(ManifestSource(path: display, name: name, sha256: SHA256Hex.of(data)))
        let root = try Self.parseRoot(data, display: display)
        let open = chain + [Open(key: Self.identity(of: url), label: (display as NSString).lastPathComponent)]

        var elements: [PlacedElement] = []
        for child in root.children {
            let location = SourceLocation(file: display, line: child.line)
            guard child.name == "include" else {
                elements.append(PlacedElement(node: child, location: location))
                continue
            }
            guard let includeName = child.attribute("name") else {
                throw ManifestError(.missingAttribute, at: location, "<include> is missing the required attribute 'name'")
            }
            if let problem = SafePath.problem(with: includeName) {
                throw ManifestError(.unsafePath, at: location, "<include> name '\(includeName)' is unsafe: \(problem)")
            }
            let cleanName = includeName.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
            includeCount += 1
            if includeCount > ManifestLoader.maximumIncludes {
                throw ManifestError(
                    .tooManyIncludes, at: location,
                    "more than \(ManifestLoader.maximumIncludes) <include> elements are followed in total")
            }
            let target = SafePath.join(url.deletingLastPathComponent(), cleanName)
            // The name has no '..', but a symbolic link on the way can still lead out.
            if FileManager.default.fileExists(atPath: target.path), !target.isBelow(topDirectory) {
                throw ManifestError(
                    .unsafePath, at: location,
                    "<include> name '\(includeName)' leads outside the manifest's directory \(topDirectory.path) through a symbolic link (to \(target.resolvedPath))")
            }
            let targetKey = Self.identity(of: target)
            if open.contains(where: { $0.key == targetKey }) {
                let labels = open.map(\.label) + [(cleanName as NSString).lastPathComponent]
                throw ManifestError(
                    .includeCycle, at: location,
                    "include '\(includeName)' forms a cycle: " + labels.joined(separator: " -> "))
            }
            elements += try read(
                url: target, display: Self.sibling(of: display, named: cleanName),
                name: Self.sibling(of: name, named: cleanName), chain: open, site: location)
        }
        return elements
    }

    /// `named` in the directory of `path`, as text (`a/b.xml` + `c.xml` → `a/c.xml`).
    static func sibling(of path: String, named: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return named }
        return String(path[...slash]) + named
    }

    static func identity(of url: URL) -> String {
        url.standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// The file's bytes, read with a size limit so a hostile include (a
    /// symlink to /dev/zero, say) cannot exhaust memory. `site` is the
    /// `<include>` that names the file, nil for the top file.
    static func contents(of url: URL, display: String, site: SourceLocation?) throws -> Data {
        func failure(_ reason: String) -> ManifestError {
            if let site {
                return ManifestError(.includeMissing, at: site, "included file '\(display)' \(reason)")
            }
            return ManifestError(.unreadable, file: display, line: nil, "cannot read the manifest: it \(reason)")
        }
        // stat() follows symbolic links: the type is that of what would be read.
        // Only a regular file is opened: opening a FIFO blocks until a writer
        // comes, and a device never ends.
        var info = stat()
        guard stat(url.path, &info) == 0 else {
            throw failure(errno == ENOENT || errno == ENOTDIR ? "does not exist" : "cannot be read (\(String(cString: strerror(errno))))")
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw failure("is a directory")
        case S_IFIFO: throw failure("is a FIFO, not a regular file")
        case S_IFCHR, S_IFBLK: throw failure("is a device, not a regular file")
        case S_IFSOCK: throw failure("is a socket, not a regular file")
        default: throw failure("is not a regular file")
        }
        guard let handle = try? FileHandle(forReadingFrom: url) else { throw failure("cannot be read") }
        defer { try? handle.close() }
        let limit = ManifestLoader.maximumFileSize
        let data: Data
        do {
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            throw failure("cannot be read")
        }
        if data.count > limit {
            throw ManifestError(.tooLarge, file: display, line: nil, "is larger than \(limit / (1 << 20)) MiB, too large for a manifest")
        }
        return data
    }

    /// Parses the XML and checks that the root element is `<manifest>`.
    static func parseRoot(_ data: Data, display: String) throws -> XMLNode {
        let root = try XMLTree.parse(data, file: display)
        guard root.name == "manifest" else {
            throw ManifestError(.wrongRoot, file: display, line: root.line, "the root element is <\(root.name)>, expected <manifest>")
        }
        return root
    }
}
