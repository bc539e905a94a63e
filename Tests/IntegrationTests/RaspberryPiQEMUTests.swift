import Foundation
import Testing
import TestSupport

/// QEMU 9 or newer (its `raspi4b` machine); nil when QEMU is missing or older.
let raspi4bQEMU: Bool = {
    guard let out = try? sh("qemu-system-aarch64 -machine help") else { return false }
    return out.split(separator: "\n").contains { $0.hasPrefix("raspi4b ") }
}()

/// sel4test for rpi4 built from the mirror for 2 GiB, booted from its SD image
/// on QEMU's raspi4b through the image's own U-Boot and boot.scr.
@Suite(.serialized, .enabled(if: mirror != nil, "set SEL4IMG_TEST_MIRROR to an offline mirror of the seL4 repositories"),
       .enabled(if: raspi4bQEMU, "QEMU has no raspi4b machine (QEMU 9 or newer: scripts/setup.sh installs it)"))
struct RaspberryPiQEMUTests {
    @Test("rpi4 sel4test built --emulated (2G, SIMULATION) boots on raspi4b from its SD image and passes; the artifact is left as it was")
    func sel4testOnRaspi4b() throws {
        let keep = ProcessInfo.processInfo.environment["SEL4IMG_TEST_KEEP"]
        let workspace = try keep.map { URL(fileURLWithPath: $0) } ?? TemporaryDirectory("sel4img-rpi4-qemu").url
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
}
