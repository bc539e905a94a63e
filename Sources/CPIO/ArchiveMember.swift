import CArchive
import Foundation

/// Reads one named file out of a downloaded archive: a Debian package (`.deb`,
/// an `ar` archive whose `data.tar.*` member holds the files) or a tar archive
/// (plain, gzip, xz, zstd, bzip2). The `data.tar.*` of a package is read as a
/// stream inside the `ar` archive, never written out, and only the one member
/// is written, to the one destination the caller names: nothing in the
/// archive chooses a path on the host, so hostile entry names cannot escape.
/// Sizes are capped so a hostile or broken archive cannot fill the disk or
/// keep the decompressor busy for ever.
public enum ArchiveMember {
    /// The largest member extracted: boot files are a few MiB.
    public static let defaultSizeLimit: Int64 = 512 << 20
    /// The most uncompressed bytes read while looking for the member (a
    /// kernel package's data is about 350 MiB).
    public static let defaultScanLimit: Int64 = 4 << 30

    /// Streams `member` (a path inside the archive; a leading `./` or `/` in
    /// the archive's entry names is ignored) from the archive at `archive`
    /// into `destination`, creating or replacing it. `shownAs` is how messages
    /// name the archive (its URL, say). Returns the member's size.
    @discardableResult
    public static func extract(_ member: String, from archive: URL, shownAs: String? = nil, to destination: URL,
                               sizeLimit: Int64 = defaultSizeLimit, scanLimit: Int64 = defaultScanLimit) throws -> Int64 {
        let shown = shownAs ?? archive.path
        let wanted = normalize(member)
        let outer = try OpenedArchive(path: archive.path, shown: shown)
        var candidates: [String] = []
        var sawPackageData = false
        while let entry = try outer.next(scanLimit: scanLimit) {
            let name = normalize(entry.path)
            if outer.isAr {
                // A Debian package: the files are in data.tar.{xz,zst,gz,bz2}.
                guard name.hasPrefix("data.tar") else { continue }
                sawPackageData = true
                let inner = try OpenedArchive(nestedIn: outer, entryName: name, shown: "\(name) in \(shown)")
                if let size = try find(wanted, in: inner, shown: shown, scanLimit: scanLimit, sizeLimit: sizeLimit,
                                       destination: destination, candidates: &candidates) {
                    return size
                }
                break
            }
            if let size = try take(entry, name: name, wanted: wanted, from: outer, shown: shown, sizeLimit: sizeLimit,
                                   destination: destination, candidates: &candidates) {
                return size
            }
        }
        if outer.isAr && !sawPackageData {
            throw CPIOError(kind: .missingMember, message: "\(shown) is an ar archive without a data.tar member, so not a Debian package",
                            hint: "check the URL: 'member' reads a file out of a .deb or a tar archive")
        }
        throw missing(member, shown: shown, candidates: candidates)
    }

    /// Searches the entries of a package's data archive.
    private static func find(_ wanted: String, in inner: OpenedArchive, shown: String, scanLimit: Int64, sizeLimit: Int64,
                             destination: URL, candidates: inout [String]) throws -> Int64? {
        while let entry = try inner.next(scanLimit: scanLimit) {
            if let size = try take(entry, name: normalize(entry.path), wanted: wanted, from: inner, shown: shown,
                                   sizeLimit: sizeLimit, destination: destination, candidates: &candidates) {
                return size
            }
        }
        return nil
    }

    /// Extracts `entry` when it is the member wanted; notes entries with the
    /// same file name for the "not found" message.
    private static func take(_ entry: RawHeader, name: String, wanted: String, from archive: OpenedArchive, shown: String,
                             sizeLimit: Int64, destination: URL, candidates: inout [String]) throws -> Int64? {
        guard name == wanted else {
            let base = wanted.split(separator: "/").last.map(String.init) ?? wanted
            if name.split(separator: "/").last.map(String.init) == base, entry.fileType != FileType.directory {
                candidates.append(name)
            }
            return nil
        }
        if let target = entry.hardlink {
            throw CPIOError(kind: .invalidInput, message: "'\(wanted)' in \(shown) is a hard link to '\(normalize(target))'",
                            hint: "name '\(normalize(target))' as the member instead")
        }
        switch entry.fileType {
        case FileType.regular: break
        case FileType.symlink:
            throw CPIOError(kind: .invalidInput, message: "'\(wanted)' in \(shown) is a symbolic link to '\(entry.symlink ?? "")'",
                            hint: "name the file it points to as the member instead")
        default:
            throw CPIOError(kind: .invalidInput, message: "'\(wanted)' in \(shown) is not a regular file")
        }
        if entry.size > sizeLimit {
            throw tooLarge(wanted, shown: shown, size: entry.size, limit: sizeLimit)
        }
        return try archive.copyData(to: destination, expected: entry.size, limit: sizeLimit, member: wanted)
    }

    /// An entry name without leading `./` and `/` (tar files made by dpkg
    /// store `./usr/lib/…`).
    static func normalize(_ path: String) -> String {
        var text = Substring(path)
        while true {
            if text.hasPrefix("./") { text = text.dropFirst(2) } else if text.hasPrefix("/") { text = text.dropFirst() } else { break }
        }
        return String(text)
    }

    static func missing(_ member: String, shown: String, candidates: [String]) -> CPIOError {
        var message = "\(shown) has no member '\(normalize(member))'"
        if !candidates.isEmpty {
            message += "; files with that name: " + candidates.prefix(5).joined(separator: ", ")
        }
        return CPIOError(kind: .missingMember, message: message,
                         hint: "list the archive ('dpkg-deb -c' for a package, 'tar -tf' otherwise) and fix 'member' in the board or app file that names it")
    }

    static func tooLarge(_ member: String, shown: String, size: Int64, limit: Int64) -> CPIOError {
        CPIOError(kind: .tooLarge, message: "'\(member)' in \(shown) is \(size) bytes, over the limit of \(limit >> 20) MiB for one file")
    }
}

/// A libarchive reader over a file, or over one entry's data inside another
/// reader (a package's `data.tar.xz` inside its `ar` archive).
private final class OpenedArchive {
    let handle: OpaquePointer
    let shown: String
    /// Kept alive while libarchive calls back into it.
    private var source: NestedSource?

    init(path: String, shown: String) throws {
        guard let handle = archive_read_new() else { throw CPIOError.library("create archive reader for", shown, "out of memory") }
        self.handle = handle
        self.shown = shown
        try check(archive_read_support_format_ar(handle), handle, "enable ar reading for", shown)
        try check(archive_read_support_format_tar(handle), handle, "enable tar reading for", shown)
        try check(archive_read_support_format_gnutar(handle), handle, "enable tar reading for", shown)
        try check(archive_read_support_filter_all(handle), handle, "enable decompression for", shown, allowWarning: true)
        let opened = archive_read_open_filename(handle, path, 64 * 1024)
        if opened != ARCHIVE_OK {
            throw CPIOError(kind: .malformed, message: "\(shown) is not a readable .deb or tar archive: \(lastError(handle, opened))")
        }
    }

    init(nestedIn outer: OpenedArchive, entryName: String, shown: String) throws {
        guard let handle = archive_read_new() else { throw CPIOError.library("create archive reader for", shown, "out of memory") }
        self.handle = handle
        self.shown = shown
        try check(archive_read_support_format_tar(handle), handle, "enable tar reading for", shown)
        try check(archive_read_support_format_gnutar(handle), handle, "enable tar reading for", shown)
        try check(archive_read_support_filter_all(handle), handle, "enable decompression for", shown, allowWarning: true)
        let source = NestedSource(outer: outer.handle)
        self.source = source
        let opened = archive_read_open(handle, Unmanaged.passUnretained(source).toOpaque(), nil, { _, client, buffer in
            let source = Unmanaged<NestedSource>.fromOpaque(client!).takeUnretainedValue()
            return source.read(into: buffer!)
        }, nil)
        if opened != ARCHIVE_OK {
            throw CPIOError(kind: .malformed, message: "\(shown) is not a readable tar archive: \(source.failure ?? lastError(handle, opened))")
        }
    }

    deinit { archive_read_free(handle) }

    /// Whether the archive is an `ar` archive (a Debian package).
    var isAr: Bool { archive_format(handle) & 0xff0000 == 0x70000 }

    func failure(_ detail: String) -> CPIOError {
        CPIOError(kind: .malformed, message: "\(shown) cannot be read to the end: \(source?.failure ?? detail)",
                  hint: "the download may be incomplete or damaged; remove it from the cache and fetch it again")
    }

    /// The next entry's header, or nil at the end.
    func next(scanLimit: Int64) throws -> RawHeader? {
        if archive_filter_bytes(handle, 0) > scanLimit {
            throw CPIOError(kind: .tooLarge, message: "\(shown) holds more than \(scanLimit >> 30) GiB before the member; refusing to read further")
        }
        var entry: OpaquePointer?
        let result = archive_read_next_header(handle, &entry)
        if result == ARCHIVE_EOF { return nil }
        guard result >= ARCHIVE_WARN, let entry else {
            throw failure(lastError(handle, result, fallback: "the archive ends inside an entry's header"))
        }
        return RawHeader(entry)
    }

    /// Streams the current entry's data to `destination` (created or
    /// replaced), checking it is `expected` bytes and never more than `limit`.
    func copyData(to destination: URL, expected: Int64, limit: Int64, member: String) throws -> Int64 {
        let fd = open(destination.path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CPIOError.posix("create", destination.path) }
        var closed = false
        defer { if !closed { close(fd) } }
        let capacity = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while true {
            let count = archive_read_data(handle, buffer, capacity)
            if count < 0 { throw failure(lastError(handle, Int32(count), fallback: ArchiveReader.truncatedData)) }
            if count == 0 { break }
            total += Int64(count)
            if total > limit { throw ArchiveMember.tooLarge(member, shown: shown, size: total, limit: limit) }
            var written = 0
            while written < count {
                let n = write(fd, buffer + written, count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CPIOError.posix("write", destination.path)
                }
                written += n
            }
        }
        if total != expected {
            throw failure("'\(member)' ends after \(total) of \(expected) bytes")
        }
        closed = true
        if close(fd) != 0 { throw CPIOError.posix("close", destination.path) }
        return total
    }
}

/// Feeds one entry's data from an outer reader to an inner one.
private final class NestedSource {
    let outer: OpaquePointer
    let capacity = 256 * 1024
    let buffer: UnsafeMutableRawPointer
    /// The outer reader's message when it failed, for the inner reader's error.
    var failure: String?

    init(outer: OpaquePointer) {
        self.outer = outer
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { buffer.deallocate() }

    func read(into out: UnsafeMutablePointer<UnsafeRawPointer?>) -> Int {
        let count = archive_read_data(outer, buffer, capacity)
        if count < 0 {
            failure = lastError(outer, Int32(count), fallback: ArchiveReader.truncatedData)
            return -1
        }
        out.pointee = UnsafeRawPointer(buffer)
        return count
    }
}
