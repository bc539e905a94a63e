import DTS
import Foundation
import Testing
import TestSupport

@Suite struct PrinterTests {
    @Test("values print as dtc guesses them: strings, cells or bytes")
    func valueTypes() throws {
        let tree = DeviceTree(root: Node(name: "", properties: [
            .string("a", "x\ty\"\\"),
            Property(name: "b", value: [1, 2, 3]),
            Property(name: "c", value: [0, 0, 0, 1, 0, 0, 0x10, 0]),
            Property(name: "e", value: Array("abc".utf8) + [1, 0]),
            Property(name: "g", value: [0, 0, 0, 0]),
            Property(name: "h", value: [0x61, 0, 0, 0x62, 0]),
            Property(name: "i", value: [0]),
            .strings("k", ["ABC", "DEF"]),
            Property(name: "l", value: [0xff, 0]),
            .string("m", "\n"),
            .empty("n"),
        ], children: [Node(name: "child@1", properties: [.u32("phandle", [1])])]),
            memoryReservations: [MemoryReservation(address: 0x1000, size: 0x2000)])
        #expect(tree.dtsText == """
            /dts-v1/;

            /memreserve/\t0x0000000000001000 0x0000000000002000;
            / {
            \ta = "x\\ty\\"\\\\";
            \tb = [01 02 03];
            \tc = <0x01 0x1000>;
            \te = [61 62 63 01 00];
            \tg = <0x00>;
            \th = [61 00 00 62 00];
            \ti = [00];
            \tk = "ABC\\0DEF";
            \tl = [ff 00];
            \tm = "\\n";
            \tn;

            \tchild@1 {
            \t\tphandle = <0x01>;
            \t};
            };

            """)
    }

    @Test("the hand-written board prints exactly as dtc prints the same DTB", .enabled(if: hasDTC))
    func handWritten() throws {
        let dir = try TemporaryDirectory("dts")
        defer { dir.remove() }
        let dtb = try dtcCompile(Samples.board, in: dir)
        #expect(try DeviceTree(dtb: dtb).dtsText == dtcText(dtb, in: dir))
    }

    @Test("seL4's board device trees print exactly as dtc prints them", .enabled(if: hasDTC && seL4Mirror != nil))
    func seL4Boards() throws {
        let dir = try TemporaryDirectory("dts")
        defer { dir.remove() }
        let boards = try seL4BoardNames()
        for required in ["rpi4", "tx1", "tx2", "rpi3", "odroidc2", "odroidc4", "imx8mq-evk", "hikey", "zynqmp", "tk1", "exynos5422", "sabre", "fvp"] {
            #expect(boards.contains(required), "seL4 mirror lacks tools/dts/\(required).dts")
        }
        #expect(boards.count >= 13)
        for board in boards {
            let dtb = try dtcCompile(try seL4BoardSource(board), in: dir, name: "\(board).dts")
            let ours = try DeviceTree(dtb: dtb, file: "\(board).dtb").dtsText
            #expect(ours == (try dtcText(dtb, in: dir)), "printer differs from dtc for \(board)")
            #expect(try DeviceTree(dtb: dtb).dtb() == (try DeviceTree(dtb: try DeviceTree(dtb: dtb).dtb()).dtb()))
        }
    }
}
