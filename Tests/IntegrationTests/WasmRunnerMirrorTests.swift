import Foundation
import Testing
import TestSupport

/// The Wasm runner end to end, against the same local mirror as
/// SeL4MirrorTests (SEL4IMG_TEST_MIRROR): C programs compiled to wasm32-wasi
/// with `python3 -m ziglang cc` at test time, packed by `sel4img build --app
/// wasm-runner`, booted under QEMU, and built for the hardware boards.
/// SEL4IMG_TEST_KEEP=DIR keeps the workspaces below DIR for inspection.
@Suite(.serialized, .enabled(if: mirror != nil, "set SEL4IMG_TEST_MIRROR to an offline mirror of the seL4 repositories"))
struct WasmRunnerMirrorTests {
    let root: URL
    let keep: Bool
    var workspace: URL { root.appendingPathComponent("ws") }
    var modules: URL { root.appendingPathComponent("modules") }

    init() throws {
        (root, keep) = try integrationRoot("wasm-runner")
    }

    func sel4img(_ args: [String], workspace: URL? = nil) throws -> CommandResult {
        let r = try runSel4img(args + ["-w", (workspace ?? self.workspace).path], environment: ["SEL4IMG_MIRROR": mirror!])
        if r.status != 0 { print("sel4img \(args.joined(separator: " ")) exited \(r.status):\n\(r.stderr.suffix(3000))") }
        return r
    }

    func compile(_ name: String, _ source: String) throws -> String {
        try compileWasm(name, source, in: modules)
    }

    @Test("modules built from C run as an seL4 root task under QEMU; a trap fails the run; the build is reproducible and builds for rpi4, tx1 and tx2")
    func wasmRunner() throws {
        defer { if !keep { try? FileManager.default.removeItem(at: root) } }
        let hello = try compile("hello", """
            #include <stdio.h>
            int main(void) { printf("hello from wasm on seL4\\n"); return 0; }
            """)
        let args = try compile("args", """
            #include <stdio.h>
            #include <string.h>
            #include <time.h>
            int main(int argc, char **argv) {
                for (int i = 0; i < argc; i++) printf("argv[%d] = %s\\n", i, argv[i]);
                struct timespec a, b;
                clock_gettime(CLOCK_MONOTONIC, &a);
                clock_gettime(CLOCK_MONOTONIC, &b);
                printf("clock ok: %d\\n", (b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec)));
                return argc == 3 && strcmp(argv[1], "one") == 0 && strcmp(argv[2], "two words") == 0 ? 0 : 1;
            }
            """)
        let trap = try compile("trap", """
            #include <stdio.h>
            int main(void) { printf("about to trap\\n"); fflush(stdout); __builtin_trap(); }
            """)

        // What the build refuses before doing any work.
        let none = try sel4img(["build", "--board", "qemu-virt", "--app", "wasm-runner"])
        #expect(none.status == 1)
        #expect(none.stderr.contains("error: app 'wasm-runner' runs WebAssembly modules, and none were given"))
        try Data("not wasm".utf8).write(to: modules.appendingPathComponent("bad.wasm"))
        let bad = try sel4img(["build", "--app", "wasm-runner", "--wasm", modules.appendingPathComponent("bad.wasm").path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("bad.wasm is not a module the runner can load: malformed module at offset 0x"))
        #expect(!FileManager.default.fileExists(atPath: workspace.appendingPathComponent("build").path))

        let build = try sel4img(["build", "--board", "qemu-virt", "--app", "wasm-runner", "--wasm", "\(hello),\(args)",
                                 "--args", "one 'two words'", "--progress", "plain"])
        #expect(build.status == 0)
        #expect(build.stdout.contains("Built qemu-virt-wasm-runner in"))
        #expect(build.stderr.contains("wasm: 2 of 2 modules translated by wasm2c for the ahead-of-time tier"))
        let noop = try sel4img(["build", "--board", "qemu-virt", "--app", "wasm-runner", "--wasm", hello, "--wasm", args,
                                "--args", "one 'two words'"])
        #expect(noop.status == 0)
        #expect(noop.stdout.contains("qemu-virt-wasm-runner is up to date: Ninja had no work to do"))

        let boot = try sel4img(["qemu", "--board", "qemu-virt", "--app", "wasm-runner", "--timeout", "120"])
        #expect(boot.status == 0)
        let lines = boot.stdout.split(separator: "\n").map(String.init)
        for expected in ["hello from wasm on seL4", "wasm-runner: hello.wasm runs ahead of time (wasm2c)",
                         "wasm-runner: args.wasm runs ahead of time (wasm2c)", "wasm-runner: hello.wasm exited with status 0",
                         "argv[0] = args.wasm", "argv[1] = one", "argv[2] = two words", "clock ok: 1",
                         "wasm-runner: args.wasm exited with status 0", "wasm-runner: all 2 modules exited 0"] {
            #expect(lines.contains(expected), "\(expected)")
        }
        #expect(lines.contains { $0.hasPrefix("wasm-runner: hello.wasm peak heap ") && $0.hasSuffix(" bytes beyond linear memory (linear memory 131072 bytes)") })
        print(lines.filter { $0.hasPrefix("wasm-runner:") }.joined(separator: "\n"))

        // Reproducible: a second workspace gives the same bytes.
        let second = root.appendingPathComponent("ws-second")
        let again = try sel4img(["build", "--board", "qemu-virt", "--app", "wasm-runner", "--wasm", "\(hello),\(args)",
                                 "--args", "one 'two words'"], workspace: second)
        #expect(again.status == 0)
        let sums = { (ws: URL) in try String(contentsOf: ws.appendingPathComponent("artifacts/qemu-virt-wasm-runner/SHA256SUMS"), encoding: .utf8) }
        #expect(try sums(workspace) == sums(second))
        // The SBOM (in SHA256SUMS, so equal in both): valid SPDX 2.3 by pyspdxtools, naming what the image holds.
        _ = try sh("pyspdxtools -i sbom.spdx.json", in: second.appendingPathComponent("artifacts/qemu-virt-wasm-runner"))
        #expect(try String(contentsOf: second.appendingPathComponent("artifacts/qemu-virt-wasm-runner/sbom.spdx.json"), encoding: .utf8).contains("SPDXRef-WasmModule-"))
        try? FileManager.default.removeItem(at: second)

        // A trapping module: its status line, the summary, and exit status 1.
        let trapBuild = try sel4img(["build", "--board", "qemu-virt", "--app", "wasm-runner", "--wasm", "\(trap),\(hello)"])
        #expect(trapBuild.status == 0)
        let failing = try sel4img(["qemu", "--board", "qemu-virt", "--app", "wasm-runner", "--timeout", "120"])
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("about to trap"))
        #expect(failing.stdout.contains("wasm-runner: trap.wasm runs ahead of time (wasm2c)"))
        #expect(failing.stdout.contains("wasm-runner: trap.wasm trapped: unreachable\n") || failing.stdout.contains("wasm-runner: trap.wasm trapped: unreachable\r\n"))
        #expect(failing.stdout.contains("wasm-runner: hello.wasm exited with status 0"))
        #expect(failing.stdout.contains("wasm-runner: 1 of 2 modules failed"))

        for board in ["rpi4", "tx1", "tx2"] {
            let r = try sel4img(["build", "--board", board, "--app", "wasm-runner", "--wasm", hello, "--progress", "plain"])
            #expect(r.status == 0, "\(board)")
            let platform = ["rpi4": "bcm2711", "tx1": "tx1", "tx2": "tx2"][board]!
            #expect(FileManager.default.fileExists(atPath: workspace.appendingPathComponent("artifacts/\(board)-wasm-runner/wasm-runner-image-arm-\(platform)").path), "\(board)")
        }
    }

    @Test("C programs (zig) and Rust programs (the WASI test suite's wasm32-wasip1 builds) print the same and exit or trap the same on both tiers of the seL4 runner in QEMU (one boot, --wasm-tier both), 'sel4img wasm run' and wasmtime")
    func sameOutputEverywhere() throws {
        defer { if !keep { try? FileManager.default.removeItem(at: root) } }
        let comparison = try WasmRunnerComparison(modules: modules)
        let names = comparison.names
        let ws = root.appendingPathComponent("ws-same")
        // --wasm-tier both: every module runs ahead of time, then on the interpreter, in one boot.
        let build = try sel4img(["build", "--board", "qemu-virt"] + comparison.buildArguments + ["--progress", "plain"], workspace: ws)
        #expect(build.status == 0)
        #expect(build.stderr.contains("wasm: \(names.count) of \(names.count) modules translated by wasm2c for the ahead-of-time tier"))
        let boot = try sel4img(["qemu", "--board", "qemu-virt", "--app", "wasm-runner", "--timeout", "280"], workspace: ws)
        #expect(boot.status == 1, "primes.wasm exits 7 and three modules trap, so the run fails")
        try comparison.check(console: boot.stdout, board: "qemu-virt")
    }
}
