import Boards
import Foundation
import Testing
import Support
import TestSupport
@testable import GuestImage

/// `guest.kernelModules`: members of the kernel's own archive, checked against
/// the kernel's release and installed at their path in the initramfs.
@Suite struct KernelModuleTests {
    /// A tar archive standing for the kernel's package: an Image with a
    /// `Linux version` banner and two modules with the given vermagic releases.
    static func package(_ f: GuestFixture, release: String = "6.1.0-test-arm64", vermagic: [String?]) throws -> (kernel: Blob, modules: [Blob]) {
        let root = f.dir.path("package")
        var image = Data(repeating: 0, count: 64)
        image.replaceSubrange(56..<60, with: [0x41, 0x52, 0x4D, 0x64])
        image.append(Data("\u{0}Linux version \(release) (builder@example) #1 SMP\u{0}".utf8))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("boot"), withIntermediateDirectories: true)
        try image.write(to: root.appendingPathComponent("boot/vmlinuz-\(release)"))
        let directory = root.appendingPathComponent("lib/modules/\(release)/kernel/drivers/uio")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var members: [String] = []
        for (index, magic) in vermagic.enumerated() {
            let name = index == 0 ? "uio.ko" : "uio_pci_generic.ko"
            var bytes = Data("\u{7F}ELF fake module \(name)\u{0}license=GPL\u{0}".utf8)
            if let magic { bytes.append(Data("vermagic=\(magic) SMP mod_unload modversions aarch64\u{0}".utf8)) }
            try bytes.write(to: directory.appendingPathComponent(name))
            members.append("lib/modules/\(release)/kernel/drivers/uio/\(name)")
        }
        try sh("tar -cf ../linux-image.tar boot lib", in: root)
        let url = "file://" + f.dir.path("linux-image.tar").path
        let kernel = Blob(sha256: try SHA256Hex.ofFile(at: root.appendingPathComponent("boot/vmlinuz-\(release)")), url: url,
                          member: "boot/vmlinuz-\(release)", package: nil)
        let modules = try members.map { member in
            Blob(sha256: try SHA256Hex.ofFile(at: root.appendingPathComponent(member)), url: url, member: member, package: nil)
        }
        return (kernel, modules)
    }

    @Test("the kernel's modules are in the initramfs at their path in its package, with their bytes, read by cpio")
    func installed() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        let (kernel, modules) = try Self.package(f, vermagic: ["6.1.0-test-arm64", "6.1.0-test-arm64"])
        var guest = f.guest()
        guest.kernel = kernel
        guest.kernelModules = modules
        let outputs = try f.image(guest).build(into: f.dir.path("out"))
        let listing = try sh("gzip -dc out/rootfs.cpio.gz | cpio -it --quiet | grep '^lib'", in: f.dir.url)
        #expect(listing == """
            lib
            lib/modules
            lib/modules/6.1.0-test-arm64
            lib/modules/6.1.0-test-arm64/kernel
            lib/modules/6.1.0-test-arm64/kernel/drivers
            lib/modules/6.1.0-test-arm64/kernel/drivers/uio
            lib/modules/6.1.0-test-arm64/kernel/drivers/uio/uio.ko
            lib/modules/6.1.0-test-arm64/kernel/drivers/uio/uio_pci_generic.ko

            """)
        let member = "lib/modules/6.1.0-test-arm64/kernel/drivers/uio/uio_pci_generic.ko"
        #expect(try sh("gzip -dc out/rootfs.cpio.gz | cpio -i --quiet --to-stdout \(member) ", in: f.dir.url)
                == (try f.dir.read("package/\(member)")))
        #expect(outputs.rootfsEntries == 17 + 8)
    }

    @Test("a module built for another kernel release is refused, naming both releases")
    func otherRelease() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        let (kernel, modules) = try Self.package(f, vermagic: ["6.1.0-test-arm64", "6.1.0-other-arm64"])
        var guest = f.guest()
        guest.kernel = kernel
        guest.kernelModules = modules
        let error = #expect(throws: GuestImageError.self) { try f.image(guest).build(into: f.dir.path("out")) }
        #expect(error?.kind == .badKernel)
        #expect(error?.keyPath == "guest.kernelModules[1]")
        #expect(error?.message == "lib/modules/6.1.0-test-arm64/kernel/drivers/uio/uio_pci_generic.ko is built for kernel 6.1.0-other-arm64, but the kernel's Image is 6.1.0-test-arm64; the kernel would refuse it")
        #expect(error?.hint == "take the modules from the same linux-image package as the kernel")
    }

    @Test("a member without vermagic is not a kernel module")
    func notAModule() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        let (kernel, modules) = try Self.package(f, vermagic: [nil])
        var guest = f.guest()
        guest.kernel = kernel
        guest.kernelModules = modules
        let error = #expect(throws: GuestImageError.self) { try f.image(guest).build(into: f.dir.path("out")) }
        #expect(error?.keyPath == "guest.kernelModules[0]")
        #expect(error?.message == "lib/modules/6.1.0-test-arm64/kernel/drivers/uio/uio.ko is not a kernel module: it has no 'vermagic=' in its .modinfo")
    }
}
