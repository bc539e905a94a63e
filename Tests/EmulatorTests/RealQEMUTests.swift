import Foundation
import Testing
import TestSupport
@testable import Emulator

/// A 76-byte raw aarch64 program: it writes its message to the PL011 UART of
/// QEMU's virt machine (0x09000000) and then waits forever, like a finished
/// seL4 system. Assembled from:
///
///         movz x1, #0x0900, lsl #16
///         adr  x2, msg
///     1:  ldrb w3, [x2], #1
///         cbz  w3, 2f
///         strb w3, [x1]
///         b    1b
///     2:  wfe
///         b    2b
///     msg: .asciz "sel4img: hello from a raw aarch64 image\n"
private let helloProgram: [UInt8] = [
    0x01, 0x20, 0xA1, 0xD2, 0xE2, 0x00, 0x00, 0x10, 0x43, 0x14, 0x40, 0x38,
    0x63, 0x00, 0x00, 0x34, 0x23, 0x00, 0x00, 0x39, 0xFD, 0xFF, 0xFF, 0x17,
    0x5F, 0x20, 0x03, 0xD5, 0xFF, 0xFF, 0xFF, 0x17,
] + Array("sel4img: hello from a raw aarch64 image\n".utf8) + [0, 0, 0, 0]

private let haveQEMU = QEMUConfiguration(boot: .kernel(URL(fileURLWithPath: "/"))).resolvedBinary() != nil

extension ProcessTests {
    /// REAL QEMU: these boot qemu-system-aarch64 itself (skipped when it is not
    /// on PATH), with the same command line seL4 images get.
    @Suite("Real QEMU (needs qemu-system-aarch64)", .enabled(if: haveQEMU, "qemu-system-aarch64 is not on PATH"))
    struct RealQEMUTests {
        private func boot(expect: String, timeout: Double) throws -> (BootResult, String) {
            let dir = try TemporaryDirectory("emu-real-qemu")
            defer { dir.remove() }
            let image = dir.path("hello.bin")
            try Data(helloProgram).write(to: image)
            let run = try BootRun(
                configuration: QEMUConfiguration(boot: .kernel(image)),
                target: BootTarget(board: "qemu-virt", app: "hello"),
                expectations: ConsoleExpectations(success: [expect], failure: ["Test suite failed"]),
                timeout: timeout,
                logFile: dir.path("console.log"))
            let result = try run.run()
            return (result, try dir.read("console.log"))
        }

        @Test("REAL QEMU: the console of a booted image passes the boot and QEMU is stopped")
        func passes() throws {
            let (result, _) = try boot(expect: "hello from a raw aarch64 image", timeout: 30)
            #expect(result.outcome == .passed(matched: "sel4img: hello from a raw aarch64 image"))
            #expect(isGone(result.processIdentifier))
        }

        @Test("REAL QEMU: a boot that never shows the pattern times out after 3 s and QEMU is killed and reaped")
        func timesOut() throws {
            let (result, log) = try boot(expect: "All is well in the universe", timeout: 3)
            #expect(result.outcome == .timedOut(seconds: 3))
            #expect(result.exitCode == 2)
            #expect(result.lastLines.contains("sel4img: hello from a raw aarch64 image"))
            #expect(isGone(result.processIdentifier))
            #expect(log.contains("terminating on signal 15"), "QEMU did not report the SIGTERM: \(log)")
        }

        @Test("REAL QEMU: a script is typed into U-Boot's shell through QEMU's stdin",
              .enabled(if: FileManager.default.fileExists(atPath: uBootForQEMU), "u-boot-qemu is not installed"))
        func scriptInUBoot() throws {
            // U-Boot stands in for a guest with a shell on the serial console.
            // It reads and drops keys while its boot command runs after the
            // countdown, which the probe sel4img repeats makes up for.
            let dir = try TemporaryDirectory("emu-real-qemu-script")
            defer { dir.remove() }
            try Data(count: 1 << 20).write(to: dir.path("empty.img"))
            try dir.write("script.txt", "echo hello from u-boot\nfalse  #=> 1\nsetenv x 5; test $x -eq 5\n")
            let session = try ScriptSession(
                script: ShellScript.load(from: dir.path("script.txt"), shown: "script.txt"),
                shellReady: "^Hit any key to stop autoboot", commandTimeout: 30)
            let run = try BootRun(
                configuration: QEMUConfiguration(boot: .disk(image: dir.path("empty.img"), bios: URL(fileURLWithPath: uBootForQEMU)),
                                                 machine: "virt", memory: "512M", extraArgs: ["-nic", "none"]),
                target: BootTarget(board: "qemu-virt", app: "u-boot"),
                expectations: ConsoleExpectations(success: [], failure: ["Synchronous Abort"]),
                timeout: 60,
                logFile: dir.path("console.log"),
                script: session)
            let lines = LineRecorder()
            let result = try run.run(onLine: { lines.add($0) })
            #expect(result.outcome == .scriptPassed(commands: 3), "\(result.reason)")
            #expect(result.commands.map(\.status) == [0, 1, 0])
            #expect(lines.lines.contains("hello from u-boot"))
            #expect(isGone(result.processIdentifier))
        }
    }
}

private let uBootForQEMU = "/usr/lib/u-boot/qemu_arm64/u-boot.bin"
