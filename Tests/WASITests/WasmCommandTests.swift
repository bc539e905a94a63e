import Foundation
import Testing
import TestSupport

/// `sel4img wasm run` through the built binary: exit statuses, messages, help.
@Suite struct WasmCommandTests {
    static func module(_ dir: TemporaryDirectory, _ name: String, _ text: String) throws -> String {
        try dir.write("\(name).wat", text)
        try sh("wat2wasm --debug-names \(name).wat -o \(name).wasm", in: dir.url)
        return "\(name).wasm"
    }

    @Test("the exit status is the module's proc_exit code")
    func exitCode() throws {
        let dir = try TemporaryDirectory("wasm-cmd")
        defer { dir.remove() }
        let file = try Self.module(dir, "exit42", """
            (module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func (export "_start") (call $exit (i32.const 42))))
            """)
        let r = try runSel4img(["wasm", "run", file], in: dir.url)
        #expect(r.status == 42)
        #expect(r.stdout == "")
        #expect(r.stderr == "")
    }

    @Test("a trap exits 134 with the trap on stderr")
    func trap() throws {
        let dir = try TemporaryDirectory("wasm-cmd")
        defer { dir.remove() }
        let file = try Self.module(dir, "div", """
            (module
              (memory (export "memory") 1)
              (func $div (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
              (func (export "_start") (drop (call $div (i32.const 1) (i32.const 0)))))
            """)
        let r = try runSel4img(["wasm", "run", file], in: dir.url)
        #expect(r.status == 134)
        #expect(r.stderr == "error: div.wasm: trap: integer divide by zero in function 0 ($div) at offset 0x3c\n")
    }

    @Test("--fuel and --time-limit stop an endless loop with exit status 152 and their own message, not a trap's")
    func bounds() throws {
        let dir = try TemporaryDirectory("wasm-cmd")
        defer { dir.remove() }
        let file = try Self.module(dir, "spin", """
            (module
              (func $spin (loop $l (br $l)))
              (func (export "_start") (call $spin)))
            """)
        let fuel = try runSel4img(["wasm", "run", "--fuel", "5000", file], in: dir.url)
        #expect(fuel.status == 152)
        #expect(fuel.stdout == "")
        #expect(fuel.stderr == """
            error: spin.wasm: fuel exhausted after 5000 units in function 0 ($spin) at offset 0x26
            hint: raise --fuel, or leave it out for no limit (a unit is a call or a repetition of a loop)

            """)
        let time = try runSel4img(["wasm", "run", file, "--time-limit", "50"], in: dir.url)
        #expect(time.status == 152)
        #expect(time.stderr == """
            error: spin.wasm: time limit of 50 ms exceeded in function 0 ($spin) at offset 0x26
            hint: raise --time-limit, or leave it out for no limit

            """)
    }

    @Test("proc_exit(134) is not a trap: codes outside 0-125 exit 255 with the code on stderr")
    func exitCodeOutOfRange() throws {
        let dir = try TemporaryDirectory("wasm-cmd")
        defer { dir.remove() }
        for code in [134, 1000] {
            let file = try Self.module(dir, "exit\(code)", """
                (module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                  (memory (export "memory") 1)
                  (func (export "_start") (call $exit (i32.const \(code)))))
                """)
            let r = try runSel4img(["wasm", "run", file], in: dir.url)
            #expect(r.status == 255)
            #expect(r.stderr == """
                error: exit\(code).wasm: exit code \(code) is outside 0-125; exit status 255
                hint: exit codes 126-255 mean 'cannot run', 'not found' and signals to a shell, and larger ones do not fit a process status: exit with 0-125

                """)
        }
    }

    @Test("memory.grow to 4 GiB succeeds untouched, and is -1 when the host cannot allocate it")
    func growToTheMaximum() throws {
        let dir = try TemporaryDirectory("wasm-cmd")
        defer { dir.remove() }
        // Exits 0 when the grow fails, 42 when it succeeds (after writing the last byte).
        let file = try Self.module(dir, "grow", """
            (module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func (export "_start")
                (if (i32.eq (memory.grow (i32.const 65535)) (i32.const -1)) (then (call $exit (i32.const 0))))
                (i32.store8 (i32.const 0xFFFFFFFF) (i32.const 1))
                (call $exit (i32.const 42))))
            """)
        let grown = try runSel4img(["wasm", "run", file], in: dir.url)
        #expect(grown.status == 42)
        #expect(grown.stderr == "")
        // With 3 GB of address space, 4 GiB cannot be allocated: a failed grow, not a crash.
        let binary = productsDirectory.appendingPathComponent("sel4img").path
        let limited = try sh("ulimit -v 3000000 && '\(binary)' wasm run \(file); echo \"status $?\"", in: dir.url)
        #expect(limited == "status 0\n")
    }

    @Test("control characters in a file name are escaped in messages")
    func controlCharactersInNames() throws {
        let dir = try TemporaryDirectory("wasm-cmd")
        defer { dir.remove() }
        let name = "bad\u{1B}[31m\n.wasm"
        try dir.write(name, "not wasm")
        let r = try runSel4img(["wasm", "run", name], in: dir.url)
        #expect(r.status == 126)
        #expect(r.stderr.hasPrefix("error: bad\\u{1B}[31m\\n.wasm: malformed module at offset 0x0: magic header not detected\n"))
        #expect(!r.stderr.contains("\u{1B}"))
        let env = try runSel4img(["wasm", "run", "x.wasm", "--env", "A\tB"])
        #expect(env.stderr.hasPrefix("Error: --env A\\tB: give KEY=VALUE\n"))
    }

    @Test("a malformed module exits 126 with the offset and a hint")
    func malformed() throws {
        let dir = try TemporaryDirectory("wasm-cmd")
        defer { dir.remove() }
        try dir.write("hello.wasm", "not wasm")
        let r = try runSel4img(["wasm", "run", "hello.wasm"], in: dir.url)
        #expect(r.status == 126)
        #expect(r.stderr == """
            error: hello.wasm: malformed module at offset 0x0: magic header not detected
            hint: check that hello.wasm is a complete WebAssembly binary ('wasm-tools validate hello.wasm' explains more)

            """)
    }

    @Test("options and module arguments: --dir/--env anywhere, everything after -- goes to the module")
    func argumentsAndOptions() throws {
        let dir = try TemporaryDirectory("wasm-cmd")
        defer { dir.remove() }
        try dir.write("data/x.txt", "x")
        // Exits with argc * 10 + the number of environment variables.
        let file = try Self.module(dir, "count", """
            (module
              (import "wasi_snapshot_preview1" "args_sizes_get" (func $a (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "environ_sizes_get" (func $e (param i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func (export "_start")
                (drop (call $a (i32.const 0) (i32.const 4)))
                (drop (call $e (i32.const 8) (i32.const 12)))
                (call $exit (i32.add (i32.mul (i32.load (i32.const 0)) (i32.const 10)) (i32.load (i32.const 8))))))
            """)
        let r = try runSel4img(["wasm", "run", file, "a", "--env", "K=V", "b", "--dir", "data", "--", "--env", "-x"], in: dir.url)
        #expect(r.stderr == "")
        #expect(r.status == 5 * 10 + 1)   // argv: count.wasm a b --env -x; one --env
    }

    @Test("bad options are refused before anything runs", arguments: [
        (["--env", "NOEQUALS"], "--env NOEQUALS: give KEY=VALUE"),
        (["--dir", "/nonexistent-dir"], "--dir /nonexistent-dir: /nonexistent-dir is not a directory"),
        (["--fuel", "0"], "--fuel must be at least 1"),
        (["--time-limit", "0"], "--time-limit must be at least 1 (milliseconds)"),
        (["--time-limit", "18446744073710"], "--time-limit must be at most 18446744073709 (milliseconds)"),
    ])
    func badOptions(options: [String], message: String) throws {
        let r = try runSel4img(["wasm", "run", "x.wasm"] + options)
        #expect(r.status == 64)
        #expect(r.stderr.hasPrefix("Error: \(message)\n"))
    }

    @Test("--help explains exit codes with an example and where modules come from")
    func help() throws {
        let r = try runSel4img(["wasm", "run", "--help"])
        #expect(r.status == 0)
        // Prose is wrapped by the parser: compare it with line breaks folded.
        let prose = r.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(prose.contains("134 when it traps"))
        #expect(prose.contains("152 when --fuel or --time-limit stopped it"))
        #expect(prose.contains("255 when it exits with a code outside 0-125"))
        #expect(prose.contains("126 when the module cannot run"))
        #expect(r.stdout.contains("$ sel4img wasm run d.wasm; echo $?"))
        #expect(r.stdout.contains("python3 -m ziglang cc -target wasm32-wasi -O2 hello.c -o hello.wasm"))
        let top = try runSel4img(["--help"])
        #expect(top.stdout.contains("wasm"))
    }
}
