import CArchive
import Foundation

/// How the archive bytes are stored on disk.
public enum CPIOCompression: String, Sendable, CaseIterable {
    case none
    /// gzip without a timestamp or file name in its header, so it is reproducible.
    case gzip

    /// gzip for `*.gz`, plain otherwise.
    public init(forOutput url: URL) {
        self = url.pathExtension == "gz" ? .gzip : .none
    }
}

/// What makes a written archive differ from one written elsewhere: nothing
/// but these two values.
public struct CPIOWriteOptions: Equatable, Sendable {
    public var compression: CPIOCompression
    /// Every entry's mtime, in seconds since 1970 (0 ... 2^32-1, what newc can hold).
    public var timestamp: Int64

    public init(compression: CPIOCompression = .none, timestamp: Int64 = 0) {
        self.compression = compression
        self.timestamp = timestamp
    }

    /// The timestamp from `SOURCE_DATE_EPOCH` in `environment`
    /// (https://reproducible-builds.org/specs/source-date-epoch/), or 0 when unset.
    public static func timestamp(fromEnvironment environment: [String: String]) throws -> Int64 {
        guard let text = environment["SOURCE_DATE_EPOCH"] else { return 0 }
        guard let value = Int64(text), value >= 0, value <= Int64(UInt32.max) else {
            throw CPIOError.invalid("SOURCE_DATE_EPOCH must be a whole number of seconds from 0 to 4294967295; got '\(text)'",
                                    hint: "set it to the commit time, e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)")
        }
        return value
    }
}

extension CPIOArchive {
    /// Writes a newc archive to `url` by way of a temporary file in the same
    /// directory and a rename. The bytes depend only on the entries and `options`:
    /// - entries in `sortedEntries` order (parents before children), inode
    ///   numbers 1, 2, 3… in that order, `dev` major/minor 0;
    /// - every mtime is `options.timestamp`; uid/gid as the entries say
    ///   (0 for everything taken from the host);
    /// - `nlink` as GNU cpio writes it from a Linux file system: 2 plus the
    ///   number of subdirectories for a directory, 1 for everything else
    ///   (the kernel's initramfs unpacker treats nlink > 1 on files as hard links);
    /// - gzip without timestamp or name; plain archives padded to 512 bytes like `cpio -o`.
    public func write(to url: URL, options: CPIOWriteOptions = CPIOWriteOptions()) throws {
        guard options.timestamp >= 0, options.timestamp <= Int64(UInt32.max) else {
            throw CPIOError.invalid("the timestamp \(options.timestamp) does not fit a newc archive (0 ... 4294967295)")
        }
        let ordered = sortedEntries
        var subdirectories: [String: UInt32] = [:]
        for entry in ordered where entry.isDirectory {
            subdirectories[CPIOPath.parent(of: entry.path) ?? "", default: 0] += 1
        }
        try AtomicOutput.write(to: url) { fd in
            let writer = try ArchiveWriter(compression: options.compression, subject: url.path)
            try writer.open(fd: fd)
            for (index, entry) in ordered.enumerated() {
                let nlink = entry.isDirectory ? 2 + subdirectories[entry.path, default: 0] : 1
                try writer.write(entry, inode: Int64(index + 1), nlink: nlink, mtime: options.timestamp)
            }
            try writer.close()
        }
    }
}

/// A libarchive write handle set up for deterministic newc output.
final class ArchiveWriter {
    let handle: OpaquePointer
    let subject: String
    private let entry = EntryHandle()
    private var buffer = [UInt8](repeating: 0, count: 1 << 20)

    init(compression: CPIOCompression, subject: String) throws {
        guard let handle = archive_write_new() else { throw CPIOError.library("create archive writer for", subject, "out of memory") }
        self.handle = handle
        self.subject = subject
        try check(archive_write_set_format_cpio_newc(handle), handle, "select newc format for", subject)
        try check(archive_write_set_bytes_per_block(handle, 64 * 1024), handle, "set block size for", subject)
        switch compression {
        case .none:
            try check(archive_write_set_bytes_in_last_block(handle, 512), handle, "set padding for", subject)
        case .gzip:
            try check(archive_write_add_filter_gzip(handle), handle, "add gzip compression to", subject)
            // "!timestamp": no mtime in the gzip header (bytes 4-7 stay zero).
            try check(archive_write_set_filter_option(handle, "gzip", "timestamp", nil), handle, "turn off the gzip timestamp for", subject)
            try check(archive_write_set_bytes_in_last_block(handle, 1), handle, "set padding for", subject)
        }
    }

    deinit { archive_write_free(handle) }

    func open(fd: Int32) throws {
        try check(archive_write_open_fd(handle, fd), handle, "open", subject)
    }

    func close() throws {
        try check(archive_write_close(handle), handle, "finish", subject)
    }

    func write(_ item: CPIOEntry, inode: Int64, nlink: UInt32, mtime: Int64) throws {
        let e = entry.raw
        archive_entry_clear(e)
        archive_entry_copy_pathname(e, item.path)
        archive_entry_set_filetype(e, item.kind.fileType)
        archive_entry_set_perm(e, mode_t(item.mode))
        archive_entry_set_uid(e, la_int64_t(item.uid))
        archive_entry_set_gid(e, la_int64_t(item.gid))
        archive_entry_set_mtime(e, time_t(mtime), 0)
        archive_entry_set_ino64(e, inode)
        archive_entry_set_nlink(e, nlink)
        archive_entry_set_dev(e, 0)
        var source: Int32 = -1
        defer { if source >= 0 { Foundation.close(source) } }
        var size: Int64 = 0
        switch item.kind {
        case .file(.bytes(let data)):
            size = Int64(data.count)
        case .file(.source(let url)):
            source = Foundation.open(url.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard source >= 0 else { throw CPIOError.posix("read", url.path) }
            var st = stat()
            guard fstat(source, &st) == 0 else { throw CPIOError.posix("read", url.path) }
            guard UInt32(st.st_mode) & FileType.mask == FileType.regular else {
                throw CPIOError.invalid("\(url.path) is no longer a regular file")
            }
            size = Int64(st.st_size)
        case .symlink(let target):
            archive_entry_copy_symlink(e, target)
        case .characterDevice(let major, let minor), .blockDevice(let major, let minor):
            archive_entry_set_rdevmajor(e, dev_t(major))
            archive_entry_set_rdevminor(e, dev_t(minor))
        case .directory, .fifo:
            break
        }
        archive_entry_set_size(e, size)
        let what = "\(item.path) in"
        try check(archive_write_header(handle, e), handle, "write entry", what)
        switch item.kind {
        case .file(.bytes(let data)):
            try data.withUnsafeBytes { raw in
                if raw.count > 0 { try writeData(raw.baseAddress!, raw.count, what) }
            }
        case .file(.source(let url)):
            try copy(from: source, path: url.path, size: size, what)
        default:
            break
        }
        try check(archive_write_finish_entry(handle), handle, "finish entry", what)
    }

    private func writeData(_ bytes: UnsafeRawPointer, _ count: Int, _ what: String) throws {
        let written = archive_write_data(handle, bytes, count)
        if written < 0 { throw CPIOError.library("write data of", what, lastError(handle, Int32(written))) }
        if written != count { throw CPIOError.library("write data of", what, "wrote \(written) of \(count) bytes") }
    }

    /// Streams exactly `size` bytes (the size in the header) from `fd`.
    private func copy(from fd: Int32, path: String, size: Int64, _ what: String) throws {
        var remaining = size
        while remaining > 0 {
            let wanted = Int(min(Int64(buffer.count), remaining))
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, wanted) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CPIOError.posix("read", path)
            }
            if count == 0 {
                throw CPIOError(kind: .io, message: "\(path) shrank while it was archived (\(size - remaining) of \(size) bytes read)",
                                hint: "stop whatever writes to it and try again")
            }
            try buffer.withUnsafeBytes { try writeData($0.baseAddress!, count, what) }
            remaining -= Int64(count)
        }
    }
}

/// Writing a file through a temporary file and a rename, so readers never see a half-written archive.
enum AtomicOutput {
    static func write(to url: URL, _ body: (Int32) throws -> Void) throws {
        let directory = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw CPIOError(kind: .io, message: "create directory \(directory.path): \(error.localizedDescription)")
        }
        var template = Array(directory.appendingPathComponent(".\(url.lastPathComponent).XXXXXX").path.utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw CPIOError.posix("create a temporary file in", directory.path) }
        let temporary = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var closed = false
        do {
            fchmod(fd, 0o644)
            try body(fd)
            closed = true
            guard Foundation.close(fd) == 0 else { throw CPIOError.posix("write", temporary) }
            guard rename(temporary, url.path) == 0 else { throw CPIOError.posix("rename \(temporary) to", url.path) }
        } catch {
            if !closed { Foundation.close(fd) }
            unlink(temporary)
            throw error
        }
    }
}
