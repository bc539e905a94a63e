import Boards
import Foundation
import Support
import Testing
import TestSupport
@testable import ImageAssembly

@Suite struct BlobCacheTests {
    @Test("a blob is verified, cached under its hash, and re-verified on every use")
    func cachesAndVerifies() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("src/u-boot.bin", "UBOOT")
        let blob = Blob(sha256: SHA256Hex.of("UBOOT"), path: dir.path("src/u-boot.bin").path, package: "u-boot-qemu")
        let cache = BlobCache(directory: dir.path("cache"))
        let first = try cache.fetch("u-boot.bin", blob)
        #expect(first.lastPathComponent == blob.sha256)
        #expect(try Data(contentsOf: first) == Data("UBOOT".utf8))
        // A damaged cache entry is replaced from the source, never used.
        try Data("EVIL".utf8).write(to: first)
        let again = try cache.fetch("u-boot.bin", blob)
        #expect(try Data(contentsOf: again) == Data("UBOOT".utf8))
    }

    @Test("a missing blob names the package, a changed one names both hashes")
    func errors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let cache = BlobCache(directory: dir.path("cache"))
        let missing = Blob(sha256: SHA256Hex.of("x"), path: dir.path("nope.bin").path, package: "u-boot-qemu")
        let e1 = #expect(throws: BlobError.self) { try cache.fetch("u-boot.bin", missing) }
        #expect(e1?.description == "boot file 'u-boot.bin' is missing: \(dir.path("nope.bin").path) does not exist")
        #expect(e1?.hint == "install it with: apt-get install u-boot-qemu")

        try dir.write("other.bin", "OTHER")
        let changed = Blob(sha256: SHA256Hex.of("UBOOT"), path: dir.path("other.bin").path, package: nil)
        let e2 = #expect(throws: BlobError.self) { try cache.fetch("u-boot.bin", changed) }
        #expect(e2?.description == "boot file 'u-boot.bin' (\(dir.path("other.bin").path)) has SHA-256 \(SHA256Hex.of("OTHER")), expected \(SHA256Hex.of("UBOOT"))")
        #expect(!FileManager.default.fileExists(atPath: dir.path("cache/\(SHA256Hex.of("UBOOT"))").path))
    }
}

@Suite(.enabled(if: ProcessRunner.which("mkimage") != nil, "needs mkimage (u-boot-tools)"))
struct BootScriptTests {
    @Test("a uImage is started with bootm and the DTB U-Boot holds")
    func uimageScript() {
        let script = BootScript.sel4(imageFile: "sel4.uimg", format: "uimage", loadAddress: 0x4800_0000, partition: "virtio 0:1")
        #expect(script.source == """
            echo sel4img: loading sel4.uimg from virtio 0:1 to 0x48000000
            load virtio 0:1 0x48000000 sel4.uimg
            bootm 0x48000000 - ${fdtcontroladdr}
            echo sel4img: starting seL4 failed

            """)
        // A flat binary: `go` alone (Debian's rpi_arm64 U-Boot has no `dcache`), from the board's partition.
        let binary = BootScript.sel4(imageFile: "sel4.bin", format: "binary", loadAddress: 0x9000_0000, partition: "mmc 1:1")
        #expect(binary.commands == ["echo sel4img: loading sel4.bin from mmc 1:1 to 0x90000000", "load mmc 1:1 0x90000000 sel4.bin",
                                    "go 0x90000000", "echo sel4img: starting seL4 failed"])
        #expect(binary.commandNames == ["echo", "load", "go", "echo"])
    }

    @Test("mkimage output is a script image dumpimage reads, the same bytes on every run")
    func compiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let script = BootScript.sel4(imageFile: "sel4.uimg", format: "uimage", loadAddress: 0x4800_0000, partition: "virtio 0:1")
        try script.compile(to: dir.path("a/boot.scr"), sourceDateEpoch: 1_700_000_000)
        try script.compile(to: dir.path("b/boot.scr"), sourceDateEpoch: 1_700_000_000)
        #expect(try Data(contentsOf: dir.path("a/boot.scr")) == Data(contentsOf: dir.path("b/boot.scr")))
        let listing = try sh("dumpimage -l \(dir.path("a/boot.scr").path)")
        #expect(listing.contains("Image Type:   AArch64 Linux Script (uncompressed)"))
        #expect(listing.contains("Created:      Tue Nov 14 22:13:20 2023"))
    }
}
