import DTS
import Foundation
import Testing
import TestSupport

@Suite struct OverlayTests {
    @Test("applying a compiled overlay gives the same tree as fdtoverlay", .enabled(if: hasDTC))
    func compiledOverlayMatchesFdtoverlay() throws {
        let dir = try TemporaryDirectory("dts")
        defer { dir.remove() }
        let base = try DeviceTree(dts: Samples.board, file: "board.dts", options: DTSCompileOptions(symbols: true)).dtb()
        let overlay = try DeviceTree(dts: Samples.overlay, file: "overlay.dts").dtb()
        try Data(base).write(to: dir.path("base.dtb"))
        try Data(overlay).write(to: dir.path("overlay.dtbo"))
        try sh("fdtoverlay -i base.dtb -o out.dtb overlay.dtbo", in: dir.url)
        let theirs = [UInt8](try Data(contentsOf: dir.path("out.dtb")))
        let ours = try DeviceTree.applyOverlays([("overlay.dtbo", overlay)], to: base, baseName: "base.dtb")
        #expect(try dtcText(ours, in: dir, name: "ours.dtb") == (try dtcText(theirs, in: dir, name: "theirs.dtb")))
        #expect(ours == theirs)
        let applied = try DeviceTree(dtb: ours)
        #expect(applied.node(at: "/soc/serial@7e201000")?.property("status")?.stringValue == "okay")
        #expect(applied.node(at: "/chosen")?.property("bootargs")?.stringValue == "console=ttyAMA0 earlycon")
    }

    @Test("an overlay built in code sets /chosen, memory and a label target like fdtoverlay", .enabled(if: hasDTC))
    func builtOverlay() throws {
        let dir = try TemporaryDirectory("dts")
        defer { dir.remove() }
        let baseTree = try DeviceTree(dts: Samples.board, file: "board.dts", options: DTSCompileOptions(symbols: true))
        var overlay = Overlay()
        overlay.setStdoutPath("/soc/serial@7e201000")
        overlay.setBootargs("console=ttyAMA0")
        try overlay.setInitrd(start: 0x440_0000, end: 0x450_0000, addressCells: baseTree.rootCells.address)
        try overlay.setMemory(base: 0, size: 0x8000_0000, addressCells: 2, sizeCells: 1, nodeName: baseTree.memoryNodePath.map { String($0.dropFirst()) })
        overlay.set(.string("status", "okay"), on: .label("uart0"))
        try overlay.add(Node(name: "sel4@30000000", properties: [.u32("reg", [0, 0x3000_0000, 0x10_0000]), .empty("no-map")]), under: .path("/"))
        let overlayBytes = try overlay.deviceTree.dtb()
        try Data(try baseTree.dtb()).write(to: dir.path("base.dtb"))
        try Data(overlayBytes).write(to: dir.path("o.dtbo"))
        try sh("fdtoverlay -i base.dtb -o out.dtb o.dtbo", in: dir.url)
        let theirs = [UInt8](try Data(contentsOf: dir.path("out.dtb")))
        let ours = try baseTree.applying([overlay.deviceTree])
        #expect(try dtcText(try ours.dtb(), in: dir, name: "ours.dtb") == (try dtcText(theirs, in: dir, name: "theirs.dtb")))
        #expect(ours.node(at: "/chosen")?.property("linux,initrd-end")?.u64Values == [0x450_0000])
        #expect(ours.node(at: "/memory@0")?.property("reg")?.value == [0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0])
        #expect(ours.node(at: "/soc/serial@7e201000")?.property("status")?.stringValue == "okay")
    }

    @Test("a label target on a base without symbols fails naming the overlay")
    func missingSymbols() throws {
        let base = try DeviceTree(dts: Samples.board, file: "board.dts").dtb()
        var overlay = Overlay()
        overlay.set(.string("status", "okay"), on: .label("uart0"))
        let error = try #require(throws: DTSError.self) {
            try DeviceTree.applyOverlays([("o.dtbo", try overlay.deviceTree.dtb())], to: base, baseName: "base.dtb")
        }
        #expect(error.file == "o.dtbo")
        #expect(error.message.hasPrefix("apply overlay to base.dtb: FDT_ERR_NOTFOUND"))
    }

    @Test("an overlay built in code lays out like dtc's compilation of the same overlay source", .enabled(if: hasDTC))
    func builderLayoutMatchesDTC() throws {
        let dir = try TemporaryDirectory("dts")
        defer { dir.remove() }
        var overlay = Overlay()
        overlay.set(.string("status", "okay"), on: .label("uart0"))
        overlay.setBootargs("quiet")
        overlay.set(.u32("x", [1]), on: .label("uart0"))
        let source = """
            /dts-v1/;
            /plugin/;
            &uart0 { status = "okay"; x = <1>; };
            &{/chosen} { bootargs = "quiet"; };
            """
        let theirs = try dtcCompile(source, in: dir)
        #expect(try dtcText(try overlay.deviceTree.dtb(), in: dir, name: "o.dtbo") == (try dtcText(theirs, in: dir, name: "t.dtbo")))
    }
}
