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

    /// Compiles C to a WASI command with a 64 KiB stack (zig's default of
    /// 16 MiB would make every module's linear memory 16 MiB).
    func compile(_ name: String, _ source: String) throws -> String {
        try FileManager.default.createDirectory(at: modules, withIntermediateDirectories: true)
        try Data(source.utf8).write(to: modules.appendingPathComponent("\(name).c"))
        try sh("python3 -m ziglang cc -target wasm32-wasi -O2 -s -Wl,-z,stack-size=65536 \(name).c -o \(name).wasm", in: modules)
        return modules.appendingPathComponent("\(name).wasm").path
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

    /// Splits the runner's console into each module's output: the lines
    /// after "NAME runs ahead of time (wasm2c)" or "NAME runs on the
    /// interpreter" up to "NAME exited with status N" (status "N") or "NAME
    /// trapped: …" (status "trap: …"). Keys: NAME for the first run of a
    /// module, NAME@interpreter for a second run on the interpreter
    /// (--wasm-tier both); `tiers` says which tier each key ran on.
    static func moduleOutputs(_ console: String) -> [String: (output: [String], status: String)] {
        moduleRuns(console).outputs
    }

    static func moduleRuns(_ console: String) -> (outputs: [String: (output: [String], status: String)], tiers: [String: String]) {
        var result: [String: (output: [String], status: String)] = [:]
        var tiers: [String: String] = [:]
        var pending: [String] = []
        var started = false
        var key = ""
        for raw in console.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
            if line.hasPrefix("wasm-runner: ") {
                let rest = line.dropFirst("wasm-runner: ".count)
                if let range = rest.range(of: " runs ") {
                    let name = String(rest[..<range.lowerBound]), tier = String(rest[range.upperBound...])
                    key = result[name] == nil ? name : name + "@interpreter"
                    tiers[key] = tier
                } else if let range = rest.range(of: " exited with status ") {
                    result[key] = (pending, String(rest[range.upperBound...]))
                } else if let range = rest.range(of: " trapped: ") {
                    result[key] = (pending, "trap: " + String(rest[range.upperBound...]))
                }
                pending = []
                started = true
            } else if started {
                pending.append(line)
            }
        }
        return (result, tiers)
    }

    @Test("C programs (zig) and Rust programs (the WASI test suite's wasm32-wasip1 builds) print the same and exit or trap the same on both tiers of the seL4 runner in QEMU (one boot, --wasm-tier both), 'sel4img wasm run' and wasmtime")
    func sameOutputEverywhere() throws {
        defer { if !keep { try? FileManager.default.removeItem(at: root) } }
        var names: [String] = []
        let programs: [(String, String)] = [
            ("greet", """
                #include <stdio.h>
                int main(int argc, char **argv) {
                    printf("hello from %s with %d args\\n", argv[0], argc - 1);
                    for (int i = 1; i < argc; i++) printf("  [%s]\\n", argv[i]);
                    return 0;
                }
                """),
            ("floats", """
                #include <math.h>
                #include <stdio.h>
                int main(void) {
                    double x = 0.5;
                    for (int i = 0; i < 20; i++) x = 3.9 * x * (1 - x);
                    printf("%.17g %.9f %a %g\\n", x, sqrt(2.0), exp(1.0), (double)(float)(1.0 / 3.0));
                    return 0;
                }
                """),
            ("primes", """
                #include <stdio.h>
                #include <stdlib.h>
                int main(void) {
                    int n = 200000, count = 0;
                    unsigned char *sieve = calloc(n + 1, 1);
                    for (int i = 2; i <= n; i++) if (!sieve[i]) { count++; for (long j = (long)i * i; j <= n; j += i) sieve[j] = 1; }
                    unsigned long long h = 1469598103934665603ull;
                    for (int i = 0; i < 100000; i++) h = (h ^ (unsigned)i) * 1099511628211ull;
                    printf("%d primes, hash %016llx\\n", count, h);
                    free(sieve);
                    return count == 17984 ? 7 : 1;
                }
                """),
        ]
        // Traps: the AOT tier must report the interpreter's reason.
        let traps: [(String, String)] = [
            ("trap", """
                #include <stdio.h>
                int main(void) { printf("about to trap\\n"); fflush(stdout); __builtin_trap(); }
                """),
            ("divide", """
                #include <stdio.h>
                int main(int argc, char **argv) { volatile int zero = argc - argc; printf("dividing\\n"); fflush(stdout); return 10 / zero; }
                """),
            ("deep", """
                #include <stdio.h>
                int depth(int n) { volatile int x = n; return n == 0 ? 0 : depth(n + 1) + x; }
                int main(void) { printf("recursing\\n"); fflush(stdout); return depth(1); }
                """),
        ]
        for (name, source) in programs + traps {
            _ = try compile(name, source)
            names.append("\(name).wasm")
        }
        // Rust std programs from the WASI test suite that need no writable directory.
        if let suite = ProcessInfo.processInfo.environment["SEL4IMG_WASI_TESTSUITE"] {
            let rust = URL(fileURLWithPath: suite).appendingPathComponent("tests/rust/testsuite/wasm32-wasip1")
            for name in ["clock_time_get", "sched_yield", "big_random_buf"] {
                let target = modules.appendingPathComponent("rust_\(name).wasm")
                try? FileManager.default.removeItem(at: target)
                try FileManager.default.copyItem(at: rust.appendingPathComponent("\(name).wasm"), to: target)
                names.append("rust_\(name).wasm")
            }
        } else {
            print("note: SEL4IMG_WASI_TESTSUITE is not set, so no Rust programs are compared")
        }
        let paths = names.map { modules.appendingPathComponent($0).path }
        let ws = root.appendingPathComponent("ws-same")
        // --wasm-tier both: every module runs ahead of time, then on the interpreter, in one boot.
        let build = try sel4img(["build", "--board", "qemu-virt", "--app", "wasm-runner", "--wasm", paths.joined(separator: ","),
                                 "--args", "alpha 'beta gamma'", "--wasm-tier", "both", "--progress", "plain"], workspace: ws)
        #expect(build.status == 0)
        #expect(build.stderr.contains("wasm: \(names.count) of \(names.count) modules translated by wasm2c for the ahead-of-time tier"))
        let boot = try sel4img(["qemu", "--board", "qemu-virt", "--app", "wasm-runner", "--timeout", "280"], workspace: ws)
        #expect(boot.status == 1, "primes.wasm exits 7 and three modules trap, so the run fails")
        let (onSeL4, tiers) = Self.moduleRuns(boot.stdout)
        #expect(!boot.stdout.contains("ended differently"))
        let ratios = boot.stdout.split(separator: "\n").filter { $0.contains("interpreter/ahead-of-time time ratio") }
        #expect(ratios.count == names.count)
        print(ratios.joined(separator: "\n"))
        let script = repositoryRoot.appendingPathComponent("scripts/wasmtime-run.py").path
        for name in names {
            let host = try runSel4img(["wasm", "run", name, "alpha", "beta gamma"], in: modules)
            let wasmtime = try? sh("python3 \(script) \(name) alpha 'beta gamma' 2>/dev/null; echo \"exit $?\"", in: modules)
            var wasmtimeLines = (wasmtime ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if wasmtimeLines.last == "" { wasmtimeLines.removeLast() }
            let wasmtimeStatus = wasmtimeLines.popLast() ?? ""
            var hostLines = host.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if hostLines.last == "" { hostLines.removeLast() }
            #expect(tiers[name] == "ahead of time (wasm2c)", "\(name)")
            #expect(tiers[name + "@interpreter"] == "on the interpreter", "\(name)")
            #expect(hostLines == wasmtimeLines, "\(name): host \(hostLines) vs wasmtime \(wasmtimeLines)")
            #expect(wasmtimeStatus == "exit \(host.status)", "\(name): wasmtime \(wasmtimeStatus), host \(host.status)")
            for key in [name, name + "@interpreter"] {
                guard let sel4 = onSeL4[key] else {
                    Issue.record("\(key): no status line on the seL4 console")
                    continue
                }
                #expect(sel4.output == hostLines, "\(key): seL4 \(sel4.output) vs host \(hostLines)")
                if host.status == 134 {
                    // "error: NAME: trap: REASON in function N at offset 0x…" on the host's interpreter.
                    let hostTrap = host.stderr.components(separatedBy: "trap: ").last?.trimmingCharacters(in: .newlines) ?? ""
                    let reason = hostTrap.components(separatedBy: " in function ").first ?? hostTrap
                    // The interpreter on seL4 says all the host says; the AOT tier the reason.
                    #expect(sel4.status == "trap: " + (key == name ? reason : hostTrap), "\(key): seL4 \(sel4.status), host \(hostTrap)")
                } else {
                    #expect(sel4.status == String(host.status), "\(key): seL4 status \(sel4.status), host \(host.status)")
                }
            }
            print("\(name): \(hostLines.count) lines, status \(host.status), same on seL4 (both tiers), host and wasmtime")
        }
        #expect(onSeL4["primes.wasm"]?.status == "7")
    }
}
