import Foundation
import Testing
import TestSupport
import WASI
import WasmHost

/// WasmRunner in-process: what a person sees for each kind of bad module.
@Suite struct RunnerTests {
    /// A bad module and the exact message (and exit status) it must produce.
    struct BadModule: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]?          // raw bytes, or
        var text: String?            // WebAssembly text (wat2wasm --no-check --debug-names)
        var message: String
        var status: Int32 = 126
        var testDescription: String { name }
    }

    static let badModules: [BadModule] = [
        BadModule(name: "empty.wasm", bytes: [],
                  message: "empty.wasm: malformed module at offset 0x0: magic header not detected"),
        BadModule(name: "text.wasm", bytes: Array("(module)".utf8),
                  message: "text.wasm: malformed module at offset 0x0: magic header not detected"),
        BadModule(name: "version.wasm", bytes: [0, 0x61, 0x73, 0x6d, 2, 0, 0, 0],
                  message: "version.wasm: malformed module at offset 0x4: unknown binary version"),
        BadModule(name: "truncated.wasm", bytes: [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60],
                  message: "truncated.wasm: malformed module at offset 0xa: length out of bounds"),
        BadModule(name: "mismatch.wasm", text: "(module (func (export \"_start\") (result i32) (i64.const 1)))",
                  message: "mismatch.wasm: invalid module at offset 0x26: type mismatch: expected i32, found i64"),
        BadModule(name: "env.wasm", text: "(module (import \"env\" \"foo\" (func)) (func (export \"_start\")))",
                  message: "env.wasm: imports env.foo, which WASI does not provide"),
        BadModule(name: "lib.wasm", text: "(module (memory (export \"memory\") 1) (func (export \"main\")))",
                  message: "lib.wasm: exports no _start function, so it is not a WASI command"),
        BadModule(name: "unknown.wasm",
                  text: "(module (import \"wasi_snapshot_preview1\" \"fd_frobnicate\" (func)) (func (export \"_start\")))",
                  message: "unknown.wasm: unlinkable module: unknown import \"wasi_snapshot_preview1\" \"fd_frobnicate\""),
        BadModule(name: "signature.wasm",
                  text: "(module (import \"wasi_snapshot_preview1\" \"fd_write\" (func (param i32) (result i32))) (func (export \"_start\")))",
                  message: "signature.wasm: unlinkable module: incompatible import type for \"wasi_snapshot_preview1\" \"fd_write\""),
        BadModule(name: "div.wasm", text: """
                  (module
                    (memory (export "memory") 1)
                    (func $div (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
                    (func (export "_start") (drop (call $div (i32.const 1) (i32.const 0)))))
                  """,
                  message: "div.wasm: trap: integer divide by zero in function 0 ($div) at offset 0x3c", status: 134),
        BadModule(name: "start.wasm", text: "(module (func $boom unreachable) (start $boom) (func (export \"_start\")))",
                  message: "start.wasm: trap: unreachable in function 0 ($boom) at offset 0x27", status: 134),

        // Names from the module have their control characters escaped.
        BadModule(name: "control.wasm", text: "(module (import \"e\\1bnv\" \"fo\\0ao\" (func)) (func (export \"_start\")))",
                  message: "control.wasm: imports e\\u{1B}nv.fo\\no, which WASI does not provide"),
        BadModule(name: "params.wasm",
                  bytes: [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 0xEE, 0x07, 1, 0x60, 0xE9, 0x07] + Array(repeating: 0x7F, count: 1001) + [0],
                  message: "params.wasm: module beyond an implementation limit at offset 0x3f7: more than 1000 parameters in a function type"),
        // Exit codes a process status cannot carry unchanged: 255 and the code on stderr.
        BadModule(name: "exit134.wasm", text: exitModule(134),
                  message: "exit134.wasm: exit code 134 is outside 0-125; exit status 255", status: 255),
        BadModule(name: "exit1000.wasm", text: exitModule(1000),
                  message: "exit1000.wasm: exit code 1000 is outside 0-125; exit status 255", status: 255),
        BadModule(name: "exit-1.wasm", text: exitModule(-1),
                  message: "exit-1.wasm: exit code 4294967295 is outside 0-125; exit status 255", status: 255),
    ]

    static func exitModule(_ code: Int32) -> String {
        """
        (module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start") (call $exit (i32.const \(code)))))
        """
    }

    @Test("exit codes 0-125 are the exit status")
    func exitCodesInRange() throws {
        let dir = try TemporaryDirectory("exit-wasm")
        defer { dir.remove() }
        for code: Int32 in [0, 1, 125] {
            let runner = WasmRunner(file: try writeFile(dir, "exit\(code).wasm", try Self.compile(Self.exitModule(code))))
            #expect(try runner.run(platform: CapturePlatform()).status == code)
        }
    }

    @Test("a bad module is refused with a message naming the file", arguments: badModules)
    func badModule(_ bad: BadModule) throws {
        let dir = try TemporaryDirectory("bad-wasm")
        defer { dir.remove() }
        let bytes = try bad.bytes ?? Self.compile(bad.text ?? "")
        var runner = WasmRunner(file: try writeFile(dir, bad.name, bytes))
        runner.displayName = bad.name
        let error = #expect(throws: WasmHostError.self) { try runner.run(platform: CapturePlatform()) }
        #expect(error?.description == bad.message)
        #expect(error?.exitCode == bad.status)
        #expect(error?.hint != nil || bad.status == 134)
    }

    static func compile(_ text: String) throws -> [UInt8] {
        let dir = try TemporaryDirectory("wat")
        defer { dir.remove() }
        try dir.write("m.wat", text)
        try sh("wat2wasm --no-check --debug-names m.wat -o m.wasm", in: dir.url)
        return [UInt8](try Data(contentsOf: dir.path("m.wasm")))
    }

    @Test("a missing file is named")
    func missingFile() throws {
        #expect(throws: WasmHostError(kind: .unreadable, message: "cannot read /nonexistent/x.wasm: no such file")) {
            try WasmRunner(file: "/nonexistent/x.wasm").run(platform: CapturePlatform())
        }
    }

    @Test("running out of fuel stops the module with its own message and status 152, not a trap; the next module runs")
    func fuel() throws {
        let dir = try TemporaryDirectory("fuel")
        defer { dir.remove() }
        let path = try writeFile(dir, "loop.wasm", try Self.compile("(module (func $spin (loop $l (br $l))) (func (export \"_start\") (call $spin)))"))
        let error = #expect(throws: WasmHostError.self) {
            try WasmRunner(file: path, fuel: 10_000).run(platform: CapturePlatform())
        }
        #expect(error?.kind == .boundExceeded)
        #expect(error?.exitCode == 152)
        #expect(error?.message == "\(path): fuel exhausted after 10000 units in function 0 ($spin) at offset 0x26")
        #expect(error?.hint == "raise --fuel, or leave it out for no limit (a unit is a call or a repetition of a loop)")
        // _start's call and 9,999 repetitions: 10,000 units; so --fuel 10001 is not enough either.
        let next = try writeFile(dir, "ok.wasm", try Self.compile("(module (func (export \"_start\")))"))
        #expect(try WasmRunner(file: next, fuel: 1).run(platform: CapturePlatform()).status == 0)
    }

    @Test("a time limit stops an endless loop with its own message and status 152; the next module runs")
    func timeLimit() throws {
        let dir = try TemporaryDirectory("time-limit")
        defer { dir.remove() }
        let path = try writeFile(dir, "loop.wasm", try Self.compile("(module (func $spin (loop $l (br $l))) (func (export \"_start\") (call $spin)))"))
        let error = #expect(throws: WasmHostError.self) {
            try WasmRunner(file: path, timeLimit: 30).run(platform: CapturePlatform())
        }
        #expect(error?.kind == .boundExceeded)
        #expect(error?.message == "\(path): time limit of 30 ms exceeded in function 0 ($spin) at offset 0x26")
        #expect(error?.hint == "raise --time-limit, or leave it out for no limit")
        let next = try writeFile(dir, "ok.wasm", try Self.compile("(module (func (export \"_start\")))"))
        #expect(try WasmRunner(file: next, timeLimit: 30).run(platform: CapturePlatform()).status == 0)
    }

    @Test("stdout, arguments, environment and a preopened directory reach the module")
    func runsWithEverything() throws {
        let dir = try TemporaryDirectory("runner")
        defer { dir.remove() }
        try dir.write("data/greeting.txt", "from the host\n")
        // Prints argv[1], the first environment string and the first line of greeting.txt, then exits 5.
        let text = """
            (module
              (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (data (i32.const 900) "greeting.txt")
              (func $strlen (param $p i32) (result i32) (local $n i32)
                (block $done (loop $next
                  (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
                  (local.set $n (i32.add (local.get $n) (i32.const 1)))
                  (br $next)))
                (local.get $n))
              (func $print (param $p i32) (param $n i32)
                (i32.store (i32.const 0) (local.get $p)) (i32.store (i32.const 4) (local.get $n))
                (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
                (i32.store8 (i32.const 16) (i32.const 10))
                (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 1))
                (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
              (func (export "_start") (local $p i32)
                (drop (call $args_get (i32.const 100) (i32.const 200)))
                (local.set $p (i32.load (i32.const 104)))
                (call $print (local.get $p) (call $strlen (local.get $p)))
                (drop (call $environ_get (i32.const 100) (i32.const 200)))
                (local.set $p (i32.load (i32.const 100)))
                (call $print (local.get $p) (call $strlen (local.get $p)))
                (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 900) (i32.const 12) (i32.const 0)
                  (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 20)))
                (i32.store (i32.const 0) (i32.const 1000)) (i32.store (i32.const 4) (i32.const 13))
                (drop (call $fd_read (i32.load (i32.const 20)) (i32.const 0) (i32.const 1) (i32.const 8)))
                (call $print (i32.const 1000) (i32.load (i32.const 8)))
                (call $exit (i32.const 5))))
            """
        let path = try writeFile(dir, "m.wasm", try Self.compile(text))
        let runner = WasmRunner(file: path, arguments: ["first"], environment: ["K=V"],
                                preopens: [.init(parsing: dir.path("data").path + "::/data")])
        let (status, platform) = try runner.run(platform: CapturePlatform())
        #expect(status == 5)
        #expect(platform.stdoutText == "first\nK=V\nfrom the host\n")
    }

    @Test("--dir HOST and HOST::GUEST are parsed like wasmtime's")
    func preopenParsing() {
        #expect(WasmRunner.Preopen(parsing: "data") == .init(hostDirectory: URL(fileURLWithPath: "data"), guestPath: "data"))
        #expect(WasmRunner.Preopen(parsing: "/tmp/x::/") == .init(hostDirectory: URL(fileURLWithPath: "/tmp/x"), guestPath: "/"))
    }
}

/// Loading a host directory into a WASIFileTree.
@Suite struct FileTreeLoaderTests {
    @Test("files, nested directories and symlinks that stay inside are loaded")
    func loads() throws {
        let dir = try TemporaryDirectory("tree")
        defer { dir.remove() }
        try dir.write("root/a.txt", "A")
        try dir.write("root/sub/b.txt", "B")
        try FileManager.default.createDirectory(at: dir.path("root/empty"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.path("root/link.txt").path, withDestinationPath: "sub/b.txt")
        let tree = try WASIFileTree.load(directory: dir.path("root"))
        #expect(tree.contents(of: "a.txt") == Array("A".utf8))
        #expect(tree.contents(of: "sub/b.txt") == Array("B".utf8))
        #expect(tree.contents(of: "link.txt") == Array("B".utf8))
        #expect(tree.fileCount == 3)
    }

    @Test("a symlink that leaves the directory is refused, naming it")
    func escapingSymlink() throws {
        let dir = try TemporaryDirectory("tree")
        defer { dir.remove() }
        try dir.write("secret.txt", "S")
        try dir.write("root/a.txt", "A")
        try FileManager.default.createSymbolicLink(atPath: dir.path("root/out").path, withDestinationPath: "../secret.txt")
        let error = #expect(throws: WasmHostError.self) { try WASIFileTree.load(directory: dir.path("root")) }
        #expect(error?.description == "refusing symlink \(dir.path("root/out").path) -> ../secret.txt: it points outside \(dir.path("root").path)")
        try FileManager.default.removeItem(at: dir.path("root/out"))
        try FileManager.default.createSymbolicLink(atPath: dir.path("root/abs").path, withDestinationPath: "/etc")
        #expect(throws: WasmHostError.self) { try WASIFileTree.load(directory: dir.path("root")) }
    }

    @Test("size and entry limits are enforced")
    func limits() throws {
        let dir = try TemporaryDirectory("tree")
        defer { dir.remove() }
        try dir.write("root/big.txt", String(repeating: "x", count: 100))
        try dir.write("root/small.txt", "x")
        let big = #expect(throws: WasmHostError.self) {
            try WASIFileTree.load(directory: dir.path("root"), limits: FileTreeLimits(maxFileBytes: 50))
        }
        #expect(big?.description == "\(dir.path("root/big.txt").path) is 100 bytes, more than the limit of 50")
        #expect(throws: WasmHostError.self) {
            try WASIFileTree.load(directory: dir.path("root"), limits: FileTreeLimits(maxTotalBytes: 100))
        }
        #expect(throws: WasmHostError.self) {
            try WASIFileTree.load(directory: dir.path("root"), limits: FileTreeLimits(maxEntries: 1))
        }
    }

    @Test("a missing directory is named")
    func missing() {
        #expect(throws: WasmHostError(kind: .directory, message: "--dir /nonexistent/dir: no such directory")) {
            try WASIFileTree.load(directory: URL(fileURLWithPath: "/nonexistent/dir"))
        }
    }

    @Test("tree paths refuse '..' and names under files")
    func treePaths() throws {
        var tree = WASIFileTree()
        try tree.addFile("a", contents: [1])
        #expect(throws: WASIFileTree.Error.self) { try tree.addFile("../x", contents: []) }
        #expect(throws: WASIFileTree.Error.self) { try tree.addFile("a/b", contents: []) }
        #expect(throws: WASIFileTree.Error.self) { try tree.addDirectory("a") }
        try tree.addFile("/x/./y", contents: [2])
        #expect(tree.contents(of: "x/y") == [2])
    }
}

/// WASIFileTree as the seL4 runner builds it, in any order.
@Suite struct FileTreeOrderTests {
    @Test("fd_readdir order is by name bytes whatever order files are added in")
    func order() throws {
        var tree = WASIFileTree()
        for name in ["m", "b", "z", "a", "B", "é", "c/d", "aa"] { try tree.addFile(name, contents: []) }
        let h = try Harness.withTree(tree)
        #expect(try h.call("fd_readdir", 3, 2000, 4000, 0, 16) == E.success)
        var names: [String] = []
        var p = 2000
        while p < 2000 + Int(h.load32(16)) {
            let length = Int(h.load32(p + 16))
            names.append(h.string(p + 24, length))
            p += 24 + length
        }
        #expect(names == [".", "..", "B", "a", "aa", "b", "c", "m", "z", "é"])
    }

    @Test("a directory of 20000 files loads quickly and lists completely")
    func large() throws {
        var tree = WASIFileTree()
        for i in (0..<20_000).reversed() { try tree.addFile("d/f\(i)", contents: [UInt8(i & 0xFF)]) }
        #expect(tree.fileCount == 20_000)
        #expect(tree.contents(of: "d/f12345") == [UInt8(12345 & 0xFF)])
    }
}
