import Foundation
import Support
import Testing
import TestSupport
import ImageBuild

/// `sel4img sbom DIR`, run as the built binary.
@Suite struct SBOMCommandTests {
    /// An artifacts directory as a build leaves it: outputs and provenance.json.
    func artifacts(_ dir: TemporaryDirectory) throws -> URL {
        try dir.write("a/sel4test-image", "IMAGE")
        try dir.write("a/provenance.json", """
            {"app": "sel4test", "board": "qemu-virt", "cmakeSettings": {"PLATFORM": "qemu-arm-virt"}, "format": 1,
             "lockSHA256": "\(String(repeating: "2", count: 64))",
             "manifest": {"file": "default.xml", "sha256": "\(String(repeating: "1", count: 64))"},
             "outputs": [{"file": "sel4test-image", "role": "image", "sha256": "\(SHA256Hex.of("IMAGE"))", "size": 5}],
             "patchSets": [], "projects": [{"commit": "\(String(repeating: "c", count: 40))", "path": "kernel", "url": "https://github.com/seL4/seL4.git"}],
             "sourceDateEpoch": 0, "tools": {"cmake": "cmake version 3.25.1"}}
            """)
        return dir.path("a")
    }

    @Test("sbom DIR prints the directory's SBOM, which pyspdxtools accepts")
    func printsValidDocument() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let a = try artifacts(dir)
        let r = try runSel4img(["sbom", a.path])
        #expect(r.status == 0)
        #expect(r.stderr == "")
        let expected = try SBOM.document(for: try Provenance.read(a.appendingPathComponent("provenance.json")), directory: a)
        #expect(r.stdout == String(decoding: expected, as: UTF8.self))
        #expect(r.stdout.contains("\"created\" : \"1970-01-01T00:00:00Z\""))
        try dir.write("out.spdx.json", r.stdout)
        let output = try sh("pyspdxtools -i out.spdx.json 2>&1", in: dir.url)
        #expect(!output.contains("rror"), "\(output)")
    }

    @Test("a missing directory, a missing or malformed provenance.json are refused naming the path")
    func badInput() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var r = try runSel4img(["sbom", dir.path("nope").path])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(dir.path("nope").path) is not a directory\nhint: name an artifacts directory written by 'sel4img build'\n")

        try dir.write("empty/x", "")
        r = try runSel4img(["sbom", dir.path("empty").path])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(dir.path("empty").path)/provenance.json does not exist or cannot be read\nhint: name an artifacts directory written by 'sel4img build'\n")

        let a = try artifacts(dir)
        try dir.write("a/provenance.json", "{\"board\": ")
        r = try runSel4img(["sbom", a.path])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(a.path)/provenance.json is not valid JSON\nhint: rebuild to write it again\n")

        try dir.write("a/provenance.json", "{\"board\": \"qemu-virt\", \"format\": 1}")
        r = try runSel4img(["sbom", a.path])
        #expect(r.status == 1)
        #expect(r.stderr == "error: \(a.path)/provenance.json: missing key 'app'\n")
    }
}
