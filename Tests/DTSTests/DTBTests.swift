import DTS
import Foundation
import Testing
import TestSupport

@Suite struct DTBTests {
    static func sampleTree() -> DeviceTree {
        var root = Node(name: "", properties: [
            .strings("compatible", ["acme,board", "acme,soc"]),
            .u32("#address-cells", [2]),
            .u32("#size-cells", [1]),
        ])
        root.children = [
            Node(name: "soc", properties: [.u32("#address-cells", [1]), .u32("#size-cells", [1])], children: [
                Node(name: "serial@7e215040", properties: [.string("compatible", "brcm,bcm2835-aux-uart"), .u32("reg", [0x7e21_5040, 0x40]), .u32("phandle", [3])]),
            ]),
        ]
        return DeviceTree(root: root, memoryReservations: [MemoryReservation(address: 0, size: 0x1000)], bootCPU: 2)
    }

    @Test("a tree survives writing to a DTB and reading it back, header fields included")
    func roundTrip() throws {
        let tree = Self.sampleTree()
        let bytes = try tree.dtb()
        #expect(try DeviceTree(dtb: bytes) == tree)
        #expect(bytes[28..<32] == [0, 0, 0, 2][...])
        #expect(try tree.dtb() == bytes)
    }

    @Test("lookups find nodes by path, label and phandle, and typed accessors decode values")
    func lookups() throws {
        var tree = Self.sampleTree()
        tree.root.children[0].children[0].labels = ["uart1"]
        let serial = try #require(tree.node(at: "/soc/serial@7e215040"))
        #expect(tree.node(labeled: "uart1") == serial)
        #expect(tree.node(phandle: 3) == serial)
        #expect(tree.path(ofPhandle: 3) == "/soc/serial@7e215040")
        #expect(serial.property("reg")?.u32Values == [0x7e21_5040, 0x40])
        #expect(serial.property("compatible")?.stringValue == "brcm,bcm2835-aux-uart")
        #expect(tree.root.property("compatible")?.stringValues == ["acme,board", "acme,soc"])
        #expect(tree.root.property("compatible")?.stringValue == nil)
        #expect(tree.node(at: "/soc/serial") == nil)
        #expect(tree.node(at: "soc") == nil)
    }

    @Test("edits set memory, reserved memory and /chosen in the root's cell sizes")
    func bootEdits() throws {
        var tree = Self.sampleTree()
        try tree.setMemory(base: 0, size: 0x8000_0000)
        try tree.addReservedMemory(name: "sel4", base: 0x3000_0000, size: 0x10_0000)
        try tree.setStdoutPath("/soc/serial@7e215040")
        try tree.setBootargs("console=ttyS0")
        try tree.setInitrd(start: 0x440_0000, end: 0x450_0000)
        #expect(tree.node(at: "/memory@0")?.property("reg")?.value == [0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0])
        #expect(tree.node(at: "/reserved-memory/sel4@30000000")?.property("no-map") == .empty("no-map"))
        #expect(tree.node(at: "/reserved-memory")?.property("#size-cells")?.u32Values == [1])
        #expect(tree.node(at: "/chosen")?.property("stdout-path")?.stringValue == "/soc/serial@7e215040")
        #expect(tree.node(at: "/chosen")?.property("linux,initrd-start")?.u64Values == [0x440_0000])
        #expect(throws: DTSError.self) { try tree.setMemory(base: 0, size: 0x1_0000_0000) }
        try tree.removeProperty("bootargs", at: "/chosen")
        #expect(tree.node(at: "/chosen")?.property("bootargs") == nil)
        try tree.removeNode(at: "/reserved-memory")
        #expect(tree.node(at: "/reserved-memory") == nil)
        #expect(throws: DTSError.self) { try tree.addNode(Node(name: "bad name"), under: "/") }
        #expect(throws: DTSError.self) { try tree.addNode(Node(name: "soc"), under: "/") }
    }

    @Test("32-bit roots get 32-bit initrd addresses")
    func initrd32() throws {
        var tree = DeviceTree(root: Node(name: "", properties: [.u32("#address-cells", [1]), .u32("#size-cells", [1])]))
        try tree.setInitrd(start: 0x100, end: 0x200)
        #expect(tree.node(at: "/chosen")?.property("linux,initrd-end")?.value == [0, 0, 2, 0])
    }

    @Test("every truncation and byte flip of a DTB gives an error naming the file or a valid tree, never a crash")
    func fuzz() throws {
        let bytes = try Self.sampleTree().dtb()
        for length in 0..<bytes.count {
            #expect(throws: DTSError.self) { try DeviceTree(dtb: Array(bytes[..<length]), file: "cut.dtb") }
            do { _ = try DeviceTree(dtb: Array(bytes[..<length]), file: "cut.dtb") } catch let error as DTSError {
                #expect(error.description.hasPrefix("cut.dtb: "))
            }
        }
        for index in bytes.indices {
            for flip: UInt8 in [0x01, 0x80, 0xff] {
                var damaged = bytes
                damaged[index] ^= flip
                do { _ = try DeviceTree(dtb: damaged, file: "flip.dtb") } catch let error as DTSError {
                    #expect(error.file == "flip.dtb")
                }
            }
        }
        var huge = bytes
        huge.replaceSubrange(4..<8, with: [0xff, 0xff, 0xff, 0xf0])
        #expect(throws: DTSError.self) { try DeviceTree(dtb: huge, file: "huge.dtb") }
        #expect(throws: DTSError.self) { try DeviceTree(dtb: Array(repeating: 0, count: 64), file: "zero.dtb") }
    }

    @Test("the bad-magic error is libfdt's, with the file and the operation")
    func badMagic() throws {
        var bytes = try Self.sampleTree().dtb()
        bytes[0] = 0
        let error = try #require(throws: DTSError.self) { try DeviceTree(dtb: bytes, file: "board.dtb") }
        #expect(error.description == "board.dtb: read device tree: FDT_ERR_BADMAGIC (magic 0xdfeed, expected 0xd00dfeed)")
    }

    @Test("dtc reads what sel4img writes, and fdtget sees the values", .enabled(if: hasDTC))
    func readByDTC() throws {
        let dir = try TemporaryDirectory("dts")
        defer { dir.remove() }
        let tree = Self.sampleTree()
        try tree.writeDTB(to: dir.path("s.dtb"))
        #expect(try sh("fdtget -t x s.dtb /soc/serial@7e215040 reg", in: dir.url) == "7e215040 40\n")
        #expect(try sh("fdtget s.dtb / compatible", in: dir.url) == "acme,board acme,soc\n")
        #expect(try dtcText(try tree.dtb(), in: dir) == tree.dtsText)
    }

    @Test("the same DTS compiled in two directories under different umasks gives identical bytes")
    func reproducible() throws {
        let one = try TemporaryDirectory("dts-a"), two = try TemporaryDirectory("dts-b")
        defer { one.remove(); two.remove() }
        try one.write("board.dts", Samples.board)
        try two.write("board.dts", Samples.board)
        let oldMask = umask(0o022)
        try DeviceTree(dtsFile: one.path("board.dts")).writeDTB(to: one.path("board.dtb"))
        umask(0o077)
        try DeviceTree(dtsFile: two.path("board.dts")).writeDTB(to: two.path("board.dtb"))
        umask(oldMask)
        let a = try Data(contentsOf: one.path("board.dtb")), b = try Data(contentsOf: two.path("board.dtb"))
        #expect(a == b)
        #expect(!a.isEmpty)
    }
}
