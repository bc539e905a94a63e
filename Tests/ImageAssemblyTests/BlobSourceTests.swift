import Boards
import Foundation
import Support
import Testing
import TestSupport
@testable import ImageAssembly

/// Archives made in the test: a Debian package built by `dpkg-deb` from a
/// tree, and tar archives built by `tar`, all served through file:// URLs or a
/// local HTTP server (no test touches the network).
struct ArchiveFixtures {
    let dir: TemporaryDirectory

    /// The files every fixture archive holds, below `usr/lib/fw`.
    static let files = ["usr/lib/fw/start4.elf": "START4 firmware", "usr/lib/fw/fixup4.dat": "FIXUP4",
                        "usr/lib/other/start4.elf": "another start4"]

    init() throws {
        dir = try TemporaryDirectory("sel4img-blobs")
        for (path, text) in Self.files { try dir.write("tree/\(path)", text) }
        try dir.write("tree/DEBIAN/control", """
            Package: fake-firmware
            Version: 1.0
            Architecture: all
            Maintainer: Test <test@example.com>
            Description: firmware for a test

            """)
        try sh("ln -s fw/start4.elf tree/usr/lib/link.elf", in: dir.url)
        try sh("dpkg-deb --root-owner-group -Zxz --build tree fake-firmware_1.0_all.deb >/dev/null", in: dir.url)
        try sh("tar -C tree -czf fw.tar.gz --exclude=DEBIAN . && tar -C tree -cJf fw.tar.xz --exclude=DEBIAN usr", in: dir.url)
        try dir.write("plain/u-boot.bin", "U-BOOT BINARY")
    }

    func url(_ file: String) -> String { "file://" + dir.path(file).path }

    func blob(_ member: String, in archive: String = "fake-firmware_1.0_all.deb", content: String? = nil) -> Blob {
        let text = content ?? Self.files[member] ?? ""
        return Blob(sha256: SHA256Hex.of(text), url: url(archive), member: member, package: "fake-firmware")
    }

    var cache: BlobCache { BlobCache(directory: dir.path("cache")) }

    func remove() { dir.remove() }
}

@Suite(.enabled(if: ProcessRunner.which("dpkg-deb") != nil && ProcessRunner.which("xz") != nil, "needs dpkg-deb and xz"))
struct BlobSourceTests {
    @Test("a member of a .deb at a file:// URL is extracted, verified and cached under its hash")
    func debMember() throws {
        let f = try ArchiveFixtures()
        defer { f.remove() }
        let blob = f.blob("usr/lib/fw/start4.elf")
        let file = try f.cache.fetch("start4.elf", blob)
        #expect(file == f.cache.cachedFile(for: blob))
        #expect(try String(contentsOf: file, encoding: .utf8) == "START4 firmware")
        // The archive is kept, keyed by the URL's hash, so a second member needs no second download.
        let kept = f.cache.downloadFile(for: blob.url!)
        #expect(kept.path == f.dir.path("cache/downloads/\(SHA256Hex.of(blob.url!))/fake-firmware_1.0_all.deb").path)
        #expect(FileManager.default.fileExists(atPath: kept.path))
        try FileManager.default.removeItem(at: f.dir.path("fake-firmware_1.0_all.deb"))
        let fixup = try f.cache.fetch("fixup4.dat", f.blob("usr/lib/fw/fixup4.dat"))
        #expect(try String(contentsOf: fixup, encoding: .utf8) == "FIXUP4")
        #expect(try f.cache.state(of: blob) == .verified)
    }

    @Test("members of gzip and xz tar archives are found with or without the archive's ./ prefix")
    func tarMembers() throws {
        let f = try ArchiveFixtures()
        defer { f.remove() }
        for archive in ["fw.tar.gz", "fw.tar.xz"] {
            let cache = BlobCache(directory: f.dir.path("cache-\(archive)"))
            let file = try cache.fetch("fixup4.dat", f.blob("./usr/lib/fw/fixup4.dat", in: archive, content: "FIXUP4"))
            #expect(try String(contentsOf: file, encoding: .utf8) == "FIXUP4")
        }
    }

    @Test("a plain file at a URL is the blob itself, and is not kept twice")
    func plainURL() throws {
        let f = try ArchiveFixtures()
        defer { f.remove() }
        let blob = Blob(sha256: SHA256Hex.of("U-BOOT BINARY"), url: f.url("plain/u-boot.bin"), package: nil)
        let file = try f.cache.fetch("u-boot.bin", blob)
        #expect(try String(contentsOf: file, encoding: .utf8) == "U-BOOT BINARY")
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.dir.path("cache").path) == [blob.sha256])
    }

    @Test("a member whose hash differs is refused, naming the blob, both hashes and the source; nothing is cached")
    func mismatch() throws {
        let f = try ArchiveFixtures()
        defer { f.remove() }
        let blob = f.blob("usr/lib/fw/start4.elf", content: "the firmware we pinned")
        let error = #expect(throws: BlobError.self) { try f.cache.fetch("start4.elf", blob) }
        #expect(error?.kind == .mismatch)
        #expect(error?.description == "boot file 'start4.elf' (usr/lib/fw/start4.elf in \(f.url("fake-firmware_1.0_all.deb"))) has SHA-256 \(SHA256Hex.of("START4 firmware")), expected \(SHA256Hex.of("the firmware we pinned"))")
        #expect(error?.hint == "the file at the URL is not the one the board file pins; update its sha256 only if you trust this one")
        #expect(!FileManager.default.fileExists(atPath: f.cache.cachedFile(for: blob).path))
    }

    @Test("a cached blob is hashed on every use; a damaged one is replaced from the kept archive")
    func reverified() throws {
        let f = try ArchiveFixtures()
        defer { f.remove() }
        let blob = f.blob("usr/lib/fw/start4.elf")
        let file = try f.cache.fetch("start4.elf", blob)
        try Data("EVIL".utf8).write(to: file)
        #expect(try f.cache.state(of: blob) == .damaged(actual: SHA256Hex.of("EVIL")))
        #expect(try String(contentsOf: f.cache.fetch("start4.elf", blob), encoding: .utf8) == "START4 firmware")
    }

    @Test("a damaged kept archive is downloaded again")
    func damagedArchive() throws {
        let f = try ArchiveFixtures()
        defer { f.remove() }
        let blob = f.blob("usr/lib/fw/start4.elf")
        _ = try f.cache.fetch("start4.elf", blob)
        try Data("not an archive".utf8).write(to: f.cache.downloadFile(for: blob.url!))
        try FileManager.default.removeItem(at: f.cache.cachedFile(for: blob))
        let progress = RecordingProgress()
        #expect(try String(contentsOf: f.cache.fetch("start4.elf", blob, progress: progress), encoding: .utf8) == "START4 firmware")
        #expect(progress.lines.first?.hasPrefix("start4.elf: the cached fake-firmware_1.0_all.deb did not give the file (") == true)
    }

    @Test("a member the archive lacks is named with the archive, and files of the same name are suggested")
    func missingMember() throws {
        let f = try ArchiveFixtures()
        defer { f.remove() }
        let error = #expect(throws: BlobError.self) { try f.cache.fetch("start4.elf", f.blob("usr/lib/raspi-firmware/start4.elf")) }
        #expect(error?.kind == .missingMember)
        #expect(error?.description == "boot file 'start4.elf': \(f.url("fake-firmware_1.0_all.deb")) has no member 'usr/lib/raspi-firmware/start4.elf'; files with that name: usr/lib/fw/start4.elf, usr/lib/other/start4.elf"
                || error?.description == "boot file 'start4.elf': \(f.url("fake-firmware_1.0_all.deb")) has no member 'usr/lib/raspi-firmware/start4.elf'; files with that name: usr/lib/other/start4.elf, usr/lib/fw/start4.elf")
        #expect(error?.hint == "list the archive ('dpkg-deb -c' for a package, 'tar -tf' otherwise) and fix 'member' in the board or app file that names it")
    }

    @Test("a member that is a symbolic link is refused with its target")
    func symlinkMember() throws {
        let f = try ArchiveFixtures()
        defer { f.remove() }
        let error = #expect(throws: BlobError.self) { try f.cache.fetch("link.elf", f.blob("usr/lib/link.elf", content: "x")) }
        #expect(error?.description == "boot file 'link.elf': 'usr/lib/link.elf' in \(f.url("fake-firmware_1.0_all.deb")) is a symbolic link to 'fw/start4.elf'")
    }

    @Test("a member over the size limit is refused before it is written")
    func sizeLimit() throws {
        let f = try ArchiveFixtures()
        defer { f.remove() }
        try f.dir.write("big/usr/lib/big.bin", String(repeating: "x", count: 3 << 20))
        try sh("tar -C big -cJf big.tar.xz usr", in: f.dir.url)
        var cache = f.cache
        cache.sizeLimit = 2 << 20
        let error = #expect(throws: BlobError.self) {
            try cache.fetch("big.bin", f.blob("usr/lib/big.bin", in: "big.tar.xz", content: "x"))
        }
        #expect(error?.kind == .tooLarge)
        #expect(error?.description == "boot file 'big.bin': 'usr/lib/big.bin' in \(f.url("big.tar.xz")) is 3145728 bytes, over the limit of 2 MiB for one file")
        // A download over the limit is refused too.
        cache.sizeLimit = 1 << 20
        let e2 = #expect(throws: BlobError.self) { try cache.fetch("big.tar.xz", Blob(sha256: SHA256Hex.of("x"), url: f.url("big/usr/lib/big.bin"), package: nil)) }
        #expect(e2?.description == "boot file 'big.tar.xz': \(f.url("big/usr/lib/big.bin")) is 3145728 bytes, over the limit of 1 MiB")
    }

    @Test("a hostile archive writes nothing but the one member, inside the cache")
    func hostileArchive() throws {
        let f = try ArchiveFixtures()
        defer { f.remove() }
        // Entries that would escape on extraction: ../escaped, an absolute path, a symlink out.
        try f.dir.write("evil/usr/lib/fw.bin", "FW")
        try f.dir.write("escaped", "ESCAPED")
        try sh("tar -C evil -cf evil.tar --absolute-names ../escaped /etc/passwd usr && ln -s /etc evil/link && tar -C evil -rf evil.tar link", in: f.dir.url)
        try FileManager.default.removeItem(at: f.dir.path("escaped"))
        let blob = f.blob("usr/lib/fw.bin", in: "evil.tar", content: "FW")
        _ = try f.cache.fetch("fw.bin", blob)
        #expect(!FileManager.default.fileExists(atPath: f.dir.path("escaped").path))
        let written = try FileManager.default.subpathsOfDirectory(atPath: f.dir.path("cache").path).sorted()
        #expect(written == [blob.sha256, "downloads", "downloads/\(SHA256Hex.of(blob.url!))", "downloads/\(SHA256Hex.of(blob.url!))/evil.tar"])
    }

    @Test("a file:// URL that does not exist says how to pre-seed the cache")
    func missingFile() throws {
        let f = try ArchiveFixtures()
        defer { f.remove() }
        let blob = Blob(sha256: SHA256Hex.of("x"), url: f.url("nope.deb"), member: "usr/lib/x", package: nil)
        let error = #expect(throws: BlobError.self) { try f.cache.fetch("x.bin", blob) }
        #expect(error?.kind == .download)
        #expect(error?.description == "boot file 'x.bin': cannot download \(f.url("nope.deb")): \(f.dir.path("nope.deb").path) does not exist")
        #expect(error?.hint == "run 'sel4img blobs fetch' on a machine with network access and copy \(f.dir.path("cache").path) here, or put the file itself at \(f.dir.path("cache").path)/\(blob.sha256) (it is found by its SHA-256)")
    }

    @Test("a blob put into the cache by hand under its SHA-256 is used without fetching")
    func preseeded() throws {
        let f = try ArchiveFixtures()
        defer { f.remove() }
        let blob = Blob(sha256: SHA256Hex.of("PRESEEDED"), url: "https://unreachable.invalid/x.deb", member: "usr/x", package: nil)
        try f.dir.write("cache/\(blob.sha256)", "PRESEEDED")
        #expect(try f.cache.fetch("x", blob) == f.cache.cachedFile(for: blob))
    }
}

struct ServerDidNotStart: Error {}

/// `python3 -m http.server` on a free port, serving one directory.
final class LocalHTTPServer {
    let process = Process()
    let port: Int

    init(serving directory: URL) throws {
        let portFile = directory.appendingPathComponent(".port")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import functools, http.server, os, sys, threading, time
            def orphaned():  # never outlive the test process
                parent = os.getppid()
                while os.getppid() == parent: time.sleep(0.5)
                os._exit(0)
            threading.Thread(target=orphaned, daemon=True).start()
            handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
            open(sys.argv[2] + ".tmp", "w").write(str(server.server_address[1]))
            os.rename(sys.argv[2] + ".tmp", sys.argv[2])
            server.serve_forever()
            """, directory.path, portFile.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: portFile.path) {
            guard Date() < deadline, process.isRunning else { throw ServerDidNotStart() }
            Thread.sleep(forTimeInterval: 0.05)
        }
        port = Int(try String(contentsOf: portFile, encoding: .utf8)) ?? 0
    }

    func url(_ file: String) -> String { "http://127.0.0.1:\(port)/\(file)" }

    /// Stops the server with SIGKILL: a child spawned from a test thread
    /// inherits its blocked signals, SIGTERM among them.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

@Suite(.enabled(if: ProcessRunner.which("dpkg-deb") != nil && ProcessRunner.which("python3") != nil, "needs dpkg-deb and python3"))
struct BlobDownloadTests {
    @Test("a member of a package served over HTTP is downloaded with progress, extracted and verified")
    func httpMember() throws {
        let f = try ArchiveFixtures()
        defer { f.remove() }
        let server = try LocalHTTPServer(serving: f.dir.url)
        defer { server.stop() }
        let blob = Blob(sha256: SHA256Hex.of("FIXUP4"), url: server.url("fake-firmware_1.0_all.deb"), member: "usr/lib/fw/fixup4.dat", package: nil)
        let progress = RecordingProgress()
        let file = try f.cache.fetch("fixup4.dat", blob, progress: progress)
        #expect(try String(contentsOf: file, encoding: .utf8) == "FIXUP4")
        let size = try FileManager.default.attributesOfItem(atPath: f.dir.path("fake-firmware_1.0_all.deb").path)[.size] as! Int
        #expect(progress.lines.last?.hasPrefix("fixup4.dat: done: downloaded fake-firmware_1.0_all.deb, \(BlobCache.mib(Int64(size))) in ") == true,
                "\(progress.lines)")
        #expect(try SHA256Hex.ofFile(at: f.cache.downloadFile(for: blob.url!)) == SHA256Hex.ofFile(at: f.dir.path("fake-firmware_1.0_all.deb")))
    }

    @Test("a plain file served over HTTP is the blob")
    func httpPlain() throws {
        let f = try ArchiveFixtures()
        defer { f.remove() }
        let server = try LocalHTTPServer(serving: f.dir.url)
        defer { server.stop() }
        let blob = Blob(sha256: SHA256Hex.of("U-BOOT BINARY"), url: server.url("plain/u-boot.bin"), package: nil)
        #expect(try String(contentsOf: f.cache.fetch("u-boot.bin", blob), encoding: .utf8) == "U-BOOT BINARY")
    }

    @Test("a 404 names the URL and the status, and says how to pre-seed the cache")
    func notFound() throws {
        let f = try ArchiveFixtures()
        defer { f.remove() }
        let server = try LocalHTTPServer(serving: f.dir.url)
        defer { server.stop() }
        let blob = Blob(sha256: SHA256Hex.of("x"), url: server.url("pool/gone_1.0_all.deb"), member: "usr/lib/x", package: nil)
        let error = #expect(throws: BlobError.self) { try f.cache.fetch("start4.elf", blob) }
        #expect(error?.kind == .download)
        #expect(error?.description == "boot file 'start4.elf': cannot download \(server.url("pool/gone_1.0_all.deb")): the server answered 404 (Not Found)")
        #expect(error?.hint == "Debian's pool drops a package when a newer version replaces it; a snapshot.debian.org URL keeps working (see boards/README.md); run 'sel4img blobs fetch' on a machine with network access and copy \(f.dir.path("cache").path) here, or put the file itself at \(f.dir.path("cache").path)/\(blob.sha256) (it is found by its SHA-256)")
        // Nothing half-downloaded is left behind.
        #expect(!FileManager.default.fileExists(atPath: f.cache.downloadFile(for: blob.url!).path))
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: f.dir.path("cache").path).filter { $0.hasSuffix(".partial") }
        #expect(leftovers.isEmpty)
    }

    @Test("a server that is not there is a network error naming host and port")
    func refused() throws {
        let f = try ArchiveFixtures()
        defer { f.remove() }
        let server = try LocalHTTPServer(serving: f.dir.url)
        let url = server.url("a.deb")
        server.stop()
        let error = #expect(throws: BlobError.self) {
            try f.cache.fetch("u-boot.bin", Blob(sha256: SHA256Hex.of("x"), url: url, member: "usr/x", package: nil))
        }
        #expect(error?.description == "boot file 'u-boot.bin': cannot download \(url): cannot connect to 127.0.0.1 port \(server.port)")
    }
}
