import Boards
import DTS
import Foundation
import Testing
import TestSupport
@testable import GuestImage

/// Which device tree wasm-vm's rpi4 guest gets: the hardware build's mini
/// UART clock is the Pi's, the emulated build's (`--emulated`) the one
/// runner/guest/rpi4-qemu.dtso gives, because QEMU's bcm2835_aux model has
/// no DLAB and takes the 8250 driver's divisor high byte as IER.
@Suite struct EmulatedDeviceTreeTests {
    static func rpi4Guest() throws -> App.Guest {
        let app = try App.load(from: repositoryRoot.appendingPathComponent("apps/wasm-vm.yaml"),
                               knownBoards: ["qemu-virt", "rpi4", "tx1", "tx2"])
        return try #require(app.guest).on(board: "rpi4")
    }

    static func dtb(emulated: Bool, guest: App.Guest? = nil) throws -> [UInt8] {
        let image = GuestImage(guest: try guest ?? rpi4Guest(), appFile: "apps/wasm-vm.yaml", repository: repositoryRoot, emulated: emulated)
        return try image.deviceTree(initrdSize: 0x10_0000)
    }

    /// The divisor Linux's 8250 driver writes for `baud` (serial8250_get_divisor:
    /// DIV_ROUND_CLOSEST(uartclk, 16 * baud); 8250_bcm2835aux doubles the clock).
    static func divisor(clock: UInt64, baud: UInt64 = 115_200) -> UInt64 { (2 * clock + 8 * baud) / (16 * baud) }

    @Test("rpi4's guest DTB: 500 MHz on hardware, 28,569,600 Hz emulated (divisor 543 = 0x21f vs 31 = 0x1f, high byte 0), and nothing else differs, read back by dtc")
    func clockPerBuild() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Data(try Self.dtb(emulated: false)).write(to: dir.path("hardware.dtb"))
        try Data(try Self.dtb(emulated: true)).write(to: dir.path("emulated.dtb"))
        func clock(_ file: String) throws -> String {
            try sh("fdtget -t u \(file) /serial@fe215040 clock-frequency", in: dir.url).trimmingCharacters(in: .newlines)
        }
        #expect(try clock("hardware.dtb") == "500000000")
        #expect(try clock("emulated.dtb") == "28569600")
        #expect(Self.divisor(clock: 500_000_000) == 0x21f)
        #expect(Self.divisor(clock: 28_569_600) == 0x1f)
        // dtc reads both; the trees differ in that one property only.
        try sh("dtc -q -I dtb -O dts -o hardware.dts hardware.dtb && dtc -q -I dtb -O dts -o emulated.dts emulated.dtb", in: dir.url)
        let diff = try sh("diff hardware.dts emulated.dts || true", in: dir.url)
        #expect(diff == """
            62c62
            < \t\tclock-frequency = <0x1dcd6500>;
            ---
            > \t\tclock-frequency = <0x1b3f000>;

            """)
    }

    @Test("the Jetsons and qemu-virt have no emulated overlay: --emulated gives their guests the same DTB")
    func othersUnchanged() throws {
        let app = try App.load(from: repositoryRoot.appendingPathComponent("apps/wasm-vm.yaml"),
                               knownBoards: ["qemu-virt", "rpi4", "tx1", "tx2"])
        for board in ["qemu-virt", "tx1", "tx2"] {
            let guest = try #require(app.guest).on(board: board)
            #expect(try Self.dtb(emulated: true, guest: guest) == Self.dtb(emulated: false, guest: guest), "\(board)")
        }
    }

    @Test("an overlay that does not apply names the app key, both files and libfdt's reason")
    func badOverlay() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("runner/guest/rpi4.dts", try String(contentsOf: repositoryRoot.appendingPathComponent("runner/guest/rpi4.dts"), encoding: .utf8))
        try dir.write("runner/guest/rpi4-qemu.dtso", "/dts-v1/;\n/plugin/;\n&{/serial@fe000000} { clock-frequency = <1>; };\n")
        let image = GuestImage(guest: try Self.rpi4Guest(), appFile: "apps/wasm-vm.yaml", repository: dir.url, emulated: true)
        let error = #expect(throws: GuestImageError.self) { try image.deviceTree(initrdSize: 0x10_0000) }
        #expect(error?.description == "apps/wasm-vm.yaml: key 'guest.emulatedOverlay': cannot apply runner/guest/rpi4-qemu.dtso to runner/guest/rpi4.dts: overlay 0: apply overlay to base: FDT_ERR_NOTFOUND (a target of the overlay is not in the base; label targets need a base compiled with symbols, dtc -@)")
        // Without --emulated the overlay is not read at all.
        let hardware = GuestImage(guest: try Self.rpi4Guest(), appFile: "apps/wasm-vm.yaml", repository: dir.url, emulated: false)
        #expect(hardware.appliedOverlay == nil)
        _ = try hardware.deviceTree(initrdSize: 0x10_0000)
    }
}
