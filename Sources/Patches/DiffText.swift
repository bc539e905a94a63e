import Foundation

/// Prepares patch text for libgit2, which only parses git-style diffs (each
/// file introduced by a `diff --git` line). Traditional `diff -Naur` /
/// `patch -p1` sections (`--- a/x.c<TAB>date` / `+++ b/x.c<TAB>date` with no
/// `diff --git` line) get a synthesised git header; the hunks are untouched.
/// Along the way every path named in a file header is collected, with its line
/// number, so unsafe paths can be reported before libgit2 sees the text.
struct DiffText {
    /// A path a header names (already stripped of its `a/` / `b/` or p1 prefix).
    struct HeaderPath: Equatable {
        var path: String
        /// 1-based line in the original patch file.
        var line: Int
    }

    /// A section the conversion cannot express, with its 1-based line.
    struct Problem: Error, Equatable {
        var line: Int
        var message: String
    }

    /// The bytes to hand to libgit2 (the original bytes when nothing needed converting).
    var data: Data
    var headerPaths: [HeaderPath] = []
    /// True when the text was rewritten (a traditional section got a git
    /// header, or an empty-file section got its terminator).
    var converted = false

    static let devNull = "/dev/null"

    init(_ original: Data) throws {
        let bytes = [UInt8](original)
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        let endsWithNewline = bytes.last == 0x0A
        if endsWithNewline { lines.removeLast() }

        var out: [[UInt8]] = []
        var oldLeft = 0, newLeft = 0
        var gitHeaderOpen = false
        var i = 0
        data = original
        while i < lines.count {
            let line = lines[i]
            if oldLeft > 0 || newLeft > 0 {
                switch line.first {
                case nil, UInt8(ascii: " "): oldLeft -= 1; newLeft -= 1
                case UInt8(ascii: "-"): oldLeft -= 1
                case UInt8(ascii: "+"): newLeft -= 1
                case UInt8(ascii: "\\"): break
                default:
                    // A short hunk; let libgit2 report it with its own words.
                    oldLeft = 0; newLeft = 0
                    continue
                }
                out.append(line)
                i += 1
                continue
            }
            if line.starts(with: Array("diff --git ".utf8)) {
                gitHeaderOpen = true
            } else if line.starts(with: Array("@@ ".utf8)) {
                (oldLeft, newLeft) = Self.hunkCounts(line)
                gitHeaderOpen = false
            } else if line.starts(with: Array("--- ".utf8)), i + 1 < lines.count, lines[i + 1].starts(with: Array("+++ ".utf8)) {
                let old = Self.headerName(Array(line.dropFirst(4)))
                let new = Self.headerName(Array(lines[i + 1].dropFirst(4)))
                if gitHeaderOpen {
                    for (name, number) in [(old, i + 1), (new, i + 2)] where name != Self.devNull {
                        let stripped = name.hasPrefix("a/") || name.hasPrefix("b/") ? String(name.dropFirst(2)) : name
                        headerPaths.append(HeaderPath(path: stripped, line: number))
                    }
                    out.append(line)
                    out.append(lines[i + 1])
                } else {
                    // diff -N writes a missing side as its real name with the epoch as timestamp.
                    let counts = i + 2 < lines.count && lines[i + 2].starts(with: Array("@@ ".utf8)) ? Self.hunkCounts(lines[i + 2]) : (1, 1)
                    let oldAbsent = old == Self.devNull || (counts.0 == 0 && Self.hasEpochTimestamp(Array(line.dropFirst(4))))
                    let newAbsent = new == Self.devNull || (counts.1 == 0 && Self.hasEpochTimestamp(Array(lines[i + 1].dropFirst(4))))
                    out += try traditionalSection(old: oldAbsent ? Self.devNull : old, new: newAbsent ? Self.devNull : new, line: i + 1)
                    converted = true
                }
                gitHeaderOpen = false
                i += 2
                continue
            } else if gitHeaderOpen, line.starts(with: Array("index ".utf8)), Self.sectionEnds(after: i, in: lines) {
                // A header-only section (an empty file added or deleted). libgit2 1.5
                // rejects it ("unexpected header line", libgit2 issues #5713, #6778)
                // unless format-patch's "-- " terminator follows the index line.
                out.append(line)
                out.append(Array("-- ".utf8))
                converted = true
                i += 1
                continue
            } else if gitHeaderOpen {
                for keyword in ["rename from ", "rename to ", "copy from ", "copy to "] where line.starts(with: Array(keyword.utf8)) {
                    headerPaths.append(HeaderPath(path: Self.headerName(Array(line.dropFirst(keyword.utf8.count))), line: i + 1))
                }
            }
            out.append(line)
            i += 1
        }
        if converted {
            var joined = Data(out.joined(separator: [0x0A]))
            if endsWithNewline { joined.append(0x0A) }
            data = joined
        }
    }

    /// True when nothing but blank lines separates line `index` from the end
    /// of the text or the next `diff` line.
    static func sectionEnds(after index: Int, in lines: [[UInt8]]) -> Bool {
        var next = index + 1
        while next < lines.count, lines[next].allSatisfy({ $0 == 0x0D }) { next += 1 }
        return next == lines.count || lines[next].starts(with: Array("diff ".utf8))
    }

    /// A git header plus `---`/`+++` lines for one traditional section, with
    /// one leading path component stripped as `patch -p1` does.
    private mutating func traditionalSection(old: String, new: String, line: Int) throws -> [[UInt8]] {
        func strip(_ name: String, _ number: Int) throws -> String? {
            if name == Self.devNull { return nil }
            if name.hasPrefix("/") {
                // Reported as unsafe by the caller; keep it unstripped so it is.
                headerPaths.append(HeaderPath(path: name, line: number))
                return name
            }
            guard let slash = name.firstIndex(of: "/"), name.index(after: slash) < name.endIndex else {
                throw Problem(line: number, message: "cannot strip a leading directory from '\(name)' as patch -p1 does")
            }
            let path = String(name[name.index(after: slash)...])
            headerPaths.append(HeaderPath(path: path, line: number))
            return path
        }
        let oldPath = try strip(old, line)
        let newPath = try strip(new, line + 1)
        guard let path = newPath ?? oldPath else {
            throw Problem(line: line, message: "both sides of the file header are /dev/null")
        }
        var header = ["diff --git \(Self.quoted("a/" + path)) \(Self.quoted("b/" + path))"]
        if oldPath == nil { header.append("new file mode 100644") }
        if newPath == nil { header.append("deleted file mode 100644") }
        header.append(oldPath == nil ? "--- /dev/null" : "--- \(Self.quoted("a/" + path))")
        header.append(newPath == nil ? "+++ /dev/null" : "+++ \(Self.quoted("b/" + path))")
        return header.map { Array($0.utf8) }
    }

    /// The counts of a hunk header `@@ -a[,b] +c[,d] @@`; a missing count is 1.
    static func hunkCounts(_ line: [UInt8]) -> (Int, Int) {
        let text = String(decoding: line, as: UTF8.self)
        let parts = text.split(separator: " ")
        guard parts.count >= 3 else { return (0, 0) }
        func count(_ range: Substring) -> Int {
            let pieces = range.dropFirst().split(separator: ",", omittingEmptySubsequences: false)
            if pieces.count < 2 { return 1 }
            return Int(pieces[1]) ?? 0
        }
        return (count(parts[1]), count(parts[2]))
    }

    /// The name in a `---`/`+++`/`rename from` line: a C-quoted string, or the
    /// text up to a tab (diff's timestamp separator), without trailing CR.
    static func headerName(_ rest: [UInt8]) -> String {
        if rest.first == UInt8(ascii: "\"") { return unquote(rest) }
        var name = rest.split(separator: 0x09, maxSplits: 1, omittingEmptySubsequences: false).first.map(Array.init) ?? []
        while let last = name.last, last == 0x0D || last == 0x20 { name.removeLast() }
        return String(decoding: name, as: UTF8.self)
    }

    /// True when a traditional header's timestamp is the Unix epoch, which
    /// `diff -N` uses for a file that does not exist on that side.
    static func hasEpochTimestamp(_ rest: [UInt8]) -> Bool {
        guard let tab = rest.firstIndex(of: 0x09) else { return false }
        let stamp = String(decoding: rest[(tab + 1)...], as: UTF8.self)
        return stamp.hasPrefix("1970-01-01 00:00:00") || stamp.hasPrefix("1969-12-31 ")
            || stamp.hasPrefix("Thu Jan  1 00:00:00 1970") || (stamp.hasPrefix("Wed Dec 31 ") && stamp.contains("1969"))
    }

    /// Git's C-style quoting: `"a/with\ttab"`, octal escapes for other bytes.
    static func unquote(_ quoted: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 1
        let escapes: [UInt8: UInt8] = [
            UInt8(ascii: "n"): 0x0A, UInt8(ascii: "t"): 0x09, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "a"): 0x07,
            UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "v"): 0x0B,
        ]
        while i < quoted.count, quoted[i] != UInt8(ascii: "\"") {
            let c = quoted[i]
            if c == UInt8(ascii: "\\"), i + 1 < quoted.count {
                let e = quoted[i + 1]
                if let mapped = escapes[e] {
                    out.append(mapped); i += 2
                } else if (0x30...0x37).contains(e), i + 3 < quoted.count {
                    let digits = quoted[(i + 1)...(i + 3)].map { Int($0) - 0x30 }
                    out.append(UInt8(truncatingIfNeeded: digits[0] * 64 + digits[1] * 8 + digits[2])); i += 4
                } else {
                    out.append(e); i += 2
                }
            } else {
                out.append(c); i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Quotes a path the way git does when it contains characters a header
    /// cannot carry bare (space, quote, backslash, control characters).
    static func quoted(_ path: String) -> String {
        guard path.utf8.contains(where: { $0 < 0x21 || $0 == 0x22 || $0 == 0x5C || $0 == 0x7F }) else { return path }
        var out = "\""
        for scalar in path.unicodeScalars {
            switch scalar.value {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x09: out += "\\t"
            case 0x0A: out += "\\n"
            case 0..<0x20, 0x7F: out += "\\" + String(scalar.value, radix: 8).leftPadded(to: 3)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
