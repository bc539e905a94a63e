import Foundation
import Testing
import TestSupport

/// QEMU 9 or newer (its `raspi4b` machine); nil when QEMU is missing or older.
let raspi4bQEMU: Bool = {
    guard let out = try? sh("qemu-system-aarch64 -machine help") else { return false }
    return out.split(separator: "\n").contains { $0.hasPrefix("raspi4b ") }
}()

/// rpi4 images built from the mirror for 2 GiB, booted from their SD image on
/// QEMU's raspi4b through the image's own U-Boot and boot.scr: sel4test
/// (`--emulated`), and app `wasm-runner` (`--memory 2G` only) running the
/// modules WasmRunnerMirrorTests runs on qemu-virt.
/// SEL4IMG_TEST_KEEP=DIR keeps the workspaces below DIR.
@Suite(.serialized, .enabled(if: mirror != nil, "set SEL4IMG_TEST_MIRROR to an offline mirror of the seL4 repositories"),
       .enabled(if: raspi4bQEMU, "QEMU has no raspi4b machine (QEMU 9 or newer: scripts/setup.sh installs it)"))
struct RaspberryPiQEMUTests {
    @Test("rpi4 sel4test built --emulated (2G, SIMULATION) boots on raspi4b from its SD image and passes; the artifact is left as it was")
    func sel4testOnRaspi4b() throws {
        let keep = ProcessInfo.processInfo.environment["SEL4IMG_TEST_KEEP"]
        let workspace = try keep.map { URL(fileURLWithPath: $0).appendingPathComponent("sel4test-rpi4") } ?? TemporaryDirectory("sel4img-rpi4-qemu").url
        defer { if keep == nil { try? FileManager.default.removeItem(at: workspace) } }
        func sel4img(_ args: [String]) throws -> CommandResult {
            let r = try runSel4img(args + ["-w", workspace.path], environment: ["SEL4IMG_MIRROR": mirror!])
            if r.status != 0 { print("sel4img \(args.joined(separator: " ")) exited \(r.status):\n\(r.stderr.suffix(3000))") }
            return r
        }
        let build = try sel4img(["build", "--board", "rpi4", "--app", "sel4test", "--emulated", "--progress", "plain"])
        try #require(build.status == 0)
        let image = workspace.appendingPathComponent("artifacts/rpi4-sel4test/rpi4-sel4test.img")
        let before = try sh("sha256sum '\(image.path)'")

        let boot = try sel4img(["qemu", "--board", "rpi4", "--app", "sel4test", "--timeout", "1200"])
        let log = try String(contentsOf: workspace.appendingPathComponent("artifacts/rpi4-sel4test/console.log"), encoding: .utf8)
        // U-Boot from the image ran its boot.scr, which loaded sel4.bin and started the elfloader.
        #expect(log.contains("Found U-Boot script /boot.scr"))
        #expect(log.contains("sel4img: loading sel4.bin from mmc 0:1 to 0x10000000"))
        // boot.scr uses only commands rpi_arm64 has (it has no dcache).
        #expect(!log.contains("Unknown command"))
        #expect(log.contains("ELF-loader started on CPU: ARM Ltd. Cortex-A72"))
        #expect(boot.status == 0, "console tail:\n\(log.suffix(2000))")
        // Seen: 121 passed, 54 disabled (the same counts as qemu-virt); the timer tests are left out.
        #expect(log.contains("Test suite passed. 121 tests passed. 54 tests disabled."))
        #expect(log.contains("All is well in the universe"))
        #expect(!log.contains("TIMER0001"))
        #expect(boot.stderr.contains("-machine raspi4b"))
        #expect(try sh("sha256sum '\(image.path)'") == before)
        // QEMU got a 64 MiB scratch copy (sel4test's image is smaller, and not a power of two).
        let scratch = workspace.appendingPathComponent(".sel4img/qemu/rpi4-sel4test/rpi4-sel4test.img")
        #expect(try sh("stat -c %s '\(scratch.path)'") == "\(64 << 20)\n")
        #expect(try sh("stat -c %s '\(image.path)'") != "\(64 << 20)\n")
    }

    @Test("rpi4 wasm-runner built --memory 2G (SIMULATION off, as for the Pi) boots on raspi4b from its SD image; C and Rust modules print and exit or trap as under 'sel4img wasm run' on both tiers; exit status 1 with failing modules, 0 without")
    func wasmRunnerOnRaspi4b() throws {
        let (root, keep) = try integrationRoot("wasm-runner-rpi4")
        defer { if !keep { try? FileManager.default.removeItem(at: root) } }
        let workspace = root.appendingPathComponent("ws")
        func sel4img(_ args: [String]) throws -> CommandResult {
            let r = try runSel4img(args + ["-w", workspace.path], environment: ["SEL4IMG_MIRROR": mirror!])
            if r.status != 0 { print("sel4img \(args.joined(separator: " ")) exited \(r.status):\n\(r.stderr.suffix(3000))") }
            return r
        }
        let comparison = try WasmRunnerComparison(modules: root.appendingPathComponent("modules"))
        let names = comparison.names
        let build = try sel4img(["build", "--board", "rpi4", "--memory", "2G"] + comparison.buildArguments + ["--progress", "plain"])
        try #require(build.status == 0)
        #expect(build.stderr.contains("wasm: \(names.count) of \(names.count) modules translated by wasm2c for the ahead-of-time tier"))
        let image = workspace.appendingPathComponent("artifacts/rpi4-wasm-runner/rpi4-wasm-runner.img")
        let before = try sh("sha256sum '\(image.path)'")

        let boot = try sel4img(["qemu", "--board", "rpi4", "--app", "wasm-runner", "--timeout", "900"])
        let log = try String(contentsOf: workspace.appendingPathComponent("artifacts/rpi4-wasm-runner/console.log"), encoding: .utf8)
        #expect(log.contains("Found U-Boot script /boot.scr"))
        #expect(log.contains("sel4img: loading sel4.bin from mmc 0:1 to 0x10000000"))
        #expect(!log.contains("Unknown command"))
        #expect(log.contains("ELF-loader started on CPU: ARM Ltd. Cortex-A72"))
        #expect(boot.stderr.contains("-machine raspi4b"))
        // primes.wasm exits 7 and three modules trap: the run fails as on qemu-virt.
        #expect(boot.status == 1, "console tail:\n\(log.suffix(2000))")
        #expect(boot.stderr.contains("Failed: the console showed \"wasm-runner: 4 of \(names.count) modules failed\"."))
        try comparison.check(console: boot.stdout, board: "rpi4")
        #expect(try sh("sha256sum '\(image.path)'") == before)

        // Only modules that exit 0: the run passes.
        let passing = comparison.paths.filter { $0.hasSuffix("/greet.wasm") || $0.hasSuffix("/floats.wasm") }
        let rebuild = try sel4img(["build", "--board", "rpi4", "--memory", "2G", "--app", "wasm-runner", "--wasm", passing.joined(separator: ","),
                                   "--args", WasmRunnerComparison.arguments, "--wasm-tier", "both"])
        try #require(rebuild.status == 0)
        let pass = try sel4img(["qemu", "--board", "rpi4", "--app", "wasm-runner", "--timeout", "600"])
        #expect(pass.status == 0)
        #expect(pass.stdout.contains("wasm-runner: all 2 modules exited 0"))
        #expect(pass.stdout.contains("hello from greet.wasm with 2 args"))
        #expect(pass.stderr.contains("PASS: Passed: the console showed \"wasm-runner: all 2 modules exited 0\"."))
    }
}
