import Foundation

/// Adding host files. Symlinks are stored as symlinks and never followed;
/// permission bits are kept; owner, group and times are not (entries are
/// owned by root, and the archive's timestamp is set when it is written).
extension CPIOArchive {
    /// Adds everything below `directory` (not the directory itself) at the
    /// archive's root, or below `destination` when given (then `destination`
    /// gets the directory's own mode).
    public mutating func addTree(from directory: URL, at destination: String? = nil) throws {
        let info = try HostItem.lstat(directory)
        guard info.type == FileType.directory else {
            throw CPIOError.invalid("\(directory.path) is not a directory")
        }
        if let destination {
            try insert(CPIOEntry(path: destination, kind: .directory, mode: info.permissions))
            try addChildren(of: directory, below: try CPIOPath.normalize(destination))
        } else {
            try addChildren(of: directory, below: nil)
        }
    }

    /// Adds one host item at `destination`: a file, a symlink (as a link), a
    /// device node or FIFO, or a directory with everything below it.
    public mutating func addHostItem(from source: URL, at destination: String) throws {
        let info = try HostItem.lstat(source)
        if info.type == FileType.directory {
            try addTree(from: source, at: destination)
        } else {
            try insert(try HostItem.entry(for: source, info: info, at: CPIOPath.normalize(destination)))
        }
    }

    private mutating func addChildren(of directory: URL, below prefix: String?) throws {
        let names = try HostItem.names(in: directory)
        for name in names {
            let url = directory.appendingPathComponent(name)
            let path = prefix.map { $0 + "/" + name } ?? name
            let info = try HostItem.lstat(url)
            let entry = try HostItem.entry(for: url, info: info, at: path)
            // Children are inserted after their parent, so no parent is invented.
            entries[path] = entry
            if info.type == FileType.directory {
                try addChildren(of: url, below: path)
            }
        }
    }
}

/// What `lstat` says about a host path, reduced to what an archive keeps.
struct HostItem {
    var type: UInt32
    var permissions: UInt16
    var size: Int64
    var rdevMajor: UInt32
    var rdevMinor: UInt32

    static func lstat(_ url: URL) throws -> HostItem {
        var st = stat()
        guard Foundation.lstat(url.path, &st) == 0 else { throw CPIOError.posix("read", url.path) }
        let rdev = UInt64(st.st_rdev)
        // glibc's major()/minor() are macros Swift does not import.
        let major = UInt32(truncatingIfNeeded: ((rdev >> 8) & 0xFFF) | ((rdev >> 32) & ~UInt64(0xFFF)))
        let minor = UInt32(truncatingIfNeeded: (rdev & 0xFF) | ((rdev >> 12) & ~UInt64(0xFF)))
        return HostItem(type: UInt32(st.st_mode) & FileType.mask, permissions: UInt16(st.st_mode & 0o7777),
                        size: Int64(st.st_size), rdevMajor: major, rdevMinor: minor)
    }

    /// The archive entry for a host item that is not a directory's subtree.
    static func entry(for url: URL, info: HostItem, at path: String) throws -> CPIOEntry {
        let kind: CPIOEntry.Kind
        switch info.type {
        case FileType.regular:
            guard access(url.path, R_OK) == 0 else { throw CPIOError.posix("read", url.path) }
            kind = .file(.source(url))
        case FileType.directory: kind = .directory
        case FileType.symlink: kind = .symlink(target: try readLink(url))
        case FileType.characterDevice: kind = .characterDevice(major: info.rdevMajor, minor: info.rdevMinor)
        case FileType.blockDevice: kind = .blockDevice(major: info.rdevMajor, minor: info.rdevMinor)
        case FileType.fifo: kind = .fifo
        default:
            throw CPIOError.invalid("\(url.path) is a socket; a CPIO archive cannot hold one",
                                    hint: "leave it out of the tree (the program that uses it creates it at run time)")
        }
        return try CPIOEntry(path: path, kind: kind, mode: info.permissions)
    }

    /// The names in a directory (no `.` or `..`), in whatever order the file system gives.
    static func names(in directory: URL) throws -> [String] {
        guard let stream = opendir(directory.path) else { throw CPIOError.posix("list directory", directory.path) }
        defer { closedir(stream) }
        var names: [String] = []
        errno = 0
        while let item = readdir(stream) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        if errno != 0 { throw CPIOError.posix("list directory", directory.path) }
        return names
    }

    static func readLink(_ url: URL) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(url.path, &buffer, buffer.count - 1)
        guard count >= 0 else { throw CPIOError.posix("read symlink", url.path) }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
