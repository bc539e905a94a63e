import Foundation
import Support

/// One entry as an archive stores it, for `sel4img cpio list` (text or JSON).
public struct CPIOListing: Codable, Equatable, Sendable {
    /// The path exactly as stored (possibly `./x`, `/x` or `../x`: listing never refuses).
    public var path: String
    /// file, directory, symlink, character-device, block-device, fifo or socket.
    public var type: String
    /// Permission bits in octal, e.g. "0755".
    public var mode: String
    public var uid: UInt32
    public var gid: UInt32
    public var nlink: UInt32
    public var size: Int64
    public var mtime: Int64
    public var target: String?
    public var hardlink: String?
    public var major: UInt32?
    public var minor: UInt32?

    init(_ h: RawHeader) {
        path = h.path
        switch h.fileType {
        case FileType.directory: type = "directory"
        case FileType.symlink: type = "symlink"
        case FileType.characterDevice: type = "character-device"
        case FileType.blockDevice: type = "block-device"
        case FileType.fifo: type = "fifo"
        case FileType.socket: type = "socket"
        default: type = "file"
        }
        mode = "0" + String(h.permissions, radix: 8).leftPadded(to: 3, with: "0")
        uid = h.uid
        gid = h.gid
        nlink = h.nlink
        size = h.size
        mtime = h.mtime
        target = h.fileType == FileType.symlink ? h.symlink : nil
        hardlink = h.hardlink
        let isDevice = h.fileType == FileType.characterDevice || h.fileType == FileType.blockDevice
        major = isDevice ? h.rdevMajor : nil
        minor = isDevice ? h.rdevMinor : nil
    }

    /// A `cpio -tv --numeric-uid-gid` style line, with the time in UTC as
    /// YYYY-MM-DD HH:MM so listings are the same on every host:
    /// `crw-------   1 0        0          5,   1 1970-01-01 00:00 dev/console`.
    /// Control characters in names are shown escaped (`\n`, `\u{1B}`).
    public var line: String {
        let permissions = UInt16(mode, radix: 8) ?? 0
        let size = major.map { "\(String($0).leftPadded(to: 3)), \(String(minor ?? 0).leftPadded(to: 3))" } ?? String(self.size)
        var text = "\(Self.modeString(type: type, permissions: permissions)) \(String(nlink).leftPadded(to: 3)) "
            + "\(String(uid).rightPadded(to: 8)) \(String(gid).rightPadded(to: 8)) \(size.leftPadded(to: 8)) "
            + "\(Self.time(mtime)) \(path.escapingControlCharacters)"
        if let target { text += " -> \(target.escapingControlCharacters)" }
        if let hardlink { text += " link to \(hardlink.escapingControlCharacters)" }
        return text
    }

    static func modeString(type: String, permissions p: UInt16) -> String {
        let letter: Character = ["directory": "d", "symlink": "l", "character-device": "c", "block-device": "b",
                                 "fifo": "p", "socket": "s"][type] ?? "-"
        func triple(_ shift: UInt16, special: UInt16, set: Character, unset: Character) -> String {
            let r: Character = p & (0o4 << shift) != 0 ? "r" : "-"
            let w: Character = p & (0o2 << shift) != 0 ? "w" : "-"
            let execute = p & (0o1 << shift) != 0
            let x: Character = p & special != 0 ? (execute ? set : unset) : (execute ? "x" : "-")
            return String([r, w, x])
        }
        return String(letter) + triple(6, special: 0o4000, set: "s", unset: "S")
            + triple(3, special: 0o2000, set: "s", unset: "S") + triple(0, special: 0o1000, set: "t", unset: "T")
    }

    static func time(_ seconds: Int64) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ n: Int32) -> String { String(n).leftPadded(to: 2, with: "0") }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min))"
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = " ") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }

    func rightPadded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

extension CPIOArchive {
    /// Every entry of the archive at `url` (plain or compressed), as stored.
    public static func list(_ url: URL) throws -> [CPIOListing] {
        let reader = try ArchiveReader(path: url.path)
        var result: [CPIOListing] = []
        while let e = try reader.next() {
            result.append(CPIOListing(RawHeader(e)))
            try reader.skipData()
        }
        try reader.close()
        return result
    }

    /// Reads an archive into memory (file contents included) for changing and
    /// writing again. Paths are normalised (`./bin` and `/bin` become `bin`;
    /// the root entry `.` is dropped); later duplicates replace earlier ones,
    /// as when `cpio -i` extracts. Hard links become separate files with the
    /// same bytes. Entries with `..` in their paths, or sockets, are refused.
    public static func read(from url: URL) throws -> CPIOArchive {
        let reader = try ArchiveReader(path: url.path)
        var archive = CPIOArchive()
        while let e = try reader.next() {
            let header = RawHeader(e)
            let parts = header.path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
            if parts.isEmpty {
                try reader.skipData()
                continue
            }
            if parts.contains("..") {
                throw CPIOError.unsafe(archive: url.path, entry: reader.entryNumber, path: header.path, "its path contains '..'")
            }
            var data = header.fileType == FileType.regular ? try reader.readData(size: header.size) : Data()
            if header.fileType != FileType.regular { try reader.skipData() }
            if let link = header.hardlink, let key = try? CPIOPath.normalize(link), let first = archive.entries[key],
               case .file(.bytes(let existing)) = first.kind {
                // newc stores a hard-linked file's bytes once, with the last of its names.
                if data.isEmpty { data = existing } else if existing.isEmpty { archive.entries[key]?.kind = .file(.bytes(data)) }
            }
            guard let kind = header.kind(content: .bytes(data)) else {
                throw CPIOError.invalid("entry \(reader.entryNumber) '\(header.path)' of \(url.path) is a socket, which sel4img does not archive")
            }
            let entry = try CPIOEntry(path: parts.joined(separator: "/"), kind: kind, mode: header.permissions,
                                      uid: header.uid, gid: header.gid, mtime: header.mtime)
            do {
                try archive.insert(entry)
            } catch let error as CPIOError {
                throw CPIOError.invalid("entry \(reader.entryNumber) of \(url.path): \(error.message)")
            }
        }
        try reader.close()
        return archive
    }
}
