import Foundation

/// Console output as a person reads it: without terminal control sequences.
public enum ConsoleText {
    /// Removes ANSI escape sequences (CSI such as colours and cursor moves,
    /// OSC such as window titles, and two-character escapes), carriage returns
    /// and other C0 control characters except tab, so that patterns match what
    /// a person sees.
    public static func clean(_ line: String) -> String {
        var out = String.UnicodeScalarView()
        let scalars = Array(line.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i].value
            if c == 0x1B {
                i = skipEscape(scalars, from: i)
                continue
            }
            if c == 0x9B {  // 8-bit CSI
                i = skipCSIBody(scalars, from: i + 1)
                continue
            }
            if (c < 0x20 && c != 0x09) || c == 0x7F {
                i += 1
                continue
            }
            out.append(scalars[i])
            i += 1
        }
        return String(out)
    }

    /// Index just past the escape sequence starting at `start` (an ESC).
    private static func skipEscape(_ s: [Unicode.Scalar], from start: Int) -> Int {
        let next = start + 1
        guard next < s.count else { return next }
        switch s[next].value {
        case 0x5B:  // '[' CSI
            return skipCSIBody(s, from: next + 1)
        case 0x5D, 0x50, 0x58, 0x5E, 0x5F:  // ']' OSC, 'P' DCS, 'X' SOS, '^' PM, '_' APC: up to BEL or ST
            var i = next + 1
            while i < s.count {
                if s[i].value == 0x07 { return i + 1 }
                if s[i].value == 0x1B, i + 1 < s.count, s[i + 1].value == 0x5C { return i + 2 }
                i += 1
            }
            return i
        case 0x20...0x2F:  // intermediate bytes, then one final byte (e.g. ESC ( B)
            var i = next
            while i < s.count, (0x20...0x2F).contains(s[i].value) { i += 1 }
            return min(i + 1, s.count)
        default:  // two-character escape (ESC c, ESC 7, ESC M, ...)
            return next + 1
        }
    }

    /// Skips CSI parameter and intermediate bytes and the final byte.
    private static func skipCSIBody(_ s: [Unicode.Scalar], from start: Int) -> Int {
        var i = start
        while i < s.count, (0x20...0x3F).contains(s[i].value) { i += 1 }
        return min(i + 1, s.count)
    }
}
