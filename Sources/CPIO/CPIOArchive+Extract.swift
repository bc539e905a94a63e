import CArchive
import Foundation
import Support

/// What extraction may do beyond plain files, directories, symlinks and FIFOs.
public struct CPIOExtractOptions: Equatable, Sendable {
    /// Create character and block device nodes (needs root). Otherwise they are
    /// skipped, each with a note.
    public var allowDeviceNodes: Bool

    public init(allowDeviceNodes: Bool = false) {
        self.allowDeviceNodes = allowDeviceNodes
    }
}

/// What an extraction did.
public struct CPIOExtractReport: Equatable, Sendable {
    /// How many entries were written to disk.
    public var extracted: Int
    /// Entries left out, one sentence each (device nodes, sockets).
    public var notes: [String]
}

extension CPIOArchive {
    /// Extracts the archive at `url` into `directory` (created if missing),
    /// keeping permission bits and times but not owners.
    ///
    /// Refused, with the entry named, before anything of it is written: absolute
    /// paths, `..` components, symlinks whose target (followed through the
    /// archive's own symlinks) leaves the destination, and entries below a
    /// symlink the archive created. libarchive's `SECURE_NODOTDOT`,
    /// `SECURE_SYMLINKS` and `SECURE_NOABSOLUTEPATHS` checks run as well, so
    /// symlinks already in `directory` are not followed either. Entries before
    /// a refused or malformed one stay extracted.
    ///
    /// libarchive writes relative to the working directory, so the work runs
    /// on a thread with its own working directory (Linux `unshare(CLONE_FS)`);
    /// the process's working directory is never changed.
    @discardableResult
    public static func extract(_ url: URL, to directory: URL, options: CPIOExtractOptions = CPIOExtractOptions()) throws -> CPIOExtractReport {
        let archivePath = url.standardizedFileURL.path
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw CPIOError(kind: .io, message: "create directory \(directory.path): \(error.localizedDescription)")
        }
        let destination = directory.resolvedPathForExtraction
        return try PrivateWorkingDirectory.run(in: destination) {
            try Extraction(archive: archivePath, destination: destination, options: options).run()
        }
    }
}

extension URL {
    fileprivate var resolvedPathForExtraction: String {
        standardizedFileURL.resolvingSymlinksInPath().path
    }
}

/// One extraction: the reader, libarchive's disk writer, and what the archive
/// has created so far (its symlinks), for the checks libarchive cannot make.
private final class Extraction {
    let archive: String
    let destination: String
    let options: CPIOExtractOptions
    /// Symlinks this archive created: normalised path → target.
    var links: [String: String] = [:]
    /// For each path, the links whose resolution passed through it.
    var visitors: [String: Set<String>] = [:]

    init(archive: String, destination: String, options: CPIOExtractOptions) {
        self.archive = archive
        self.destination = destination
        self.options = options
    }

    func run() throws -> CPIOExtractReport {
        let reader = try ArchiveReader(path: archive)
        guard let disk = archive_write_disk_new() else { throw CPIOError.library("create disk writer for", destination, "out of memory") }
        defer { archive_write_free(disk) }
        let flags = ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS
            | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME
        try check(archive_write_disk_set_options(disk, flags), disk, "set extraction options for", destination)
        var report = CPIOExtractReport(extracted: 0, notes: [])
        while let e = try reader.next() {
            let header = RawHeader(e)
            let number = reader.entryNumber
            guard let path = try checkedPath(header.path, entry: number, what: "its path") else {
                try reader.skipData()  // "." is the destination itself
                continue
            }
            if let skip = skipReason(header, path) {
                report.notes.append(skip)
                try reader.skipData()
                continue
            }
            try checkNotBelowLink(path, entry: number, original: header.path)
            try checkContainedOnDisk(path, entry: number, original: header.path)
            if let link = header.hardlink {
                guard let linkPath = try checkedPath(link, entry: number, what: "its hard link target") else {
                    throw CPIOError.unsafe(archive: archive, entry: number, path: header.path, "it is a hard link to the destination itself")
                }
                try checkNotBelowLink(linkPath, entry: number, original: header.path)
                try checkContainedOnDisk(linkPath, entry: number, original: header.path)
                archive_entry_copy_hardlink(e, linkPath)
            }
            if header.fileType == FileType.symlink {
                try checkLink(path, target: header.symlink ?? "", entry: number, original: header.path)
            } else {
                try checkReplacingLink(path, entry: number, original: header.path)
            }
            archive_entry_copy_pathname(e, path)
            try write(e, reader: reader, disk: disk, entry: number, path: header.path)
            if header.fileType == FileType.symlink {
                links[path] = header.symlink ?? ""
            } else if links[path] != nil, !isSymlinkOnDisk(path) {
                links.removeValue(forKey: path)
            }
            report.extracted += 1
        }
        try reader.close()
        try check(archive_write_close(disk), disk, "finish extracting \(archive) into", destination)
        return report
    }

    /// The normalised relative path, nil for the root itself; throws for absolute or `..` paths.
    func checkedPath(_ raw: String, entry: Int, what: String) throws -> String? {
        if raw.isEmpty { throw CPIOError.unsafe(archive: archive, entry: entry, path: raw, "\(what) is empty") }
        if raw.hasPrefix("/") { throw CPIOError.unsafe(archive: archive, entry: entry, path: raw, "\(what) is absolute") }
        let parts = raw.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        if parts.contains("..") { throw CPIOError.unsafe(archive: archive, entry: entry, path: raw, "\(what) contains '..'") }
        return parts.isEmpty ? nil : parts.joined(separator: "/")
    }

    func skipReason(_ header: RawHeader, _ path: String) -> String? {
        switch header.fileType {
        case FileType.characterDevice, FileType.blockDevice:
            if options.allowDeviceNodes { return nil }
            let letter = header.fileType == FileType.characterDevice ? "c" : "b"
            return "skipped device node \(path) (\(letter) \(header.rdevMajor) \(header.rdevMinor)); allow device nodes to create it (needs root)"
        case FileType.socket:
            return "skipped socket \(path)"
        default:
            return nil
        }
    }

    func checkNotBelowLink(_ path: String, entry: Int, original: String) throws {
        for ancestor in CPIOPath.ancestors(of: path) where links[ancestor] != nil {
            throw CPIOError.unsafe(archive: archive, entry: entry, path: original,
                                   "it would be written through the symlink '\(ancestor)' extracted before")
        }
    }

    /// Refuses a path that, on the disk as it is now, goes through a symbolic
    /// link leading out of the destination (one that was there before).
    func checkContainedOnDisk(_ path: String, entry: Int, original: String) throws {
        do {
            _ = try Containment(root: URL(fileURLWithPath: destination), name: "the destination").resolve(path, followLast: false)
        } catch let error as ContainmentError {
            throw CPIOError.unsafe(archive: archive, entry: entry, path: original, error.description)
        }
    }

    /// Refuses a link whose target leaves the destination, and one that would
    /// make an earlier link do so (`x/l -> ..` after `m -> x/l/..`). Only the
    /// earlier links whose resolution passed through `path` can change.
    func checkLink(_ path: String, target: String, entry: Int, original: String) throws {
        var all = links
        all[path] = target
        let own = SymlinkResolver.resolve(path, target: target, links: all)
        if own.escapes {
            throw CPIOError.unsafe(archive: archive, entry: entry, path: original,
                                   "its target '\(target)' points outside the destination")
        }
        try recheck(throughPath: path, links: all, entry: entry, original: original, change: "with it")
        for visited in own.visited { visitors[visited, default: []].insert(path) }
    }

    /// Before an entry replaces a symlink the archive created: the links that
    /// went through it must still stay inside without it.
    func checkReplacingLink(_ path: String, entry: Int, original: String) throws {
        guard links[path] != nil else { return }
        var all = links
        all.removeValue(forKey: path)
        try recheck(throughPath: path, links: all, entry: entry, original: original, change: "replacing the symlink '\(path)'")
    }

    private func recheck(throughPath path: String, links all: [String: String], entry: Int, original: String, change: String) throws {
        for other in (visitors[path] ?? []).sorted() where other != path {
            guard let otherTarget = all[other] else { continue }
            let again = SymlinkResolver.resolve(other, target: otherTarget, links: all)
            if again.escapes {
                throw CPIOError.unsafe(archive: archive, entry: entry, path: original,
                                       "\(change), the symlink '\(other)' extracted before would point outside the destination")
            }
            for visited in again.visited { visitors[visited, default: []].insert(other) }
        }
    }

    func write(_ e: OpaquePointer, reader: ArchiveReader, disk: OpaquePointer, entry: Int, path: String) throws {
        let subject = "entry \(entry) '\(path)' of \(archive) into"
        try check(archive_write_header(disk, e), disk, "extract", subject + " " + destination)
        if archive_entry_size(e) > 0 {
            var buffer: UnsafeRawPointer?
            var size = 0
            var offset: la_int64_t = 0
            while true {
                let result = archive_read_data_block(reader.handle, &buffer, &size, &offset)
                if result == ARCHIVE_EOF { break }
                if result < ARCHIVE_WARN { throw reader.malformed(lastError(reader.handle, result, fallback: ArchiveReader.truncatedData)) }
                let written = archive_write_data_block(disk, buffer, size, offset)
                if written < 0 { throw CPIOError.library("extract", subject + " " + destination, lastError(disk, Int32(written))) }
            }
        } else {
            try reader.skipData()
        }
        try check(archive_write_finish_entry(disk), disk, "finish", subject + " " + destination)
    }

    func isSymlinkOnDisk(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && UInt32(st.st_mode) & FileType.mask == FileType.symlink
    }
}

/// Follows a symlink's target through the archive's own symlinks, by path
/// arithmetic alone, to see whether it leaves the root.
enum SymlinkResolver {
    /// Whether the link at `path` leads out of the root, and every path its
    /// resolution passed through (where a later symlink would change it).
    static func resolve(_ path: String, target: String, links: [String: String]) -> (escapes: Bool, visited: [String]) {
        var visited: [String] = []
        if target.hasPrefix("/") { return (true, visited) }
        var resolved = (CPIOPath.parent(of: path) ?? "").split(separator: "/").map(String.init)
        var pending = target.split(separator: "/").reversed().map(String.init)
        var hops = 0
        while let part = pending.popLast() {
            if part == "." || part.isEmpty { continue }
            if part == ".." {
                if resolved.isEmpty { return (true, visited) }
                resolved.removeLast()
                continue
            }
            resolved.append(part)
            let current = resolved.joined(separator: "/")
            visited.append(current)
            if let next = links[current] {
                hops += 1
                if hops > 40 { return (false, visited) }  // a loop: broken, but it leads nowhere
                if next.hasPrefix("/") { return (true, visited) }
                resolved.removeLast()
                pending.append(contentsOf: next.split(separator: "/").reversed().map(String.init))
            }
        }
        return (false, visited)
    }
}

/// Runs work with the working directory set to a given directory, for the
/// calling work only. On Linux, a thread that unshares its file-system
/// context gets a working directory of its own; elsewhere (or if the kernel
/// refuses), the process's directory is changed under a lock and restored.
enum PrivateWorkingDirectory {
    private static let lock = NSLock()

    static func run<T>(in directory: String, _ body: @escaping @Sendable () throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.result = Result { try onThisThread(in: directory, body) }
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
        done.wait()
        return try box.result!.get()
    }

    private static func onThisThread<T>(in directory: String, _ body: () throws -> T) throws -> T {
        #if os(Linux)
        if unshareFileSystemContext() {
            guard chdir(directory) == 0 else { throw CPIOError.posix("change into", directory) }
            return try body()
        }
        #endif
        lock.lock()
        defer { lock.unlock() }
        let previous = FileManager.default.currentDirectoryPath
        guard chdir(directory) == 0 else { throw CPIOError.posix("change into", directory) }
        defer { _ = chdir(previous) }
        return try body()
    }

    #if os(Linux)
    /// `unshare(CLONE_FS)`: glibc declares it only under _GNU_SOURCE, which
    /// Swift's Glibc module does not set, so it is looked up by name.
    private static func unshareFileSystemContext() -> Bool {
        typealias Unshare = @convention(c) (Int32) -> Int32
        guard let symbol = dlsym(nil, "unshare") else { return false }
        let cloneFS: Int32 = 0x200
        return unsafeBitCast(symbol, to: Unshare.self)(cloneFS) == 0
    }
    #endif
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}
