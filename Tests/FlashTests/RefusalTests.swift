import DiskImage
import Foundation
@testable import Flash
import Support
import Testing
import TestSupport

/// Every refusal, with its exact message, against a fake system root.
@Suite struct RefusalTests {
    /// Prepares a flash of a small image to `target` and returns the error it throws.
    func refusal(_ target: String, in system: FakeSystem, force: Bool = false, imageSize: Int = 64 << 10) throws -> FlashError {
        let image = system.dir.path("sel4.img")
        if !FileManager.default.fileExists(atPath: image.path) {
            try Images.make(image, size: imageSize, data: [(0, 4096)])
        }
        do {
            _ = try FlashPlan.prepare(image: image.path, target: target, options: .init(force: force), root: system.root)
        } catch let error as FlashError {
            #expect(error.kind.isRefusal)
            return error
        }
        Issue.record("no refusal for \(target)")
        return FlashError(.declined, path: target, message: "")
    }

    @Test("the disk holding / is refused, even with --force")
    func systemDisk() throws {
        let system = try FakeSystem()
        defer { system.dir.remove() }
        let sda = try system.add(.init(name: "sda", removable: false, partitions: 3, bus: "pci0000:00/ata1/host0"))
        try system.mounts(["/dev/sda2 / ext4 rw,relatime 0 0", "/dev/sda1 /boot/efi vfat rw 0 0"])
        let error = try refusal(sda.path, in: system, force: true)
        #expect(error.description == "refusing to write to \(sda.path): it holds /, /boot/efi (mounted at /, /boot/efi)")
        #expect(error.kind == .systemDisk && error.exitCode == 2)

        try system.mounts(["/dev/sda2 / ext4 rw,relatime 0 0"])
        #expect(try refusal(sda.path, in: system, force: true).description == "refusing to write to \(sda.path): it holds / (mounted at /)")
    }

    @Test("a disk with active swap is refused")
    func swapDisk() throws {
        let system = try FakeSystem()
        defer { system.dir.remove() }
        let sda = try system.add(.init(name: "sda", partitions: 3))
        try system.swaps(["/dev/sda3"])
        #expect(try refusal(sda.path, in: system).description == "refusing to write to \(sda.path): it holds swap (swap on /dev/sda3)")
    }

    @Test("the root file system on LVM refuses the disk under it")
    func rootOnLVM() throws {
        let system = try FakeSystem()
        defer { system.dir.remove() }
        let sda = try system.add(.init(name: "sda", partitions: 2))
        try system.hold("sda2", by: "dm-0")
        try FileManager.default.createDirectory(at: system.dev.appendingPathComponent("mapper"), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: system.dev.appendingPathComponent("dm-0").path, contents: nil)
        try FileManager.default.createSymbolicLink(atPath: system.dev.appendingPathComponent("mapper/vg-root").path, withDestinationPath: "../dm-0")
        try system.mounts(["/dev/mapper/vg-root / ext4 rw 0 0"])
        #expect(try refusal(sda.path, in: system).description == "refusing to write to \(sda.path): it holds / (mounted at /)")
    }

    @Test("a disk with a mounted partition is refused with its mount point")
    func mountedPartition() throws {
        let system = try FakeSystem()
        defer { system.dir.remove() }
        let sdb = try system.add(.init(name: "sdb", minor: 16, partitions: 2))
        try system.mounts(["/dev/sda2 / ext4 rw 0 0", "/dev/sdb1 /media/usb vfat rw 0 0"])
        let error = try refusal(sdb.path, in: system)
        #expect(error.description == "refusing to write to \(sdb.path): partition /dev/sdb1 is mounted at /media/usb; unmount it first")
        #expect(error.hint == "run 'umount /media/usb', or eject it in the file manager")

        try system.mounts(["/dev/sdb1 /media/my\\040stick vfat rw 0 0", "/dev/sdb2 /media/b ext4 rw 0 0"])
        #expect(try refusal(sdb.path, in: system).description
            == "refusing to write to \(sdb.path): partition /dev/sdb1 is mounted at /media/my stick, partition /dev/sdb2 is mounted at /media/b; unmount them first")
    }

    @Test("a disk used by device mapper or RAID is refused")
    func heldDisk() throws {
        let system = try FakeSystem()
        defer { system.dir.remove() }
        let sdd = try system.add(.init(name: "sdd", minor: 48, partitions: 1))
        try system.hold("sdd1", by: "md0")
        #expect(try refusal(sdd.path, in: system).description == "refusing to write to \(sdd.path): it is in use by /dev/md0 (RAID, LVM or an encrypted volume)")
    }

    @Test("a non-removable disk is refused unless --force")
    func nonRemovable() throws {
        let system = try FakeSystem()
        defer { system.dir.remove() }
        let nvme = try system.add(.init(name: "nvme0n1", major: 259, removable: false, vendor: nil, model: "Samsung SSD 980", partitions: 2, bus: "pci0000:00/0000:00:1d.0/nvme/nvme0"))
        let error = try refusal(nvme.path, in: system)
        #expect(error.description == "refusing to write to \(nvme.path): it is not a removable disk (pass --force if you are sure)")
        #expect(error.kind == .notRemovable)
        let plan = try FlashPlan.prepare(image: system.dir.path("sel4.img").path, target: nvme.path, options: .init(force: true), root: system.root)
        #expect(plan.target.partitions == ["/dev/nvme0n1p1", "/dev/nvme0n1p2"])
        #expect(plan.confirmationQuestion == "Write \(system.dir.path("sel4.img").path) (0.1 MiB, 0.0 MiB of data) to \(nvme.path) (Samsung SSD 980, 32.0 GB, not removable)? [y/N]")
    }

    @Test("a target smaller than the image is refused with both sizes")
    func tooSmall() throws {
        let system = try FakeSystem()
        defer { system.dir.remove() }
        let sdc = try system.add(.init(name: "sdc", minor: 32, bytes: 3_984_588 * 512))
        let image = system.dir.path("sel4.img")
        try sh("truncate -s 2G '\(image.path)'")
        let error = try refusal(sdc.path, in: system)
        #expect(error.description == "the target \(sdc.path) (1.9 GiB) is smaller than the image (2.0 GiB)")
        #expect(error.kind == .tooSmall)
    }

    @Test("a partition is refused, naming its disk")
    func partition() throws {
        let system = try FakeSystem()
        defer { system.dir.remove() }
        try system.add(.init(name: "sdb", minor: 16, partitions: 2))
        let sdb2 = system.dev.appendingPathComponent("sdb2")
        #expect(try refusal(sdb2.path, in: system).description
            == "refusing to write to \(sdb2.path): it is partition 2 of /dev/sdb; write the image to the whole disk (/dev/sdb)")
    }

    @Test("directories, character devices and missing devices are refused")
    func notADisk() throws {
        let system = try FakeSystem()
        defer { system.dir.remove() }
        let folder = system.dir.path("folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        #expect(try refusal(folder.path, in: system).description == "refusing to write to \(folder.path): it is a directory, not a block device or a regular file")
        #expect(try refusal("/dev/null", in: system).description == "refusing to write to /dev/null: it is a character device, not a block device or a regular file")
        let missing = system.dev.appendingPathComponent("sdz").path
        #expect(try refusal(missing, in: system).description == "refusing to write to \(missing): no such device")
        let nowhere = system.dir.path("no/such/dir/out.img").path
        #expect(try refusal(nowhere, in: system).description == "refusing to write to \(nowhere): its directory does not exist")
    }

    @Test("the image itself is refused, also through a symlink")
    func imageItself() throws {
        let system = try FakeSystem()
        defer { system.dir.remove() }
        let image = system.dir.path("sel4.img")
        try Images.make(image, size: 64 << 10, data: [(0, 4096)])
        try FileManager.default.createSymbolicLink(at: system.dir.path("alias.img"), withDestinationURL: image)
        #expect(try refusal(image.path, in: system).description == "refusing to write to \(image.path): it is the image itself")
        #expect(try refusal(system.dir.path("alias.img").path, in: system).kind == .isImage)
    }

    @Test("the image's block map is refused, by path, through a symlink, as a hard link, and before it exists")
    func blockMapItself() throws {
        let system = try FakeSystem()
        defer { system.dir.remove() }
        let image = system.dir.path("sel4.img")
        let map = system.dir.path("sel4.img.bmap.json")
        try Images.make(image, size: 64 << 10, data: [(0, 4096)])
        let mapBytes = try Data(contentsOf: map)
        let message = "it is the image's block map (sel4.img.bmap.json), which the flash reads"
        let error = try refusal(map.path, in: system, force: true)
        #expect(error.description == "refusing to write to \(map.path): \(message)")
        #expect(error.kind == .isImage && error.exitCode == 2)
        try FileManager.default.createSymbolicLink(at: system.dir.path("alias.json"), withDestinationURL: map)
        try FileManager.default.linkItem(at: map, to: system.dir.path("hard.json"))
        #expect(try refusal(system.dir.path("alias.json").path, in: system, force: true).description
            == "refusing to write to \(system.dir.path("alias.json").path): \(message)")
        #expect(try refusal(system.dir.path("hard.json").path, in: system, force: true).description
            == "refusing to write to \(system.dir.path("hard.json").path): \(message)")
        #expect(try Data(contentsOf: map) == mapBytes)
        // Without a map the flash scans the image, but writing one there would be read as the map next time.
        try FileManager.default.removeItem(at: map)
        try FileManager.default.removeItem(at: system.dir.path("hard.json"))
        #expect(try refusal(map.path, in: system).description == "refusing to write to \(map.path): \(message)")
        #expect(!FileManager.default.fileExists(atPath: map.path))
    }

    @Test("with no readable mount table a removable disk is refused, even with --force")
    func noMountTable() throws {
        let system = try FakeSystem()
        defer { system.dir.remove() }
        let sdb = try system.add(.init(name: "sdb", minor: 16, partitions: 1))
        try FileManager.default.removeItem(at: system.dir.path("proc/self/mounts"))
        let error = try refusal(sdb.path, in: system, force: true)
        #expect(error.description == "refusing to write to \(sdb.path): the mount table cannot be read (\(system.dir.path("proc/self/mounts").path): No such file or directory), so whether the disk is mounted is unknown; --force does not lift this")
        #expect(error.hint == "flash from a system with /proc mounted (outside the chroot or container, or after 'mount -t proc proc /proc')")
        #expect(error.kind == .mountsUnknown && error.exitCode == 2)
        // /proc/mounts stands in for /proc/self/mounts; a regular file needs no mount table.
        try system.dir.write("proc/mounts", "/dev/sdb1 /media/usb vfat rw 0 0\n")
        #expect(try refusal(sdb.path, in: system, force: true).kind == .mounted)
        try FileManager.default.removeItem(at: system.dir.path("proc/mounts"))
        _ = try FlashPlan.prepare(image: system.dir.path("sel4.img").path, target: system.dir.path("out.img").path, root: system.root)
    }

    @Test("a larger regular file is not truncated without --force")
    func largerFile() throws {
        let system = try FakeSystem()
        defer { system.dir.remove() }
        let out = system.dir.path("out.img")
        try Images.filled(out, size: 128 << 10, byte: 0xA5)
        #expect(try refusal(out.path, in: system).description
            == "refusing to write to \(out.path): it is a file of 128.0 KiB, larger than the image (64.0 KiB), and would be truncated (pass --force to truncate it)")
        let plan = try FlashPlan.prepare(image: system.dir.path("sel4.img").path, target: out.path, options: .init(force: true), root: system.root)
        _ = try Flasher(plan: plan, reporter: QuietProgress()).run()
        #expect(try Data(contentsOf: out).prefix(4096) == Data(contentsOf: system.dir.path("sel4.img")).prefix(4096))
        #expect(try FileManager.default.attributesOfItem(atPath: out.path)[.size] as? Int == 64 << 10)
    }

    @Test("without a terminal and without --yes nothing is written")
    func confirmation() throws {
        let system = try FakeSystem()
        defer { system.dir.remove() }
        let sdb = try system.add(.init(name: "sdb", minor: 16))
        try Images.make(system.dir.path("sel4.img"), size: 64 << 10, data: [(0, 4096)])
        let plan = try FlashPlan.prepare(image: system.dir.path("sel4.img").path, target: sdb.path, root: system.root)
        #expect(throws: FlashError.noConfirmation(sdb.path)) { try plan.confirm(assumeYes: false, ask: nil) }
        #expect(FlashError.noConfirmation(sdb.path).description == "refusing to write to \(sdb.path): no terminal to confirm on (pass --yes to write without asking)")
        #expect(throws: FlashError.declined(sdb.path)) { try plan.confirm(assumeYes: false, ask: { _ in "" }) }
        #expect(throws: FlashError.declined(sdb.path)) { try plan.confirm(assumeYes: false, ask: { _ in nil }) }
        try plan.confirm(assumeYes: false, ask: { question in
            #expect(question == "Write \(system.dir.path("sel4.img").path) (0.1 MiB, 0.0 MiB of data) to \(sdb.path) (SanDisk Ultra, 32.0 GB, removable)? [y/N]")
            return "y"
        })
        try plan.confirm(assumeYes: true, ask: nil)
        let newFile = try FlashPlan.prepare(image: system.dir.path("sel4.img").path, target: system.dir.path("new.img").path, root: system.root)
        try newFile.confirm(assumeYes: false, ask: nil)
    }
}

@Suite struct InspectionTests {
    @Test("a by-id symlink resolves to the disk with its model, size and partitions")
    func byID() throws {
        let system = try FakeSystem()
        defer { system.dir.remove() }
        try system.add(.init(name: "sdb", minor: 16, bytes: 31_914_983_424, partitions: 2))
        let link = system.dev.appendingPathComponent("disk/by-id/usb-SanDisk_Ultra-0:0")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "../../sdb")
        let target = try FlashTarget.inspect(link.path, root: system.root)
        #expect(target.kind == .blockDevice)
        #expect(target.name == "sdb")
        #expect(target.resolvedPath == system.dev.appendingPathComponent("sdb").path)
        #expect(target.model == "SanDisk Ultra")
        #expect(target.size == 31_914_983_424)
        #expect(target.isRemovable)
        #expect(target.partitions == ["/dev/sdb1", "/dev/sdb2"])
        #expect(target.summary == "SanDisk Ultra, 31.9 GB, removable")
    }

    @Test("a USB disk whose removable flag is 0 still counts as removable; a SATA disk does not")
    func usbIsRemovable() throws {
        let system = try FakeSystem()
        defer { system.dir.remove() }
        let usb = try system.add(.init(name: "sdb", minor: 16, removable: false))
        let sata = try system.add(.init(name: "sda", removable: false, bus: "pci0000:00/ata1/host0"))
        #expect(try FlashTarget.inspect(usb.path, root: system.root).isRemovable)
        #expect(try !FlashTarget.inspect(sata.path, root: system.root).isRemovable)
    }

    @Test("mount tables with escaped spaces are read as the kernel wrote them")
    func mountTable() {
        let mounts = MountTable.parseMounts("/dev/sdb1 /media/a\\040b\\011c vfat rw 0 0\nbad\n")
        #expect(mounts == [Mount(device: "/dev/sdb1", mountPoint: "/media/a b\tc", fileSystem: "vfat")])
        #expect(MountTable.unescape("back\\134slash\\04") == "back\\slash\\04")
    }

    @Test("sizes read as binary for images and decimal for disks")
    func sizes() {
        #expect(ByteSize.binary(2 << 30) == "2.0 GiB")
        #expect(ByteSize.binary(1000) == "1000 bytes")
        #expect(ByteSize.decimal(32_000_000_000) == "32.0 GB")
        #expect(ByteSize.mebibytes(70 << 20) == "70.0 MiB")
    }
}
