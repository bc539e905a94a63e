import CArchive
import Foundation

/// A libarchive read handle over one archive file (newc, odc or other CPIO
/// variants; gzip, xz, zstd… compressed), counting entries so every error
/// names the file, the entry number and the offset.
final class ArchiveReader {
    let handle: OpaquePointer
    let path: String
    /// 1-based number of the entry last returned by `next()`.
    private(set) var entryNumber = 0

    init(path: String) throws {
        guard let handle = archive_read_new() else { throw CPIOError.library("create archive reader for", path, "out of memory") }
        self.handle = handle
        self.path = path
        try check(archive_read_support_format_cpio(handle), handle, "enable CPIO reading for", path)
        try check(archive_read_support_filter_all(handle), handle, "enable decompression for", path, allowWarning: true)
        var st = stat()
        guard stat(path, &st) == 0 else { throw CPIOError.posix("read", path) }
        if UInt32(st.st_mode) & FileType.mask == FileType.directory {
            throw CPIOError.invalid("\(path) is a directory, not a CPIO archive")
        }
        if st.st_size == 0 { throw CPIOError.malformed(file: path, entry: 1, offset: 0, "the file is empty") }
        let opened = archive_read_open_filename(handle, path, 64 * 1024)
        if opened != ARCHIVE_OK {
            throw CPIOError.malformed(file: path, entry: 1, offset: 0, lastError(handle, opened))
        }
    }

    deinit { archive_read_free(handle) }

    /// How far into the uncompressed stream reading has got.
    var offset: Int64 { archive_filter_bytes(handle, 0) }

    func malformed(_ detail: String) -> CPIOError {
        CPIOError.malformed(file: path, entry: max(entryNumber, 1), offset: offset, detail)
    }

    /// The next entry's header (owned by the reader, valid until the next call),
    /// or nil after the trailer.
    func next() throws -> OpaquePointer? {
        var entry: OpaquePointer?
        let number = entryNumber + 1
        let result = archive_read_next_header(handle, &entry)
        if result == ARCHIVE_EOF { return nil }
        if result < ARCHIVE_WARN || entry == nil {
            throw CPIOError.malformed(file: path, entry: number, offset: offset,
                                      lastError(handle, result, fallback: "the archive ends inside this entry's header, or before its trailer"))
        }
        entryNumber = number
        return entry
    }

    /// The current entry's data, which must be exactly `size` bytes.
    func readData(size: Int64) throws -> Data {
        guard size > 0 else { return Data() }
        guard size <= Int64(Int32.max) else { throw malformed("an entry of \(size) bytes is too large to hold in memory") }
        var data = Data(count: Int(size))
        var filled = 0
        try data.withUnsafeMutableBytes { raw in
            while filled < raw.count {
                let count = archive_read_data(handle, raw.baseAddress! + filled, raw.count - filled)
                if count < 0 { throw malformed(lastError(handle, Int32(count), fallback: Self.truncatedData)) }
                if count == 0 { break }
                filled += count
            }
        }
        if filled != Int(size) { throw malformed("the entry's data ends after \(filled) of \(size) bytes") }
        return data
    }

    /// Reads past the current entry's data (so truncation inside it is caught).
    func skipData() throws {
        let result = archive_read_data_skip(handle)
        if result < ARCHIVE_WARN { throw malformed(lastError(handle, result, fallback: Self.truncatedData)) }
    }

    static let truncatedData = "the archive ends inside this entry's data"

    func close() throws {
        let result = archive_read_close(handle)
        if result < ARCHIVE_WARN { throw malformed(lastError(handle, result)) }
    }
}

/// What a raw header says, before any normalisation (for listing, and for
/// the safety checks of extraction).
struct RawHeader {
    var path: String
    var fileType: UInt32
    var permissions: UInt16
    var uid: UInt32
    var gid: UInt32
    var size: Int64
    var mtime: Int64
    var nlink: UInt32
    var symlink: String?
    var hardlink: String?
    var rdevMajor: UInt32
    var rdevMinor: UInt32

    init(_ e: OpaquePointer) {
        path = archive_entry_pathname(e).map { String(cString: $0) } ?? ""
        let mode = UInt32(archive_entry_mode(e))
        fileType = mode & FileType.mask
        permissions = UInt16(mode & 0o7777)
        uid = UInt32(truncatingIfNeeded: archive_entry_uid(e))
        gid = UInt32(truncatingIfNeeded: archive_entry_gid(e))
        size = archive_entry_size(e)
        mtime = Int64(archive_entry_mtime(e))
        nlink = UInt32(archive_entry_nlink(e))
        symlink = archive_entry_symlink(e).map { String(cString: $0) }
        hardlink = archive_entry_hardlink(e).map { String(cString: $0) }
        rdevMajor = UInt32(truncatingIfNeeded: archive_entry_rdevmajor(e))
        rdevMinor = UInt32(truncatingIfNeeded: archive_entry_rdevminor(e))
    }

    /// The model's kind for this header, or nil for a socket.
    func kind(content: CPIOEntry.Content) -> CPIOEntry.Kind? {
        switch fileType {
        case FileType.directory: return .directory
        case FileType.symlink: return .symlink(target: symlink ?? "")
        case FileType.characterDevice: return .characterDevice(major: rdevMajor, minor: rdevMinor)
        case FileType.blockDevice: return .blockDevice(major: rdevMajor, minor: rdevMinor)
        case FileType.fifo: return .fifo
        case FileType.socket: return nil
        default: return .file(content)
        }
    }
}
