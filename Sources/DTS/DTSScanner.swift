/// Reads DTS source byte by byte for the parser: trivia (spaces, `//` and
/// `/* */` comments), names, numbers, strings and character literals.
/// dtc's lexer is context-sensitive (`<1 2>` versus `[0102]` versus node
/// names), so the parser asks for what it expects next instead of taking tokens.
struct DTSScanner {
    let bytes: [UInt8]
    /// The file name shown in errors.
    let file: String
    var position = 0
    var line = 1

    init(text: String, file: String) {
        bytes = Array(text.utf8)
        self.file = file
    }

    var atEnd: Bool { position >= bytes.count }
    func peek(_ ahead: Int = 0) -> UInt8? { position + ahead < bytes.count ? bytes[position + ahead] : nil }

    mutating func advance() {
        if bytes[position] == UInt8(ascii: "\n") { line += 1 }
        position += 1
    }

    func error(_ message: String, line: Int? = nil, node: String? = nil, kind: DTSError.Kind = .syntax) -> DTSError {
        DTSError(kind, message, file: file, line: line ?? self.line, node: node)
    }

    /// Skips whitespace and comments; throws on an unterminated `/* …`.
    mutating func skipTrivia() throws {
        while let c = peek() {
            if c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d || c == 0x0b || c == 0x0c {
                advance()
            } else if c == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "/") {
                while let d = peek(), d != 0x0a { advance() }
            } else if c == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
                let start = line
                advance(); advance()
                while true {
                    guard let d = peek() else { throw error("unterminated comment", line: start) }
                    if d == UInt8(ascii: "*"), peek(1) == UInt8(ascii: "/") { advance(); advance(); break }
                    advance()
                }
            } else {
                return
            }
        }
    }

    /// Skips trivia, then consumes `text` if it comes next.
    mutating func consume(_ text: String) throws -> Bool {
        try skipTrivia()
        let t = Array(text.utf8)
        guard position + t.count <= bytes.count, Array(bytes[position..<position + t.count]) == t else { return false }
        for _ in t { advance() }
        return true
    }

    /// Requires `text` next, or throws `expected 'TEXT' MESSAGE`.
    /// `context` and `node` are only worked out for the error (a node's path costs its depth).
    mutating func expect(_ text: String, _ context: @autoclosure () -> String, node: @autoclosure () -> String? = nil) throws {
        guard try consume(text) else {
            throw error("expected '\(text)' \(context()), found \(describeNext())", node: node())
        }
    }

    /// A short description of what comes next, for error messages.
    func describeNext() -> String {
        guard let c = peek() else { return "end of file" }
        if c >= 0x21, c <= 0x7e {
            var end = position
            while end < bytes.count, end - position < 16, bytes[end] > 0x20, bytes[end] < 0x7f { end += 1 }
            return "'" + String(decoding: bytes[position..<end], as: UTF8.self) + "'"
        }
        return "byte 0x" + DTSPrinter.hex(UInt64(c), width: 2)
    }

    static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || ",._+*#?@-".utf8.contains(c)
    }

    static func isLabelByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == UInt8(ascii: "_")
    }

    /// A property or node name (dtc's PROPNODENAME characters); empty when none comes next.
    mutating func readName() throws -> String {
        try skipTrivia()
        let start = position
        while let c = peek(), Self.isNameByte(c) { advance() }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// A label after `&` (letters, digits, underscore).
    mutating func readLabelName() -> String {
        let start = position
        while let c = peek(), Self.isLabelByte(c) { advance() }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// An integer literal: decimal, `0x` hex or `0` octal, with optional `U`/`L` suffixes.
    mutating func readInteger() throws -> UInt64 {
        try skipTrivia()
        let start = position
        var radix = 10
        if peek() == UInt8(ascii: "0"), let x = peek(1), x == UInt8(ascii: "x") || x == UInt8(ascii: "X") {
            advance(); advance()
            radix = 16
        } else if peek() == UInt8(ascii: "0") {
            radix = 8
        }
        let digitsStart = position
        while let c = peek(), (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) { advance() }
        let digits = String(decoding: bytes[digitsStart..<position], as: UTF8.self)
        while let c = peek(), c == UInt8(ascii: "U") || c == UInt8(ascii: "L") || c == UInt8(ascii: "u") || c == UInt8(ascii: "l") { advance() }
        let literal = String(decoding: bytes[start..<position], as: UTF8.self)
        if radix == 8, digits == "0" { return 0 }
        guard !digits.isEmpty, let value = UInt64(radix == 8 ? String(digits.dropFirst()) : digits, radix: radix) else {
            throw error("invalid number '\(literal)'")
        }
        return value
    }

    /// One escape sequence after a backslash in a string or character literal.
    mutating func readEscape() throws -> UInt8 {
        guard let c = peek() else { throw error("unterminated escape sequence") }
        advance()
        switch c {
        case UInt8(ascii: "a"): return 7
        case UInt8(ascii: "b"): return 8
        case UInt8(ascii: "t"): return 9
        case UInt8(ascii: "n"): return 10
        case UInt8(ascii: "v"): return 11
        case UInt8(ascii: "f"): return 12
        case UInt8(ascii: "r"): return 13
        case UInt8(ascii: "x"):
            var value = 0, count = 0
            while count < 2, let d = peek(), let v = Int(String(UnicodeScalar(d)), radix: 16) { value = value * 16 + v; count += 1; advance() }
            guard count > 0 else { throw error("'\\x' needs hex digits") }
            return UInt8(value)
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            var value = Int(c - 0x30), count = 1
            while count < 3, let d = peek(), d >= 0x30, d <= 0x37 { value = value * 8 + Int(d - 0x30); count += 1; advance() }
            guard value <= 0xff else { throw error("octal escape out of range") }
            return UInt8(value)
        default:
            return c
        }
    }

    /// A double-quoted string's bytes (without the terminating NUL).
    mutating func readString() throws -> [UInt8] {
        let start = line
        advance()
        var out: [UInt8] = []
        while true {
            guard let c = peek() else { throw error("unterminated string", line: start) }
            advance()
            if c == UInt8(ascii: "\"") { return out }
            out.append(c == UInt8(ascii: "\\") ? try readEscape() : c)
        }
    }

    /// A character literal such as `'a'` or `'\n'`.
    mutating func readCharLiteral() throws -> UInt64 {
        advance()
        guard let c = peek(), c != UInt8(ascii: "'") else { throw error("empty character literal") }
        advance()
        let value = c == UInt8(ascii: "\\") ? try readEscape() : c
        guard peek() == UInt8(ascii: "'") else { throw error("character literal must hold one character") }
        advance()
        return UInt64(value)
    }
}
