import DTS
import Foundation
import Testing
import TestSupport

/// Hostile DTBs and DTS sources: the inputs that crashed or hung sel4img
/// (issue 17, items 5 and 6) with their exact messages, and fuzz loops that
/// take each through the paths of `dt show`, `dt compile` and `dt apply`.
@Suite struct HostileInputTests {
    /// A board with an empty property (`ranges;`), the case libfdt's
    /// `fdt_check_full` passes with a length of 0xffffffff.
    static let board = """
        /dts-v1/;
        / {
        	compatible = "acme,board";
        	#address-cells = <1>;
        	#size-cells = <1>;
        	soc { ranges; };
        };
        """

    static func setWord(_ bytes: inout [UInt8], at offset: Int, _ value: UInt32) {
        bytes.replaceSubrange(offset..<offset + 4, with: [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)])
    }

    /// What `dt show` does with a file's bytes (read or compile, then print), then `dt compile`'s write.
    /// Errors must be `DTSError`s naming `file`.
    static func showAndCompile(_ bytes: [UInt8], file: String) -> Bool {
        do {
            let tree = try DeviceTree(dtbOrDTS: bytes, file: file)
            _ = tree.dtsText
            _ = try tree.dtb(file: "out.dtb")
            return true
        } catch let error as DTSError {
            #expect(error.file == file || error.file == "out.dtb", "\(error)")
            return false
        } catch {
            Issue.record("not a DTSError: \(error)")
            return false
        }
    }

    /// What `dt apply` does: errors must be `DTSError`s naming the base or the overlay.
    static func apply(_ overlay: [UInt8], to base: [UInt8]) {
        do {
            _ = try DeviceTree.applyOverlays([("o.dtbo", overlay)], to: base, baseName: "b.dtb")
        } catch let error as DTSError {
            #expect(error.file == "b.dtb" || error.file == "o.dtbo", "\(error)")
        } catch {
            Issue.record("not a DTSError: \(error)")
        }
    }

    @Test("a DTB whose empty property has length 0xffffffff is refused naming the byte offset and node (was a crash)")
    func propertyLengthAllOnes() throws {
        var bytes = try DeviceTree(dts: Self.board).dtb()
        // The structure block runs from byte 56 to 152: the root (8 bytes), 3 properties (64 bytes), "soc" (8), then "ranges" at 128.
        #expect(bytes[128..<140] == [0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0][...])
        Self.setWord(&bytes, at: 132, 0xffff_ffff)
        let error = try #require(throws: DTSError.self) { try DeviceTree(dtb: bytes, file: "bad.dtb") }
        #expect(error.description == "bad.dtb: read device tree: the property at byte offset 128 has length 4294967295 (0xffffffff), running past the end of the structure block at byte offset 152 (node /soc)")
    }

    @Test("a property length that points back at its own token is refused, not looped on (fdt_check_full hangs)")
    func propertyLengthBackwards() throws {
        var bytes = try DeviceTree(dts: Self.board).dtb()
        Self.setWord(&bytes, at: 132, 0xffff_fff4)
        let error = try #require(throws: DTSError.self) { try DeviceTree(dtb: bytes, file: "bad.dtb") }
        #expect(error.description == "bad.dtb: read device tree: the property at byte offset 128 has length 4294967284 (0xfffffff4), running past the end of the structure block at byte offset 152 (node /soc)")
    }

    @Test("header fields, name offsets and tokens out of range are refused with the byte offset")
    func headerAndTokens() throws {
        let good = try DeviceTree(dts: Self.board).dtb()
        var bytes = good
        Self.setWord(&bytes, at: 36, 0xffff_fff0)
        #expect(throws: DTSError(.malformed, "read device tree: the structure block at byte offset 56 (header byte offset 8), size 4294967280 (header byte offset 36) does not fit between the header (40 bytes) and totalsize \(good.count)", file: "h.dtb")) {
            try DeviceTree(dtb: bytes, file: "h.dtb")
        }
        bytes = good
        Self.setWord(&bytes, at: 136, 0x7fff_ffff)
        #expect(throws: DTSError(.malformed, "read device tree: the property at byte offset 128 has name offset 2147483647 (0x7fffffff), not a NUL-terminated string inside the strings block (45 bytes at byte offset 152)", file: "h.dtb", node: "/soc")) {
            try DeviceTree(dtb: bytes, file: "h.dtb")
        }
        bytes = good
        Self.setWord(&bytes, at: 128, 7)
        #expect(throws: DTSError(.malformed, "read device tree: unknown token 0x7 at byte offset 128", file: "h.dtb", node: "/soc")) {
            try DeviceTree(dtb: bytes, file: "h.dtb")
        }
    }

    @Test("property names longer than 256 bytes are refused in DTS and DTB (one long string cannot be copied per property)")
    func longPropertyNames() throws {
        let long = String(repeating: "p", count: 257)
        #expect(throws: DTSError(.syntax, "a property name of 257 bytes is longer than 256", file: "n.dts", line: 1, node: "/")) {
            try DeviceTree(dts: "/dts-v1/; / { \(long); };", file: "n.dts")
        }
        #expect(throws: DTSError(.syntax, "a label of 257 bytes is longer than 256", file: "n.dts", line: 1)) {
            try DeviceTree(dts: "/dts-v1/; / { \(long): n { }; };", file: "n.dts")
        }
        var tree = DeviceTree()
        tree.root.properties = [.empty(long)]
        #expect(throws: DTSError(.malformed, "read device tree: the property at byte offset 64 has a name longer than 256 bytes (name offset 0)", file: "n.dtb", node: "/")) {
            try DeviceTree(dtb: try tree.dtb(), file: "n.dtb")
        }
        tree.root.properties = [.empty(String(repeating: "p", count: 256))]
        #expect(try DeviceTree(dtb: try tree.dtb()) == tree)
    }

    /// A DTB nested `levels` deep, written token by token.
    static func nestedDTB(levels: Int) -> [UInt8] {
        var structure: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 0]
        for _ in 0..<levels { structure += [0, 0, 0, 1, 0x61, 0, 0, 0] }
        for _ in 0...levels { structure += [0, 0, 0, 2] }
        structure += [0, 0, 0, 9]
        var header = [UInt8](repeating: 0, count: 40)
        let reservations = [UInt8](repeating: 0, count: 16)
        let total = 40 + 16 + structure.count
        for (offset, value) in [(0, 0xd00d_feed), (4, total), (8, 56), (12, total), (16, 40), (20, 17), (24, 16), (32, 0), (36, structure.count)] {
            setWord(&header, at: offset, UInt32(value))
        }
        return header + reservations + structure
    }

    @Test("a DTB nested 256 levels reads; 257 and 20,000 levels are refused with the limit, not a stack overflow")
    func nestedDTBs() throws {
        let tree = try DeviceTree(dtb: Self.nestedDTB(levels: 256), file: "deep.dtb")
        #expect(tree.dtsText.contains(String(repeating: "\t", count: 256) + "a {\n"))
        for levels in [257, 20_000] {
            let error = try #require(throws: DTSError.self) { try DeviceTree(dtb: Self.nestedDTB(levels: levels), file: "deep.dtb") }
            #expect(error.message == "read device tree: nodes nested deeper than 256 levels at byte offset \(56 + 8 + 256 * 8)")
            #expect(error.node == "/" + Array(repeating: "a", count: 256).joined(separator: "/"))
        }
    }

    /// `levels` nested nodes `a0 { a1 { … } }` below the root, one per line.
    static func nestedDTS(levels: Int) -> String {
        "/dts-v1/;\n/ {\n" + (0..<levels).map { "a\($0) {\n" }.joined() + String(repeating: "};\n", count: levels) + "};\n"
    }

    @Test("DTS nested 5,000 and 20,000 levels fails with the limit at the line, 256 levels compiles and round-trips")
    func nestedDTS() throws {
        for levels in [5_000, 20_000] {
            #expect(throws: DTSError(.syntax, "node 'a256' is nested deeper than 256 levels (real device trees nest fewer than 20)", file: "deep.dts", line: 259)) {
                try DeviceTree(dts: Self.nestedDTS(levels: levels), file: "deep.dts")
            }
        }
        let tree = try DeviceTree(dts: Self.nestedDTS(levels: 256), file: "deep.dts")
        #expect(try DeviceTree(dtb: tree.dtb()) == DeviceTree(root: tree.root))
        #expect(try DeviceTree(dts: tree.dtsText) == tree)
    }

    @Test("merging into a deep node through a label counts the node's real depth")
    func nestedThroughLabel() throws {
        let deep = "/dts-v1/;\n/ {\n" + (0..<254).map { "a\($0) {\n" }.joined() + "last: a254 { };\n" + String(repeating: "};\n", count: 254) + "};\n"
        #expect(throws: DTSError(.syntax, "node 'x' is nested deeper than 256 levels (real device trees nest fewer than 20)", file: "m.dts", line: 513)) {
            try DeviceTree(dts: deep + "&last { y { x { }; }; };\n", file: "m.dts")
        }
    }

    @Test("expressions nested deeper than 64 levels are refused, not recursed into")
    func nestedExpressions() throws {
        for text in [String(repeating: "(", count: 100_000), "(" + String(repeating: "-", count: 100_000) + "1)", "(" + String(repeating: "1 ? ", count: 100_000)] {
            #expect(throws: DTSError(.syntax, "expression nested deeper than 64 levels", file: "e.dts", line: 1)) {
                try DeviceTree(dts: "/dts-v1/; / { x = <\(text)>; };", file: "e.dts")
            }
        }
        let fine = String(repeating: "(", count: 60) + "7" + String(repeating: ")", count: 60)
        #expect(try DeviceTree(dts: "/dts-v1/; / { x = <\(fine)>; };").root.property("x")?.u32Values == [7])
    }

    @Test("thousands of siblings, properties and labels (looked up by name, not searched) compile as dtc compiles them", .enabled(if: hasDTC))
    func wideTrees() throws {
        let dir = try TemporaryDirectory("dts")
        defer { dir.remove() }
        let source = "/dts-v1/;\n/ {\n" + (0..<2000).map { "q\($0) = <\($0)>;\n" }.joined()
            + (0..<2000).map { "l\($0): n\($0) { p\($0); x = <&l\(1999 - $0)>; };\n" }.joined() + "extra { old; };\n};\n"
            + "/ { /delete-property/ q7; q8 = \"replaced\"; /delete-node/ extra; extra { again; }; };\n&l9 { p9 = <9>; };\n"
        let tree = try DeviceTree(dts: source, options: DTSCompileOptions(symbols: true))
        #expect(tree.node(at: "/extra")?.properties.map(\.name) == ["again"])
        #expect(tree.root.property("q8")?.stringValue == "replaced")
        #expect(try dtcText(try tree.dtb(), in: dir) == dtcText(try dtcCompile(source, in: dir, flags: "-@"), in: dir))
    }

    @Test("a __local_fixups__ offset of 0xffffffff is refused before libfdt writes through it (fdtoverlay segfaults)")
    func localFixupOffset() throws {
        let base = try DeviceTree(dts: Samples.board, options: DTSCompileOptions(symbols: true)).dtb()
        var overlay = try DeviceTree(dts: Samples.overlay).dtb()
        let good = try DeviceTree(dtb: overlay)
        #expect(good.node(at: "/__local_fixups__/fragment@0/__overlay__")?.property("clocks")?.u32Values == [8])
        // The value of that property: its offset in the blob, found by its bytes after the "clocks" fixup's header.
        let tree = try DeviceTree(dtb: overlay)
        var patched = tree
        try patched.setProperty(.u32("clocks", [0xffff_ffff]), at: "/__local_fixups__/fragment@0/__overlay__")
        overlay = try patched.dtb()
        #expect(throws: DTSError(.malformed, "apply overlay: __local_fixups__ entry for 'clocks' patches 4 bytes at offset 4294967295 of 'clocks', which has 16 bytes", file: "o.dtbo", node: "/fragment@0/__overlay__")) {
            try DeviceTree.applyOverlays([("o.dtbo", overlay)], to: base, baseName: "b.dtb")
        }
        try patched.setProperty(.strings("clk", ["/fragment@0/__overlay__:clocks:4294967295"]), at: "/__fixups__")
        #expect(throws: DTSError(.malformed, "apply overlay: __fixups__ entry '/fragment@0/__overlay__:clocks:4294967295' patches 4 bytes at offset 4294967295 of 'clocks', which has 16 bytes", file: "o.dtbo", node: "/fragment@0/__overlay__")) {
            try DeviceTree.applyOverlays([("o.dtbo", try patched.dtb())], to: base, baseName: "b.dtb")
        }
        try patched.setProperty(.strings("clk", ["/fragment@0/__overlay__:clocks:-1"]), at: "/__fixups__")
        #expect(throws: DTSError(.malformed, "apply overlay: __fixups__ entry '/fragment@0/__overlay__:clocks:-1' for label 'clk' is not PATH:PROPERTY:OFFSET", file: "o.dtbo", node: "/__fixups__")) {
            try DeviceTree.applyOverlays([("o.dtbo", try patched.dtb())], to: base, baseName: "b.dtb")
        }
    }

    @Test("every 32-bit field of a board DTB and an overlay set to hostile values: dt show, compile and apply give errors naming the file, never a crash")
    func dtbFieldFuzz() throws {
        let base = try DeviceTree(dts: Samples.board + "\n/ { soc { empty; }; };", options: DTSCompileOptions(symbols: true)).dtb()
        let overlay = try DeviceTree(dts: Samples.overlay).dtb()
        let guest = try DeviceTree(dts: Self.sources()[2].text).dtb()
        // SEL4IMG_DTB_FUZZ_RANDOM adds random values per field (for long runs; CI uses none beyond the one small one).
        let extra = ProcessInfo.processInfo.environment["SEL4IMG_DTB_FUZZ_RANDOM"].flatMap { Int($0) } ?? 0
        var random = SplitMix64(state: 17)
        var cases = 0, accepted = 0
        for (subject, isOverlay) in [(base, false), (overlay, true), (guest, false)] {
            let size = UInt32(subject.count)
            for offset in stride(from: 0, to: subject.count - 3, by: 4) {
                let randomValues = (0..<extra).map { n -> UInt32 in
                    n % 2 == 0 ? UInt32.random(in: 0...size + 64, using: &random) : UInt32.random(in: 0...UInt32.max, using: &random)
                }
                for value in [0, 0xffff_ffff, 0x8000_0000, size - 1, size, size + 1, UInt32.random(in: 1...64, using: &random)] + randomValues {
                    var bytes = subject
                    Self.setWord(&bytes, at: offset, value)
                    cases += 1
                    if Self.showAndCompile(bytes, file: isOverlay ? "o.dtbo" : "b.dtb") { accepted += 1 }
                    if isOverlay { Self.apply(bytes, to: base) } else { Self.apply(overlay, to: bytes) }
                }
            }
        }
        print("DTB field fuzz: \(cases) cases (\(base.count)-byte board, \(overlay.count)-byte overlay, \(guest.count)-byte guest), \(accepted) read, \(cases - accepted) refused, 0 crashes")
        #expect(cases == (7 + extra) * (base.count / 4 + overlay.count / 4 + guest.count / 4))
        #expect(accepted > 0 && accepted < cases)
    }

    /// Real DTS sources: the samples and the wasm-vm guest's machine.
    static func sources() throws -> [(name: String, text: String)] {
        let guest = try String(contentsOf: repositoryRoot.appendingPathComponent("runner/guest/qemu-arm-virt.dts"), encoding: .utf8)
        return [("board.dts", Samples.board), ("overlay.dts", Samples.overlay), ("guest.dts", guest)]
    }

    /// One mutation of `text`, chosen by `random`.
    static func mutate(_ text: String, _ random: inout SplitMix64) -> [UInt8] {
        var bytes = Array(text.utf8)
        let at = Int.random(in: 0...bytes.count, using: &random)
        func insert(_ s: String) { bytes.insert(contentsOf: Array(s.utf8), at: at) }
        switch Int.random(in: 0..<12, using: &random) {
        case 0, 1:
            for _ in 0..<Int.random(in: 1...8, using: &random) where !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
            }
        case 2: bytes.removeSubrange(at...)
        case 3: insert(String(repeating: "n {", count: Int.random(in: 200...400, using: &random)))
        case 4: insert(String(repeating: "n { ", count: 300) + String(repeating: "}; ", count: 300))
        case 5: insert(" \(String(repeating: "L", count: Int.random(in: 1000...100_000, using: &random))): n { }; ")
        case 6: insert(" s = \"\(String(repeating: "x", count: Int.random(in: 1000...100_000, using: &random)))\"; ")
        case 7: insert(["{", "}", "};", "{{", "}}}", "<", ">", "[", "]", "\"", "/*", "&", "&{/", "/delete-node/", "/include/ \"/dev/zero\""].randomElement(using: &random)!)
        case 8: insert(" x = <\(["99999999999999999999999", "0x1ffffffffffffffff", "(1/0)", "(~0 * ~0)", "0777777777777777777777777", "'\\x'", "((((((((((((((((1", "(1 ? 2)"].randomElement(using: &random)!)>; ")
        case 9: insert(" x = /bits/ \([8, 16, 64, 7, 128].randomElement(using: &random)!) <0xffffffffffffffff 1>; ")
        case 10:
            let start = Int.random(in: 0...bytes.count, using: &random)
            let end = min(bytes.count, start + Int.random(in: 1...200, using: &random))
            bytes.insert(contentsOf: bytes[start..<end], at: at)
        default:
            bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
        }
        return bytes
    }

    /// DTS mutations through parse → compile → print → re-read, plugins applied to the board.
    /// SEL4IMG_DTS_FUZZ_CASES sets the count (300 by default; the issue's run used 10,000+).
    @Test("mutated DTS sources (flips, truncation, deep nesting, long labels and strings, braces, huge numbers) give errors naming the file, never a crash")
    func dtsFuzz() throws {
        let count = ProcessInfo.processInfo.environment["SEL4IMG_DTS_FUZZ_CASES"].flatMap { Int($0) } ?? 300
        let sources = try Self.sources()
        let base = try DeviceTree(dts: Samples.board, options: DTSCompileOptions(symbols: true)).dtb()
        var random = SplitMix64(state: UInt64(ProcessInfo.processInfo.environment["SEL4IMG_DTS_FUZZ_SEED"].flatMap { UInt64($0) } ?? 6))
        var compiled = 0, refused = 0
        for _ in 0..<count {
            let source = sources.randomElement(using: &random)!
            let bytes = Self.mutate(source.text, &random)
            // `dt overlay --set TARGET:NAME=VALUE` parses VALUE as DTS: a slice of the mutation as the value.
            let start = Int.random(in: 0...bytes.count, using: &random)
            let value = String(decoding: bytes[start..<min(bytes.count, start + Int.random(in: 0...200, using: &random))], as: UTF8.self)
            do { _ = try Property(name: "p", dtsValue: value, source: "--set") } catch let error as DTSError {
                #expect(error.file == "--set", "\(error)")
            }
            do {
                let tree = try DeviceTree(dtbOrDTS: bytes, file: source.name, options: DTSCompileOptions(symbols: Bool.random(using: &random)))
                let dtb = try tree.dtb()
                let reread = try DeviceTree(dtb: dtb, file: "out.dtb")
                _ = try DeviceTree(dts: reread.dtsText, file: "printed.dts")
                if tree.root.child("__fixups__") != nil || tree.root.children.contains(where: { $0.child("__overlay__") != nil }) {
                    Self.apply(dtb, to: base)
                }
                compiled += 1
            } catch let error as DTSError {
                #expect(error.file == source.name, "\(error)")
                refused += 1
            }
        }
        print("DTS fuzz: \(count) cases, \(compiled) compiled, \(refused) refused, 0 crashes")
        #expect(compiled + refused == count)
        #expect(compiled > 0 && refused > 0)
    }
}
