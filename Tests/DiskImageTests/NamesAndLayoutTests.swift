import Foundation
import Testing
import TestSupport
@testable import DiskImage

@Suite struct ShortNameTests {
    @Test("8.3 names in one case need no long name; the case flags keep lower case")
    func exactNames() {
        #expect(FATNames.exactShortName("CONFIG.TXT")?.description == "CONFIG.TXT")
        #expect(FATNames.exactShortName("CONFIG.TXT")?.caseFlags == 0)
        #expect(FATNames.exactShortName("config.txt")?.caseFlags == ShortName.lowerCaseBase | ShortName.lowerCaseExtension)
        #expect(FATNames.exactShortName("START4.elf")?.caseFlags == ShortName.lowerCaseExtension)
        #expect(FATNames.exactShortName("u-boot.bin")?.description == "U-BOOT.BIN")
        #expect(FATNames.exactShortName("README")?.description == "README")
        for name in ["Config.txt", "sel4test-driver-image-arm-bcm2711", "a.b.c", "archive.tar.gz", ".hidden", "a b", "ünï.txt", "a+b", "ABCDEFGHI"] {
            #expect(FATNames.exactShortName(name) == nil, "\(name)")
        }
    }

    @Test("other names get basis names with numeric tails, unique in their directory")
    func generatedNames() {
        var taken = Set<[UInt8]>()
        #expect(FATNames.generate(for: "sel4test-driver-image-arm-bcm2711", taken: &taken).description == "SEL4TE~1")
        #expect(FATNames.generate(for: "sel4test-driver-image-arm-tx1", taken: &taken).description == "SEL4TE~2")
        #expect(FATNames.generate(for: "Config.txt", taken: &taken).description == "CONFIG.TXT")
        #expect(FATNames.generate(for: "config.TXT", taken: &taken).description == "CONFIG~1.TXT")
        #expect(FATNames.generate(for: "archive.tar.gz", taken: &taken).description == "ARCHIV~1.GZ")
        #expect(FATNames.generate(for: ".hidden", taken: &taken).description == "HIDDEN~1")
        #expect(FATNames.generate(for: "a+b=c.html", taken: &taken).description == "A_B_C~1.HTM")
        #expect(FATNames.generate(for: "ünïcödé", taken: &taken).description == "_N_C_D~1")
        for n in 3...12 { _ = FATNames.generate(for: "sel4test-\(n)-long", taken: &taken) }
        #expect(FATNames.generate(for: "sel4test-last", taken: &taken).description == "SEL4T~13")
    }

    @Test("long name entries carry the name in UTF-16 pieces of 13 and the short name's checksum")
    func longNameEntries() {
        let short = ShortName(base: Array("SEL4TE~1".utf8), ext: [])
        // The checksum from Microsoft's specification, computed by hand for this name.
        var sum: UInt8 = 0
        for b in short.bytes { sum = ((sum & 1) << 7) &+ (sum >> 1) &+ b }
        #expect(short.checksum == sum)
        let entries = FATNames.longNameEntries("sel4test-driver-image-arm-bcm2711", checksum: short.checksum)
        #expect(entries.count == 3)
        #expect(entries.map { $0[0] } == [0x43, 0x02, 0x01])
        #expect(entries.allSatisfy { $0[11] == 0x0F && $0[13] == short.checksum && $0.count == 32 })
        // 33 characters: the third entry holds 7, then a 0x0000 terminator, then 0xFFFF padding.
        #expect(entries[0][1] == UInt8(ascii: "b") && entries[0][16] == UInt8(ascii: "1"))
        #expect(entries[0][18] == 0 && entries[0][19] == 0 && entries[0][20] == 0xFF && entries[0][31] == 0xFF)
        #expect(entries[2][1] == UInt8(ascii: "s") && entries[2][20] == UInt8(ascii: "-") && entries[2][30] == UInt8(ascii: "v"))
    }
}

@Suite struct TimestampTests {
    @Test("timestamps come from SOURCE_DATE_EPOCH in UTC, clamped to FAT's range")
    func fromEpoch() {
        let t = FATTimestamp(sourceDateEpoch: 1_700_000_001)
        #expect(t.fields == [2023, 11, 14, 22, 13, 21])
        #expect(t.hundredths == 100)
        let zero = FATTimestamp(sourceDateEpoch: 0)
        #expect(zero.fields == [1980, 1, 1, 0, 0, 0])
        let leap = FATTimestamp(sourceDateEpoch: 951_782_400) // 2000-02-29
        #expect(Array(leap.fields.prefix(3)) == [2000, 2, 29])
        let late = FATTimestamp(sourceDateEpoch: .max)
        #expect(late.fields == [2107, 12, 31, 23, 59, 58])
    }

    @Test("the volume serial depends on the epoch and the label only")
    func serial() throws {
        let a = try FATImage(entries: [], options: .init(label: "BOOT", sourceDateEpoch: 1))
        let b = try FATImage(entries: [.file("x", Data())], options: .init(label: "boot", sourceDateEpoch: 1))
        let c = try FATImage(entries: [], options: .init(label: "BOOT", sourceDateEpoch: 2))
        let d = try FATImage(entries: [], options: .init(label: "SYSTEM", sourceDateEpoch: 1))
        #expect(a.volumeSerial == b.volumeSerial)
        #expect(a.volumeSerial != c.volumeSerial)
        #expect(a.volumeSerial != d.volumeSerial)
        #expect(try FATImage(entries: [], options: .init(sourceDateEpoch: 1, volumeSerial: 0xCAFE_F00D)).volumeSerial == 0xCAFE_F00D)
    }
}

@Suite struct LayoutTests {
    @Test("the smallest FAT32 volume has exactly 65525 clusters, one sector less is refused")
    func minimum() throws {
        let layout = try FAT32Layout(volumeSize: FAT32Layout.minimumVolumeSize)
        #expect(layout.clusterCount == 65_525)
        #expect(throws: DiskImageError.self) { try FAT32Layout(volumeSize: FAT32Layout.minimumVolumeSize - 512) }
    }

    @Test("geometry matches mkfs.fat's for the same size", arguments: [33, 64, 256, 261, 1024, 9000] as [UInt64])
    func sameAsMkfs(mib: UInt64) throws {
        let dir = try TemporaryDirectory("layout-mkfs")
        defer { dir.remove() }
        let url = dir.path("mkfs.img")
        try sh("mkfs.fat -F 32 -C \(q(url.path)) \(mib * 1024) >/dev/null")
        let theirs = try FATVolumeReader(image: url)
        // mkfs.fat rounds an image file's size down to whole tracks: compare at its size.
        #expect(theirs.totalSectors <= mib * 2048)
        let ours = try FAT32Layout(volumeSize: theirs.totalSectors * 512)
        #expect(ours.sectorsPerCluster == theirs.sectorsPerCluster)
        #expect(ours.reservedSectors == theirs.reservedSectors)
        #expect(ours.sectorsPerFAT == theirs.sectorsPerFAT)
        #expect(ours.clusterCount == theirs.clusterCount)
    }
}
