import Foundation
import Testing
import TestSupport
@testable import DiskImage

/// One bad input and the exact message it must produce; DIR stands for the test's directory.
struct BadInput: Sendable, CustomTestStringConvertible {
    var name: String
    var kind: DiskImageError.Kind
    var message: String
    var run: @Sendable (TemporaryDirectory) throws -> Void
    var testDescription: String { name }

    /// Builds a volume (in memory when it is small) from these entries.
    static func volume(_ name: String, _ kind: DiskImageError.Kind, _ message: String, label: String = "BOOT", size: UInt64? = nil,
                       _ entries: [FATImage.Entry]) -> BadInput {
        BadInput(name: name, kind: kind, message: message) { dir in
            let fat = try FATImage(entries: entries, options: .init(label: label, sourceDateEpoch: epoch, volumeSize: size))
            try fat.write(to: dir.path("v.img"))
        }
    }

    static func disk(_ name: String, _ kind: DiskImageError.Kind, _ message: String, alignment: UInt64 = 1 << 20, limit: UInt64? = nil,
                     _ partitions: @escaping @Sendable () throws -> [MBRImage.Partition]) -> BadInput {
        BadInput(name: name, kind: kind, message: message) { dir in
            try MBRImage(partitions: partitions(), options: .init(alignment: alignment, sourceDateEpoch: epoch, maximumImageSize: limit))
                .write(to: dir.path("disk.img"))
        }
    }
}

let longName = String(repeating: "n", count: 256)
func small() throws -> FATImage { try FATImage(entries: [.file("a", Data("a".utf8))], options: .init(sourceDateEpoch: epoch)) }

@Suite struct BadInputTests {
    static let cases: [BadInput] = [
        .volume("a path with ..", .invalidName, "FAT path 'a/../b' contains '..'", [.file("a/../b", Data())]),
        .volume("an absolute path", .invalidName, "FAT path '/boot.scr' is absolute; give it relative to the volume's root", [.file("/boot.scr", Data())]),
        .volume("an empty component", .invalidName, "FAT path 'a//b' has an empty component", [.file("a//b", Data())]),
        .volume("an empty path", .invalidName, "FAT path '' is empty", [.directory("")]),
        .volume("a control character", .invalidName, "FAT path 'bad\\u{1B}name' contains control character U+001B", [.file("bad\u{1B}name", Data())]),
        .volume("a NUL byte", .invalidName, "FAT path 'x\\u{0}y' contains control character U+0000", [.file("x\u{0}y", Data())]),
        .volume("a colon", .invalidName, "FAT path 'c:autoexec.bat' contains ':', which FAT names cannot hold", [.file("c:autoexec.bat", Data())]),
        .volume("a backslash", .invalidName, "FAT path 'a\\b' contains '\\', which FAT names cannot hold", [.file("a\\b", Data())]),
        .volume("a trailing period", .invalidName, "FAT path 'dir./x' has a name ending in a period or space ('dir.'), which FAT drops", [.file("dir./x", Data())]),
        .volume("an over-long name", .invalidName, "FAT path 'd/\(longName)' has a name of 256 UTF-16 code units; FAT long names hold at most 255",
                [.file("d/" + longName, Data())]),
        .volume("names differing only in case", .duplicateName, "FAT path 'CONFIG.TXT' names the same entry as 'config.txt' (FAT names ignore case)",
                [.file("config.txt", Data()), .file("CONFIG.TXT", Data())]),
        .volume("a file listed twice", .duplicateName, "FAT path 'boot.scr' names the same entry as 'boot.scr' (FAT names ignore case)",
                [.file("boot.scr", Data()), .file("boot.scr", Data("2".utf8))]),
        .volume("a file used as a directory", .duplicateName, "FAT path 'u-boot.bin/x' needs 'u-boot.bin' to be a directory, but it is a file",
                [.file("u-boot.bin", Data()), .file("u-boot.bin/x", Data())]),
        .volume("a directory that is also a file", .duplicateName, "FAT path 'Overlays' names the same entry as 'overlays' (FAT names ignore case)",
                [.file("overlays/a.dtbo", Data()), .file("Overlays", Data())]),
        .volume("a label too long", .invalidLabel, "Volume label 'BOOTPARTITION' is 13 characters long; FAT labels hold at most 11", label: "BOOTPARTITION", []),
        .volume("a label with a period", .invalidLabel, "Volume label 'boot.fs' contains '.', which FAT labels cannot hold", label: "boot.fs", []),
        .volume("a volume below FAT32's minimum", .volumeSize,
                "FAT32 volume size 16777216 bytes (16.0 MiB) is below the smallest FAT32 volume, 34089472 bytes (32.5 MiB)", size: 16 << 20, []),
        .volume("a size that is not whole sectors", .volumeSize, "FAT32 volume size 34603009 is not a multiple of 512 bytes", size: (33 << 20) + 1, []),
        .volume("a file too large for the volume", .fileTooLarge,
                "File 'big.bin' is 40000000 bytes (38.1 MiB) but only 34053632 bytes (32.5 MiB) are left for it in the 34603008-byte FAT32 volume",
                size: 33 << 20, [.file("big.bin", Data(count: 40_000_000))]),
        BadInput(name: "a missing source file", kind: .sourceFile,
                 message: "Source DIR/missing.bin for FAT path 'boot/missing.bin' cannot be read: it does not exist or is not accessible") { dir in
            try FATImage(entries: [.file("boot/missing.bin", contentsOf: dir.path("missing.bin"))], options: .init(sourceDateEpoch: epoch))
                .write(to: dir.path("v.img"))
        },
        BadInput(name: "a directory as source file", kind: .sourceFile, message: "Source DIR for FAT path 'k' is not a regular file") { dir in
            try FATImage(entries: [.file("k", contentsOf: dir.url)], options: .init(sourceDateEpoch: epoch)).write(to: dir.path("v.img"))
        },
        .disk("overlapping partitions", .partitionLayout,
              "Partition 2 (bytes 2097152-3145727) overlaps partition 1 (bytes 1048576-35651583)") {
            [.fat32(try small()), .raw(.bytes(Data([1])), start: 2 << 20)]
        },
        .disk("a misaligned start", .partitionLayout, "Partition 1 starts at byte 1536, which is not a multiple of the 1048576-byte alignment") {
            [.fat32(try small(), start: 1536)]
        },
        .disk("a partition over the table", .partitionLayout, "Partition 1 starts at byte 0, where the partition table is") {
            [.raw(.bytes(Data([1])), start: 0)]
        },
        .disk("five partitions", .partitionLayout, "An MBR holds at most 4 primary partitions; 5 were given") {
            Array(repeating: .raw(.bytes(Data([1]))), count: 5)
        },
        .disk("raw content larger than its partition", .fileTooLarge, "Partition 1's content is 2097152 bytes (2.0 MiB), more than its 1048576-byte partition") {
            [.raw(.bytes(Data(repeating: 7, count: 2 << 20)), size: 1 << 20)]
        },
        .disk("an image beyond what an MBR addresses", .imageTooLarge, "Partition 1 ends beyond the 2 TiB (4294967295 sectors) an MBR can address") {
            [MBRImage.Partition(content: .empty, type: 0x83, size: 3 << 40)]
        },
        .disk("an image above the caller's limit", .imageTooLarge,
              "The disk image would be 35651584 bytes (34.0 MiB), more than the limit of 33554432 bytes (32.0 MiB)", limit: 32 << 20) {
            [.fat32(try small())]
        },
        .disk("an alignment that is not whole sectors", .partitionLayout, "Partition alignment 1000 is not a positive multiple of 512 bytes", alignment: 1000) {
            [.fat32(try small())]
        },
    ]

    @Test("bad inputs are refused with exact messages", arguments: cases)
    func refused(_ input: BadInput) throws {
        let dir = try TemporaryDirectory("disk-bad")
        defer { dir.remove() }
        do {
            try input.run(dir)
            Issue.record("\(input.name) was accepted")
        } catch let error as DiskImageError {
            #expect(error.description == input.message.replacingOccurrences(of: "DIR", with: dir.url.path))
            #expect(error.kind == input.kind)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty, "nothing may be left behind")
    }
}
