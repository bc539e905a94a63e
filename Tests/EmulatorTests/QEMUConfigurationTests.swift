import Foundation
import Testing
import TestSupport
@testable import Emulator

/// The command line seL4_tools' simulate.py builds for PLATFORM=qemu-arm-virt
/// (KernelArmHypervisorSupport on, QEMU_MEMORY 2G): its entries
/// [binary, machine, cpu, graphic, serial, memory, extra args, images, gdb]
/// joined with single spaces, where serial, extra args and gdb are empty.
private func simulateScriptCommand(images: String, memory: String = "2G", extra: String = "") -> [String] {
    let entries = [
        "qemu-system-aarch64",
        "-machine virt,virtualization=on,highmem=off,secure=off",
        "-cpu cortex-a53",
        "-nographic",
        "",
        "-m size=" + memory,
        extra,
        images,
        "",
    ]
    return entries.joined(separator: " ").split(separator: " ").map(String.init)
}

@Suite("QEMU command line")
struct QEMUConfigurationTests {
    let image = URL(fileURLWithPath: "/w/build/qemu-virt/sel4test/images/sel4test-driver-image-arm-qemu-arm-virt")

    @Test("a kernel boot matches seL4's simulate script exactly")
    func kernelArguments() {
        let config = QEMUConfiguration(boot: .kernel(image))
        #expect(config.arguments() == simulateScriptCommand(images: "-kernel " + image.path))
    }

    @Test("a disk boot puts U-Boot and the virtio drive where the script puts its images")
    func diskArguments() {
        let disk = URL(fileURLWithPath: "/w/build/qemu-virt/hello/sdcard.img")
        let bios = URL(fileURLWithPath: "/usr/lib/u-boot/qemu_arm64/u-boot.bin")
        let config = QEMUConfiguration(boot: .disk(image: disk, bios: bios))
        let images = "-bios /usr/lib/u-boot/qemu_arm64/u-boot.bin -drive file=/w/build/qemu-virt/hello/sdcard.img,format=raw,if=virtio,snapshot=on"
        #expect(config.arguments() == simulateScriptCommand(images: images))
    }

    @Test("memory and extra arguments go where the script puts them")
    func memoryAndExtraArguments() {
        let config = QEMUConfiguration(boot: .kernel(image), memory: "1024", extraArgs: ["-smp", "4"])
        #expect(config.arguments() == simulateScriptCommand(images: "-kernel " + image.path, memory: "1024", extra: "-smp 4"))
    }

    @Test("an empty machine or cpu leaves the option out, as the script does")
    func emptyMachineAndCPU() {
        let config = QEMUConfiguration(boot: .kernel(image), binary: "/opt/qemu/bin/qemu-system-aarch64", machine: "", cpu: "")
        #expect(config.arguments() == ["/opt/qemu/bin/qemu-system-aarch64", "-nographic", "-m", "size=2G", "-kernel", image.path])
    }

    @Test("a comma in a disk path is doubled inside the -drive option")
    func commaInDrivePath() {
        let config = QEMUConfiguration(boot: .disk(image: URL(fileURLWithPath: "/w/a,b.img"), bios: URL(fileURLWithPath: "/fw.bin")))
        #expect(config.arguments().last == "file=/w/a,,b.img,format=raw,if=virtio,snapshot=on")
    }

    @Test("the configuration survives a JSON round trip")
    func codableRoundTrip() throws {
        let config = QEMUConfiguration(
            boot: .disk(image: URL(fileURLWithPath: "/w/disk.img"), bios: URL(fileURLWithPath: "/fw.bin")),
            memory: "4G", extraArgs: ["-smp", "2"])
        let decoded = try JSONDecoder().decode(QEMUConfiguration.self, from: JSONEncoder().encode(config))
        #expect(decoded == config)
    }

    @Test("a missing QEMU is reported with the package that provides it")
    func missingQEMU() throws {
        let dir = try TemporaryDirectory("emu-config")
        defer { dir.remove() }
        try dir.write("image", "x")
        let config = QEMUConfiguration(boot: .kernel(dir.path("image")), binary: "qemu-system-aarch64-not-installed")
        #expect(throws: EmulatorError.qemuNotFound(binary: "qemu-system-aarch64-not-installed")) {
            try config.checkPrerequisites(for: BootTarget(board: "qemu-virt", app: "hello"))
        }
        #expect(EmulatorError.qemuNotFound(binary: "qemu-system-aarch64").description
            == "Could not find 'qemu-system-aarch64', which is required to boot seL4 systems in QEMU. Install it with: apt-get install qemu-system-arm")
    }

    @Test("a missing boot image names the path and the build command")
    func missingImage() throws {
        let dir = try TemporaryDirectory("emu-config")
        defer { dir.remove() }
        let image = dir.path("images/hello-image-arm-qemu-arm-virt")
        let config = QEMUConfiguration(boot: .kernel(image), binary: "/bin/sh")
        let error = #expect(throws: EmulatorError.self) {
            try config.checkPrerequisites(for: BootTarget(board: "qemu-virt", app: "hello"))
        }
        #expect(error?.description
            == "The boot image \(image.path) does not exist. Run 'sel4img build --board qemu-virt --app hello' first.")
    }

    @Test("a disk boot also needs its disk image and its firmware")
    func missingDiskPieces() throws {
        let dir = try TemporaryDirectory("emu-config")
        defer { dir.remove() }
        let target = BootTarget(board: "qemu-virt", app: "hello")
        let config = QEMUConfiguration(boot: .disk(image: dir.path("disk.img"), bios: dir.path("u-boot.bin")), binary: "/bin/sh")
        #expect(throws: EmulatorError.bootImageMissing(path: dir.path("disk.img").path, target: target)) {
            try config.checkPrerequisites(for: target)
        }
        try dir.write("disk.img", "")
        #expect(throws: EmulatorError.firmwareMissing(path: dir.path("u-boot.bin").path)) {
            try config.checkPrerequisites(for: target)
        }
        try dir.write("u-boot.bin", "")
        try config.checkPrerequisites(for: target)
    }
}
