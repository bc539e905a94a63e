import Foundation

/// The rules that keep `sel4img flash` off the wrong disk. Each broken rule
/// is a ``FlashError`` refusal, raised before anything is opened for writing.
public enum SafetyCheck {
    /// Throws the first refusal that applies, in order of how much harm the
    /// write would do: the image itself, the running system's disks, mounted
    /// or stacked devices, partitions, fixed disks, then size. `force` lifts
    /// only the fixed-disk and file-truncation rules.
    public static func check(_ target: FlashTarget, imageSize: UInt64, imagePath: String, force: Bool) throws {
        var imageStat = stat()
        if let id = target.fileID, stat(imagePath, &imageStat) == 0,
           id == FlashTarget.FileID(device: UInt64(imageStat.st_dev), inode: UInt64(imageStat.st_ino)) {
            throw FlashError.isImage(target.path)
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
