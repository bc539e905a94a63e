import Foundation
import Testing
import TestSupport

/// Compiles C to a WASI command in `directory` with a 64 KiB stack (zig's
/// default of 16 MiB would make every module's linear memory 16 MiB);
/// returns the module's path.
func compileWasm(_ name: String, _ source: String, in directory: URL) throws -> String {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try Data(source.utf8).write(to: directory.appendingPathComponent("\(name).c"))
    try sh("python3 -m ziglang cc -target wasm32-wasi -O2 -s -Wl,-z,stack-size=65536 \(name).c -o \(name).wasm", in: directory)
    return directory.appendingPathComponent("\(name).wasm").path
}

/// The modules app `wasm-runner` is checked with on every emulated board:
/// C programs (zig) that print, compute floats and exit 7, three that trap
/// (unreachable, integer divide by zero, call stack exhausted), and Rust std
/// programs from the WASI test suite (SEL4IMG_WASI_TESTSUITE, when set). Built
/// with `--args "alpha 'beta gamma'" --wasm-tier both`, one boot runs each
/// module ahead of time and then on the interpreter; `check` compares each
/// run's output and status with `sel4img wasm run` on the host and with
/// wasmtime.
struct WasmRunnerComparison {
    static let arguments = "alpha 'beta gamma'"
    let modules: URL
    private(set) var names: [String] = []
    var paths: [String] { names.map { modules.appendingPathComponent($0).path } }

    static let programs: [(String, String)] = [
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
    /// Traps: the AOT tier must report the interpreter's reason.
    static let traps: [(String, String)] = [
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

    /// Compiles the C programs into `modules` and copies the Rust ones there.
    init(modules: URL) throws {
        self.modules = modules
        for (name, source) in Self.programs + Self.traps {
            _ = try compileWasm(name, source, in: modules)
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
    }

    /// `sel4img build` arguments for these modules (add board and workspace).
    var buildArguments: [String] {
        ["--app", "wasm-runner", "--wasm", paths.joined(separator: ","), "--args", Self.arguments, "--wasm-tier", "both"]
    }

    /// Checks a `--wasm-tier both` boot's console: each module ran ahead of
    /// time, then on the interpreter, printing what the host's `sel4img wasm
    /// run` and wasmtime print, with the host's exit status or trap reason
    /// (the interpreter on seL4 says all the host says, the AOT tier the
    /// reason), and the run's interpreter/AOT ratios.
    func check(console: String, board: String) throws {
        let (onSeL4, tiers) = Self.moduleRuns(console)
        #expect(!console.contains("ended differently"))
        let ratios = console.split(separator: "\n").filter { $0.contains("interpreter/ahead-of-time time ratio") }
        #expect(ratios.count == names.count)
        print(ratios.joined(separator: "\n"))
        let script = repositoryRoot.appendingPathComponent("scripts/wasmtime-run.py").path
        for name in names {
            let host = try runSel4img(["wasm", "run", name, "alpha", "beta gamma"], in: modules)
            let wasmtime = try? sh("python3 \(script) \(name) \(Self.arguments) 2>/dev/null; echo \"exit $?\"", in: modules)
            var wasmtimeLines = (wasmtime ?? "").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if wasmtimeLines.last == "" { wasmtimeLines.removeLast() }
            let wasmtimeStatus = wasmtimeLines.popLast() ?? ""
            var hostLines = host.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if hostLines.last == "" { hostLines.removeLast() }
            #expect(tiers[name] == "ahead of time (wasm2c)", "\(board) \(name)")
            #expect(tiers[name + "@interpreter"] == "on the interpreter", "\(board) \(name)")
            #expect(hostLines == wasmtimeLines, "\(name): host \(hostLines) vs wasmtime \(wasmtimeLines)")
            #expect(wasmtimeStatus == "exit \(host.status)", "\(name): wasmtime \(wasmtimeStatus), host \(host.status)")
            for key in [name, name + "@interpreter"] {
                guard let sel4 = onSeL4[key] else {
                    Issue.record("\(board) \(key): no status line on the seL4 console")
                    continue
                }
                #expect(sel4.output == hostLines, "\(board) \(key): seL4 \(sel4.output) vs host \(hostLines)")
                if host.status == 134 {
                    // "error: NAME: trap: REASON in function N at offset 0x…" on the host's interpreter.
                    let hostTrap = host.stderr.components(separatedBy: "trap: ").last?.trimmingCharacters(in: .newlines) ?? ""
                    let reason = hostTrap.components(separatedBy: " in function ").first ?? hostTrap
                    #expect(sel4.status == "trap: " + (key == name ? reason : hostTrap), "\(board) \(key): seL4 \(sel4.status), host \(hostTrap)")
                } else {
                    #expect(sel4.status == String(host.status), "\(board) \(key): seL4 status \(sel4.status), host \(host.status)")
                }
            }
            print("\(board) \(name): \(hostLines.count) lines, status \(host.status), same on seL4 (both tiers), host and wasmtime")
        }
        #expect(onSeL4["primes.wasm"]?.status == "7")
    }

    /// Splits the runner's console into each module's output: the lines
    /// after "NAME runs ahead of time (wasm2c)" or "NAME runs on the
    /// interpreter" up to "NAME exited with status N" (status "N") or "NAME
    /// trapped: …" (status "trap: …"). Keys: NAME for the first run of a
    /// module, NAME@interpreter for a second run on the interpreter
    /// (--wasm-tier both); `tiers` says which tier each key ran on.
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
}
