import Foundation

/// What `sel4img flash` found at the target path: a whole disk, a partition,
/// an existing regular file, or a file to create. Collected by
/// ``FlashTarget/inspect(_:root:)`` from `stat` and sysfs; judged by
/// ``SafetyCheck``.
public struct FlashTarget: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case blockDevice, regularFile, newFile
    }

    /// The target as the user named it.
    public var path: String
    /// The path with symlinks (such as /dev/disk/by-id/…) followed.
    public var resolvedPath: String
    public var kind: Kind
    /// The kernel's name for a block device ("sdb", "mmcblk0").
    public var name: String?
    /// Vendor and model from sysfs ("SanDisk Ultra"), when the device reports them.
    public var model: String?
    /// Bytes: sectors × 512 for a block device, the current size of a file, 0 for a new file.
    public var size: UInt64
    /// Removable flag set, or attached by USB, or an SD card.
    public var isRemovable: Bool
    /// "/dev/sdb1", … for a whole disk.
    public var partitions: [String]
    /// For a partition: the whole disk ("/dev/sdb") and the partition number.
    public var partitionOf: String?
    public var partitionNumber: Int?
    /// Kernel names of devices stacked on this one (device mapper, RAID).
    public var holders: [String]
    /// Mounts of this device, its partitions, or anything stacked on them.
    public var mounts: [Mount]
    /// For a block device whose mounts cannot be known: the mount table's
    /// path and why it could not be read (no /proc in a chroot or container).
    public var mountTableUnreadable: String?
    /// Swap areas on this device or its partitions (or this file, when it is an active swap file).
    public var swaps: [String]
    /// st_dev and st_ino, to recognise the image and the files beside it.
    var fileID: FileID?

    struct FileID: Sendable, Equatable { var device: UInt64; var inode: UInt64 }

    /// "/dev/sdb" for a device, the path for a file.
    public var kernelPath: String { name.map { "/dev/" + $0 } ?? resolvedPath }

    /// "SanDisk Ultra, 32.0 GB, removable" or "regular file, 12.0 MiB".
    public var summary: String {
        switch kind {
        case .blockDevice:
            return [model ?? "unknown model", ByteSize.decimal(size), isRemovable ? "removable" : "not removable"].joined(separator: ", ")
        case .regularFile: return "regular file, \(ByteSize.binary(size))"
        case .newFile: return "new file"
        }
    }
}

extension FlashTarget {
    /// Looks at `path` without opening it for writing. Throws a ``FlashError``
    /// refusal only when there is nothing to judge: a missing device, a
    /// directory, a character device.
    public static func inspect(_ path: String, root: SystemRoot = .host) throws -> FlashTarget {
        let url = URL(fileURLWithPath: path)
        let resolved = url.resolvingSymlinksInPath().standardizedFileURL
        var target = FlashTarget(path: path, resolvedPath: resolved.path, kind: .newFile, name: nil, model: nil, size: 0,
                                 isRemovable: false, partitions: [], partitionOf: nil, partitionNumber: nil,
                                 holders: [], mounts: [], mountTableUnreadable: nil, swaps: [], fileID: nil)
        var st = stat()
        guard statFollowingLinks(resolved.path, &st) else {
            let inDev = resolved.path.hasPrefix(root.dev.resolvingSymlinksInPath().path + "/") || resolved.path.hasPrefix("/dev/")
            if inDev { throw FlashError.notFound(path, inDeviceDirectory: true) }
            guard FileManager.default.isDirectory(resolved.deletingLastPathComponent()) else {
                throw FlashError.notFound(path, inDeviceDirectory: false)
            }
            return target
        }
        target.fileID = FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        switch st.st_mode & S_IFMT {
        case S_IFBLK:
            try target.describeDevice(number: DeviceNumber(rawValue: UInt64(st.st_rdev)), root: root)
        case S_IFREG:
            if !root.isHost, let number = fakeDeviceNumber(resolved, root: root) {
                try target.describeDevice(number: number, root: root)
            } else {
                target.kind = .regularFile
                target.size = UInt64(st.st_size)
                let swapNames = Set(MountTable.swaps(in: root))
                if swapNames.contains(resolved.path) || swapNames.contains(path) { target.swaps = [resolved.path] }
            }
        case S_IFDIR: throw FlashError.notADisk(path, what: "a directory")
        case S_IFCHR: throw FlashError.notADisk(path, what: "a character device")
        case S_IFIFO: throw FlashError.notADisk(path, what: "a FIFO")
        case S_IFSOCK: throw FlashError.notADisk(path, what: "a socket")
        default: throw FlashError.notADisk(path, what: "an unknown kind of file")
        }
        return target
    }

    private static func statFollowingLinks(_ path: String, _ st: inout stat) -> Bool {
        stat(path, &st) == 0
    }

    /// In a test's root, `DEV/NAME` is a block device when `SYS/class/block/NAME/dev` says so.
    private static func fakeDeviceNumber(_ resolved: URL, root: SystemRoot) -> DeviceNumber? {
        let devBase = root.dev.resolvingSymlinksInPath().path + "/"
        guard resolved.path.hasPrefix(devBase) else { return nil }
        let name = String(resolved.path.dropFirst(devBase.count))
        guard let text = root.firstLine(root.sys.appendingPathComponent("class/block/\(name)/dev")) else { return nil }
        return DeviceNumber(text)
    }

    /// Fills in the sysfs facts for the block device `number`.
    private mutating func describeDevice(number: DeviceNumber, root: SystemRoot) throws {
        kind = .blockDevice
        let link = root.sys.appendingPathComponent("dev/block/\(number)")
        guard FileManager.default.fileExists(atPath: link.path) else {
            throw FlashError.notADisk(path, what: "a block device (\(number)) with no entry in \(link.deletingLastPathComponent().path), which sel4img cannot check,")
        }
        let dir = link.resolvingSymlinksInPath()
        let sysName = dir.lastPathComponent
        name = sysName
        size = (root.firstLine(dir.appendingPathComponent("size")).flatMap { UInt64($0) } ?? 0) * 512

        var ownNames = [sysName]
        if let number = root.firstLine(dir.appendingPathComponent("partition")) {
            let disk = dir.deletingLastPathComponent()
            partitionOf = "/dev/" + disk.lastPathComponent
            partitionNumber = Int(number)
            describeModel(disk: disk, root: root)
        } else {
            describeModel(disk: dir, root: root)
            let children = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            let parts = children.compactMap { child -> (Int, String)? in
                guard let n = root.firstLine(dir.appendingPathComponent("\(child)/partition")).flatMap({ Int($0) }) else { return nil }
                return (n, child)
            }.sorted { $0.0 < $1.0 }.map(\.1)
            partitions = parts.map { "/dev/" + $0 }
            ownNames += parts
        }
        holders = Self.holders(of: ownNames, root: root)

        let names = Set(ownNames + holders)
        do {
            mounts = try MountTable.mounts(in: root).filter { m in root.kernelName(ofDevicePath: m.device).map(names.contains) ?? false }
        } catch let failure as MountTable.Unreadable {
            mountTableUnreadable = "\(failure.path): \(failure.reason)"
        }
        swaps = MountTable.swaps(in: root).filter { s in root.kernelName(ofDevicePath: s).map(names.contains) ?? false }
    }

    private mutating func describeModel(disk: URL, root: SystemRoot) {
        let device = disk.appendingPathComponent("device")
        let vendor = root.firstLine(device.appendingPathComponent("vendor"))
        let product = root.firstLine(device.appendingPathComponent("model")) ?? root.firstLine(device.appendingPathComponent("name"))
        let parts = [vendor, product].compactMap { $0 }.filter { $0 != "ATA" }
        model = parts.isEmpty ? nil : parts.joined(separator: " ")
        let removableFlag = root.firstLine(disk.appendingPathComponent("removable")) == "1"
        let onUSB = disk.path.contains("/usb")
        let sdCard = root.firstLine(device.appendingPathComponent("type")) == "SD"
        isRemovable = removableFlag || onUSB || sdCard
    }

    /// Kernel names of everything stacked on `names` (dm-0 on sda2, md0 on sdb1, …), transitively.
    private static func holders(of names: [String], root: SystemRoot) -> [String] {
        var found: [String] = []
        var queue = names
        while let name = queue.popLast(), found.count < 64 {
            let dir = root.sys.appendingPathComponent("class/block/\(name)/holders")
            for holder in ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() where !found.contains(holder) {
                found.append(holder)
                queue.append(holder)
            }
        }
        return found
    }
}

/// A device's major:minor number.
struct DeviceNumber: Sendable, Equatable, CustomStringConvertible {
    var major: UInt64
    var minor: UInt64

    /// From `st_rdev`, with glibc's encoding (gnu_dev_major/minor are macros Swift cannot see).
    init(rawValue dev: UInt64) {
        major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))
        minor = (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))
    }

    /// From "8:16".
    init?(_ text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let major = UInt64(parts[0]), let minor = UInt64(parts[1]) else { return nil }
        self.major = major
        self.minor = minor
    }

    var description: String { "\(major):\(minor)" }
}
