import Foundation
import Testing
import TestSupport
@testable import CPIO

@Suite struct ReadExtractTests {
    func sampleArchive(_ dir: TemporaryDirectory, compression: CPIOCompression = .none, name: String = "out.cpio") throws -> (CPIOArchive, URL) {
        var archive = CPIOArchive()
        try archive.addTree(from: try makeSampleTree(in: dir))
        try archive.addNode(DeviceSpec(parsing: "c:5:1:/dev/console"))
        archive.remove("absolute-link")  // extraction refuses absolute symlinks (see BadInputTests)
        try FileManager.default.removeItem(at: dir.path("tree/absolute-link"))
        let out = dir.path(name)
        try archive.write(to: out, options: CPIOWriteOptions(compression: compression, timestamp: 86_400 * 365))
        return (archive, out)
    }

    @Test("Listing shows every entry as stored, in cpio -tv style and as JSON fields")
    func listing() throws {
        let dir = try TemporaryDirectory("cpio-list")
        defer { dir.remove() }
        let (archive, out) = try sampleArchive(dir, compression: .gzip, name: "rootfs.cpio.gz")
        let listing = try CPIOArchive.list(out)
        #expect(listing.map(\.path) == archive.sortedEntries.map(\.path))
        let console = try #require(listing.first { $0.path == "dev/console" })
        #expect(console.line == "crw-------   1 0        0          5,   1 1971-01-01 00:00 dev/console")
        #expect(console.type == "character-device" && console.major == 5 && console.minor == 1)
        let link = try #require(listing.first { $0.path == "bin/sh" })
        #expect(link.line == "lrwxrwxrwx   1 0        0               7 1971-01-01 00:00 bin/sh -> busybox")
        let busybox = try #require(listing.first { $0.path == "bin/busybox" })
        #expect(busybox.line.hasPrefix("-rwsr-xr-x   1 0        0               7 "))
        #expect(busybox.mode == "04755")
        let gnu = try sh("gzip -dc rootfs.cpio.gz | cpio -t --quiet", in: dir.url)
        #expect(gnu.split(separator: "\n").map(String.init) == listing.map(\.path))
    }

    @Test("Extracting gives back the tree GNU cpio extracts, and device nodes are skipped with a note")
    func extractMatchesGNU() throws {
        let dir = try TemporaryDirectory("cpio-extract")
        defer { dir.remove() }
        let (_, out) = try sampleArchive(dir)
        let report = try CPIOArchive.extract(out, to: dir.path("ours"))
        #expect(report.notes == ["skipped device node dev/console (c 5 1); allow device nodes to create it (needs root)"])
        #expect(report.extracted == 13)
        try sh("mkdir gnu && cd gnu && cpio -idm --quiet < ../out.cpio && rm dev/console", in: dir.url)
        let same = try sh("""
            diff -r --no-dereference gnu ours && (cd gnu && find . | sort | xargs stat -c '%n %a %F') > a \
              && (cd ours && find . | sort | xargs stat -c '%n %a %F') > b && cmp a b \
              && (cd gnu && find . -type f | sort | xargs stat -c '%n %Y') > c \
              && (cd ours && find . -type f | sort | xargs stat -c '%n %Y') > d && cmp c d && echo same
            """, in: dir.url)
        #expect(same.contains("same"))
        #expect(FileManager.default.currentDirectoryPath != dir.path("ours").path)
    }

    @Test("Device nodes are created when allowed")
    func extractDevices() throws {
        guard getuid() == 0 else { return }  // mknod needs root
        let dir = try TemporaryDirectory("cpio-devices")
        defer { dir.remove() }
        let (_, out) = try sampleArchive(dir)
        let report = try CPIOArchive.extract(out, to: dir.path("x"), options: CPIOExtractOptions(allowDeviceNodes: true))
        #expect(report.notes.isEmpty)
        #expect(try sh("stat -c '%F %t %T' x/dev/console", in: dir.url) == "character special file 5 1\n")
    }

    @Test("A truncated archive fails with the file, entry and offset at every length, and never crashes")
    func truncation() throws {
        let dir = try TemporaryDirectory("cpio-truncate")
        defer { dir.remove() }
        var archive = CPIOArchive()
        try archive.addFile("etc/hostname", contents: Data("sel4\n".utf8))
        try archive.addSymlink("bin/sh", target: "busybox")
        try archive.addFile("bin/busybox", contents: Data(repeating: 0x7F, count: 300), mode: 0o755)
        try archive.addNode(DeviceSpec(parsing: "c:5:1:/dev/console"))
        for compression in CPIOCompression.allCases {
            let out = dir.path("whole-\(compression)")
            try archive.write(to: out, options: CPIOWriteOptions(compression: compression))
            let bytes = try Data(contentsOf: out)
            let names = try CPIOArchive.list(out).map(\.path)
            // For plain archives everything before the end of the trailer matters; the rest is padding.
            let plainEnd = compression == .none ? (bytes.range(of: Data("TRAILER!!!".utf8))!.upperBound) : bytes.count
            let cut = dir.path("cut-\(compression)")
            for length in 0..<bytes.count {
                try bytes.prefix(length).write(to: cut)
                do {
                    let listed = try CPIOArchive.list(cut).map(\.path)
                    #expect(length >= plainEnd || compression == .gzip, "length \(length) listed without error")
                    #expect(listed == names)
                } catch let error as CPIOError {
                    #expect(error.kind == .malformed, "length \(length): \(error)")
                    #expect(error.message.hasPrefix("\(cut.path) is not a readable CPIO archive: entry "), "length \(length): \(error)")
                }
                if length < plainEnd && compression == .none {
                    #expect(throws: CPIOError.self) { try CPIOArchive.read(from: cut) }
                    #expect(throws: CPIOError.self) { try CPIOArchive.extract(cut, to: dir.path("x-\(length)")) }
                }
            }
        }
    }

    @Test("Reading normalises ./ and / prefixes, drops the root entry, and keeps hard-linked bytes")
    func readNormalises() throws {
        let dir = try TemporaryDirectory("cpio-read")
        defer { dir.remove() }
        try sh("""
            mkdir -p t/bin && printf abc > t/bin/a && ln t/bin/a t/bin/b && ln -s a t/bin/c
            cd t && find . | cpio -o -H newc --quiet > ../gnu.cpio
            """, in: dir.url)
        let archive = try CPIOArchive.read(from: dir.path("gnu.cpio"))
        #expect(archive.sortedEntries.map(\.path) == ["bin", "bin/a", "bin/b", "bin/c"])
        #expect(archive["bin/a"]?.kind == .file(.bytes(Data("abc".utf8))))
        #expect(archive["bin/b"]?.kind == .file(.bytes(Data("abc".utf8))))
        #expect(archive["/bin/c"]?.kind == .symlink(target: "a"))
    }

    @Test("Nothing is written outside the destination by hostile archives")
    func hostileArchivesStayInside() throws {
        let dir = try TemporaryDirectory("cpio-hostile")
        defer { dir.remove() }
        var raw = RawNewc()
        raw.link("d", to: "../outside")
        raw.file("d/pwned", "x")
        try raw.write(to: dir.path("a.cpio"))
        try FileManager.default.createDirectory(at: dir.path("outside"), withIntermediateDirectories: true)
        #expect(throws: CPIOError.self) { try CPIOArchive.extract(dir.path("a.cpio"), to: dir.path("dest")) }
        #expect(!FileManager.default.fileExists(atPath: dir.path("outside/pwned").path))
        // A symlink already in the destination is not followed either (libarchive's SECURE_SYMLINKS).
        var second = RawNewc()
        second.file("pre/pwned", "x")
        try second.write(to: dir.path("b.cpio"))
        try FileManager.default.createDirectory(at: dir.path("dest2"), withIntermediateDirectories: true)
        try sh("ln -s ../outside dest2/pre", in: dir.url)
        #expect(throws: CPIOError.self) { try CPIOArchive.extract(dir.path("b.cpio"), to: dir.path("dest2")) }
        #expect(!FileManager.default.fileExists(atPath: dir.path("outside/pwned").path))
    }

    @Test("A busybox-style tree of many symlinks extracts, with every link intact")
    func manySymlinks() throws {
        let dir = try TemporaryDirectory("cpio-busybox")
        defer { dir.remove() }
        var archive = CPIOArchive()
        try archive.addFile("bin/busybox", contents: Data("bb".utf8), mode: 0o755)
        for i in 0..<600 {
            try archive.addSymlink("bin/tool\(i)", target: "busybox")
            try archive.addSymlink("usr/bin/util\(i)", target: "../../bin/busybox")
        }
        try archive.write(to: dir.path("bb.cpio"))
        let report = try CPIOArchive.extract(dir.path("bb.cpio"), to: dir.path("x"))
        #expect(report.extracted == 1204)
        #expect(try String(contentsOf: dir.path("x/usr/bin/util599"), encoding: .utf8) == "bb")
    }
}
