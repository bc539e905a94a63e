import Foundation
import Support
import Testing
import TestSupport
@testable import ImageBuild

@Suite struct VerifyTests {
    func artifacts(_ dir: TemporaryDirectory) throws -> URL {
        try dir.write("a/image", "IMAGE")
        try dir.write("a/kernel.elf", "KERNEL")
        try dir.write("a/SHA256SUMS", "\(SHA256Hex.of("IMAGE"))  image\n\(SHA256Hex.of("KERNEL"))  kernel.elf\n")
        return dir.path("a")
    }

    @Test("an untouched artifacts directory verifies, and sha256sum -c agrees")
    func verifies() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let a = try artifacts(dir)
        try dir.write("a/console.log", "boot log")
        let report = try ArtifactVerifier.verify(a)
        #expect(report.ok)
        #expect(report.verified == ["image", "kernel.elf"])
        #expect(report.unlisted.isEmpty)
        #expect(try sh("sha256sum -c SHA256SUMS", in: a) == "image: OK\nkernel.elf: OK\n")
    }

    @Test("a changed, a missing and an unlisted file are each reported")
    func reportsProblems() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let a = try artifacts(dir)
        try dir.write("a/image", "TAMPERED")
        try FileManager.default.removeItem(at: a.appendingPathComponent("kernel.elf"))
        try dir.write("a/extra.bin", "x")
        let report = try ArtifactVerifier.verify(a)
        #expect(!report.ok)
        #expect(report.mismatched == ["image": SHA256Hex.of("TAMPERED")])
        #expect(report.missing == ["kernel.elf"])
        #expect(report.unlisted == ["extra.bin"])
    }

    @Test("a malformed or hostile SHA256SUMS is refused with the line")
    func malformedSums() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("a/SHA256SUMS", "\(SHA256Hex.of("x"))  ../../etc/passwd\n")
        let e1 = #expect(throws: BuildError.self) { try ArtifactVerifier.verify(dir.path("a")) }
        #expect(e1?.description == "\(dir.path("a/SHA256SUMS").path):1: '../../etc/passwd' is not a file name in this directory")
        try dir.write("a/SHA256SUMS", "\(SHA256Hex.of("x"))  ok\nnot a sum line\n")
        let e2 = #expect(throws: BuildError.self) { try ArtifactVerifier.verify(dir.path("a")) }
        #expect(e2?.description == "\(dir.path("a/SHA256SUMS").path):2: expected '<sha256>  <file>', got 'not a sum line'")
    }

    @Test("provenance is the same bytes for the same inputs and holds no paths")
    func provenanceDeterministic() throws {
        let p = Provenance(board: "qemu-virt", app: "sel4test", sourceDateEpoch: 1_700_000_000,
                           manifest: .init(file: "sel4test.xml", sha256: String(repeating: "a", count: 64)),
                           lockSHA256: String(repeating: "b", count: 64),
                           projects: [.init(path: "kernel", url: "https://github.com/seL4/seL4.git", commit: String(repeating: "1", count: 40))],
                           patchSets: [], cmakeSettings: ["PLATFORM": "qemu-arm-virt", "AARCH64": "TRUE"],
                           tools: ["cmake": "cmake version 3.25.1"], outputs: [Artifact(role: "image", file: "img", size: 5, sha256: SHA256Hex.of("IMAGE"))])
        let a = try p.encoded()
        let b = try p.encoded()
        #expect(a == b)
        let text = String(decoding: a, as: UTF8.self)
        #expect(text.contains("\"AARCH64\" : \"TRUE\",\n    \"PLATFORM\""))
        #expect(!text.contains(FileManager.default.temporaryDirectory.path))
        #expect(try JSONDecoder().decode(Provenance.self, from: a) == p)
    }
}
