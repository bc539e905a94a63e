import Foundation
import Testing
import TestSupport
@testable import CPIO

@Suite struct CreateTests {
    @Test("Entries are written in path order with stable inodes, root ownership, the given time and GNU cpio's nlink")
    func headerFields() throws {
        let dir = try TemporaryDirectory("cpio-create")
        defer { dir.remove() }
        var archive = CPIOArchive()
        try archive.addTree(from: try makeSampleTree(in: dir))
        try archive.addNode(DeviceSpec(parsing: "c:5:1:/dev/console"))
        let out = dir.path("out.cpio")
        try archive.write(to: out, options: CPIOWriteOptions(timestamp: 1_700_000_000))
        let headers = NewcHeader.parseAll(try Data(contentsOf: out))
        let names = headers.map(\.name)
        #expect(names == ["absolute-link", "bin", "bin/busybox", "bin/sh", "dangling", "dev", "dev/console", "empty", "etc",
                          "etc/init.d", "etc/init.d/rcS", "etc/passwd", "usr", "usr/lib", "usr/lib/blob.bin", "TRAILER!!!"])
        for (i, h) in headers.dropLast().enumerated() {
            #expect(h.ino == UInt32(i + 1))
            #expect(h.uid == 0 && h.gid == 0 && h.devMajor == 0 && h.devMinor == 0)
            #expect(h.mtime == 1_700_000_000)
        }
        let byName = Dictionary(uniqueKeysWithValues: headers.map { ($0.name, $0) })
        #expect(byName["etc"]?.nlink == 3)  // etc/init.d
        #expect(byName["usr/lib"]?.nlink == 2)
        #expect(byName["etc/passwd"]?.nlink == 1)
        #expect(byName["bin/busybox"]?.mode == 0o104755)
        #expect(byName["usr/lib/blob.bin"]?.mode == 0o100600)
        #expect(byName["empty"]?.mode == 0o040700)
        #expect(byName["bin/sh"]?.mode == 0o120777)
        #expect(byName["bin/sh"]?.data == Data("busybox".utf8))
        #expect(byName["absolute-link"]?.data == Data("/etc/passwd".utf8))
        #expect(byName["dev/console"].map { ($0.mode, $0.rdevMajor, $0.rdevMinor) } ?? (0, 0, 0) == (0o020600, 5, 1))
        let blobMatches = byName["usr/lib/blob.bin"]?.data == (try Data(contentsOf: dir.path("tree/usr/lib/blob.bin")))
        #expect(blobMatches)
        #expect(try Data(contentsOf: out).count % 512 == 0)
    }

    @Test("gzip output has no timestamp or file name and passes gzip -t")
    func gzipHeader() throws {
        let dir = try TemporaryDirectory("cpio-gzip")
        defer { dir.remove() }
        var archive = CPIOArchive()
        try archive.addTree(from: try makeSampleTree(in: dir))
        let out = dir.path("rootfs.cpio.gz")
        try archive.write(to: out, options: CPIOWriteOptions(compression: CPIOCompression(forOutput: out), timestamp: 5))
        let bytes = [UInt8](try Data(contentsOf: out))
        #expect(bytes[0] == 0x1F && bytes[1] == 0x8B && bytes[2] == 8)
        #expect(bytes[3] & 0x08 == 0)  // FNAME not set
        #expect(bytes[4..<8].allSatisfy { $0 == 0 })  // MTIME zero
        try sh("gzip -t rootfs.cpio.gz", in: dir.url)
        try sh("gzip -dc rootfs.cpio.gz > plain.cpio", in: dir.url)
        try archive.write(to: dir.path("direct.cpio"), options: CPIOWriteOptions(timestamp: 5))
        let plain = try Data(contentsOf: dir.path("plain.cpio")), direct = try Data(contentsOf: dir.path("direct.cpio"))
        #expect(NewcHeader.parseAll(plain) == NewcHeader.parseAll(direct))
    }

    @Test("The same tree copied elsewhere with other times, umask and creation order gives identical bytes")
    func reproducible() throws {
        let dir = try TemporaryDirectory("cpio-repro")
        defer { dir.remove() }
        let first = try makeSampleTree(in: dir, "one")
        // A copy made under another umask, files created in reverse order, modes set explicitly, times scattered.
        try sh("""
            umask 077
            mkdir -p elsewhere/two && cd one && find . -depth | sort -r | while read -r p; do
              mkdir -p "../elsewhere/two/$(dirname "$p")"
              if [ -L "$p" ]; then ln -s "$(readlink "$p")" "../elsewhere/two/$p"
              elif [ -d "$p" ]; then mkdir -p "../elsewhere/two/$p"
              else cat "$p" > "../elsewhere/two/$p"; fi
            done
            find . ! -type l | while read -r p; do chmod "$(stat -c %a "$p")" "../elsewhere/two/$p"; done
            find ../elsewhere/two -exec touch -h -d '2001-02-03 04:05:06' {} +
            touch -d '1999-01-01' ../elsewhere/two/etc/passwd
            """, in: dir.url)
        var results: [Data] = []
        for (root, epoch) in [(first, Int64(1234)), (dir.path("elsewhere/two"), Int64(1234))] {
            var archive = CPIOArchive()
            try archive.addTree(from: root)
            try archive.addNode(DeviceSpec(parsing: "c:5:1:/dev/console"))
            let out = dir.path("out-\(results.count).cpio.gz")
            try archive.write(to: out, options: CPIOWriteOptions(compression: .gzip, timestamp: epoch))
            results.append(try Data(contentsOf: out))
        }
        #expect(results[0].count == results[1].count)
        let identical = results[0] == results[1]
        #expect(identical, "the two archives differ")
    }

    @Test("GNU cpio and bsdtar list what was written, and GNU cpio extracts the same tree")
    func crossCheck() throws {
        let dir = try TemporaryDirectory("cpio-cross")
        defer { dir.remove() }
        let tree = try makeSampleTree(in: dir)
        var archive = CPIOArchive()
        try archive.addTree(from: tree)
        try archive.write(to: dir.path("out.cpio"))
        let gnu = try sh("cpio -t --quiet < out.cpio", in: dir.url).split(separator: "\n").map(String.init)
        #expect(gnu == archive.sortedEntries.map(\.path))
        let bsd = try sh("bsdtar -tf out.cpio", in: dir.url).split(separator: "\n").map(String.init)
        #expect(bsd == gnu)
        try sh("mkdir x && cd x && cpio -idm --quiet < ../out.cpio", in: dir.url)
        let diff = try sh("diff -r --no-dereference tree x && echo same", in: dir.url)
        #expect(diff.contains("same"))
        let modes = try sh("cd tree && find . | sort | xargs stat -c '%n %a %F' > ../a && cd ../x && find . | sort | xargs stat -c '%n %a %F' > ../b && cmp ../a ../b && echo same", in: dir.url)
        #expect(modes.contains("same"))
    }

    @Test("Symlinks to directories are archived as links and never followed")
    func symlinksNotFollowed() throws {
        let dir = try TemporaryDirectory("cpio-links")
        defer { dir.remove() }
        try dir.write("outside/secret", "s")
        try dir.write("tree/a", "a")
        try sh("ln -s ../outside tree/out", in: dir.url)
        var archive = CPIOArchive()
        try archive.addTree(from: dir.path("tree"))
        #expect(archive.sortedEntries.map(\.path) == ["a", "out"])
        #expect(archive["out"]?.kind == .symlink(target: "../outside"))
    }

    @Test("Writing is atomic: a failed write leaves neither the old archive changed nor a temporary file")
    func atomicWrite() throws {
        let dir = try TemporaryDirectory("cpio-atomic")
        defer { dir.remove() }
        try dir.write("out.cpio", "old")
        try dir.write("file", "data")
        var archive = CPIOArchive()
        try archive.addHostItem(from: dir.path("file"), at: "/file")
        try FileManager.default.removeItem(at: dir.path("file"))
        #expect(throws: CPIOError.self) { try archive.write(to: dir.path("out.cpio")) }
        #expect(try dir.read("out.cpio") == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() == ["out.cpio"])
    }

    @Test("SOURCE_DATE_EPOCH sets the timestamp; unset means 0")
    func sourceDateEpoch() throws {
        #expect(try CPIOWriteOptions.timestamp(fromEnvironment: [:]) == 0)
        #expect(try CPIOWriteOptions.timestamp(fromEnvironment: ["SOURCE_DATE_EPOCH": "1700000000"]) == 1_700_000_000)
    }
}
