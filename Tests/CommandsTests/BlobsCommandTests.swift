import Foundation
import Support
import Testing
import TestSupport

/// `sel4img blobs list|fetch` against a data directory made in the test, whose
/// one board takes its blobs from a package at a file:// URL.
@Suite(.enabled(if: ProcessRunner.which("dpkg-deb") != nil, "needs dpkg-deb"))
struct BlobsCommandTests {
    let dir: TemporaryDirectory
    var environment: [String: String] {
        ["SEL4IMG_DATA_DIR": dir.path("data").path, "SEL4IMG_BLOB_CACHE": dir.path("cache").path]
    }
    var deb: String { dir.path("fw_1_all.deb").path }

    init() throws {
        dir = try TemporaryDirectory()
        try dir.write("tree/usr/lib/fw/start4.elf", "START4")
        try dir.write("tree/DEBIAN/control", "Package: fw\nVersion: 1\nArchitecture: all\nMaintainer: T <t@example.com>\nDescription: t\n")
        try sh("dpkg-deb --root-owner-group --build tree fw_1_all.deb >/dev/null", in: dir.url)
        try dir.write("data/apps/.keep", "")
        try dir.write("data/manifests/.keep", "")
        try dir.write("data/boards/pi.yaml", """
            format: 1
            description: test board
            sel4: {platform: rpi4, arch: aarch64, cpu: cortex-a72, simulation: false}
            crossCompilerPrefix: aarch64-linux-gnu-
            memory: {base: 0x0, size: 1G}
            uart: {device: bcm2835-aux-uart, address: 0xfe215040, baud: 115200}
            load: {imageAddress: 0x10000000}
            bootloader:
              kind: u-boot
              imageFormat: binary
              uBootConfig: rpi_arm64
              blobs:
                start4.elf:
                  sha256: \(SHA256Hex.of("START4"))
                  url: file://\(dir.path("fw_1_all.deb").path)
                  member: usr/lib/fw/start4.elf
                  package: fw
                u-boot.bin:
                  sha256: \(SHA256Hex.of("UBOOT"))
                  path: \(dir.path("host/u-boot.bin").path)
                  package: u-boot-rpi

            """)
    }

    /// An app whose Linux guest takes its kernel from the package and its busybox from the host.
    func writeGuestApp() throws {
        try dir.write("data/apps/vm.yaml", """
            format: 1
            description: test guest app
            manifest: vm.xml
            supportedBoards: [pi]
            console: {success: [ready], timeoutSeconds: 60}
            outputs: {image: images/x}
            guest:
              kernel: {sha256: \(SHA256Hex.of("START4")), url: "file://\(deb)", member: usr/lib/fw/start4.elf}
              busybox: {sha256: \(SHA256Hex.of("BUSYBOX")), path: \(dir.path("host/busybox").path)}
              deviceTree: guest.dts
              bootargs: rdinit=/init
              initrdAddress: 0x4d700000
              directorySetting: GUEST_DIR

            """)
    }

    @Test("an app's guest blobs are listed under the app and fetched with --app")
    func guestBlobs() throws {
        defer { dir.remove() }
        try writeGuestApp()
        let all = try runSel4img(["blobs", "list"], environment: environment)
        #expect(all.stdout.hasSuffix("""
            app vm:
              guest kernel   not cached   usr/lib/fw/start4.elf in file://\(deb)
              guest busybox  not on host  \(dir.path("host/busybox").path)
            4 of 4 neither cached nor on the host verified; 'sel4img blobs fetch' fetches them

            """), "\(all.stdout)")
        try dir.write("host/busybox", "BUSYBOX")
        let fetch = try runSel4img(["blobs", "fetch", "--app", "vm", "--progress", "plain"], environment: environment)
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(fetch.stdout == "2 blobs verified in \(dir.path("cache").path)\n")
        #expect(fetch.stderr.contains("app vm/guest kernel: done: verified \(SHA256Hex.of("START4").prefix(12))…\n"))
        let json = try runSel4img(["blobs", "list", "--app", "vm", "--json"], environment: environment)
        let listed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(listed?.map { $0["app"] as? String } == ["vm", "vm"])
        #expect(listed?.map { $0["board"] as? String } == [nil, nil])
        #expect(listed?.map { $0["state"] as? String } == ["verified", "verified"])
        let none = try runSel4img(["blobs", "list", "--board", "pi", "--app", "vm"], environment: environment)
        #expect(none.stdout.contains("pi:\n") && none.stdout.contains("app vm:\n"))
        let unknown = try runSel4img(["blobs", "list", "--app", "nope"], environment: environment)
        #expect(unknown.status == 1)
        #expect(unknown.stderr == "error: unknown app 'nope'; valid apps: vm\n")
    }

    @Test("list tells a missing host file from one with another hash")
    func listHostFileStates() throws {
        defer { dir.remove() }
        let missing = try runSel4img(["blobs", "list"], environment: environment)
        #expect(missing.stdout.contains("  u-boot.bin  not on host  \(dir.path("host/u-boot.bin").path)\n"))
        #expect(missing.stdout.contains("2 of 2 neither cached nor on the host verified"))
        try dir.write("host/u-boot.bin", "another build")
        let differs = try runSel4img(["blobs", "list", "--json"], environment: environment)
        let listed = try JSONSerialization.jsonObject(with: Data(differs.stdout.utf8)) as? [[String: Any]]
        #expect(listed?.first { $0["name"] as? String == "u-boot.bin" }?["hostFile"] as? String == "differs")
    }

    @Test("list shows each blob's state and source; fetch fetches and verifies; list then says verified")
    func listFetchList() throws {
        defer { dir.remove() }
        try dir.write("host/u-boot.bin", "UBOOT")
        let before = try runSel4img(["blobs", "list"], environment: environment)
        #expect(before.status == 0)
        #expect(before.stdout == """
            Blob cache: \(dir.path("cache").path)
            pi:
              start4.elf  not cached  usr/lib/fw/start4.elf in file://\(deb)
              u-boot.bin  on host     \(dir.path("host/u-boot.bin").path)
            1 of 2 neither cached nor on the host verified; 'sel4img blobs fetch' fetches them

            """)
        let fetch = try runSel4img(["blobs", "fetch", "--board", "pi", "--progress", "plain"], environment: environment)
        #expect(fetch.status == 0, "\(fetch.stderr)")
        #expect(fetch.stdout == "2 blobs verified in \(dir.path("cache").path)\n")
        #expect(fetch.stderr.contains("pi/start4.elf: done: verified \(SHA256Hex.of("START4").prefix(12))…\n"))
        let after = try runSel4img(["blobs", "list", "--board", "pi"], environment: environment)
        #expect(after.stdout.contains("  start4.elf  verified    usr/lib/fw/start4.elf in file://\(deb)\n"))
        #expect(!after.stdout.contains("not cached"))
        let json = try runSel4img(["blobs", "list", "--json"], environment: environment)
        let listed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(listed?.first?["state"] as? String == "verified")
        #expect(listed?.first?["archiveDownloaded"] as? Bool == true)
        #expect(listed?.first?["member"] as? String == "usr/lib/fw/start4.elf")
    }

    @Test("fetch keeps going past a failure and reports every one, with its hint, and exit status 1")
    func fetchFailures() throws {
        defer { dir.remove() }
        try FileManager.default.removeItem(atPath: deb)
        let r = try runSel4img(["blobs", "fetch", "--progress", "quiet"], environment: environment)
        #expect(r.status == 1)
        #expect(r.stdout == "")
        let cache = dir.path("cache").path
        #expect(r.stderr == """
            error: 2 of 2 blobs could not be fetched into \(cache):
              - boot file 'pi/start4.elf': cannot download file://\(deb): \(deb) does not exist
              - boot file 'pi/u-boot.bin' is missing: \(dir.path("host/u-boot.bin").path) does not exist
            hint: run 'sel4img blobs fetch' on a machine with network access and copy \(cache) here, or put the file itself at \(cache)/\(SHA256Hex.of("START4")) (it is found by its SHA-256)
            hint: install it with: apt-get install u-boot-rpi

            """)
    }
}
