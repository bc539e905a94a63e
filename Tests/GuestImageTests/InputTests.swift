import Boards
import Foundation
import Testing
import Support
import TestSupport
@testable import GuestImage

/// Inputs checked before any work: files of the checkout, the kernel's format, blob hashes.
@Suite struct InputTests {
    @Test("a file the app names that the checkout lacks is refused before anything is fetched or written")
    func missingFiles() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        var guest = f.guest()
        guest.files.append(.init(source: "guest/missing", path: "/etc/missing"))
        var error = #expect(throws: GuestImageError.self) { try f.image(guest).build(into: f.dir.path("out")) }
        #expect(error?.kind == .missingSource)
        #expect(error?.description == "apps/test-vm.yaml: key 'guest.files.guest/missing': guest/missing does not exist in the sel4img checkout at \(f.repository.path)")

        guest = f.guest(programs: [.init(path: "/usr/bin/emit", sources: ["guest/hello.c", "guest/gone.c"])])
        error = #expect(throws: GuestImageError.self) { try f.image(guest).checkSources() }
        #expect(error?.description == "apps/test-vm.yaml: key 'guest.programs./usr/bin/emit[1]': guest/gone.c does not exist in the sel4img checkout at \(f.repository.path)")

        guest = f.guest()
        guest.deviceTree = "guest/other.dts"
        error = #expect(throws: GuestImageError.self) { try f.image(guest).checkSources() }
        #expect(error?.description == "apps/test-vm.yaml: key 'guest.deviceTree': guest/other.dts does not exist in the sel4img checkout at \(f.repository.path)")

        guest = f.guest(files: [.init(source: "guest", path: "/guest")])
        error = #expect(throws: GuestImageError.self) { try f.image(guest).checkSources() }
        #expect(error?.description == "apps/test-vm.yaml: key 'guest.files.guest': guest in the sel4img checkout at \(f.repository.path) is a directory, not a file")
        #expect(!FileManager.default.fileExists(atPath: f.dir.path("out").path))
        #expect(!FileManager.default.fileExists(atPath: f.dir.path("cache").path))
    }

    @Test("a kernel that is not an uncompressed arm64 Image is refused")
    func notAnImage() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        try sh("gzip -n -c blobs/Image > blobs/Image.gz", in: f.dir.url)
        var guest = f.guest()
        guest.kernel = Blob(sha256: try SHA256Hex.ofFile(at: f.dir.path("blobs/Image.gz")), path: f.dir.path("blobs/Image.gz").path, package: nil)
        var error = #expect(throws: GuestImageError.self) { try f.image(guest).build(into: f.dir.path("out")) }
        #expect(error?.kind == .badKernel)
        #expect(error?.description == "apps/test-vm.yaml: key 'guest.kernel': the kernel (\(f.dir.path("blobs/Image.gz").path)) is gzip-compressed; the VMM loads an uncompressed arm64 Image")
        guest.kernel = f.busyboxBlob
        error = #expect(throws: GuestImageError.self) { try f.image(guest).build(into: f.dir.path("out")) }
        #expect(error?.description == "apps/test-vm.yaml: key 'guest.kernel': the kernel (\(f.dir.path("blobs/busybox").path)) is not an arm64 Linux Image: it lacks the 'ARM\\x64' magic at offset 0x38")
    }

    @Test("a blob whose hash is not the pinned one is refused, naming the key")
    func wrongHash() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        var guest = f.guest()
        let actual = guest.busybox.sha256
        guest.busybox.sha256 = String(repeating: "0", count: 64)
        let error = #expect(throws: GuestImageError.self) { try f.image(guest).build(into: f.dir.path("out")) }
        #expect(error?.kind == .blob)
        #expect(error?.description == "apps/test-vm.yaml: key 'guest.busybox': boot file 'guest busybox' (\(f.dir.path("blobs/busybox").path)) has SHA-256 \(actual), expected \(String(repeating: "0", count: 64))")
    }

    @Test("an init that the command line names but the initramfs lacks is warned about")
    func initWarning() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        let progress = RecordingProgress()
        try f.image(f.guest(files: [.init(source: "guest/init", path: "/sbin/init", mode: 0o755)])).build(into: f.dir.path("out"), progress: progress)
        #expect(progress.lines.contains("warning: apps/test-vm.yaml: the guest's init /init is not a file in the initramfs; add it under 'guest.files'"))
        let second = RecordingProgress()
        try f.image(f.guest(files: [.init(source: "guest/init", path: "/init")])).build(into: f.dir.path("out"), progress: second)
        #expect(second.lines.contains("warning: apps/test-vm.yaml: the guest's init /init is not executable; give it mode \"0755\" in 'guest.files'"))
    }
}
