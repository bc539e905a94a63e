import Foundation

/// The rules that keep `sel4img flash` off the wrong disk. Each broken rule
/// is a ``FlashError`` refusal, raised before anything is opened for writing.
public enum SafetyCheck {
    /// Throws the first refusal that applies, in order of how much harm the
    /// write would do: a file the flash reads (the image, its block map), the
    /// running system's disks, a disk whose mounts cannot be known, mounted or
    /// stacked devices, partitions, fixed disks, then size. `force` lifts
    /// only the fixed-disk and file-truncation rules.
    public static func check(_ target: FlashTarget, imageSize: UInt64, inputs: [FlashInput], force: Bool) throws {
        for input in inputs where input.isSameFile(as: target) {
            throw FlashError.isInput(target.path, input)
        }
        switch target.kind {
        case .newFile:
            return
        case .regularFile:
            if !target.swaps.isEmpty {
                throw FlashError.refusing(.systemDisk, target.path, "it is an active swap file")
            }
            if target.size > imageSize, !force {
                throw FlashError.wouldTruncate(target.path, size: target.size, imageSize: imageSize)
            }
        case .blockDevice:
            try checkDevice(target, imageSize: imageSize, force: force)
        }
    }

    private static func checkDevice(_ target: FlashTarget, imageSize: UInt64, force: Bool) throws {
        let system = target.mounts.filter(\.isSystem)
        if !system.isEmpty || !target.swaps.isEmpty {
            throw FlashError.systemDisk(target.path, mounts: system, swaps: target.swaps)
        }
        if let unreadable = target.mountTableUnreadable {
            throw FlashError.mountsUnknown(target.path, unreadable)
        }
        if !target.mounts.isEmpty {
            throw FlashError.mounted(target.path, target.mounts, wholeDisk: target.kernelPath)
        }
        if !target.holders.isEmpty {
            throw FlashError.inUse(target.path, by: target.holders.map { "/dev/" + $0 })
        }
        if let disk = target.partitionOf {
            throw FlashError.partition(target.path, number: target.partitionNumber, disk: disk)
        }
        if !target.isRemovable, !force {
            throw FlashError.notRemovable(target.path)
        }
        if target.size < imageSize {
            throw FlashError.tooSmall(target.path, size: target.size, imageSize: imageSize)
        }
    }
}

/// A file `sel4img flash` reads while it writes, which therefore must never
/// be its target: the image, and the block map beside it.
public struct FlashInput: Sendable, Equatable {
    public enum Role: Sendable, Equatable {
        case image, blockMap
    }

    public var role: Role
    public var url: URL

    public init(_ role: Role, _ url: URL) {
        self.role = role
        self.url = url
    }

    /// True when `target` is this file: the same device and inode (so hard
    /// links and symlinks count), or, for a file still to be created, the
    /// same path once symlinks are followed.
    func isSameFile(as target: FlashTarget) -> Bool {
        if let id = target.fileID {
            var st = stat()
            guard stat(url.path, &st) == 0 else { return false }
            return id == FlashTarget.FileID(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        }
        return target.kind == .newFile && url.resolvingSymlinksInPath().standardizedFileURL.path == target.resolvedPath
    }
}
