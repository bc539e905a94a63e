import Boards
import Foundation
import Support
import Testing
import TestSupport
@testable import ImageAssembly

@Suite(.enabled(if: ["mkimage", "sfdisk", "fsck.fat", "mcopy", "dumpimage", "dpkg-deb"].allSatisfy { ProcessRunner.which($0) != nil },
                "needs u-boot-tools, fdisk, dosfstools, mtools and dpkg"))
struct BootDiskTests {
    func board(platform: String = "tx1", format: Board.Bootloader.ImageFormat = .binary, blobs: [String: Blob] = [:]) -> Board {
        Board(name: platform, description: "test",
              sel4: .init(platform: platform, arch: "aarch64", cpu: "cortex-a57", simulation: false, cmake: [:]),
              crossCompilerPrefix: "aarch64-linux-gnu-",
              memory: .init(base: 0x8000_0000, size: 4 << 30, variants: nil, sizeSetting: nil),
              uart: .init(device: "ns16550", address: 0x7000_6000, baud: 115_200), consoleDevice: nil, qemu: nil,
              load: .init(imageAddress: 0x8200_0000, dtbAddress: nil),
              bootloader: .init(kind: .uBoot, imageFormat: format, uBootConfig: "p2371-2180", blobs: blobs))
    }

    @Test("a boot disk has one bootable FAT32 partition holding boot.scr and the seL4 image, as sfdisk, fsck.fat, mtools and dumpimage read it")
    func layout() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("sel4-image", String(repeating: "seL4", count: 100_000))
        let disk = BootDisk(board: board(), label: "tx1-sel4test", sourceDateEpoch: 1_700_000_000, blobs: BlobCache(directory: dir.path("cache")))
        let name = try disk.write(sel4Image: dir.path("sel4-image"), into: dir.path("out"), work: dir.path("work"))
        let image = dir.path("out/\(name)").path
        #expect(name == "tx1-sel4test.img")

        let dump = try sh("sfdisk --dump \(image)")
        #expect(dump.contains("\(image)1 : start=        2048, size=       67584, type=c, bootable"))
        // fsck.fat reads a partition, not a disk: cut it out at its offset.
        try sh("dd if=\(image) of=part.img bs=512 skip=2048 count=67584 status=none", in: dir.url)
        let fsck = try sh("fsck.fat -n part.img", in: dir.url)
        // Two files plus the volume label; fsck.fat reports problems before this line.
        #expect(fsck.hasSuffix("part.img: 3 files, 784/66512 clusters\n"))
        let listing = try sh("mdir -b -i \(image)@@1M ::")
        #expect(listing == "::/boot.scr\n::/sel4.bin\n")
        try sh("mcopy -n -i \(image)@@1M ::sel4.bin copied.bin && mcopy -n -i \(image)@@1M ::boot.scr boot.scr", in: dir.url)
        #expect(try SHA256Hex.ofFile(at: dir.path("copied.bin")) == SHA256Hex.ofFile(at: dir.path("sel4-image")))
        let script = try sh("dumpimage -l boot.scr", in: dir.url)
        #expect(script.contains("Image Type:   AArch64 Linux Script (uncompressed)"))
        try sh("dumpimage -T script -p 0 -o boot.cmd boot.scr >/dev/null", in: dir.url)
        // A script image's payload starts with its length table; the text follows.
        #expect(String(decoding: try Data(contentsOf: dir.path("boot.cmd")), as: UTF8.self).contains("load mmc 0:1 0x82000000 sel4.bin\ngo 0x82000000\n"))
        #expect(FileManager.default.fileExists(atPath: image + ".bmap.json"))
    }

    /// The first 64 bytes of a 64-bit little-endian ELF file entered at `entry`.
    func elfHeader(entry: UInt64) -> Data {
        var bytes = Data([0x7F, 0x45, 0x4C, 0x46, 2, 1, 1] + [UInt8](repeating: 0, count: 57))
        for i in 0..<8 { bytes[24 + i] = UInt8((entry >> (8 * UInt64(i))) & 0xFF) }
        return bytes
    }

    @Test("an image U-Boot would load over the place the elfloader runs at is refused with both ranges and the setting to change; clear of it, the disk is written")
    func loadOverlap() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("sel4-image", String(repeating: "seL4", count: 1 << 20))  // 4 MiB at 0x82000000
        try elfHeader(entry: 0x8230_0000).write(to: dir.path("elfloader"))
        #expect(try BootDisk.elfEntry(of: dir.path("elfloader")) == 0x8230_0000)
        #expect(try BootDisk.elfEntry(of: dir.path("sel4-image")) == nil)
        let disk = BootDisk(board: board(), label: "tx1-wasm-vm", sourceDateEpoch: 1_700_000_000, blobs: BlobCache(directory: dir.path("cache")))
        let error = #expect(throws: BootDiskError.self) {
            try disk.write(sel4Image: dir.path("sel4-image"), elfloader: dir.path("elfloader"), into: dir.path("out"), work: dir.path("work"))
        }
        #expect(error?.description == "cannot assemble a disk image for tx1: boot.scr would load sel4.bin (4194304 bytes) at 0x82000000-0x823fffff, which overlaps where the elfloader runs (0x82300000-0x826fffff), so it would not start; set load.imageAddress in boards/tx1.yaml to at most 0x81f00000 or at least 0x82700000")
        // Adjacent ranges are fine: 0x82000000 + 4 MiB ends just below 0x82400000.
        #expect(disk.loadOverlap(imageSize: 4 << 20, start: 0x8240_0000) == nil)
        #expect(disk.loadOverlap(imageSize: (4 << 20) + 1, start: 0x8240_0000) != nil)
        #expect(disk.loadOverlap(imageSize: 4 << 20, start: 0x81c0_0000 + 1) != nil)
        #expect(disk.loadOverlap(imageSize: 4 << 20, start: 0x81c0_0000) == nil)
        #expect(!FileManager.default.fileExists(atPath: dir.path("out/tx1-wasm-vm.img").path))
        try elfHeader(entry: 0x8300_0000).write(to: dir.path("elfloader"))
        #expect(try disk.write(sel4Image: dir.path("sel4-image"), elfloader: dir.path("elfloader"), into: dir.path("out"), work: dir.path("work")) == "tx1-wasm-vm.img")
        // A uImage's 64-byte header is not copied: only its payload must clear the start.
        let tx2 = BootDisk(board: board(platform: "tx2", format: .uimage), label: "tx2", sourceDateEpoch: 0, blobs: BlobCache(directory: dir.path("cache")))
        #expect(tx2.loadOverlap(imageSize: 0x1000, start: 0x8200_0000) == nil)  // bootm runs it in place
        #expect(tx2.loadOverlap(imageSize: 0x1000, start: 0x8200_0800)?.hasPrefix("boot.scr would load sel4.uimg (4096 bytes) at 0x82000000-0x82000fff") == true)
    }

    @Test("two builds in different directories give identical disk bytes")
    func reproducible() throws {
        let a = try TemporaryDirectory(), b = try TemporaryDirectory()
        defer { a.remove(); b.remove() }
        for dir in [a, b] {
            try dir.write("sel4-image", "IMAGE")
            let disk = BootDisk(board: board(), label: "tx1-sel4test", sourceDateEpoch: 1_700_000_000, blobs: BlobCache(directory: dir.path("cache")))
            try disk.write(sel4Image: dir.path("sel4-image"), into: dir.path("out"), work: dir.path("work"))
        }
        #expect(try SHA256Hex.ofFile(at: a.path("out/tx1-sel4test.img")) == SHA256Hex.ofFile(at: b.path("out/tx1-sel4test.img")))
    }

    @Test("an rpi4 disk needs the Raspberry Pi firmware declared, and says where it comes from")
    func raspberryPiNeedsFirmware() throws {
        let disk = BootDisk(board: board(platform: "rpi4"), label: "rpi4-sel4test", sourceDateEpoch: 0)
        #expect(disk.unavailableReason?.hasPrefix("the Raspberry Pi firmware is not declared (start4.elf, fixup4.dat, bcm2711-rpi-4-b.dtb, u-boot.bin in boards/rpi4.yaml bootloader.blobs)") == true)
    }

    @Test("with its firmware declared, an rpi4 disk carries config.txt, the firmware and U-Boot, taken out of Debian packages")
    func raspberryPiDisk() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // Stand-ins for raspi-firmware, linux-image-*-arm64 and u-boot-rpi, at file:// URLs.
        var blobs: [String: Blob] = [:]
        for name in BootDisk.raspberryPiFirmware {
            try dir.write("tree/usr/lib/\(name)", "fake \(name)")
            blobs[name] = Blob(sha256: SHA256Hex.of("fake \(name)"), url: "file://\(dir.path("fw_1_all.deb").path)",
                               member: "usr/lib/\(name)", package: nil)
        }
        try dir.write("tree/DEBIAN/control", "Package: fw\nVersion: 1\nArchitecture: all\nMaintainer: T <t@example.com>\nDescription: test\n")
        try sh("dpkg-deb --root-owner-group --build tree fw_1_all.deb >/dev/null", in: dir.url)
        try dir.write("sel4-image", "IMAGE")
        let disk = BootDisk(board: board(platform: "rpi4", blobs: blobs), label: "rpi4-sel4test", sourceDateEpoch: 0,
                            blobs: BlobCache(directory: dir.path("cache")))
        #expect(disk.unavailableReason == nil)
        #expect(disk.prerequisite == nil)
        let name = try disk.write(sel4Image: dir.path("sel4-image"), into: dir.path("out"), work: dir.path("work"))
        let listing = try sh("mdir -b -i \(dir.path("out/\(name)").path)@@1M ::")
        #expect(listing == "::/bcm2711-rpi-4-b.dtb\n::/boot.scr\n::/config.txt\n::/fixup4.dat\n::/sel4.bin\n::/start4.elf\n::/u-boot.bin\n")
        try sh("mcopy -n -i \(dir.path("out/\(name)").path)@@1M ::config.txt config.txt", in: dir.url)
        #expect(try dir.read("config.txt").contains("arm_64bit=1\nenable_uart=1\nuart_2ndstage=1\nkernel=u-boot.bin\ntotal_mem=4096\n"))
    }
}
