/// The modules archive: a newc CPIO archive embedded in the root task's
/// read-only data. Parsed in place; file contents are copied out only when
/// asked for.
struct ArchiveEntry {
    var path: String
    /// Mode bits as stored (file type included).
    var mode: UInt32
    var mtime: UInt32
    var contents: UnsafeBufferPointer<UInt8>

    var isDirectory: Bool { mode & 0o170000 == 0o040000 }
    var isFile: Bool { mode & 0o170000 == 0o100000 }
}

struct ArchiveError: Error {
    var message: String
}

enum NewcArchive {
    static let headerSize = 110

    /// Every entry up to the trailer, in archive order.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(ArchiveError) -> [ArchiveEntry] {
        var entries: [ArchiveEntry] = []
        var offset = 0
        while true {
            guard offset + headerSize <= bytes.count else {
                throw ArchiveError(message: "truncated header at offset \(offset)")
            }
            guard bytes[offset] == 0x30, bytes[offset + 1] == 0x37, bytes[offset + 2] == 0x30,
                  bytes[offset + 3] == 0x37, bytes[offset + 4] == 0x30, bytes[offset + 5] == 0x31 else {
                throw ArchiveError(message: "no newc header (070701) at offset \(offset)")
            }
            func field(_ index: Int) throws(ArchiveError) -> UInt32 {
                var value: UInt32 = 0
                for i in 0..<8 {
                    let c = bytes[offset + 6 + index * 8 + i]
                    let digit: UInt32
                    switch c {
                    case 0x30...0x39: digit = UInt32(c - 0x30)
                    case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
                    case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
                    default: throw ArchiveError(message: "bad hex digit in header at offset \(offset)")
                    }
                    value = value << 4 | digit
                }
                return value
            }
            let mode = try field(1)
            let mtime = try field(5)
            let size = Int(try field(6))
            let nameSize = Int(try field(11))
            let nameStart = offset + headerSize
            guard nameSize > 0, nameStart + nameSize <= bytes.count else {
                throw ArchiveError(message: "truncated name at offset \(nameStart)")
            }
            let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[nameStart..<(nameStart + nameSize - 1)]), as: UTF8.self)
            let dataStart = (nameStart + nameSize + 3) & ~3
            guard dataStart + size <= bytes.count else {
                throw ArchiveError(message: "truncated contents of \(name) at offset \(dataStart)")
            }
            if name == "TRAILER!!!" { return entries }
            entries.append(ArchiveEntry(path: name, mode: mode, mtime: mtime,
                                        contents: UnsafeBufferPointer(rebasing: bytes[dataStart..<(dataStart + size)])))
            offset = (dataStart + size + 3) & ~3
        }
    }
}

/// `modules.txt`: "module NAME" lines in run order, "arg WORD" lines for
/// the arguments every module gets after its name ('#' starts a comment).
struct ModuleIndex {
    var modules: [String] = []
    var arguments: [String] = []
    /// "tiers both" (`--wasm-tier both`): run translated modules on the interpreter too.
    var compareTiers = false

    init(_ contents: UnsafeBufferPointer<UInt8>) {
        for line in contents.split(separator: 0x0A, omittingEmptySubsequences: true) {
            let text = String(decoding: line, as: UTF8.self)
            if text.hasPrefix("module ") {
                modules.append(String(text.dropFirst(7)))
            } else if text.hasPrefix("arg ") {
                arguments.append(String(text.dropFirst(4)))
            } else if text == "tiers both" {
                compareTiers = true
            }
        }
    }
}
