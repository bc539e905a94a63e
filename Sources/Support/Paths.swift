import Foundation

/// Checks for paths that come from files a user (or an attacker) wrote:
/// manifests, patch series, board files. sel4img never writes outside the
/// workspace, so every such path must be relative and stay below its root.
public enum SafePath {
    /// Why `path` cannot be used as a path below some root, or nil when it can.
    public static func problem(with path: String) -> String? {
        if path.isEmpty { return "is empty" }
        if path.hasPrefix("/") { return "is absolute" }
        if path.contains("\0") { return "contains a NUL byte" }
        if path.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "contains a control character" }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        if parts.contains("..") { return "contains '..'" }
        if parts.first == ".git" || parts.contains(".git") { return "names a .git directory" }
        if parts.isEmpty || parts.allSatisfy({ $0 == "." }) { return "names the root itself" }
        return nil
    }

    /// Joins a checked relative path onto a root directory.
    public static func join(_ root: URL, _ relative: String) -> URL {
        relative.split(separator: "/").reduce(root) { $0.appendingPathComponent(String($1)) }
    }
}

extension URL {
    /// The path with symlinks resolved, for comparisons of "is this below that".
    public var resolvedPath: String {
        resolvingSymlinksInPath().standardizedFileURL.path
    }

    public func isBelow(_ root: URL) -> Bool {
        let me = resolvedPath
        let base = root.resolvedPath
        return me == base || me.hasPrefix(base.hasSuffix("/") ? base : base + "/")
    }
}

extension FileManager {
    public func isDirectory(_ url: URL) -> Bool {
        var isDir: ObjCBool = false
        return fileExists(atPath: url.path, isDirectory: &isDir) && isDir.boolValue
    }

    /// Writes data by way of a temporary file in the same directory and a rename,
    /// so an interrupted write never leaves a half file behind.
    public func writeAtomically(_ data: Data, to url: URL) throws {
        try createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    }

    /// Renames `staging` over `destination` unless that already holds the same
    /// bytes (then `staging` is removed), so a build tool that watches
    /// `destination` sees no change. Returns whether it replaced the file;
    /// a failed rename throws its POSIXError.
    public func replaceIfChanged(_ destination: URL, with staging: URL) throws -> Bool {
        if let old = try? Data(contentsOf: destination), let new = try? Data(contentsOf: staging), old == new {
            try? removeItem(at: staging)
            return false
        }
        guard rename(staging.path, destination.path) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        return true
    }
}

extension URL {
    /// The relative path from this directory to `other` (both absolute), e.g.
    /// for symbolic links and gitlink files that must survive moving the workspace.
    public func relativePath(to other: URL) -> String {
        let a = standardizedFileURL.pathComponents
        let b = other.standardizedFileURL.pathComponents
        var i = 0
        while i < a.count, i < b.count, a[i] == b[i] { i += 1 }
        let parts = Array(repeating: "..", count: a.count - i) + b[i...]
        return parts.isEmpty ? "." : parts.joined(separator: "/")
    }
}
