import Foundation
import Support
import Testing
import TestSupport
@testable import CPIO

@Suite(.enabled(if: ProcessRunner.which("dpkg-deb") != nil, "needs dpkg-deb"))
struct ArchiveMemberTests {
    /// A package tree with one file and a DEBIAN/control.
    func packageTree(_ dir: TemporaryDirectory) throws {
        try dir.write("tree/usr/lib/u-boot/rpi_arm64/u-boot.bin", "U-BOOT")
        try dir.write("tree/DEBIAN/control", "Package: t\nVersion: 1\nArchitecture: all\nMaintainer: T <t@example.com>\nDescription: t\n")
    }

    @Test("a member is streamed out of a .deb whatever its data.tar compression", arguments: ["xz", "zstd", "gzip", "none"])
    func debCompressions(_ compression: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try packageTree(dir)
        try sh("dpkg-deb --root-owner-group -Z\(compression) --build tree t.deb >/dev/null", in: dir.url)
        let size = try ArchiveMember.extract("usr/lib/u-boot/rpi_arm64/u-boot.bin", from: dir.path("t.deb"), to: dir.path("out.bin"))
        #expect(size == 6)
        #expect(try dir.read("out.bin") == "U-BOOT")
    }

    @Test("an ar archive that is not a package, and a file that is no archive, are refused by name")
    func notPackages() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("a.txt", "A")
        try sh("ar rc lib.a a.txt", in: dir.url)
        let e1 = #expect(throws: CPIOError.self) {
            try ArchiveMember.extract("a.txt", from: dir.path("lib.a"), shownAs: "https://example.org/lib.a", to: dir.path("out"))
        }
        #expect(e1?.description == "https://example.org/lib.a is an ar archive without a data.tar member, so not a Debian package")
        let e2 = #expect(throws: CPIOError.self) {
            try ArchiveMember.extract("a.txt", from: dir.path("a.txt"), shownAs: "https://example.org/a.txt", to: dir.path("out"))
        }
        #expect(e2?.kind == .malformed)
        #expect(e2?.description.hasPrefix("https://example.org/a.txt is not a readable .deb or tar archive: ") == true)
    }

    @Test("a package cut short is reported as damaged, not as a missing member")
    func truncated() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try packageTree(dir)
        try dir.write("tree/usr/lib/big.bin", String(repeating: "0123456789abcdef", count: 65536))
        try sh("dpkg-deb --root-owner-group -Znone --build tree t.deb >/dev/null && head -c 600000 t.deb > cut.deb", in: dir.url)
        let error = #expect(throws: CPIOError.self) {
            try ArchiveMember.extract("usr/lib/u-boot/rpi_arm64/u-boot.bin", from: dir.path("cut.deb"), shownAs: "cut.deb", to: dir.path("out"))
        }
        #expect(error?.kind == .malformed)
    }
}
