import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shell commands for `sel4img qemu --script`, typed one by one into the
/// guest's shell on the serial console.
///
/// The file is plain UTF-8 text. Blank lines and lines starting with `#` are
/// skipped; every other line is one complete shell command. A command must
/// exit 0 unless it ends with the comment `#=> N`, N being the exit status it
/// must have (0 to 255):
///
///     # Programs that must work
///     emit /wasm/hello.wasm
///     emit /wasm/trap.wasm   #=> 134
///
/// Other trailing comments are dropped; `#` inside quotes or within a word
/// (`$#`, `a#b`) is not a comment.
public struct ShellScript: Sendable, Equatable {
    public struct Command: Sendable, Equatable {
        /// The script file, as messages name it.
        public var file: String
        /// 1-based line number in the file.
        public var line: Int
        /// What is typed, without the trailing comment.
        public var text: String
        /// The exit status the command must have.
        public var expectedStatus: Int

        public init(file: String, line: Int, text: String, expectedStatus: Int = 0) {
            self.file = file
            self.line = line
            self.text = text
            self.expectedStatus = expectedStatus
        }
    }

    /// The script file, as messages name it.
    public var file: String
    public var commands: [Command]

    /// The longest line accepted, in bytes without the line ending. (Linux's
    /// terminal line buffer holds 4095.)
    public static let maxLineBytes = 1000

    public init(file: String, commands: [Command]) {
        self.file = file
        self.commands = commands
    }

    /// Reads and checks a script file. `shown` is how messages name it
    /// (default: the path as given).
    public static func load(from url: URL, shown: String? = nil) throws -> ShellScript {
        let shown = shown ?? url.path
        return try parse(try readFile(url, shown: shown), file: shown)
    }

    /// Checks a whole script, reporting every bad line at once.
    public static func parse(_ data: Data, file: String) throws -> ShellScript {
        var commands: [Command] = []
        var problems: [String] = []
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            var lineBytes = rawLine
            if lineBytes.last == 0x0D { lineBytes = lineBytes.dropLast() }
            if lineBytes.count > maxLineBytes {
                problems.append("\(file):\(number): the line is \(lineBytes.count) bytes long; a script line may be at most \(maxLineBytes) bytes")
                continue
            }
            guard let text = String(validating: lineBytes, as: UTF8.self) else {
                problems.append("\(file):\(number): the line is not UTF-8 text")
                continue
            }
            switch parseLine(text) {
            case .skip:
                continue
            case .command(let command, let status):
                commands.append(Command(file: file, line: number, text: command, expectedStatus: status))
            case .problem(let problem):
                problems.append("\(file):\(number): \(problem)")
            }
        }
        if !problems.isEmpty {
            throw EmulatorError.invalidScript(problems: problems)
        }
        guard !commands.isEmpty else {
            throw EmulatorError.invalidScript(problems: ["\(file): the script has no commands (every line is blank or a comment)"])
        }
        return ShellScript(file: file, commands: commands)
    }

    enum Line: Equatable {
        case skip
        case command(String, expectedStatus: Int)
        case problem(String)
    }

    /// One line of a script, without its line ending.
    static func parseLine(_ line: String) -> Line {
        let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
        if trimmed.isEmpty || trimmed.hasPrefix("#") { return .skip }
        let scalars = Array(trimmed.unicodeScalars)

        // Find where a comment starts, outside quotes and at the start of a word.
        var quote: Unicode.Scalar?
        var wordStart = true
        var commentStart: Int?
        var i = 0
        scan: while i < scalars.count {
            let c = scalars[i]
            switch (quote, c) {
            case ("'"?, "'"), ("\""?, "\""):
                quote = nil
            case ("'"?, _):
                break
            case (_, "\\"):
                i += 2  // the escaped character, even inside double quotes
                wordStart = false
                continue scan
            case ("\""?, _):
                break
            case (nil, "'"), (nil, "\""):
                quote = c
            case (nil, "#") where wordStart:
                commentStart = i
                break scan
            default:
                break
            }
            wordStart = quote == nil && (c == " " || c == "\t" || ";&|()<>".unicodeScalars.contains(c))
            i += 1
        }
        if let quote {
            return .problem("the command leaves a \(quote) quote open; each line must be one complete command")
        }

        var expected = 0
        var end = scalars.count
        if let commentStart {
            end = commentStart
            let comment = String(String.UnicodeScalarView(scalars[commentStart...])).trimmingCharacters(in: .whitespaces)
            if comment.hasPrefix("#=>") {
                let value = comment.dropFirst(3).trimmingCharacters(in: .whitespaces)
                guard !value.isEmpty, value.count <= 3, value.allSatisfy({ $0.isASCII && $0.isNumber }),
                      let status = Int(value), status <= 255 else {
                    return .problem("'\(comment)': the expected exit status must be a number from 0 to 255")
                }
                expected = status
            }
        }
        var commandScalars = scalars[..<end]
        while let last = commandScalars.last, last == " " || last == "\t" {
            commandScalars = commandScalars.dropLast()
        }
        let command = String(String.UnicodeScalarView(commandScalars))
        if command.isEmpty {
            return .skip
        }
        if let control = command.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F || (0x80...0x9F).contains($0.value) }) {
            let what = control == "\t" ? "a tab (U+0009)" : "the control character U+\(hex4(control.value))"
            return .problem("the command contains \(what); only printable characters can be typed on the guest's console")
        }
        // What ends the command, unless a backslash escapes it.
        let backslashes = commandScalars.dropLast().reversed().prefix(while: { $0 == "\\" }).count
        if let last = commandScalars.last, backslashes % 2 == 0 {
            if last == "\\" {
                return .problem("the command ends with '\\'; each line must be one complete command")
            }
            if ";&|".unicodeScalars.contains(last) {
                return .problem("the command ends with '\(last)'; each line must be one complete command")
            }
        }
        return .command(command, expectedStatus: expected)
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The file's bytes, or an error saying why they cannot be read.
    private static func readFile(_ url: URL, shown: String) throws -> Data {
        var info = stat()
        guard stat(url.path, &info) == 0 else {
            throw EmulatorError.scriptUnreadable(file: shown, reason: errno == ENOENT ? "no such file" : String(cString: strerror(errno)))
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            throw EmulatorError.scriptUnreadable(file: shown, reason: "it is a directory")
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            let reason = access(url.path, R_OK) != 0 ? String(cString: strerror(errno)) : error.localizedDescription
            throw EmulatorError.scriptUnreadable(file: shown, reason: reason)
        }
    }
}
