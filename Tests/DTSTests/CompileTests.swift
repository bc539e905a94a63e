import DTS
import Foundation
import Testing
import TestSupport

@Suite struct CompileTests {
    @Test("the hand-written board compiles to the same tree as dtc compiles it", .enabled(if: hasDTC))
    func boardMatchesDTC() throws {
        let dir = try TemporaryDirectory("dts")
        defer { dir.remove() }
        for flags in ["", "-@"] {
            let theirs = try dtcCompile(Samples.board, in: dir, flags: flags)
            let ours = try DeviceTree(dts: Samples.board, file: "board.dts", options: DTSCompileOptions(symbols: flags == "-@")).dtb()
            #expect(try dtcText(ours, in: dir, name: "ours.dtb") == (try dtcText(theirs, in: dir, name: "theirs.dtb")), "flags '\(flags)'")
        }
    }

    @Test("phandles are allocated in tree order from 1, skipping explicit ones, as dtc does")
    func phandleOrder() throws {
        let tree = try DeviceTree(dts: Samples.board, file: "board.dts")
        #expect(tree.node(at: "/soc/interrupt-controller@40041000")?.phandle == 1)
        #expect(tree.node(at: "/cpus/l2-cache0")?.phandle == 2)
        #expect(tree.node(at: "/soc/clock@7e101000")?.phandle == 5)
        #expect(tree.node(at: "/soc/serial@7e201000")?.property("clocks")?.u32Values == [5, 19, 5, 20])
        #expect(tree.node(at: "/aliases")?.property("serial0")?.stringValue == "/soc/serial@7e201000")
        #expect(tree.node(at: "/cpus/cpu@1") == nil)
        #expect(tree.node(at: "/soc/serial@7e201000")?.property("status")?.stringValue == "disabled")
        #expect(tree.node(labeled: "uart0")?.name == "serial@7e201000")
        #expect(tree.memoryReservations.map(\.size) == [0x1000, 0x4000])
    }

    @Test("an overlay source compiles like dtc: fragments, __fixups__ and __local_fixups__", .enabled(if: hasDTC))
    func overlayMatchesDTC() throws {
        let dir = try TemporaryDirectory("dts")
        defer { dir.remove() }
        for flags in ["", "-@"] {
            let theirs = try dtcCompile(Samples.overlay, in: dir, flags: flags)
            let ours = try DeviceTree(dts: Samples.overlay, file: "overlay.dts", options: DTSCompileOptions(symbols: flags == "-@")).dtb()
            #expect(try dtcText(ours, in: dir, name: "ours.dtbo") == (try dtcText(theirs, in: dir, name: "theirs.dtbo")), "flags '\(flags)'")
        }
    }

    @Test("seL4's board sources compile to the same trees as dtc gives", .enabled(if: hasDTC && seL4Mirror != nil))
    func seL4Boards() throws {
        let dir = try TemporaryDirectory("dts")
        defer { dir.remove() }
        for board in try seL4BoardNames() {
            let source = try seL4BoardSource(board)
            for flags in ["", "-@"] {
                let theirs = try dtcCompile(source, in: dir, flags: flags, name: "\(board).dts")
                let ours = try DeviceTree(dts: source, file: "\(board).dts", options: DTSCompileOptions(symbols: flags == "-@")).dtb()
                #expect(try dtcText(ours, in: dir, name: "ours.dtb") == (try dtcText(theirs, in: dir, name: "theirs.dtb")), "\(board) \(flags)")
            }
        }
    }

    @Test("/include/ reads files relative to the including file, and the depth is capped")
    func includes() throws {
        let dir = try TemporaryDirectory("dts")
        defer { dir.remove() }
        try dir.write("board.dts", "/dts-v1/;\n/include/ \"parts/soc.dtsi\"\n&uart { status = \"okay\"; };\n")
        try dir.write("parts/soc.dtsi", "/ { uart: serial@1 { status = \"disabled\"; }; };\n/include/ \"more.dtsi\"\n")
        try dir.write("parts/more.dtsi", "/ { model = \"m\"; };\n")
        let tree = try DeviceTree(dtsFile: dir.path("board.dts"))
        #expect(tree.node(at: "/serial@1")?.property("status")?.stringValue == "okay")
        #expect(tree.root.property("model")?.stringValue == "m")
        try dir.write("loop.dts", "/include/ \"loop.dts\"\n")
        let error = try #require(throws: DTSError.self) { try DeviceTree(dtsFile: dir.path("loop.dts")) }
        #expect(error.message == "includes nested deeper than 8 levels at 'loop.dts'")
    }

    struct BadSource: CustomTestStringConvertible, Sendable {
        var source: String
        var message: String
        var testDescription: String { message }
    }

    static let badSources: [BadSource] = [
        BadSource(source: "/dts-v1/;\n/ {\n\tchosen { stdout-path = &uart9; };\n};\n",
                  message: "board.dts:3: unknown label 'uart9' in reference &uart9 (node /chosen)"),
        BadSource(source: "/dts-v1/;\n/ {\n\tx = <&nope>;\n};\n",
                  message: "board.dts:3: unknown label 'nope' in reference &nope (node /)"),
        BadSource(source: "/dts-v1/;\n/ { };\n&missing { a; };\n",
                  message: "board.dts:3: unknown label 'missing' in reference &missing"),
        BadSource(source: "/dts-v1/;\n/ {\n\tx = <&{/no/such}>;\n};\n",
                  message: "board.dts:3: unknown path '/no/such' in reference &{/no/such} (node /)"),
        BadSource(source: "/dts-v1/;\n/ {\n\ta = <1>;\n\ta = <2>;\n};\n",
                  message: "board.dts:4: duplicate property 'a' (node /)"),
        BadSource(source: "/dts-v1/;\n/ {\n\tn { };\n\tn { };\n};\n",
                  message: "board.dts:4: duplicate node 'n' (node /)"),
        BadSource(source: "/dts-v1/;\n/ {\n\tl: a { };\n\tl: b { };\n};\n",
                  message: "board.dts:4: duplicate label 'l' on /a and /b (node /b)"),
        BadSource(source: "/dts-v1/;\n/ {\n\tx = \"open;\n};\n",
                  message: "board.dts:3: unterminated string"),
        BadSource(source: "/dts-v1/;\n/ {\n\tx = <1 2;\n};\n",
                  message: "board.dts:3: expected a number, '&reference' or '>' in cell list, found ';' (node /)"),
        BadSource(source: "/dts-v1/;\n/ {\n\tx = [0 1];\n};\n",
                  message: "board.dts:3: expected pairs of hex digits or ']' in byte string, found '0' (node /)"),
        BadSource(source: "/dts-v1/;\n/ {\n\tx = /bits/ 8 <256>;\n};\n",
                  message: "board.dts:3: value 0x100 does not fit in 8 bits (node /)"),
        BadSource(source: "/dts-v1/;\n/ {\n\tx = /bits/ 12 <1>;\n};\n",
                  message: "board.dts:3: /bits/ must be 8, 16, 32 or 64, not 12 (node /)"),
        BadSource(source: "/dts-v1/;\n/ {\n\tx = <(1 / 0)>;\n};\n",
                  message: "board.dts:3: division by zero in expression"),
        BadSource(source: "/dts-v1/;\n/ {\n\ta { b = <1>;\n};\n",
                  message: "board.dts:5: unexpected end of file: missing '};' (node /)"),
        BadSource(source: "/dts-v1/;\n/* never closed\n/ { };\n",
                  message: "board.dts:2: unterminated comment"),
        BadSource(source: "/dts-v1/;\n/ {\n\tx = /bits/ 16 <&a>;\n};\n",
                  message: "board.dts:3: references are only allowed in 32-bit cells (node /)"),
        BadSource(source: "/dts-v1/;\n/ {\n\ta { phandle = <1>; };\n\tb { phandle = <1>; };\n};\n",
                  message: "board.dts:4: phandle 0x1 is already used by /a (node /b)"),
        BadSource(source: "/dts-v1/;\n/frobnicate/;\n",
                  message: "board.dts:2: unknown directive '/frobnicate/;'"),
        BadSource(source: "/dts-v1/;\n/ {\n\t9lbl: a { };\n};\n",
                  message: "board.dts:3: '9lbl' is not a valid label (letters, digits and '_', not starting with a digit)"),
        BadSource(source: "/dts-v1/;\n/ {\n\tx = 0x12;\n};\n",
                  message: "board.dts:3: expected a string, '<', '[' or '&' in the value, found '0x12;' (node /)"),
        BadSource(source: "/dts-v1/;\n/plugin/;\n/ { x = &lost; };\n",
                  message: "board.dts:3: unknown label 'lost' in reference &lost (node /)"),
    ]

    @Test("malformed sources fail with exact messages", arguments: badSources)
    func malformed(_ bad: BadSource) throws {
        let error = try #require(throws: DTSError.self) { try DeviceTree(dts: bad.source, file: "board.dts") }
        #expect(error.description == bad.message)
    }
}

@Suite struct PropertyValueTests {
    @Test("a property value in DTS syntax becomes its bytes")
    func dtsValues() throws {
        #expect(try Property(name: "bootargs", dtsValue: "\"console=ttyS0\"") == .string("bootargs", "console=ttyS0"))
        #expect(try Property(name: "reg", dtsValue: "<0x0 0x40000000>") == .u32("reg", [0, 0x4000_0000]))
        #expect(try Property(name: "c", dtsValue: "\"a\", \"b\"") == .strings("c", ["a", "b"]))
        #expect(try Property(name: "flag", dtsValue: nil) == .empty("flag"))
        let error = try #require(throws: DTSError.self) { try Property(name: "x", dtsValue: "<&uart0>", source: "--set") }
        #expect(error.description == "--set:1: unknown label 'uart0' in reference &uart0 (node /)")
    }
}
