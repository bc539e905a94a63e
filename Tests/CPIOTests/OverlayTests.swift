import Foundation
import Testing
import TestSupport
@testable import CPIO

@Suite struct OverlayTests {
    @Test("An overlay replaces, adds and removes entries; GNU cpio and bsdtar list and extract the result identically")
    func roundTrip() throws {
        let dir = try TemporaryDirectory("cpio-overlay")
        defer { dir.remove() }
        // A base root file system made by GNU cpio the usual way (with a "." entry and ./ names).
        try sh("""
            mkdir -p base/bin base/etc base/usr/share/doc base/usr/lib
            printf 'busybox' > base/bin/busybox && chmod 755 base/bin/busybox && ln -s busybox base/bin/sh
            printf 'root:x:0:0::/root:/bin/sh\\n' > base/etc/passwd
            printf 'doc' > base/usr/share/doc/README && printf 'lib' > base/usr/lib/libc.so
            cd base && find . | cpio -o -H newc --quiet | gzip -9 > ../rootfs.cpio.gz
            cd .. && mkdir -p add/app && printf 'new passwd\\n' > passwd.new && printf '#!/bin/sh\\n' > add/app/run && chmod 750 add/app/run
            """, in: dir.url)
        var archive = try CPIOArchive.read(from: dir.path("rootfs.cpio.gz"))
        let summary = try archive.apply(CPIOEdits(
            removals: ["/usr/share"],
            additions: [try HostAddition(parsing: "passwd.new:/etc/passwd", relativeTo: dir.url),
                        try HostAddition(parsing: "add/app/run:/opt/app/bin/run", relativeTo: dir.url)],
            directories: ["/proc", "/sys"],
            symlinks: [try SymlinkSpec(parsing: "/opt/app/bin/run:/init")],
            devices: [try DeviceSpec(parsing: "c:5:1:/dev/console")]))
        #expect(summary == CPIOEditSummary(removed: 3, added: 9, replaced: 1))
        try archive.write(to: dir.path("new.cpio.gz"), options: CPIOWriteOptions(compression: .gzip, timestamp: 1_000_000))

        let expected = ["bin", "bin/busybox", "bin/sh", "dev", "dev/console", "etc", "etc/passwd", "init", "opt", "opt/app",
                        "opt/app/bin", "opt/app/bin/run", "proc", "sys", "usr", "usr/lib", "usr/lib/libc.so"]
        let gnu = try sh("gzip -dc new.cpio.gz | cpio -t --quiet", in: dir.url).split(separator: "\n").map(String.init)
        #expect(gnu == expected)
        let bsd = try sh("bsdtar -tvf new.cpio.gz", in: dir.url).split(separator: "\n").map(String.init)
        #expect(bsd.count == expected.count)
        #expect(bsd.first { $0.hasSuffix(" init -> /opt/app/bin/run") }?.hasPrefix("lrwxrwxrwx") == true)
        #expect(bsd.first { $0.hasSuffix(" opt/app/bin/run") }?.hasPrefix("-rwxr-x---") == true)
        try sh("""
            mkdir g b && (cd g && gzip -dc ../new.cpio.gz | cpio -idm --quiet --no-absolute-filenames) && (cd b && bsdtar -xpf ../new.cpio.gz)
            diff -r --no-dereference g b
            (cd g && find . | sort | xargs stat -c '%n %a %F %s') > g.txt && (cd b && find . | sort | xargs stat -c '%n %a %F %s') > b.txt
            cmp g.txt b.txt && cmp g/etc/passwd passwd.new
            """, in: dir.url)
        // And our own extraction agrees (device nodes left out unless allowed).
        archive.remove("init")  // an absolute symlink, which sel4img's extraction refuses
        try archive.write(to: dir.path("safe.cpio"))
        try CPIOArchive.extract(dir.path("safe.cpio"), to: dir.path("ours"))
        try sh("rm -f g/dev/console g/init && diff -r --no-dereference g ours", in: dir.url)
    }

    @Test("Overlaying the same changes twice gives identical bytes")
    func overlayIsDeterministic() throws {
        let dir = try TemporaryDirectory("cpio-overlay-repro")
        defer { dir.remove() }
        try sh("mkdir -p base/etc && printf x > base/etc/a && cd base && find . | cpio -o -H newc --quiet > ../base.cpio", in: dir.url)
        var outputs: [Data] = []
        for i in 0..<2 {
            try sh("touch -d '200\(i)-01-01' base.cpio", in: dir.url)
            var archive = try CPIOArchive.read(from: dir.path("base.cpio"))
            try archive.apply(CPIOEdits(directories: ["tmp"], devices: [try DeviceSpec(parsing: "p:/run/fifo")]))
            try archive.write(to: dir.path("out\(i).cpio.gz"), options: CPIOWriteOptions(compression: .gzip))
            outputs.append(try Data(contentsOf: dir.path("out\(i).cpio.gz")))
        }
        let identical = outputs[0] == outputs[1]
        #expect(identical)
    }
}
