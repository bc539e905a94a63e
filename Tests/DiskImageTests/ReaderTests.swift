import Foundation
import Testing
import TestSupport
@testable import DiskImage

@Suite struct ReaderTests {
    @Test("the reader lists and reads a volume made by mkfs.fat and mtools")
    func readsMtoolsVolume() throws {
        let dir = try TemporaryDirectory("reader-mtools")
        defer { dir.remove() }
        let image = dir.path("m.img")
        try sh("""
            mkfs.fat -F 32 -n MTOOLS -C m.img 40960 >/dev/null
            printf 'hello\\n' > config.txt
            head -c 70000 /dev/urandom > sel4test-driver-image-arm-bcm2711
            mmd -i m.img ::overlays
            mcopy -i m.img config.txt sel4test-driver-image-arm-bcm2711 ::
            mcopy -i m.img config.txt ::overlays/Readme.Long.Name
            """, in: dir.url, environment: mtoolsEnvironment)
        let reader = try FATVolumeReader(image: image)
        #expect(reader.bootSectorLabel == "MTOOLS")
        let items = try reader.list()
        #expect(items.map(\.path) == ["overlays", "overlays/Readme.Long.Name", "config.txt", "sel4test-driver-image-arm-bcm2711"])
        #expect(items.map(\.shortName) == ["OVERLAYS", "README~1.NAM", "CONFIG.TXT", "SEL4TE~1"])
        #expect(try reader.contents(of: "sel4test-driver-image-arm-bcm2711") == Data(contentsOf: dir.path("sel4test-driver-image-arm-bcm2711")))
        #expect(try reader.contents(of: "OVERLAYS/readme~1.nam") == Data("hello\n".utf8))
        #expect(throws: DiskImageError(.notFound, "'nope.txt' is not in the FAT volume in \(image.path)")) { try reader.contents(of: "nope.txt") }
    }

    @Test("a damaged volume gives an error, not a crash or a hang")
    func damaged() throws {
        let dir = try TemporaryDirectory("reader-bad")
        defer { dir.remove() }
        let fat = try FATImage(entries: [.file("a.bin", Data(count: 5000)), .directory("d")], options: .init(sourceDateEpoch: epoch))
        var bytes = [UInt8](try fat.data())
        let plan = try fat.plan()
        // Make a.bin's chain loop back to its own first cluster.
        let first = Int(plan.tree.nodes.first { $0.name == "a.bin" }!.firstCluster)
        let at = Int(plan.layout.fatOffset) + (first + 3) * 4
        bytes.replaceSubrange(at..<at + 4, with: withUnsafeBytes(of: UInt32(first).littleEndian, Array.init))
        let url = dir.path("bad.img")
        try Data(bytes).write(to: url)
        #expect(throws: DiskImageError.self) { try FATVolumeReader(image: url).contents(of: "a.bin") }

        try Data(count: 4096).write(to: url)
        #expect(throws: DiskImageError.malformed(url.path, "has no boot sector (no 0x55AA signature)")) { try FATVolumeReader(image: url) }
        #expect(throws: DiskImageError.malformed(url.path, "has no MBR signature (0x55AA at byte 510)")) { try MBRPartitionTable.read(from: url) }
    }
}
