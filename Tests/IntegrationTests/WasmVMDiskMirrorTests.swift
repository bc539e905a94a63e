import Foundation
import Testing
import TestSupport

/// App `wasm-vm` as a flashable disk, against the mirror (SEL4IMG_TEST_MIRROR):
/// on qemu-virt the disk is booted through U-Boot (`sel4img qemu --disk`) up
/// to the guest's shell, where `emit` runs a C module as the host does, and a
/// second workspace gives the same SHA256SUMS; on tx1 and tx2, which have no
/// emulator, the disk is read with independent tools: its partition table
/// (sfdisk), FAT contents (fsck.fat, mtools), boot script (dumpimage), the
/// guest DTB (dtc round trip) and the capDL image's components.
/// Needs GHC and camkes-deps (`scripts/setup.sh` installs them).
/// SEL4IMG_TEST_KEEP=DIR keeps the workspaces below DIR (a second run reuses
/// them: Ninja has nothing to do).
@Suite(.serialized, .enabled(if: mirror != nil, "set SEL4IMG_TEST_MIRROR to an offline mirror of the seL4 and CAmkES repositories"))
struct WasmVMDiskMirrorTests {
    static let greet = """
        #include <stdio.h>
        int main(int argc, char **argv) {
            printf("hello from %s with %d args\\n", argv[0], argc - 1);
            for (int i = 1; i < argc; i++) printf("  [%s]\\n", argv[i]);
            return 0;
        }
        """

    func sel4img(_ args: [String], workspace: URL) throws -> CommandResult {
        let r = try runSel4img(args + ["-w", workspace.path], environment: ["SEL4IMG_MIRROR": mirror!])
        if r.status != 0 { print("sel4img \(args.joined(separator: " ")) exited \(r.status):\n\(r.stderr.suffix(3000))") }
        return r
    }

    /// greet.wasm in ROOT/modules, as zig builds it (the same bytes every time).
    func module(in root: URL) throws -> URL {
        let modules = root.appendingPathComponent("modules")
        try FileManager.default.createDirectory(at: modules, withIntermediateDirectories: true)
        try Data(Self.greet.utf8).write(to: modules.appendingPathComponent("greet.c"))
        try sh("python3 -m ziglang cc -target wasm32-wasi -O2 -s -Wl,-z,stack-size=65536 greet.c -o greet.wasm", in: modules)
        return modules.appendingPathComponent("greet.wasm")
    }

    @Test("qemu-virt: the disk's U-Boot runs boot.scr, bootm starts the capDL loader uImage, the guest's shell is reached and emit runs a C module as the host does; a second workspace gives the same SHA256SUMS")
    func qemuVirtDisk() throws {
        let (root, keep) = try integrationRoot("wasm-vm-disk")
        defer { if !keep { try? FileManager.default.removeItem(at: root) } }
        let greet = try module(in: root)
        let workspace = root.appendingPathComponent("ws")
        let host = try runSel4img(["wasm", "run", "greet.wasm", "alpha", "beta"], in: greet.deletingLastPathComponent())
        #expect(host.status == 0)
        #expect(host.stdout == "hello from greet.wasm with 2 args\n  [alpha]\n  [beta]\n")

        let build = try sel4img(["build", "--board", "qemu-virt", "--app", "wasm-vm", "--wasm", greet.path, "--progress", "plain"], workspace: workspace)
        #expect(build.status == 0)
        let artifacts = workspace.appendingPathComponent("artifacts/qemu-virt-wasm-vm")
        let disk = artifacts.appendingPathComponent("qemu-virt-wasm-vm.img").path
        #expect(build.stdout.contains("disk         qemu-virt-wasm-vm.img"), "\(build.stdout.suffix(1500))")
        // The image U-Boot loads is the capDL loader image as a uImage (the 'uboot-camkes-vm' patch set).
        let uimage = try sh("dumpimage -l \(artifacts.appendingPathComponent("capdl-loader-image-arm-qemu-arm-virt").path)")
        #expect(uimage.contains("Image Type:   AArch64 Linux Kernel Image (uncompressed)"), "\(uimage)")
        #expect(try sh("mdir -b -i \(disk)@@1M ::") == "::/boot.scr\n::/sel4.uimg\n")

        // Booted from the disk, through Debian's u-boot-qemu, into the guest's shell.
        let script = root.appendingPathComponent("script.txt")
        try Data("cd /wasm\nemit greet.wasm alpha beta\n".utf8).write(to: script)
        let started = Date()
        let boot = try sel4img(["qemu", "--board", "qemu-virt", "--app", "wasm-vm", "--disk", "--timeout", "300", "--script", script.path], workspace: workspace)
        let seconds = Date().timeIntervalSince(started)
        #expect(boot.status == 0, "\(boot.stdout.suffix(3000))")
        #expect((boot.stdout + boot.stderr).contains(" -bios "), "QEMU must start U-Boot: \(boot.stderr.prefix(600))")
        #expect(boot.stdout.contains("sel4img: loading sel4.uimg from virtio 0:1 to 0x48000000"))
        #expect(boot.stdout.contains("## Booting kernel from Legacy Image at 48000000"))
        #expect(boot.stdout.contains("wasm-runner: serving the guest"))
        let outputs = WasmVMMirrorTests.commandOutputs(boot.stdout)
        #expect(outputs[2] == ["hello from greet.wasm with 2 args", "  [alpha]", "  [beta]"], "\(outputs)")
        if let ready = boot.stdout.range(of: "sel4img-guest: Linux ") {
            print(boot.stdout[ready.lowerBound...].prefix(while: { $0 != "\n" }))
        }
        print("qemu-virt disk boot to the end of the script: \(String(format: "%.1f", seconds)) s; disk \(try FileManager.default.attributesOfItem(atPath: disk)[.size] ?? 0) bytes")

        // Another workspace: the same bytes, disk image included.
        let second = root.appendingPathComponent("ws-second")
        let again = try sel4img(["build", "--board", "qemu-virt", "--app", "wasm-vm", "--wasm", greet.path], workspace: second)
        #expect(again.status == 0)
        let sums = { (ws: URL) in try String(contentsOf: ws.appendingPathComponent("artifacts/qemu-virt-wasm-vm/SHA256SUMS"), encoding: .utf8) }
        #expect(try sums(workspace) == sums(second))
        #expect(try sums(workspace).contains("  qemu-virt-wasm-vm.img\n"))
        if !keep { try? FileManager.default.removeItem(at: second) }
    }

    /// The elfloader's payload (a CPIO archive between `_archive_start` and
    /// `_archive_end` in `.rodata`), located with binutils' nm and objdump.
    static func elfloaderArchive(_ elfloader: URL) throws -> Data {
        func address(_ symbol: String) throws -> UInt64 {
            let line = try sh("aarch64-linux-gnu-nm \(elfloader.path)").split(separator: "\n").first { $0.hasSuffix(" \(symbol)") }
            return try #require(line.flatMap { UInt64($0.split(separator: " ")[0], radix: 16) }, "no \(symbol) in \(elfloader.path)")
        }
        let (start, end) = (try address("_archive_start"), try address("_archive_end"))
        // " 2 .rodata  SIZE  VMA  LMA  FILEOFF  ALIGN"
        let fields = try #require(try sh("aarch64-linux-gnu-objdump -h \(elfloader.path)").split(separator: "\n")
            .first { $0.contains(" .rodata ") }).split(separator: " ")
        let (vma, offset) = (try #require(UInt64(fields[3], radix: 16)), try #require(UInt64(fields[5], radix: 16)))
        let bytes = try Data(contentsOf: elfloader)
        return bytes.subdata(in: Int(offset + start - vma)..<Int(offset + end - vma))
    }

    struct Jetson: CustomTestStringConvertible, Sendable {
        var board: String
        var imageFile: String
        var platform: String
        /// The boot script's text after its load line.
        var start: String
        var initrdStart: String
        var bootargs: String
        var testDescription: String { board }
    }

    static let jetsons = [
        Jetson(board: "tx1", imageFile: "sel4.bin", platform: "tx1",
               start: "load mmc 1:1 0x90000000 sel4.bin\ngo 0x90000000\n",
               initrdStart: "0x00 0x85000000", bootargs: "console=ttyS0,115200n8 earlycon=uart8250,mmio32,0x70006000 rdinit=/init"),
        Jetson(board: "tx2", imageFile: "sel4.uimg", platform: "tx2",
               start: "load mmc 1:1 0x80080000 sel4.uimg\nbootm 0x80080000 - ${fdtcontroladdr}\n",
               initrdStart: "0x00 0xf6000000", bootargs: "console=ttyS0,115200n8 earlycon=uart8250,mmio32,0x3100000 rdinit=/init"),
    ]

    @Test("tx1 and tx2: the system builds; the disk's partition table, FAT contents, boot script, guest DTB and capDL image's components are what the board boots", arguments: jetsons)
    func jetsonDisk(_ jetson: Jetson) throws {
        let (root, keep) = try integrationRoot("wasm-vm-boards")
        defer { if !keep { try? FileManager.default.removeItem(at: root.appendingPathComponent("ws-\(jetson.board)")) } }
        let greet = try module(in: root)
        let workspace = root.appendingPathComponent("ws-\(jetson.board)")
        let build = try sel4img(["build", "--board", jetson.board, "--app", "wasm-vm", "--wasm", greet.path, "--progress", "plain"], workspace: workspace)
        #expect(build.status == 0)
        let label = "\(jetson.board)-wasm-vm"
        let artifacts = workspace.appendingPathComponent("artifacts/\(label)")
        let disk = artifacts.appendingPathComponent("\(label).img").path
        let work = root.appendingPathComponent("check-\(jetson.board)")
        try? FileManager.default.removeItem(at: work)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        // One bootable FAT32 (LBA) partition from 1 MiB.
        let table = try sh("sfdisk --dump \(disk)")
        let partition = try #require(table.split(separator: "\n").first { $0.hasPrefix("\(disk)1 :") }, "\(table)")
        #expect(partition.contains("start=        2048,") && partition.hasSuffix("type=c, bootable"), "\(partition)")
        let sectors = try #require(Int(partition.split(separator: "size=")[1].split(separator: ",")[0].trimmingCharacters(in: .whitespaces)))
        try sh("dd if=\(disk) of=part.img bs=512 skip=2048 count=\(sectors) status=none", in: work)
        let fsck = try sh("fsck.fat -n part.img", in: work)
        #expect(fsck.contains("part.img: 3 files,"), "\(fsck)")
        // No blobs: the Jetsons' U-Boot lives in the boot flash (NVIDIA's L4T).
        #expect(try sh("mdir -b -i \(disk)@@1M ::") == "::/boot.scr\n::/\(jetson.imageFile)\n")
        try sh("mcopy -n -i \(disk)@@1M ::\(jetson.imageFile) image.bin && mcopy -n -i \(disk)@@1M ::boot.scr boot.scr", in: work)
        let image = artifacts.appendingPathComponent("capdl-loader-image-arm-\(jetson.platform)")
        #expect(try sh("cmp image.bin \(image.path) && echo same", in: work) == "same\n")

        // The boot script, as U-Boot's own dumpimage reads it.
        #expect(try sh("dumpimage -l boot.scr", in: work).contains("Image Type:   AArch64 Linux Script (uncompressed)"))
        try sh("dumpimage -T script -p 0 -o boot.cmd boot.scr >/dev/null", in: work)
        let text = String(decoding: try Data(contentsOf: work.appendingPathComponent("boot.cmd")), as: UTF8.self)
        #expect(text.contains(jetson.start), "\(text)")

        // The guest DTB: dtc reads it, and what it prints compiles back to the same tree.
        let dtb = artifacts.appendingPathComponent("linux.dtb").path
        let dts = try sh("dtc -q -I dtb -O dts \(dtb)")
        try sh("dtc -q -I dtb -O dts -o a.dts \(dtb) && dtc -q -I dts -O dtb -o b.dtb a.dts && dtc -q -I dtb -O dts -o b.dts b.dtb && cmp a.dts b.dts", in: work)
        #expect(dts.contains("linux,initrd-start = <\(jetson.initrdStart)>;"), "\(dts)")
        #expect(dts.contains("bootargs = \"\(jetson.bootargs)"), "\(dts)")
        #expect(dts.contains("compatible = \"pci-host-cam-generic\";"))
        // The channel's interrupt: slot 1's INTA to SPI 220 (0xdc), level-high, the
        // cross-VM interrupt camkes-vm injects (tx1: the camkes-vm-tx1-channel patch set).
        #expect(dts.contains("interrupt-map-mask = <0xf800 0x00 0x00 0x07>;"), "\(dts)")
        #expect(dts.range(of: #"interrupt-map = <0x800 0x00 0x00 0x01 0x[0-9a-f]+ 0x00 0xdc 0x04>;"#, options: .regularExpression) != nil, "\(dts)")
        // The VMM installs the virtual PCI host bridge (VmPCISupport, which tx1 had forced off).
        let cache = try String(contentsOf: workspace.appendingPathComponent("build/\(label)/CMakeCache.txt"), encoding: .utf8)
        #expect(cache.contains("\nVmPCISupport:BOOL=ON\n"), "VmPCISupport is not on for \(jetson.board)")

        // The capDL image's components: the elfloader's archive holds the
        // kernel, its DTB and the capDL loader; the loader carries the guest's
        // kernel, DTB and initramfs byte for byte (the file server's archive).
        let elfloader = artifacts.appendingPathComponent("elfloader")
        let archive = try Self.elfloaderArchive(elfloader)
        try archive.write(to: work.appendingPathComponent("archive.cpio"))
        let members = try sh("cpio -it --quiet < archive.cpio", in: work)
        #expect(members == "kernel.elf\nkernel.dtb\nrootserver\n", "\(members)")
        #expect(try sh("cpio -i --quiet --to-stdout kernel.elf < archive.cpio | file -b -", in: work).hasPrefix("ELF 64-bit LSB executable, ARM aarch64"))
        #expect(try sh("cpio -i --quiet --to-stdout rootserver < archive.cpio | file -b -", in: work).hasPrefix("ELF 64-bit LSB executable, ARM aarch64"))
        // The kernel's DTB is the board's: its UART and GIC are there.
        let kernelDTS = try sh("cpio -i --quiet --to-stdout kernel.dtb < archive.cpio | dtc -q -I dtb -O dts -", in: work)
        #expect(kernelDTS.contains(jetson.board == "tx1" ? "serial@70006000 {" : "serial@3100000 {"))
        let imageBytes = try Data(contentsOf: image)
        for file in ["linux", "linux.dtb", "rootfs.cpio.gz"] {
            let bytes = try Data(contentsOf: artifacts.appendingPathComponent(file))
            #expect(imageBytes.range(of: bytes) != nil, "\(file) (\(bytes.count) bytes) is not in \(image.lastPathComponent)")
        }
        print("\(jetson.board): disk \(try FileManager.default.attributesOfItem(atPath: disk)[.size] ?? 0) bytes, image \(imageBytes.count) bytes")
    }
}
