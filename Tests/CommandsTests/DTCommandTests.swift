import DTS
import Foundation
import Testing
import TestSupport

/// `sel4img dt` on hostile and misnamed files: exit 1 with a message naming
/// the file and the problem, never a crash or Foundation's raw error text.
@Suite struct DTCommandTests {
    static let board = """
        /dts-v1/;
        / {
        	compatible = "acme,board";
        	#address-cells = <1>;
        	#size-cells = <1>;
        	soc { ranges; };
        };
        """

    @Test("dt show, compile and apply name a directory, a missing file and a directory as output")
    func fileErrors() throws {
        let dir = try TemporaryDirectory("dt")
        defer { dir.remove() }
        try dir.write("board.dts", Self.board)
        try FileManager.default.createDirectory(at: dir.path("sub"), withIntermediateDirectories: true)
        var r = try runSel4img(["dt", "show", "sub"], in: dir.url)
        #expect(r.status == 1)
        #expect(r.stderr == "error: sub: cannot read: it is a directory, not a DTB or DTS file\n")
        r = try runSel4img(["dt", "show", "missing.dtb"], in: dir.url)
        #expect(r.stderr == "error: missing.dtb: cannot read: no such file\n")
        r = try runSel4img(["dt", "compile", "board.dts", "-o", "sub"], in: dir.url)
        #expect(r.status == 1)
        #expect(r.stderr == "error: sub: cannot write: it is a directory; name the output file\n")
        r = try runSel4img(["dt", "compile", "board.dts", "-o", "board.dts/x.dtb"], in: dir.url)
        #expect(r.stderr == "error: board.dts/x.dtb: cannot write: \(dir.path("board.dts").path) is not a directory\n")
        r = try runSel4img(["dt", "apply", "sub", "o.dtbo", "-o", "out.dtb"], in: dir.url)
        #expect(r.stderr == "error: o.dtbo: cannot read: no such file\n")
        try dir.write("inc.dts", "/dts-v1/;\n/include/ \"sub\"\n")
        r = try runSel4img(["dt", "show", "inc.dts"], in: dir.url)
        #expect(r.stderr == "error: inc.dts:2: cannot include 'sub': \(dir.path("sub").path): it is a directory, not a DTB or DTS file\n")
    }

    @Test("dt show on a DTB with a property length of 0xffffffff and on DTS nested 20,000 levels exits 1 with the place (was a crash)")
    func crashInputs() throws {
        let dir = try TemporaryDirectory("dt")
        defer { dir.remove() }
        var bytes = try DeviceTree(dts: Self.board).dtb()
        bytes.replaceSubrange(132..<136, with: [0xff, 0xff, 0xff, 0xff])
        try Data(bytes).write(to: dir.path("bad.dtb"))
        var r = try runSel4img(["dt", "show", "bad.dtb"], in: dir.url)
        #expect(r.status == 1)
        #expect(r.stdout == "")
        #expect(r.stderr == """
            error: bad.dtb: read device tree: the property at byte offset 128 has length 4294967295 (0xffffffff), running past the end of the structure block at byte offset 152 (node /soc)
            hint: check that bad.dtb is a device tree blob, e.g. with 'dtc -I dtb -O dts bad.dtb'

            """)
        try dir.write("deep.dts", "/dts-v1/;\n/ {\n" + String(repeating: "a {\n", count: 20_000) + String(repeating: "};\n", count: 20_001))
        r = try runSel4img(["dt", "compile", "deep.dts", "-o", "deep.dtb"], in: dir.url)
        #expect(r.status == 1)
        #expect(r.stderr == "error: deep.dts:259: node 'a' is nested deeper than 256 levels (real device trees nest fewer than 20)\n")
        #expect(!FileManager.default.fileExists(atPath: dir.path("deep.dtb").path))
    }
}
