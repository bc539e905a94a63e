import Boards
import Foundation
import Support
import Testing
import TestSupport
@testable import ImageBuild

/// qemu-arm-virt's device tree is dumped from QEMU at configure time, so the
/// QEMU version is a build input there and provenance records it.
@Suite struct ProvenanceQEMUTests {
    @Test("tool versions include QEMU's first --version line only when the build runs QEMU, and the SBOM lists it as a build tool")
    func qemuVersionRecorded() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("qemu-system-aarch64", "#!/bin/sh\necho 'QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)'\necho 'Copyright (c) 2003-2025'\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path("qemu-system-aarch64").path)
        let with = Provenance.toolVersions(crossCompilerPrefix: "aarch64-linux-gnu-", qemu: dir.path("qemu-system-aarch64").path)
        #expect(with["qemu"] == "QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)")
        let without = Provenance.toolVersions(crossCompilerPrefix: "aarch64-linux-gnu-")
        #expect(without["qemu"] == nil)
        #expect(Set(with.keys).subtracting(without.keys) == ["qemu"])

        let boards = try BoardCatalog.load(dataDirectory: repositoryRoot)
        #expect(try boards.board(named: "qemu-virt").deviceTreeQEMU == "qemu-system-aarch64")
        #expect(try boards.board(named: "rpi4").deviceTreeQEMU == nil)
        #expect(try boards.board(named: "tx1").deviceTreeQEMU == nil)

        let (provenance, staging) = try syntheticBuild(dir)
        var p = provenance
        p.tools["qemu"] = with["qemu"]
        let sbom = String(decoding: try SBOM.document(for: p, directory: staging), as: UTF8.self)
        #expect(sbom.contains("\"versionInfo\" : \"QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)\""))
        #expect(sbom.contains("SPDXRef-Tool-qemu"))
    }
}
