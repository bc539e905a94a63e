import Foundation
import Testing
import TestSupport

/// App `wasm-vm` end to end, against the same local mirror as
/// SeL4MirrorTests (SEL4IMG_TEST_MIRROR, which must also hold the CAmkES
/// repositories manifests/wasm-vm.xml names): sync with exclusions, the
/// capdl-offline patch set, the guest built by sel4img, seL4's CAmkES build,
/// then `sel4img qemu --script` logs into the guest and runs `emit` for each
/// module. Every module must print and exit in the guest as under `sel4img
/// wasm run` on the host; a trap is reported (134) and the next emit works;
/// `emit --fuel` and `emit --time-limit` stop a looping module (152, with the
/// host's message: the same function and offset for the same fuel) and the
/// next emit works; the reply comes as the channel's interrupt (uio_pci_generic,
/// one per emit); a short soak (emit-soak 300 3: six kinds of module from three
/// shells) is right every time and leaves the runner's heap where it was; a
/// second workspace gives the same SHA256SUMS.
/// Needs GHC and camkes-deps (`scripts/setup.sh` installs them).
/// SEL4IMG_TEST_KEEP=DIR keeps the workspace below DIR.
@Suite(.serialized, .enabled(if: mirror != nil, "set SEL4IMG_TEST_MIRROR to an offline mirror of the seL4 and CAmkES repositories"))
struct WasmVMMirrorTests {
    let root: URL
    let keep: Bool
    var workspace: URL { root.appendingPathComponent("ws") }
    var modules: URL { root.appendingPathComponent("modules") }

    init() throws {
        (root, keep) = try integrationRoot("wasm-vm")
        try FileManager.default.createDirectory(at: modules, withIntermediateDirectories: true)
    }

    func sel4img(_ args: [String], workspace: URL? = nil) throws -> CommandResult {
        let r = try runSel4img(args + ["-w", (workspace ?? self.workspace).path], environment: ["SEL4IMG_MIRROR": mirror!])
        if r.status != 0 { print("sel4img \(args.joined(separator: " ")) exited \(r.status):\n\(r.stderr.suffix(3000))") }
        return r
    }

    /// C to a WASI command with a 64 KiB stack (zig's default of 16 MiB
    /// would make every module's linear memory 16 MiB).
    func compile(_ name: String, _ source: String) throws {
        try Data(source.utf8).write(to: modules.appendingPathComponent("\(name).c"))
        try sh("python3 -m ziglang cc -target wasm32-wasi -O2 -s -Wl,-z,stack-size=65536 \(name).c -o \(name).wasm", in: modules)
    }

    /// The lines each script command printed on the console, by command
    /// number: after the guest's echo of the typed line, up to its status
    /// line, without the runner's own `wasm-runner:` lines (the runner shares
    /// the UART) and carriage returns.
    static func commandOutputs(_ console: String) -> [Int: [String]] {
        var result: [Int: [String]] = [:]
        var current: Int?
        for raw in console.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.replacingOccurrences(of: "\r", with: "")
            if let range = line.range(of: #"; echo "sel4img-script: \$\? ([0-9]+)"$"#, options: .regularExpression) {
                let number = Int(line[range].dropFirst(#"; echo "sel4img-script: $? "#.count).dropLast()) ?? -1
                current = number
                result[number] = []
                continue
            }
            guard let number = current else { continue }
            if line.range(of: #"sel4img-script: [0-9]+ [0-9]+$"#, options: .regularExpression) != nil {
                current = nil
            } else if !line.hasPrefix("wasm-runner: ") {
                result[number, default: []].append(line)
            }
        }
        return result
    }

    @Test("the guest boots to a shell; emit runs C, Rust and CPU-bound modules on the runner with the host's output and exit codes; a trap is reported, --time-limit and --fuel stop a looping module (152, the host's message) and the next emit works; replies come as interrupts; a 300-emit soak from 3 shells is right and leaves the heap as it was")
    func emitFromTheGuest() throws {
        defer { if !keep { try? FileManager.default.removeItem(at: root) } }
        try compile("greet", """
            #include <stdio.h>
            int main(int argc, char **argv) {
                printf("hello from %s with %d args\\n", argv[0], argc - 1);
                for (int i = 1; i < argc; i++) printf("  [%s]\\n", argv[i]);
                return 0;
            }
            """)
        try compile("primes", """
            #include <stdio.h>
            #include <stdlib.h>
            int main(void) {
                int n = 200000, count = 0;
                unsigned char *sieve = calloc(n + 1, 1);
                for (int i = 2; i <= n; i++) if (!sieve[i]) { count++; for (long j = (long)i * i; j <= n; j += i) sieve[j] = 1; }
                printf("%d primes\\n", count);
                return count == 17984 ? 7 : 1;
            }
            """)
        try compile("trap", """
            #include <stdio.h>
            int main(void) { printf("about to trap\\n"); fflush(stdout); __builtin_trap(); }
            """)
        try compile("spin", """
            #include <stdio.h>
            volatile int stop;
            int main(void) {
                printf("spinning\\n"); fflush(stdout);
                unsigned long n = 0;
                while (!stop) n++;
                printf("%lu\\n", n);
                return 0;
            }
            """)
        // CPU-bound: the benchmark's n-body simulation, 300,000 steps.
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("benchmarks/wasm/nbody.c"),
                                         to: modules.appendingPathComponent("nbody.c"))
        try sh("python3 -m ziglang cc -target wasm32-wasi -O2 -s -Wl,-z,stack-size=65536 nbody.c -o nbody.wasm -lm", in: modules)
        var runs: [(file: String, arguments: [String])] = [
            ("greet.wasm", ["alpha", "beta"]), ("primes.wasm", []), ("nbody.wasm", ["300000"]),
        ]
        // Rust std programs (wasm32-wasip1) from the WASI test suite: they print nothing and exit 0.
        if let suite = ProcessInfo.processInfo.environment["SEL4IMG_WASI_TESTSUITE"] {
            let rust = URL(fileURLWithPath: suite).appendingPathComponent("tests/rust/testsuite/wasm32-wasip1")
            for name in ["clock_time_get", "big_random_buf"] {
                try FileManager.default.copyItem(at: rust.appendingPathComponent("\(name).wasm"),
                                                 to: modules.appendingPathComponent("rust_\(name).wasm"))
                runs.append(("rust_\(name).wasm", []))
            }
        } else {
            print("note: SEL4IMG_WASI_TESTSUITE is not set, so no Rust programs run")
        }
        runs += [("trap.wasm", []), ("spin.wasm", []), ("spin.wasm", []), ("greet.wasm", ["after", "the trap"])]
        // The soak's modules (benchmarks/soak), for emit-soak in the guest.
        for name in ["soak_ok", "soak_trap", "soak_spin"] {
            try sh("python3 -m ziglang cc -target wasm32-wasi -O2 -s -Wl,-z,stack-size=65536 '\(repositoryRoot.path)/benchmarks/soak/\(name).c' -o \(name).wasm", in: modules)
        }
        try sh("wat2wasm '\(repositoryRoot.path)/benchmarks/soak/soak_hungry.wat' -o soak_hungry.wasm", in: modules)
        let soakModules = ["soak_ok", "soak_trap", "soak_spin", "soak_hungry"].map { modules.appendingPathComponent("\($0).wasm").path }
        // Options for `emit` and `wasm run` before the file, by run: the bounded spins.
        let options: [Int: [String]] = [runs.count - 3: ["--time-limit", "300"], runs.count - 2: ["--fuel", "100000"]]

        // What the host says: each module's stdout and exit status.
        var expected: [(lines: [String], status: Int32)] = []
        var hostErrors: [Int: String] = [:]
        for (index, run) in runs.enumerated() {
            let host = try runSel4img(["wasm", "run"] + (options[index] ?? []) + [run.file] + run.arguments, in: modules)
            var lines = host.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            expected.append((lines, host.status))
            hostErrors[index] = host.stderr.split(separator: "\n").first.map(String.init)
        }
        #expect(expected.map(\.status) == (runs.count == 9 ? [0, 7, 0, 0, 0, 134, 152, 152, 0] : [0, 7, 0, 134, 152, 152, 0]))

        let files = Set(runs.map(\.file)).sorted().map { modules.appendingPathComponent($0).path } + soakModules
        let build = try sel4img(["build", "--board", "qemu-virt", "--app", "wasm-vm", "--wasm", files.joined(separator: ","),
                                 "--progress", "plain"])
        #expect(build.status == 0)
        #expect((build.stdout + build.stderr).contains("patch capdl-offline: done"))
        for role in ["image", "guest-kernel", "guest-rootfs", "guest-dtb"] {
            #expect(build.stdout.contains(role.prefix(10)), "no \(role) artifact in: \(build.stdout)")
        }
        // Nothing changed: Ninja has no work, the guest's files are not rewritten.
        let noop = try sel4img(["build", "--board", "qemu-virt", "--app", "wasm-vm", "--wasm", files.joined(separator: ","),
                                "--progress", "plain"])
        #expect(noop.status == 0)
        #expect(noop.stdout.contains("qemu-virt-wasm-vm is up to date: Ninja had no work to do"), "\(noop.stdout.suffix(2000))")

        // In /wasm, so argv[0] is the file name as on the host. Arguments with
        // spaces are given in single quotes, as the guest's shell reads them.
        let script = "cd /wasm\n" + runs.enumerated().map { index, run in
            let words = ["emit"] + (options[index] ?? []) + [run.file] + run.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }
            return words.joined(separator: " ") + (expected[index].status == 0 ? "" : "  #=> \(expected[index].status)")
        }.joined(separator: "\n") + "\n"
            // The reply came as the channel's interrupt: exactly one per emit.
            + #"a=$(awk '/uio_pci_generic/ { print $2 }' /proc/interrupts); emit greet.wasm once >/dev/null; b=$(awk '/uio_pci_generic/ { print $2 }' /proc/interrupts); echo "interrupts for one emit: $((b - a))""# + "\n"
            // The short soak: every result right, the runner's heap back where it started.
            + "emit-soak 300 3\n"
        try Data(script.utf8).write(to: root.appendingPathComponent("script.txt"))
        let boot = try sel4img(["qemu", "--board", "qemu-virt", "--app", "wasm-vm", "--timeout", "600",
                                "--script", root.appendingPathComponent("script.txt").path])
        #expect(boot.status == 0, "every emit must exit as on the host: \(boot.stderr.suffix(2000))")
        #expect(boot.stdout.contains("wasm-runner: serving the guest"))
        let outputs = Self.commandOutputs(boot.stdout)
        for (index, run) in runs.enumerated() {
            let got = outputs[index + 2] ?? []
            if expected[index].status == 134 {
                #expect(Array(got.prefix(expected[index].lines.count)) == expected[index].lines)
                #expect(got.contains { $0.hasPrefix("emit: \(run.file) trapped: unreachable") }, "\(got)")
            } else if expected[index].status == 152 {
                // The bound's own message: for fuel, word for word the host's (same units, same place).
                #expect(got.first == "spinning", "\(got)")
                let host = hostErrors[index] ?? ""
                if options[index]?.first == "--fuel" {
                    #expect(host.hasPrefix("error: spin.wasm: fuel exhausted after 100000 units in function "), "\(host)")
                    #expect(got.contains("emit: " + host.dropFirst("error: ".count)), "\(got) vs host \(host)")
                } else {
                    #expect(host.hasPrefix("error: spin.wasm: time limit of 300 ms exceeded in function "), "\(host)")
                    #expect(got.contains { $0.hasPrefix("emit: spin.wasm: time limit of 300 ms exceeded in function ") }, "\(got)")
                }
            } else {
                #expect(got == expected[index].lines, "\(run.file) \(run.arguments): guest \(got) vs host \(expected[index].lines)")
            }
            print("\(run.file) \(run.arguments): \(got.count) lines, status \(expected[index].status) on the host")
        }

        // The same inputs in another directory give the same bytes: seL4, CAmkES's output, the guest.
        let second = root.appendingPathComponent("ws-second")
        let again = try sel4img(["build", "--board", "qemu-virt", "--app", "wasm-vm", "--wasm", files.joined(separator: ",")],
                                workspace: second)
        #expect(again.status == 0)
        let sums = { (ws: URL) in try String(contentsOf: ws.appendingPathComponent("artifacts/qemu-virt-wasm-vm/SHA256SUMS"), encoding: .utf8) }
        #expect(try sums(workspace) == sums(second))
        // The SBOM (in SHA256SUMS, so equal in both): valid SPDX 2.3 by pyspdxtools, naming what the image holds.
        _ = try sh("pyspdxtools -i sbom.spdx.json", in: second.appendingPathComponent("artifacts/qemu-virt-wasm-vm"))
        #expect(try String(contentsOf: second.appendingPathComponent("artifacts/qemu-virt-wasm-vm/sbom.spdx.json"), encoding: .utf8).contains("SPDXRef-GuestComponent-busybox"))
        try? FileManager.default.removeItem(at: second)

        // The interrupt path: uio_pci_generic took the device, every emit slept on it, none polled.
        #expect(boot.stdout.range(of: #"sel4img-guest: channel interrupt [0-9]+ via /dev/uio0"#, options: .regularExpression) != nil)
        #expect(!boot.stdout.contains("emit: no interrupt"), "an emit fell back to polling")
        #expect(!boot.stdout.contains("came without its interrupt"))
        #expect(outputs[runs.count + 2] == ["interrupts for one emit: 1"], "\(outputs[runs.count + 2] ?? [])")
        let soak = outputs[runs.count + 3] ?? []
        #expect(soak.first?.range(of: #"^emit-soak: 300 emits from 3 shells in [0-9.]+ s, 300 right: ok 50/50  trap 50/50  fuel 50/50  oversized 50/50  hungry 50/50  malformed 50/50  $"#,
                                  options: .regularExpression) != nil, "\(soak)")
        let heap = soak.last ?? ""
        #expect(heap.range(of: #"^emit-soak: runner heap in use: ([0-9]+) bytes before, \1 bytes after$"#, options: .regularExpression) != nil, "\(heap)")
        print(soak.joined(separator: "\n"))

        if let ready = boot.stdout.range(of: "sel4img-guest: Linux ") {
            print(boot.stdout[ready.lowerBound...].prefix(while: { $0 != "\n" }))
        }
    }
}
