import DiskImage
import Foundation
@testable import Flash
import Support
import Testing
import TestSupport

/// Writing, verifying and stopping, against regular files and fake disks.
@Suite struct WriteTests {
    /// 1 MiB image: a boot sector, a FAT-like region, and two scattered extents.
    static let layout = [(0, 512), (64 << 10, 200 << 10), (600 << 10, 4096), (900 << 10, 10_000)]
    static let size = 1 << 20

    func plan(_ dir: TemporaryDirectory, target: String, options: FlashOptions = .init(), root: SystemRoot? = nil) throws -> FlashPlan {
        try FlashPlan.prepare(image: dir.path("sel4.img").path, target: target, options: options,
                              root: root ?? SystemRoot(directory: dir.url))
    }

    func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    @Test("only the mapped ranges are written; the rest of the target keeps its bytes")
    func mappedOnly() throws {
        let dir = try TemporaryDirectory("flash")
        defer { dir.remove() }
        let map = try Images.make(dir.path("sel4.img"), size: Self.size, data: Self.layout)
        try Images.filled(dir.path("out.img"), size: Self.size, byte: 0xA5)
        let progress = RecordingProgress()
        let report = try Flasher(plan: try plan(dir, target: dir.path("out.img").path), reporter: progress).run()
        #expect(report.bytesWritten == map.mappedBytes)
        #expect(report.rangesVerified == map.ranges.count)
        let image = try bytes(dir.path("sel4.img")), out = try bytes(dir.path("out.img"))
        var mapped = [Bool](repeating: false, count: Self.size)
        for r in map.ranges { for i in Int(r.offset)..<Int(r.offset + r.length) { mapped[i] = true } }
        #expect((0..<Self.size).allSatisfy { mapped[$0] ? out[$0] == image[$0] : out[$0] == 0xA5 })
        #expect(progress.lines.last?.hasPrefix("flash \(dir.path("out.img").path): done: \(ByteSize.mebibytes(map.mappedBytes)) written and verified") == true)
        // The body's progress ends at 100% before verifying; the head has its own line, and no "writing … %" follows.
        let item = "flash \(dir.path("out.img").path): "
        let states = progress.lines.map { $0.hasPrefix(item) ? String($0.dropFirst(item.count)) : $0 }
        let verifying = try #require(states.firstIndex { $0.hasPrefix("verifying ") })
        #expect(states[..<verifying].last { $0.hasPrefix("writing ") }?.contains("(100%)") == true, "\(states)")
        #expect(states[verifying...].dropLast().dropFirst()
            == ["writing the held-back 4.0 KiB (partition table and boot sector) and verifying it"], "\(states)")
    }

    @Test("--zero-unmapped makes the target equal to the image")
    func zeroUnmapped() throws {
        let dir = try TemporaryDirectory("flash")
        defer { dir.remove() }
        try Images.make(dir.path("sel4.img"), size: Self.size, data: Self.layout)
        try Images.filled(dir.path("out.img"), size: Self.size, byte: 0xA5)
        let report = try Flasher(plan: try plan(dir, target: dir.path("out.img").path, options: .init(zeroUnmapped: true)), reporter: QuietProgress()).run()
        #expect(try bytes(dir.path("out.img")) == bytes(dir.path("sel4.img")))
        #expect(report.bytesZeroed + report.bytesWritten == UInt64(Self.size))
    }

    @Test("a new file is created at the image's size; flashing it again changes nothing")
    func newFileAndReflash() throws {
        let dir = try TemporaryDirectory("flash")
        defer { dir.remove() }
        try Images.make(dir.path("sel4.img"), size: Self.size, data: Self.layout)
        let out = dir.path("out.img")
        let first = try plan(dir, target: out.path)
        #expect(first.target.kind == .newFile && !first.needsConfirmation)
        _ = try Flasher(plan: first, reporter: QuietProgress()).run()
        #expect(try bytes(out) == bytes(dir.path("sel4.img")))
        let second = try plan(dir, target: out.path)
        #expect(second.target.kind == .regularFile && second.needsConfirmation)
        _ = try Flasher(plan: second, reporter: QuietProgress()).run()
        #expect(try bytes(out) == bytes(dir.path("sel4.img")))
    }

    @Test("without a block map beside the image one is computed")
    func scannedMap() throws {
        let dir = try TemporaryDirectory("flash")
        defer { dir.remove() }
        try Images.make(dir.path("sel4.img"), size: Self.size, data: Self.layout, map: false)
        let plan = try plan(dir, target: dir.path("out.img").path)
        #expect(plan.mapSource == .scanned)
        _ = try Flasher(plan: plan, reporter: QuietProgress()).run()
        #expect(try bytes(dir.path("out.img")) == bytes(dir.path("sel4.img")))
    }

    @Test("a stop after the first ranges leaves block 0 of the target untouched")
    func interrupted() throws {
        let dir = try TemporaryDirectory("flash")
        defer { dir.remove() }
        let map = try Images.make(dir.path("sel4.img"), size: Self.size, data: Self.layout)
        #expect(map.ranges.count > 3)
        for previous in [UInt8(0), 0x5A] {
            try Images.filled(dir.path("out.img"), size: Self.size, byte: previous)
            let stop = StopSignal()
            var flasher = Flasher(plan: try plan(dir, target: dir.path("out.img").path), reporter: QuietProgress(), stop: stop)
            flasher.hooks.afterRange = { index in if index == 1 { stop.request("SIGINT") } }
            let error = try #require(throws: FlashError.self) { try flasher.run() }
            #expect(error.kind == .interrupted && error.exitCode == 130)
            #expect(error.description.hasPrefix("flashing \(dir.path("out.img").path) was stopped by SIGINT after "))
            #expect(error.description.hasSuffix("; block 0 was not written, so the target is not bootable and must be re-flashed"))
            let out = try bytes(dir.path("out.img")), image = try bytes(dir.path("sel4.img"))
            #expect(out[0..<4096].allSatisfy { $0 == previous })
            let second = map.ranges[1], last = map.ranges.last!
            #expect(out[Int(second.offset)..<Int(second.offset + second.length)] == image[Int(second.offset)..<Int(second.offset + second.length)])
            #expect(out[Int(last.offset)..<Int(last.offset + last.length)].allSatisfy { $0 == previous })
        }
    }

    @Test("read-back verification catches a range that changed after writing")
    func corruptedReadBack() throws {
        let dir = try TemporaryDirectory("flash")
        defer { dir.remove() }
        let map = try Images.make(dir.path("sel4.img"), size: Self.size, data: Self.layout)
        try Images.filled(dir.path("out.img"), size: Self.size, byte: 0)
        var flasher = Flasher(plan: try plan(dir, target: dir.path("out.img").path), reporter: QuietProgress())
        let bad = map.ranges[2]
        flasher.hooks.beforeReadBack = { target in
            let handle = try FileHandle(forWritingTo: target)
            try handle.seek(toOffset: bad.offset + 100)
            try handle.write(contentsOf: Data([0xFF, 0xFE]))
            try handle.close()
        }
        let error = try #require(throws: FlashError.self) { try flasher.run() }
        #expect(error.kind == .verifyFailed && error.exitCode == 5)
        #expect(error.description == "verification of \(dir.path("out.img").path) failed: range 3 (offset \(bad.offset), \(ByteSize.mebibytes(bad.length))) reads back with a different SHA-256 than the image; block 0 was not written, so the target is not bootable and must be re-flashed")
        #expect(try bytes(dir.path("out.img"))[0..<4096].allSatisfy { $0 == 0 })
    }

    @Test("an image that does not match its block map is refused before anything is written")
    func corruptImage() throws {
        let dir = try TemporaryDirectory("flash")
        defer { dir.remove() }
        let map = try Images.make(dir.path("sel4.img"), size: Self.size, data: Self.layout)
        try Images.filled(dir.path("out.img"), size: Self.size, byte: 0xA5)
        let handle = try FileHandle(forWritingTo: dir.path("sel4.img"))
        try handle.seek(toOffset: 70_000)
        try handle.write(contentsOf: Data([0, 0, 0]))
        try handle.close()
        let error = try #require(throws: FlashError.self) { try Flasher(plan: try plan(dir, target: dir.path("out.img").path), reporter: QuietProgress()).run() }
        let index = map.ranges.firstIndex { $0.offset <= 70_000 && 70_000 < $0.offset + $0.length }!
        let r = map.ranges[index]
        let actual = try SHA256Hex.of(Data(contentsOf: dir.path("sel4.img"))[Int(r.offset)..<Int(r.offset + r.length)])
        #expect(error.description == "the image \(dir.path("sel4.img").path) does not match its block map: range \(index + 1) (offset \(r.offset), \(ByteSize.mebibytes(r.length))) has SHA-256 \(actual), the map says \(r.sha256); nothing was written")
        #expect(error.exitCode == 3)
        #expect(try bytes(dir.path("out.img")).allSatisfy { $0 == 0xA5 })
    }

    @Test("data outside the block map (a stale map) is refused")
    func staleMap() throws {
        let dir = try TemporaryDirectory("flash")
        defer { dir.remove() }
        try Images.make(dir.path("sel4.img"), size: Self.size, data: Self.layout)
        let handle = try FileHandle(forWritingTo: dir.path("sel4.img"))
        try handle.seek(toOffset: 800_000)
        try handle.write(contentsOf: Data([7]))
        try handle.close()
        let error = try #require(throws: FlashError.self) { try Flasher(plan: try plan(dir, target: dir.path("out.img").path), reporter: QuietProgress()).run() }
        #expect(error.description == "the image \(dir.path("sel4.img").path) does not match its block map: it has data at offset 800000, which the block map leaves out; nothing was written")
        #expect(!FileManager.default.fileExists(atPath: dir.path("out.img").path))
    }

    @Test("a block map for an image of another size is refused")
    func wrongSizeMap() throws {
        let dir = try TemporaryDirectory("flash")
        defer { dir.remove() }
        try Images.make(dir.path("sel4.img"), size: Self.size, data: Self.layout)
        try Data(count: 4096).write(to: dir.path("sel4.img"))
        let error = try #require(throws: FlashError.self) { try plan(dir, target: dir.path("out.img").path) }
        #expect(error.description == "the image \(dir.path("sel4.img").path) does not match its block map: it is 4096 bytes but sel4.img.bmap.json describes \(Self.size) bytes; nothing was written")
    }

    @Test("a removable disk is written whole-disk, found through its by-id link")
    func fakeDisk() throws {
        let system = try FakeSystem()
        defer { system.dir.remove() }
        let sdb = try system.add(.init(name: "sdb", minor: 16, bytes: 4 << 20, partitions: 1))
        try Images.filled(sdb, size: 4 << 20, byte: 0xA5)
        try Images.make(system.dir.path("sel4.img"), size: Self.size, data: Self.layout)
        try FileManager.default.createSymbolicLink(atPath: system.dev.appendingPathComponent("disk/by-id/usb-stick").path, withDestinationPath: "../../sdb")
        let plan = try FlashPlan.prepare(image: system.dir.path("sel4.img").path, target: system.dev.appendingPathComponent("disk/by-id/usb-stick").path, root: system.root)
        #expect(plan.target.kind == .blockDevice)
        _ = try Flasher(plan: plan, reporter: QuietProgress()).run()
        let out = try bytes(sdb)
        #expect(out.count == 4 << 20)  // a disk is never resized
        #expect(out[(300 << 10)..<(400 << 10)].allSatisfy { $0 == 0xA5 })  // unmapped: left as it was
        #expect(out[0..<512] == (try bytes(system.dir.path("sel4.img")))[0..<512])
        #expect(out[Self.size...].allSatisfy { $0 == 0xA5 })
    }
}

@Suite struct LayoutTests {
    @Test("the first 4 KiB of the disk are held back from the body and written last")
    func head() throws {
        let map = BlockMap(imageSize: 1 << 20, blockSize: 4096, imageSHA256: String(repeating: "0", count: 64), ranges: [
            .init(offset: 0, length: 65536, sha256: ""), .init(offset: 131072, length: 4096, sha256: ""),
        ])
        let layout = Layout(map: map, zeroUnmapped: true)
        #expect(layout.headData == [.init(offset: 0, length: 4096)])
        #expect(layout.bodyData == [[.init(offset: 4096, length: 61440)], [.init(offset: 131072, length: 4096)]])
        #expect(layout.bodyRanges == [1] && layout.headRanges == [0])
        #expect(layout.bodyZeros == [.init(offset: 65536, length: 65536), .init(offset: 135168, length: (1 << 20) - 135168)])
        #expect(layout.headZeros.isEmpty)
    }

    @Test("when the image starts with zeros, block 0 and the first range's first block are both held back")
    func headWithLeadingZeros() {
        let map = BlockMap(imageSize: 1 << 20, blockSize: 4096, imageSHA256: "", ranges: [.init(offset: 8192, length: 8192, sha256: "")])
        let layout = Layout(map: map, zeroUnmapped: true)
        #expect(layout.headData == [.init(offset: 8192, length: 4096)])
        #expect(layout.headZeros == [.init(offset: 0, length: 4096)])
        #expect(layout.bodyZeros.first == .init(offset: 4096, length: 4096))
        #expect(layout.bodyData == [[.init(offset: 12288, length: 4096)]])
    }
}
