import Foundation
import Support
import Testing
import TestSupport
@testable import DiskImage

/// A volume's contents for a cross-check, built in a scratch directory.
struct VolumeCase: Sendable, CustomTestStringConvertible {
    var name: String
    var entries: @Sendable (TemporaryDirectory) throws -> [FATImage.Entry]
    var testDescription: String { name }
}

@Suite struct FATWriterTests {
    static let cases: [VolumeCase] = [
        VolumeCase(name: "no files") { _ in [] },
        VolumeCase(name: "one file") { _ in [.file("config.txt", Data("arm_64bit=1\n".utf8))] },
        VolumeCase(name: "100 files") { _ in
            (0..<100).map { .file(String(format: "file%03d.bin", $0), pseudoRandomBytes(100 + $0 * 37, seed: UInt64($0))) }
        },
        VolumeCase(name: "2000 files with long names") { _ in
            (0..<2000).map { .file("a file with a long name number \($0).dat", Data("content \($0)\n".utf8)) }
        },
        VolumeCase(name: "nested directories") { _ in
            [.directory("overlays"), .directory("a/b/c/d"), .file("a/b/c/d/deep.txt", Data("deep".utf8)),
             .file("a/readme", Data("r".utf8)), .directory("Empty Directory With Spaces"),
             .file("overlays/vc4-kms-v3d.dtbo", pseudoRandomBytes(3000, seed: 9))]
        },
        VolumeCase(name: "long and unusual names") { _ in
            [.file("sel4test-driver-image-arm-bcm2711", pseudoRandomBytes(5000, seed: 1)),
             .file("sel4test-driver-image-arm-tx1", pseudoRandomBytes(5001, seed: 2)),
             .file("Mixed.Case.Name.tar.gz", Data("m".utf8)),
             .file("ünïcödé ñame.txt", Data("u".utf8)),
             .file(".hidden", Data("h".utf8)),
             .file("name with spaces and [brackets]+plus", Data("s".utf8)),
             .file(String(repeating: "x", count: 255), Data("x".utf8)),
             .file("README", Data("plain".utf8)), .file("u-boot.bin", Data("ub".utf8)), .file("START4.elf", Data("s4".utf8))]
        },
        VolumeCase(name: "a 50 MiB file from disk") { dir in
            let url = dir.path("big.bin")
            try pseudoRandomBytes(50 << 20, seed: 50).write(to: url)
            return [.file("kernel/big.bin", contentsOf: url), .file("small.txt", Data("s".utf8))]
        },
        VolumeCase(name: "an empty file") { _ in [.file("empty", Data()), .file("sub/empty.txt", Data())] },
    ]

    @Test("fsck.fat finds no errors and mtools reads every file back", arguments: cases)
    func crossCheck(_ volume: VolumeCase) throws {
        let dir = try TemporaryDirectory("fat-cross")
        defer { dir.remove() }
        let entries = try volume.entries(dir)
        let fat = try FATImage(entries: entries, options: .init(label: "BOOT", sourceDateEpoch: epoch))
        let image = dir.path("boot.vfat")
        let layout = try fat.write(to: image)

        let report = try fsckFAT(image)
        let files = entries.filter { if case .file = $0.kind { return true } else { return false } }
        #expect(report.contains("\(layout.sectorsPerCluster * 512) bytes per cluster"))

        // mtools lists exactly the paths we put in (plus implicit parents).
        var expected = Set<String>()
        for entry in entries {
            let parts = entry.path.split(separator: "/")
            for n in 1...parts.count { expected.insert(parts.prefix(n).joined(separator: "/")) }
        }
        #expect(try mtoolsPaths(image) == expected)

        // Every file read back by mcopy equals its source (mcopy takes '[' as a wildcard).
        let sample = files.count > 200 ? stride(from: 0, to: files.count, by: 40).map { files[$0] } : files
        for entry in sample where !entry.path.contains("[") {
            guard case .file(let content) = entry.kind else { continue }
            let source: Data
            switch content {
            case .bytes(let d): source = d
            case .file(let url): source = try Data(contentsOf: url)
            }
            let back = try mtoolsRead(image, entry.path, scratch: dir)
            #expect(SHA256Hex.of(back) == SHA256Hex.of(source), "\(entry.path)")
        }

        // Our own reader agrees, and FSInfo matches what fsck.fat counted.
        let reader = try FATVolumeReader(image: image)
        #expect(reader.bootSectorLabel == "BOOT")
        #expect(try reader.rootDirectoryLabel() == "BOOT")
        #expect(Set(try reader.list().map(\.path)) == expected)
        for entry in files {
            guard case .file(.bytes(let d)) = entry.kind else { continue }
            #expect(try reader.contents(of: entry.path) == d, "\(entry.path)")
        }
        let used = UInt64(reader.clusterCount) - UInt64(reader.fsInfoFreeClusters)
        #expect(report.contains("\(used)/\(reader.clusterCount) clusters"))
    }

    @Test("mdir shows long names beside the short names mtools would give")
    func shortNamesAsMtoolsShowsThem() throws {
        let dir = try TemporaryDirectory("fat-mdir")
        defer { dir.remove() }
        let fat = try FATImage(entries: [
            .file("config.txt", Data("c".utf8)), .file("CONFIG2.TXT", Data("c".utf8)), .file("u-boot.bin", Data("u".utf8)),
            .file("sel4test-driver-image-arm-bcm2711", Data("s".utf8)), .file("sel4test-driver-image-arm-tx1", Data("t".utf8)),
            .file("Boot.Scr", Data("b".utf8)),
        ], options: .init(label: "BOOT", sourceDateEpoch: epoch))
        let image = dir.path("boot.vfat")
        try fat.write(to: image)
        let listing = try sh("mdir -i \(mtoolsImage(image)) ::", environment: mtoolsEnvironment)
        let rows = listing.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        func row(_ first: String) -> [String]? { rows.first { $0.first == first } }
        #expect(listing.contains("Volume in drive : is BOOT"))
        #expect(row("config")?.prefix(2) == ["config", "txt"])          // short entry with lower-case flags, no long name
        #expect(row("CONFIG2")?.prefix(2) == ["CONFIG2", "TXT"])
        #expect(row("u-boot")?.prefix(2) == ["u-boot", "bin"])
        #expect(row("SEL4TE~1")?.last == "sel4test-driver-image-arm-bcm2711")
        #expect(row("SEL4TE~2")?.last == "sel4test-driver-image-arm-tx1")
        #expect(row("BOOT")?.last == "Boot.Scr")
        #expect(listing.contains("2023-11-14  22:13"))

        let items = try FATVolumeReader(image: image).list()
        let short = Dictionary(uniqueKeysWithValues: items.map { ($0.name, $0.shortName) })
        #expect(short["config.txt"] == "CONFIG.TXT")
        #expect(short["u-boot.bin"] == "U-BOOT.BIN")
        #expect(short["sel4test-driver-image-arm-bcm2711"] == "SEL4TE~1")
        #expect(short["Boot.Scr"] == "BOOT.SCR")
        #expect(items.filter(\.hasLongName).map(\.name).sorted() == ["Boot.Scr", "sel4test-driver-image-arm-bcm2711", "sel4test-driver-image-arm-tx1"])
    }

    @Test("the in-memory volume equals the streamed one, and the streamed one is sparse")
    func memoryAndFileAgree() throws {
        let dir = try TemporaryDirectory("fat-mem")
        defer { dir.remove() }
        let fat = try FATImage(entries: [.file("a.bin", pseudoRandomBytes(70_000, seed: 3)), .directory("d")],
                               options: .init(sourceDateEpoch: epoch, volumeSize: 256 << 20))
        let image = dir.path("v.img")
        try fat.write(to: image)
        #expect(try Data(contentsOf: image) == fat.data())
        let blocks = try sh("stat -c %b \(q(image.path))").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect((Int(blocks) ?? .max) * 512 < 8 << 20, "a 256 MiB volume holding 70 kB should occupy a few MiB, not \(blocks) blocks")
    }
}
