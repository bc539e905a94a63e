import Boards
import DTS
import Foundation
import Testing
import TestSupport
@testable import GuestImage

/// The guest's DTB, checked with the real `dtc` and `fdtget`.
@Suite struct DeviceTreeTests {
    @Test("/chosen gets the bootargs and the initramfs range in two cells; stdout-path and memory stay as in the source")
    func chosenValues() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        let outputs = try f.image(f.guest()).build(into: f.dir.path("out"))
        let end = 0x4d70_0000 + UInt64(outputs.rootfsSize)
        func get(_ type: String, _ node: String, _ property: String) throws -> String {
            try sh("fdtget -t \(type) out/linux.dtb \(node) \(property)", in: f.dir.url).trimmingCharacters(in: .newlines)
        }
        #expect(try get("s", "/chosen", "bootargs") == GuestFixture.bootargs)
        #expect(try get("s", "/chosen", "stdout-path") == "/pl011@9000000")
        #expect(try get("x", "/chosen", "linux,initrd-start") == "0 4d700000")
        #expect(try get("x", "/chosen", "linux,initrd-end") == "0 \(String(end, radix: 16))")
        #expect(try get("x", "/memory@40000000", "reg") == "0 40000000 0 20000000")
    }

    @Test("the DTB round-trips through dtc without warnings: dtb → dts → dtb gives the same tree")
    func dtcRoundTrip() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        try f.image(f.guest()).build(into: f.dir.path("out"))
        let dts = try sh("dtc -q -I dtb -O dts -o back.dts out/linux.dtb 2>&1; cat back.dts", in: f.dir.url)
        #expect(dts.contains("bootargs = \"\(GuestFixture.bootargs)\";"))
        #expect(dts.contains("linux,initrd-start = <0x00 0x4d700000>;"))
        #expect(dts.contains("stdout-path = \"/pl011@9000000\";"))
        #expect(try sh("dtc -I dts -O dtb -o back.dtb back.dts 2>&1", in: f.dir.url) == "")
        // Same header sizes and the same tree (libfdt orders the strings block differently from dtc).
        #expect(try sh("dtc -I dtb -O dts back.dtb", in: f.dir.url) == sh("dtc -I dtb -O dts out/linux.dtb", in: f.dir.url))
        #expect(try Data(contentsOf: f.dir.path("back.dtb")).count == Data(contentsOf: f.dir.path("out/linux.dtb")).count)
    }

    @Test("a tree whose root has one address cell gets one-cell initrd values")
    func oneCell() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        try f.dir.write("checkout/guest/board.dts", GuestFixture.dts
            .replacingOccurrences(of: "#address-cells = <2>", with: "#address-cells = <1>")
            .replacingOccurrences(of: "#size-cells = <2>", with: "#size-cells = <1>")
            .replacingOccurrences(of: "<0x0 0x40000000 0x0 0x20000000>", with: "<0x40000000 0x20000000>")
            .replacingOccurrences(of: "<0x0 0x9000000 0x0 0x1000>", with: "<0x9000000 0x1000>"))
        let outputs = try f.image(f.guest()).build(into: f.dir.path("out"))
        #expect(try sh("fdtget -t x out/linux.dtb /chosen linux,initrd-start", in: f.dir.url) == "4d700000\n")
        #expect(try sh("fdtget -t x out/linux.dtb /chosen linux,initrd-end", in: f.dir.url)
            == String(0x4d70_0000 + outputs.rootfsSize, radix: 16) + "\n")
    }

    @Test("an initramfs that does not fit in the guest's memory is refused, naming the range and the memory")
    func outsideMemory() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        let error = #expect(throws: GuestImageError.self) {
            try f.image(f.guest(initrdAddress: 0x5fff_ff00)).build(into: f.dir.path("out"))
        }
        #expect(error?.kind == .initrdOutsideMemory)
        let size = try FileManager.default.attributesOfItem(atPath: f.dir.path("out/rootfs.cpio.gz").path)[.size] as! Int
        #expect(error?.description == "apps/test-vm.yaml: key 'guest.initrdAddress': the initramfs (0x5fffff00 to 0x\(String(0x5fff_ff00 + size - 1, radix: 16)), \((size + 1023) / 1024) KiB) does not fit in the guest's memory (0x40000000 to 0x5fffffff in guest/board.dts)")
        #expect(!FileManager.default.fileExists(atPath: f.dir.path("out/linux.dtb").path))
    }

    @Test("a DTS that does not compile names the app key and the source line")
    func badSource() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        try f.dir.write("checkout/guest/board.dts", "/dts-v1/;\n/ {\n\tmodel = \"x\"\n};\n")
        let error = #expect(throws: GuestImageError.self) { try f.image(f.guest()).build(into: f.dir.path("out")) }
        #expect(error?.kind == .deviceTree)
        #expect(error?.description.hasPrefix("apps/test-vm.yaml: key 'guest.deviceTree': cannot compile guest/board.dts: \(f.repository.path)/guest/board.dts:4: ") == true)
    }
}
