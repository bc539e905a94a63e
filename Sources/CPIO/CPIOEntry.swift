import Foundation

/// One member of a CPIO archive: a path below the archive's root, what it is,
/// and the metadata the newc format stores.
public struct CPIOEntry: Hashable, Sendable {
    /// Where a regular file's bytes come from.
    public enum Content: Hashable, Sendable {
        /// Bytes held in memory (small files, files read from another archive).
        case bytes(Data)
        /// A host file read when the archive is written (so large trees are streamed).
        case source(URL)
    }

    /// What the entry is. Device numbers are the node's own (`rdev`); the
    /// archive's `dev` fields are always 0.
    public enum Kind: Hashable, Sendable {
        case file(Content)
        case directory
        case symlink(target: String)
        case characterDevice(major: UInt32, minor: UInt32)
        case blockDevice(major: UInt32, minor: UInt32)
        case fifo

        /// One letter as `ls -l` shows it.
        public var letter: Character {
            switch self {
            case .file: return "-"
            case .directory: return "d"
            case .symlink: return "l"
            case .characterDevice: return "c"
            case .blockDevice: return "b"
            case .fifo: return "p"
            }
        }

        var fileType: UInt32 {
            switch self {
            case .file: return FileType.regular
            case .directory: return FileType.directory
            case .symlink: return FileType.symlink
            case .characterDevice: return FileType.characterDevice
            case .blockDevice: return FileType.blockDevice
            case .fifo: return FileType.fifo
            }
        }
    }

    /// The normalised path: relative, no `.` or `..` components, no trailing slash.
    public var path: String
    public var kind: Kind
    /// Permission bits only (0o7777); the file type comes from `kind`.
    public var mode: UInt16
    public var uid: UInt32
    public var gid: UInt32
    /// Seconds since 1970. `CPIOArchive.write` replaces it with the archive's
    /// timestamp, so only archives read back carry other values.
    public var mtime: Int64

    /// An entry at `path` (given as a user would: `/dev/console`, `etc/init.d/`),
    /// normalised by `CPIOPath.normalize`. Owner root, time 0.
    public init(path: String, kind: Kind, mode: UInt16? = nil, uid: UInt32 = 0, gid: UInt32 = 0, mtime: Int64 = 0) throws {
        self.path = try CPIOPath.normalize(path)
        self.kind = kind
        self.mode = (mode ?? Self.defaultMode(for: kind)) & 0o7777
        self.uid = uid
        self.gid = gid
        self.mtime = mtime
    }

    /// 0755 for directories, 0777 for symlinks, 0644 for the rest (0600 for
    /// devices, as Linux creates `/dev/console`).
    public static func defaultMode(for kind: Kind) -> UInt16 {
        switch kind {
        case .directory: return 0o755
        case .symlink: return 0o777
        case .characterDevice, .blockDevice: return 0o600
        case .file, .fifo: return 0o644
        }
    }

    public var isDirectory: Bool {
        if case .directory = kind { return true }
        return false
    }
}

/// Archive paths: normalising what users and archives say, and the order
/// entries are written in.
public enum CPIOPath {
    /// Turns `/etc/passwd`, `./etc/passwd` or `etc//passwd/` into `etc/passwd`.
    /// A leading slash means "from the archive's root" here; `..` is never allowed.
    public static func normalize(_ path: String) throws -> String {
        if path.contains("\0") { throw CPIOError.invalid("archive path '\(path.replacingOccurrences(of: "\0", with: "\\0"))' contains a NUL byte") }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        if parts.contains("..") { throw CPIOError.invalid("archive path '\(path)' contains '..'") }
        if parts.isEmpty { throw CPIOError.invalid("archive path '\(path)' names the archive's root itself") }
        return parts.joined(separator: "/")
    }

    /// The parent of a normalised path, or nil for a top-level one.
    static func parent(of path: String) -> String? {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return nil }
        return String(path[..<slash])
    }

    /// Every ancestor of a normalised path, outermost first (`a`, `a/b` for `a/b/c`).
    static func ancestors(of path: String) -> [String] {
        var result: [String] = []
        var current = path
        while let parent = parent(of: current) {
            result.append(parent)
            current = parent
        }
        return result.reversed()
    }

    /// The archive order: component by component, bytewise, so a directory
    /// comes right before its own subtree (`a`, `a/b`, `a-c`).
    public static func precedes(_ a: String, _ b: String) -> Bool {
        var i = a.utf8.makeIterator(), j = b.utf8.makeIterator()
        while true {
            switch (i.next(), j.next()) {
            case (nil, nil): return false
            case (nil, _): return true
            case (_, nil): return false
            case let (x?, y?):
                if x == y { continue }
                // A separator sorts before every other byte: "a/b" before "a-c".
                if x == UInt8(ascii: "/") { return true }
                if y == UInt8(ascii: "/") { return false }
                return x < y
            }
        }
    }
}
