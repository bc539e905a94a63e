import Foundation

/// An 8.3 short name as stored in a directory entry: 11 bytes (base padded
/// to 8, extension padded to 3) and the Windows NT case flags that let an
/// all-lower-case 8.3 name like `config.txt` live without a long name entry.
public struct ShortName: Hashable, Sendable, CustomStringConvertible {
    public static let lowerCaseBase: UInt8 = 0x08
    public static let lowerCaseExtension: UInt8 = 0x10

    /// The 11 stored bytes, upper case, space padded.
    public var bytes: [UInt8]
    /// `lowerCaseBase` and/or `lowerCaseExtension`, or 0.
    public var caseFlags: UInt8

    init(base: [UInt8], ext: [UInt8], caseFlags: UInt8 = 0) {
        bytes = base + Array(repeating: 0x20, count: 8 - base.count) + ext + Array(repeating: 0x20, count: 3 - ext.count)
        self.caseFlags = caseFlags
    }

    init(raw: [UInt8], caseFlags: UInt8) {
        bytes = raw
        self.caseFlags = caseFlags
    }

    /// The name as a directory listing shows it without long names: `SEL4TE~1`, `CONFIG.TXT`.
    public var description: String {
        let base = String(decoding: bytes[0..<8], as: UTF8.self).trimmingTrailingSpaces()
        let ext = String(decoding: bytes[8..<11], as: UTF8.self).trimmingTrailingSpaces()
        return ext.isEmpty ? base : base + "." + ext
    }

    /// The name with the case flags applied, as Linux and mtools display it.
    public var displayName: String {
        var base = String(decoding: bytes[0..<8], as: UTF8.self).trimmingTrailingSpaces()
        var ext = String(decoding: bytes[8..<11], as: UTF8.self).trimmingTrailingSpaces()
        if caseFlags & Self.lowerCaseBase != 0 { base = base.lowercased() }
        if caseFlags & Self.lowerCaseExtension != 0 { ext = ext.lowercased() }
        return ext.isEmpty ? base : base + "." + ext
    }

    /// The checksum that ties long name entries to their short entry.
    public var checksum: UInt8 {
        bytes.reduce(UInt8(0)) { sum, byte in ((sum & 1) << 7) &+ (sum >> 1) &+ byte }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

/// Rules for FAT names: which paths are accepted, the short name each gets
/// (the Windows "basis name + numeric tail" algorithm, which mtools and Linux
/// also follow), and the VFAT long name entries.
enum FATNames {
    /// Characters allowed in short names besides A-Z and 0-9.
    static let shortPunctuation = Set("!#$%&'()-@^_`{}~".utf8)
    /// Characters FAT long names cannot hold ('/' separates path components).
    static let forbiddenInLongNames: Set<Character> = ["\"", "*", ":", "<", ">", "?", "\\", "|"]
    static let maxLongNameUnits = 255

    static func isShortChar(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39) || shortPunctuation.contains(b)
    }

    /// Splits and checks a path given for the volume; throws the exact reason it cannot be used.
    static func components(of path: String) throws -> [String] {
        if path.isEmpty { throw DiskImageError.invalidPath(path, "is empty") }
        if path.hasPrefix("/") { throw DiskImageError.invalidPath(path, "is absolute; give it relative to the volume's root") }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for name in parts {
            if let problem = problem(withName: name) { throw DiskImageError.invalidPath(path, problem) }
        }
        return parts
    }

    /// Why one name cannot be a FAT long name, or nil.
    static func problem(withName name: String) -> String? {
        if name.isEmpty { return "has an empty component" }
        if name == "." || name == ".." { return "contains '\(name)'" }
        for scalar in name.unicodeScalars where scalar.value < 0x20 || scalar.value == 0x7F {
            return "contains control character U+" + String(format: "%04X", scalar.value)
        }
        if let bad = name.first(where: { forbiddenInLongNames.contains($0) }) {
            return "contains '\(bad)', which FAT names cannot hold"
        }
        if name.hasSuffix(".") || name.hasSuffix(" ") {
            return "has a name ending in a period or space ('\(name)'), which FAT drops"
        }
        let units = name.utf16.count
        if units > maxLongNameUnits {
            return "has a name of \(units) UTF-16 code units; FAT long names hold at most \(maxLongNameUnits)"
        }
        return nil
    }

    /// The short name when `name` is itself a valid 8.3 name whose base and
    /// extension are each all upper or all lower case; such names need no
    /// long name entry (`CONFIG.TXT`, `config.txt`, `START4.elf`).
    static func exactShortName(_ name: String) -> ShortName? {
        let bytes = Array(name.utf8)
        guard bytes.count == name.unicodeScalars.count else { return nil } // ASCII only
        let dots = bytes.indices.filter { bytes[$0] == 0x2E }
        guard dots.count <= 1 else { return nil }
        let base = dots.isEmpty ? bytes[...] : bytes[..<dots[0]]
        let ext = dots.isEmpty ? [][...] : bytes[(dots[0] + 1)...]
        guard (1...8).contains(base.count), ext.count <= 3, dots.isEmpty || !ext.isEmpty else { return nil }
        var flags: UInt8 = 0
        func fold(_ part: ArraySlice<UInt8>, flag: UInt8) -> [UInt8]? {
            let hasLower = part.contains { $0 >= 0x61 && $0 <= 0x7A }
            let hasUpper = part.contains { $0 >= 0x41 && $0 <= 0x5A }
            if hasLower && hasUpper { return nil }
            if hasLower { flags |= flag }
            let upper = part.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
            return upper.allSatisfy(isShortChar) ? upper : nil
        }
        guard let b = fold(base, flag: ShortName.lowerCaseBase), let e = fold(ext, flag: ShortName.lowerCaseExtension) else { return nil }
        return ShortName(base: b, ext: e, caseFlags: flags)
    }

    /// The basis short name of a long name, and whether it needs a numeric tail
    /// because characters were dropped, replaced or cut off.
    static func basis(_ name: String) -> (base: [UInt8], ext: [UInt8], needsTail: Bool) {
        var lossy = false
        func convert(_ chars: Substring) -> [UInt8] {
            var out: [UInt8] = []
            for ch in chars {
                if ch == " " || ch == "." { lossy = true; continue }
                if let ascii = ch.asciiValue {
                    let up = ascii >= 0x61 && ascii <= 0x7A ? ascii - 0x20 : ascii
                    if isShortChar(up) { out.append(up); continue }
                }
                out.append(0x5F) // '_'
                lossy = true
            }
            return out
        }
        var stripped = Substring(name)
        while stripped.first == "." || stripped.first == " " { stripped = stripped.dropFirst(); lossy = true }
        var basePart = stripped, extPart: Substring = ""
        if let dot = stripped.lastIndex(of: ".") {
            basePart = stripped[..<dot]
            extPart = stripped[stripped.index(after: dot)...]
        }
        var base = convert(basePart)
        var ext = convert(extPart)
        if base.count > 8 { base = Array(base.prefix(8)); lossy = true }
        if ext.count > 3 { ext = Array(ext.prefix(3)); lossy = true }
        if base.isEmpty { base = [0x5F]; lossy = true }
        return (base, ext, lossy)
    }

    /// A short name for a long name, unique among `taken` (which it extends):
    /// the basis name if it is exact and free, else `BASE~N` with the smallest free N.
    static func generate(for name: String, taken: inout Set<[UInt8]>) -> ShortName {
        let (base, ext, needsTail) = basis(name)
        let plain = ShortName(base: base, ext: ext)
        if !needsTail, !taken.contains(plain.bytes) {
            taken.insert(plain.bytes)
            return plain
        }
        var n = 1
        while true {
            let tail = Array("~\(n)".utf8)
            let candidate = ShortName(base: Array(base.prefix(8 - tail.count)) + tail, ext: ext)
            if !taken.contains(candidate.bytes) {
                taken.insert(candidate.bytes)
                return candidate
            }
            n += 1
        }
    }

    /// VFAT long name entries for `name`, in on-disk order (highest ordinal
    /// first, flagged 0x40), each carrying the short name's checksum.
    static func longNameEntries(_ name: String, checksum: UInt8) -> [[UInt8]] {
        let units = Array(name.utf16)
        let count = (units.count + 12) / 13
        var entries: [[UInt8]] = []
        for ordinal in stride(from: count, through: 1, by: -1) {
            var slot = [UInt16](repeating: 0xFFFF, count: 13)
            let start = (ordinal - 1) * 13
            for i in 0..<13 {
                if start + i < units.count { slot[i] = units[start + i] } else if start + i == units.count { slot[i] = 0 }
            }
            var e = [UInt8](repeating: 0, count: 32)
            e[0] = UInt8(ordinal) | (ordinal == count ? 0x40 : 0)
            e[11] = 0x0F
            e[13] = checksum
            let positions = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30]
            for (i, p) in positions.enumerated() {
                e[p] = UInt8(slot[i] & 0xFF)
                e[p + 1] = UInt8(slot[i] >> 8)
            }
            entries.append(e)
        }
        return entries
    }

    /// Sort key: case-folded UTF-8, then the name's own UTF-8, so the order
    /// (and with it cluster allocation) never depends on the host's locale.
    static func sortKey(_ name: String) -> ([UInt8], [UInt8]) {
        (Array(name.uppercased().utf8), Array(name.utf8))
    }
}

func lexicographicLess(_ a: ([UInt8], [UInt8]), _ b: ([UInt8], [UInt8])) -> Bool {
    if a.0 != b.0 { return a.0.lexicographicallyPrecedes(b.0) }
    return a.1.lexicographicallyPrecedes(b.1)
}
