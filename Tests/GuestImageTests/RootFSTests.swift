import Boards
import CPIO
import Foundation
import Testing
import Support
import TestSupport
@testable import GuestImage

/// The guest's initramfs, checked with the real `bsdtar` and `cpio`.
@Suite struct RootFSTests {
    @Test("the initramfs holds exactly the base directories, busybox, the device nodes, the files and the modules")
    func exactEntries() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        let image = f.image(f.guest(), modules: [.init(name: "hello.wasm", bytes: emptyModule), .init(name: "args.wasm", bytes: emptyModule)])
        let outputs = try image.build(into: f.dir.path("out"))
        #expect(outputs.rewritten == ["linux", "rootfs.cpio.gz", "linux.dtb"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.dir.path("out").path).sorted() == ["linux", "linux.dtb", "rootfs.cpio.gz"])

        // cpio -itv: modes, owners, device numbers, sizes, the one timestamp (2023-11-14 22:13:20 UTC).
        let listing = try sh("gzip -dc out/rootfs.cpio.gz | TZ=UTC cpio -itv --numeric-uid-gid --quiet ", in: f.dir.url)
        #expect(listing == """
            drwxr-xr-x   2 0        0               0 Nov 14  2023 bin
            -rwxr-xr-x   1 0        0              15 Nov 14  2023 bin/busybox
            drwxr-xr-x   2 0        0               0 Nov 14  2023 dev
            crw-------   1 0        0          5,   1 Nov 14  2023 dev/console
            crw-rw-rw-   1 0        0          1,   3 Nov 14  2023 dev/null
            drwxr-xr-x   2 0        0               0 Nov 14  2023 etc
            -rw-r--r--   1 0        0              21 Nov 14  2023 etc/profile
            -rwxr-xr-x   1 0        0              57 Nov 14  2023 init
            drwxr-xr-x   2 0        0               0 Nov 14  2023 proc
            drwx------   2 0        0               0 Nov 14  2023 root
            drwxr-xr-x   2 0        0               0 Nov 14  2023 sbin
            drwxr-xr-x   2 0        0               0 Nov 14  2023 sys
            drwxrwxrwt   2 0        0               0 Nov 14  2023 tmp
            drwxr-xr-x   4 0        0               0 Nov 14  2023 usr
            drwxr-xr-x   2 0        0               0 Nov 14  2023 usr/bin
            drwxr-xr-x   2 0        0               0 Nov 14  2023 usr/sbin
            drwxr-xr-x   2 0        0               0 Nov 14  2023 wasm
            -rw-r--r--   1 0        0               8 Nov 14  2023 wasm/args.wasm
            -rw-r--r--   1 0        0               8 Nov 14  2023 wasm/hello.wasm

            """)
        // bsdtar (libarchive's own reader) agrees on names, types and owners.
        let bsdtar = try sh("TZ=UTC bsdtar -tvf out/rootfs.cpio.gz --numeric-owner", in: f.dir.url)
        let names = bsdtar.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(names.map { String($0.last!) } == ["bin", "bin/busybox", "dev", "dev/console", "dev/null", "etc", "etc/profile", "init",
                                                   "proc", "root", "sbin", "sys", "tmp", "usr", "usr/bin", "usr/sbin", "wasm",
                                                   "wasm/args.wasm", "wasm/hello.wasm"])
        #expect(names.allSatisfy { $0[2] == "0" && $0[3] == "0" })
        #expect(bsdtar.contains("crw-------  1 0      0         5,1 Nov 14  2023 dev/console"))
        #expect(bsdtar.contains("crw-rw-rw-  1 0      0         1,3 Nov 14  2023 dev/null"))
        // No applet links: the guest's init installs them.
        #expect(!listing.contains("bin/sh"))
        // The contents are the sources' bytes.
        #expect(try sh("gzip -dc out/rootfs.cpio.gz | cpio -i --quiet --to-stdout init ", in: f.dir.url) == (try f.dir.read("checkout/guest/init")))
        #expect(try sh("gzip -dc out/rootfs.cpio.gz | cpio -i --quiet --to-stdout bin/busybox ", in: f.dir.url) == "#!fake busybox\n")
        #expect(outputs.rootfsEntries == 19)
        #expect(outputs.rootfsSize == (try FileManager.default.attributesOfItem(atPath: f.dir.path("out/rootfs.cpio.gz").path)[.size] as? Int))
    }

    @Test("two builds from checkouts in different directories give the same bytes, programs included")
    func deterministic() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        try sh("cp -a checkout elsewhere", in: f.dir.url)
        let guest = f.guest(programs: [.init(path: "/usr/bin/hello", sources: ["guest/hello.c"])])
        try f.image(guest).build(into: f.dir.path("one"))
        try f.image(guest, repository: f.dir.path("elsewhere")).build(into: f.dir.path("two"))
        for name in ["linux", "rootfs.cpio.gz", "linux.dtb"] {
            #expect(try Data(contentsOf: f.dir.path("one/\(name)")) == Data(contentsOf: f.dir.path("two/\(name)")), "\(name)")
        }
        // The program records its source relative to the checkout, never the checkout's place.
        let program = try sh("gzip -dc one/rootfs.cpio.gz | cpio -i --quiet --to-stdout usr/bin/hello | strings", in: f.dir.url)
        #expect(program.contains("guest/hello.c"))
        #expect(!program.contains(f.dir.url.path))
        // Another timestamp, other bytes.
        try f.image(guest, timestamp: 0).build(into: f.dir.path("two"))
        #expect(try Data(contentsOf: f.dir.path("one/rootfs.cpio.gz")) != Data(contentsOf: f.dir.path("two/rootfs.cpio.gz")))
    }

    @Test("files with unchanged bytes are not rewritten, so Ninja sees no change")
    func unchangedIsNotRewritten() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        let out = f.dir.path("out")
        let progress = RecordingProgress()
        try f.image(f.guest()).build(into: out)
        let old = Date(timeIntervalSince1970: 1_000_000)
        for name in ["linux", "rootfs.cpio.gz", "linux.dtb"] {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: out.appendingPathComponent(name).path)
        }
        let again = try f.image(f.guest()).build(into: out, progress: progress)
        #expect(again.rewritten == [])
        #expect(progress.lines.last?.hasPrefix("guest: up to date: linux, rootfs.cpio.gz (17 entries, ") == true)
        for name in ["linux", "rootfs.cpio.gz", "linux.dtb"] {
            #expect(try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent(name).path)[.modificationDate] as? Date == old)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["linux", "linux.dtb", "rootfs.cpio.gz"])
        // A small module more: a new initramfs, whose new size moves the DTB's initramfs end.
        let third = try f.image(f.guest(), modules: [.init(name: "a.wasm", bytes: emptyModule)]).build(into: out)
        #expect(third.rewritten == ["rootfs.cpio.gz", "linux.dtb"])
        // A larger one: a new initramfs and a DTB with its new end; the kernel stays.
        let fourth = try f.image(f.guest(), modules: [.init(name: "a.wasm", bytes: Data(count: 4096))]).build(into: out)
        #expect(fourth.rewritten == ["rootfs.cpio.gz", "linux.dtb"])
    }

    @Test("a module may not replace a file the app puts in the modules directory, nor two modules share a name")
    func moduleConflicts() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        let guest = f.guest(files: [.init(source: "guest/init", path: "/init", mode: 0o755), .init(source: "guest/profile", path: "/wasm/a.wasm")])
        let error = #expect(throws: GuestImageError.self) {
            try f.image(guest, modules: [.init(name: "a.wasm", bytes: emptyModule)]).build(into: f.dir.path("out"))
        }
        #expect(error?.description == "apps/test-vm.yaml: the module a.wasm given with --wasm would replace /wasm/a.wasm in the initramfs, given at 'guest.files.guest/profile'")
        let twice = #expect(throws: GuestImageError.self) {
            try f.image(f.guest(), modules: [.init(name: "a.wasm", bytes: emptyModule), .init(name: "a.wasm", bytes: Data([1]))])
                .build(into: f.dir.path("out"))
        }
        #expect(twice?.description == "apps/test-vm.yaml: two different WebAssembly modules are named a.wasm")
        // The same module twice is one file.
        #expect(try f.image(f.guest(), modules: [.init(name: "a.wasm", bytes: emptyModule), .init(name: "a.wasm", bytes: emptyModule)])
            .build(into: f.dir.path("out")).rootfsEntries == 18)
    }

    @Test("names that would escape the modules directory are refused")
    func escapingNames() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        for (name, problem) in [("../init", "contains '/'"), ("..", "names a directory"), ("a\nb", "contains a control character")] {
            let error = #expect(throws: GuestImageError.self) {
                try f.image(f.guest(), modules: [.init(name: name, bytes: emptyModule)]).build(into: f.dir.path("out"))
            }
            #expect(error?.description == "apps/test-vm.yaml: the WebAssembly module name '\(name)' \(problem)")
        }
        var guest = f.guest()
        guest.files.append(.init(source: "guest/profile", path: "/etc/../../x"))
        let error = #expect(throws: GuestImageError.self) { try f.image(guest).build(into: f.dir.path("out")) }
        #expect(error?.description == "apps/test-vm.yaml: key 'guest.files.guest/profile': the guest path '/etc/../../x' contains '..'")
        #expect(!FileManager.default.fileExists(atPath: f.dir.path("out").path))
    }
}
