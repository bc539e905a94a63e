import Boot
import Foundation
import Testing
import TestSupport

/// The scratch files a disk boot on QEMU's raspi4b needs, checked with
/// sfdisk, mtools, cmp and stat rather than sel4img's own readers.
@Suite struct DiskScratchTests {
    @Test("power of two sizes: exact powers stay, anything else rounds up")
    func powers() {
        #expect(DiskScratch.powerOfTwo(atLeast: 35 << 20) == 64 << 20)
        #expect(DiskScratch.powerOfTwo(atLeast: 64 << 20) == 64 << 20)
        #expect(DiskScratch.powerOfTwo(atLeast: (64 << 20) + 1) == 128 << 20)
        #expect(DiskScratch.powerOfTwo(atLeast: 3) == 4)
        #expect(DiskScratch.powerOfTwo(atLeast: 1) == 1)
    }

    @Test("the scratch copy is padded with zeros to 64 MiB, keeps the partition table, and the artifact is untouched; boot files come out of its FAT partition")
    func paddedCopyAndBootFiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // A 35 MiB MBR disk with one FAT32 partition at 1 MiB, made by the real tools.
        _ = try sh("""
            set -e
            head -c 300000 /dev/urandom > u-boot.bin; head -c 5000 /dev/urandom > board.dtb
            truncate -s 35M disk.img
            echo 'start=2048, type=c' | sfdisk -q disk.img
            mkfs.fat -F 32 -s 1 --offset 2048 disk.img $(( (35 * 1024 - 1024) )) >/dev/null
            mcopy -i disk.img@@1M u-boot.bin board.dtb ::
            """, in: dir.url)
        let before = try sh("sha256sum disk.img", in: dir.url)
        let scratch = dir.path("ws/.sel4img/qemu/rpi4-sel4test/disk.img")
        try DiskScratch.paddedCopy(of: dir.path("disk.img"), to: scratch)
        // Again over an existing copy (a second boot).
        try DiskScratch.paddedCopy(of: dir.path("disk.img"), to: scratch)
        #expect(try sh("stat -c %s '\(scratch.path)'", in: dir.url) == "\(64 << 20)\n")
        #expect(try sh("stat -c %s disk.img", in: dir.url) == "\(35 << 20)\n")
        #expect(try sh("sha256sum disk.img", in: dir.url) == before)
        // The first 35 MiB equal the artifact, the rest are zeros.
        _ = try sh("cmp -n \(35 << 20) disk.img '\(scratch.path)'", in: dir.url)
        _ = try sh("cmp -n \(29 << 20) -i \(35 << 20):0 '\(scratch.path)' /dev/zero", in: dir.url)
        #expect(try sh("sfdisk -d '\(scratch.path)' | grep '^/'", in: dir.url).contains("start=        2048, size=       69632, type=c"))

        let files = try DiskScratch.extractBootFiles(["u-boot.bin", "board.dtb"], from: dir.path("disk.img"), into: scratch.deletingLastPathComponent())
        #expect(files.map(\.lastPathComponent) == ["u-boot.bin", "board.dtb"])
        _ = try sh("cmp u-boot.bin '\(files[0].path)' && cmp board.dtb '\(files[1].path)'", in: dir.url)

        let error = #expect(throws: DiskScratchError.self) {
            try DiskScratch.extractBootFiles(["start4.elf"], from: dir.path("disk.img"), into: scratch.deletingLastPathComponent())
        }
        #expect(error?.description.hasPrefix("\(dir.path("disk.img").path): ") == true)
        #expect(error?.description.hasSuffix("; QEMU starts the board's start4.elf from there") == true)
        #expect(error?.hint == "rebuild the image with 'sel4img build'")
    }
}
