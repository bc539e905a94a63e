import Foundation
import Support
import Testing
import TestSupport
@testable import DiskImage

@Suite struct MBRImageTests {
    @Test("sfdisk sees the partitions, types, bootable flag and disk signature we wrote")
    func sfdiskAgrees() throws {
        let dir = try TemporaryDirectory("mbr-sfdisk")
        defer { dir.remove() }
        let fat = try FATImage(entries: [.file("boot.scr", Data("script".utf8))], options: .init(sourceDateEpoch: epoch))
        let payload = pseudoRandomBytes(3 << 20 + 123, seed: 7)
        let image = MBRImage(partitions: [
            .fat32(fat, size: 64 << 20),
            .raw(.bytes(payload)),
            .raw(.bytes(Data([1, 2, 3])), type: 0xDA, start: 96 << 20, size: 1 << 20),
        ], options: .init(sourceDateEpoch: epoch, signatureSeed: "qemu-arm-virt"))
        let url = dir.path("disk.img")
        let written = try image.write(to: url)

        let table = try SfdiskTable.of(url).partitiontable
        #expect(table.label == "dos")
        #expect(table.id == String(format: "0x%08x", image.diskSignature))
        let parts = try #require(table.partitions)
        #expect(parts.map(\.start) == [2048, 133_120, 196_608])
        #expect(parts.map(\.size) == [131_072, 8192, 2048])
        #expect(parts.map(\.type) == ["c", "83", "da"])
        #expect(parts.map { $0.bootable ?? false } == [true, false, false])
        let dump = try sh("sfdisk --dump \(q(url.path))")
        #expect(dump.contains("label-id: \(String(format: "0x%08x", image.diskSignature))"))
        #expect(dump.contains("start=        2048, size=      131072, type=c, bootable"))

        // The image ends at the last partition's end; the payloads are where the table says.
        #expect(written.layout.imageSize == 97 << 20)
        let fileSize = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.uint64Value
        #expect(fileSize == 97 << 20)
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        try handle.seek(toOffset: 65 << 20)
        #expect(try handle.read(upToCount: payload.count) == payload)

        // Our reader parses the same table and the FAT volume inside it.
        let parsed = try MBRPartitionTable.read(from: url)
        #expect(parsed == written.layout.table)
        let reader = try FATVolumeReader(image: url, partition: 1)
        #expect(reader.hiddenSectors == 2048)
        #expect(try reader.contents(of: "boot.scr") == Data("script".utf8))
        #expect(try mtoolsRead(url, "boot.scr", offset: 1 << 20, scratch: dir) == Data("script".utf8))
    }

    @Test("the partition table sector is byte for byte what sfdisk writes for the same table")
    func sameSectorAsSfdisk() throws {
        let dir = try TemporaryDirectory("mbr-bytes")
        defer { dir.remove() }
        let table = MBRPartitionTable(diskSignature: 0x1234_5678, partitions: [
            MBRPartitionEntry(number: 1, bootable: true, type: 0x0C, startSector: 8192, sectorCount: 524_288),
            MBRPartitionEntry(number: 2, bootable: false, type: 0x83, startSector: 532_480, sectorCount: 40_000_000),
        ])
        let url = dir.path("sf.img")
        try sh("truncate -s 21G \(q(url.path))")
        try sh("printf 'label: dos\\nlabel-id: 0x12345678\\nstart=8192, size=524288, type=c, bootable\\nstart=532480, size=40000000, type=83\\n' | sfdisk -q \(q(url.path))")
        let sfdiskSector = try FileHandle(forReadingFrom: url).read(upToCount: 512)
        #expect(sfdiskSector == table.encoded())
    }

    @Test("a Raspberry Pi 4 layout: a 256 MiB FAT32 boot partition at 4 MiB")
    func raspberryPiLayout() throws {
        let dir = try TemporaryDirectory("mbr-rpi")
        defer { dir.remove() }
        let start4 = dir.path("start4.elf")
        try pseudoRandomBytes(2_228_000, seed: 4).write(to: start4)
        let files: [String: Data] = [
            "config.txt": Data("arm_64bit=1\nenable_uart=1\nkernel=u-boot.bin\n".utf8),
            "start4.elf": try Data(contentsOf: start4),
            "fixup4.dat": pseudoRandomBytes(5_400, seed: 5),
            "u-boot.bin": pseudoRandomBytes(600_000, seed: 6),
            "boot.scr": Data("fatload mmc 0 0x10000000 sel4test-driver-image-arm-bcm2711\n".utf8),
            "sel4test-driver-image-arm-bcm2711": pseudoRandomBytes(4_000_000, seed: 8),
            "overlays/disable-bt.dtbo": pseudoRandomBytes(1_100, seed: 10),
        ]
        var entries: [FATImage.Entry] = [.directory("overlays")]
        for (path, data) in files { entries.append(path == "start4.elf" ? .file(path, contentsOf: start4) : .file(path, data)) }
        let fat = try FATImage(entries: entries, options: .init(label: "BOOT", sourceDateEpoch: epoch))
        let disk = MBRImage(partitions: [.fat32(fat, size: 256 << 20)],
                            options: .init(alignment: 4 << 20, sourceDateEpoch: epoch, signatureSeed: "rpi4"))
        let url = dir.path("rpi4.img")
        let written = try disk.write(to: url)
        #expect(written.layout.imageSize == 260 << 20)

        let part = try #require(try SfdiskTable.of(url).partitiontable.partitions?.first)
        #expect(part.start == 8192 && part.size == 524_288 && part.type == "c" && part.bootable == true)

        let entry = written.layout.table.partitions[0]
        let extracted = dir.path("boot.vfat")
        try extractPartition(url, entry, to: extracted)
        let report = try fsckFAT(extracted)
        #expect(report.contains("512 bytes per cluster"))
        #expect(report.contains("\(8192) hidden sectors"))

        #expect(try mtoolsPaths(url, offset: 4 << 20) == Set(files.keys).union(["overlays"]))
        for (path, data) in files {
            #expect(try mtoolsRead(url, path, offset: 4 << 20, scratch: dir) == data, "\(path)")
        }

        // The block map sits beside the image and covers every non-zero byte.
        #expect(written.blockMapFile.lastPathComponent == "rpi4.img.bmap.json")
        let map = try BlockMap.read(from: written.blockMapFile)
        #expect(map == written.blockMap)
        #expect(map.imageSHA256 == (try SHA256Hex.ofFile(at: url)))
        #expect(map.mappedBytes < 16 << 20)
        #expect(map.ranges.first?.offset == 0)
    }

    @Test("a boot partition without a size gets the smallest FAT32 volume that holds its files")
    func automaticSize() throws {
        let dir = try TemporaryDirectory("mbr-auto")
        defer { dir.remove() }
        let small = try FATImage(entries: [.file("a", Data("a".utf8))], options: .init(sourceDateEpoch: epoch))
        #expect(try MBRImage(partitions: [.fat32(small)], options: .init(sourceDateEpoch: epoch)).layout().imageSize == 34 << 20)
        #expect(try MBRImage(partitions: [.fat32(small)], options: .init(alignment: 4 << 20, sourceDateEpoch: epoch)).layout().imageSize == 40 << 20)

        let big = dir.path("big")
        try sh("head -c 40000000 /dev/urandom > \(q(big.path))")
        let fat = try FATImage(entries: [.file("big", contentsOf: big)], options: .init(sourceDateEpoch: epoch))
        let url = dir.path("auto.img")
        let written = try MBRImage(partitions: [.fat32(fat)], options: .init(sourceDateEpoch: epoch)).write(to: url)
        let entry = written.layout.table.partitions[0]
        #expect(entry.size >= 40_000_000 && entry.size < 42 << 20)
        let extracted = dir.path("p1")
        try extractPartition(url, entry, to: extracted)
        try fsckFAT(extracted)
        #expect(SHA256Hex.of(try mtoolsRead(url, "big", offset: entry.startOffset, scratch: dir)) == (try SHA256Hex.ofFile(at: big)))
    }

    @Test("a failed build leaves neither the image nor a temporary file")
    func failureLeavesNothing() throws {
        let dir = try TemporaryDirectory("mbr-fail")
        defer { dir.remove() }
        let out = dir.path("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let source = dir.path("grows")
        try Data("1234".utf8).write(to: source)
        let fat = try FATImage(entries: [.file("x", contentsOf: source)], options: .init(sourceDateEpoch: epoch))
        let disk = MBRImage(partitions: [.fat32(fat)], options: .init(sourceDateEpoch: epoch))
        // Sizes are taken when the layout is planned; the file grows before it is copied.
        let plan = try fat.plan(volumeSize: 34 << 20, hiddenSectors: 2048)
        try Data("123456789".utf8).write(to: source)
        let sink = try SparseFileSink(destination: out.appendingPathComponent("x.img"))
        #expect(throws: DiskImageError.sourceProblem("FAT path 'x'", source: source, "grew while it was copied (expected 4 bytes)")) {
            try plan.emit(to: sink, at: 1 << 20)
        }
        sink.abandon()
        try FileManager.default.removeItem(at: source)
        #expect(throws: DiskImageError.self) { try disk.write(to: out.appendingPathComponent("disk.img")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).isEmpty)
    }
}
