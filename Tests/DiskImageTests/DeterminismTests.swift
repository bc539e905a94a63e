import Foundation
import Support
import Testing
import TestSupport
@testable import DiskImage

@Suite struct DeterminismTests {
    /// Writes the same source tree under `dir` with a given umask and file times, and builds a disk image from it.
    func build(in dir: TemporaryDirectory, umask: String, touch: String, epoch: Int64, order: [Int]) throws -> URL {
        try sh("""
            umask \(umask)
            mkdir -p src/overlays
            printf 'arm_64bit=1\\n' > src/config.txt
            head -c 300000 /dev/zero | tr '\\0' 'k' > src/kernel.img
            printf 'ov' > src/overlays/a.dtbo
            touch -d '\(touch)' src/config.txt src/kernel.img src/overlays/a.dtbo
            """, in: dir.url)
        let src = dir.path("src")
        let all: [FATImage.Entry] = [
            .file("config.txt", contentsOf: src.appendingPathComponent("config.txt")),
            .file("sel4test-driver-image-arm-bcm2711", contentsOf: src.appendingPathComponent("kernel.img")),
            .directory("overlays"),
            .file("overlays/a.dtbo", contentsOf: src.appendingPathComponent("overlays/a.dtbo")),
            .file("Long Name Number One.txt", Data("1".utf8)),
            .file("Long Name Number Two.txt", Data("2".utf8)),
        ]
        let fat = try FATImage(entries: order.map { all[$0] }, options: .init(label: "BOOT", sourceDateEpoch: epoch))
        let image = MBRImage(partitions: [.fat32(fat), .raw(.bytes(Data("payload".utf8)))],
                             options: .init(sourceDateEpoch: epoch, signatureSeed: "rpi4"))
        let url = dir.path("out/disk.img")
        try image.write(to: url)
        return url
    }

    @Test("the same inputs in different directories, with other file times, umask and entry order, give identical bytes")
    func identicalBytes() throws {
        let a = try TemporaryDirectory("det-a"), b = try TemporaryDirectory("det-b")
        defer { a.remove(); b.remove() }
        let one = try build(in: a, umask: "022", touch: "2001-02-03 04:05:06", epoch: epoch, order: [0, 1, 2, 3, 4, 5])
        let two = try build(in: b, umask: "077", touch: "2024-06-07 08:09:10", epoch: epoch, order: [5, 3, 1, 4, 2, 0])
        #expect(try SHA256Hex.ofFile(at: one) == SHA256Hex.ofFile(at: two))
        #expect(try Data(contentsOf: a.path("out/disk.img.bmap.json")) == Data(contentsOf: b.path("out/disk.img.bmap.json")))
    }

    @Test("another SOURCE_DATE_EPOCH changes only timestamps, the volume serial and the disk signature")
    func epochChangesOnlyMetadata() throws {
        let a = try TemporaryDirectory("det-c"), b = try TemporaryDirectory("det-d")
        defer { a.remove(); b.remove() }
        let order = [0, 1, 2, 3, 4, 5]
        let one = try build(in: a, umask: "022", touch: "2001-02-03 04:05:06", epoch: epoch, order: order)
        let two = try build(in: b, umask: "022", touch: "2001-02-03 04:05:06", epoch: 1_234_567_891, order: order)
        let x = [UInt8](try Data(contentsOf: one)), y = [UInt8](try Data(contentsOf: two))
        #expect(x.count == y.count)

        let reader = try FATVolumeReader(image: one, partition: 1)
        let base = reader.offset
        let directories = try reader.directoryRegions().map { ($0.lowerBound + base)..<($0.upperBound + base) }
        let serialOffsets: Set<UInt64> = Set([0, 6].flatMap { sector in (67..<71).map { base + sector * 512 + $0 } })
        let timeFields: Set<UInt64> = Set([13, 14, 15, 16, 17, 18, 19, 22, 23, 24, 25])
        var differing = 0
        for i in 0..<min(x.count, y.count) where x[i] != y[i] {
            differing += 1
            let at = UInt64(i)
            if (440..<444).contains(at) || serialOffsets.contains(at) { continue }
            let inDirectory = directories.contains { $0.contains(at) }
            let entryStart = Int(at - at % 32)
            let isShortEntry = inDirectory && x[entryStart + 11] != 0x0F
            #expect(isShortEntry && timeFields.contains(at % 32), "byte \(at) differs outside timestamps, serial and signature")
        }
        #expect(differing > 0)
        let other = try FATVolumeReader(image: two, partition: 1)
        #expect(reader.volumeSerial != other.volumeSerial)
        let stamp = try reader.item(at: "config.txt").modified
        #expect(stamp.fields == [2023, 11, 14, 22, 13, 20])
        let stamp2 = try other.item(at: "config.txt").modified
        #expect(stamp2.fields == [2009, 2, 13, 23, 31, 30])
    }
}
