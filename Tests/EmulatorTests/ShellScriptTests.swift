import Foundation
import Testing
import TestSupport
@testable import Emulator

/// A bad script and the exact message it must produce.
struct InvalidScript: CustomTestStringConvertible, Sendable {
    var name: String
    var bytes: [UInt8]
    var message: String

    init(_ name: String, _ text: String, _ message: String) {
        self.name = name
        bytes = Array(text.utf8)
        self.message = message
    }

    init(_ name: String, bytes: [UInt8], _ message: String) {
        self.name = name
        self.bytes = bytes
        self.message = message
    }

    var testDescription: String { name }
}

let invalidScripts: [InvalidScript] = [
    InvalidScript("status out of range", "true\nfalse #=> 256\n",
                  "s.txt:2: '#=> 256': the expected exit status must be a number from 0 to 255"),
    InvalidScript("status not a number", "false #=> one\n",
                  "s.txt:1: '#=> one': the expected exit status must be a number from 0 to 255"),
    InvalidScript("status missing", "false #=>\n",
                  "s.txt:1: '#=>': the expected exit status must be a number from 0 to 255"),
    InvalidScript("negative status", "false #=> -1\n",
                  "s.txt:1: '#=> -1': the expected exit status must be a number from 0 to 255"),
    InvalidScript("line too long", "true\n# fine\necho " + String(repeating: "x", count: 996) + "\n",
                  "s.txt:3: the line is 1001 bytes long; a script line may be at most 1000 bytes"),
    InvalidScript("not UTF-8", bytes: Array("true\necho ".utf8) + [0xFF, 0xFE] + [0x0A],
                  "s.txt:2: the line is not UTF-8 text"),
    InvalidScript("no commands", "# only a comment\n\n   \n  # indented comment\n",
                  "s.txt: the script has no commands (every line is blank or a comment)"),
    InvalidScript("empty file", "",
                  "s.txt: the script has no commands (every line is blank or a comment)"),
    InvalidScript("open quote", "echo 'unfinished\n",
                  "s.txt:1: the command leaves a ' quote open; each line must be one complete command"),
    InvalidScript("open double quote", "echo \"unfinished \\\" still\n",
                  "s.txt:1: the command leaves a \" quote open; each line must be one complete command"),
    InvalidScript("continuation", "echo one \\\n",
                  "s.txt:1: the command ends with '\\'; each line must be one complete command"),
    InvalidScript("pipe at the end", "ls |\n",
                  "s.txt:1: the command ends with '|'; each line must be one complete command"),
    InvalidScript("background", "sleep 1 &\n",
                  "s.txt:1: the command ends with '&'; each line must be one complete command"),
    InvalidScript("semicolon", "true;  #=> 0\n",
                  "s.txt:1: the command ends with ';'; each line must be one complete command"),
    InvalidScript("tab", "echo a\tb\n",
                  "s.txt:1: the command contains a tab (U+0009); only printable characters can be typed on the guest's console"),
    InvalidScript("Ctrl-A", "echo \u{01}x\n",
                  "s.txt:1: the command contains the control character U+0001; only printable characters can be typed on the guest's console"),
    InvalidScript("every bad line is reported", "false #=> 300\ntrue\necho 'x\n",
                  "s.txt:1: '#=> 300': the expected exit status must be a number from 0 to 255\n"
                  + "s.txt:3: the command leaves a ' quote open; each line must be one complete command"),
]

@Suite("Script files for qemu --script")
struct ShellScriptTests {
    @Test("commands, expected statuses and line numbers; comments, blank lines and CRLF")
    func parses() throws {
        let text = "\u{FEFF}# Programs\r\n\r\n  emit /wasm/hello.wasm\r\nemit /wasm/trap.wasm\t #=> 134\r\n"
            + "echo \"# not a comment\" '#=> 9' a#b $# ${#x}\n"
            + "ls   # lists\n"
            + "echo semi\\;\n"
            + "true #=> 0\n"
        let script = try ShellScript.parse(Data(text.utf8), file: "t.txt")
        #expect(script.commands == [
            .init(file: "t.txt", line: 3, text: "emit /wasm/hello.wasm"),
            .init(file: "t.txt", line: 4, text: "emit /wasm/trap.wasm", expectedStatus: 134),
            .init(file: "t.txt", line: 5, text: "echo \"# not a comment\" '#=> 9' a#b $# ${#x}"),
            .init(file: "t.txt", line: 6, text: "ls"),
            .init(file: "t.txt", line: 7, text: "echo semi\\;"),
            .init(file: "t.txt", line: 8, text: "true"),
        ])
    }

    @Test("a line of exactly 1000 bytes is accepted")
    func longestLine() throws {
        let line = "echo " + String(repeating: "é", count: 497) + "x"  // 5 + 994 + 1 bytes
        #expect(line.utf8.count == 1000)
        let script = try ShellScript.parse(Data(line.utf8), file: "t.txt")
        #expect(script.commands.first?.text == line)
    }

    @Test("bad scripts are refused with exact messages", arguments: invalidScripts)
    func invalid(_ bad: InvalidScript) throws {
        let dir = try TemporaryDirectory("emu-script")
        defer { dir.remove() }
        try Data(bad.bytes).write(to: dir.path("s.txt"))
        let error = #expect(throws: EmulatorError.self) {
            try ShellScript.load(from: dir.path("s.txt"), shown: "s.txt")
        }
        #expect(error?.description == bad.message)
    }

    @Test("a missing or unreadable script file is named")
    func unreadable() throws {
        let dir = try TemporaryDirectory("emu-script")
        defer { dir.remove() }
        let missing = #expect(throws: EmulatorError.self) {
            try ShellScript.load(from: dir.path("nope.txt"), shown: "nope.txt")
        }
        #expect(missing?.description == "nope.txt: cannot read the script: no such file")
        let directory = #expect(throws: EmulatorError.self) {
            try ShellScript.load(from: dir.url)
        }
        #expect(directory?.description == "\(dir.url.path): cannot read the script: it is a directory")
    }
}
