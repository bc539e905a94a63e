import Foundation
import Support

/// Everything that can stop `sel4img flash`, each with a message naming the
/// target and the reason. Refusals (``Kind/isRefusal``) are raised before a
/// single byte is written.
///
/// Exit statuses: 1 declined or no confirmation, 2 refused for safety,
/// 3 the image or its block map is unusable, 4 an I/O error while writing,
/// 5 read-back verification failed, 130 interrupted.
public struct FlashError: UserFacingError, Equatable {
    public enum Kind: String, Sendable, Equatable {
        // Refusals: nothing has been written.
        case notFound, notADisk, partition, mounted, mountsUnknown, systemDisk, inUse
        case notRemovable, tooSmall, isImage, wouldTruncate
        case noConfirmation, declined
        // The input.
        case imageUnreadable, imageCorrupt
        // During or after the write.
        case writeFailed, verifyFailed, interrupted

        /// True for the kinds raised before anything is written.
        public var isRefusal: Bool {
            switch self {
            case .imageUnreadable, .imageCorrupt, .writeFailed, .verifyFailed, .interrupted: return false
            default: return true
            }
        }
    }

    public var kind: Kind
    /// The target as the user named it (or the image, for image errors).
    public var path: String
    public var message: String
    public var hint: String?

    public init(_ kind: Kind, path: String, message: String, hint: String? = nil) {
        self.kind = kind
        self.path = path
        self.message = message
        self.hint = hint
    }

    public var exitCode: Int32 {
        switch kind {
        case .declined, .noConfirmation: return 1
        case .imageUnreadable, .imageCorrupt: return 3
        case .writeFailed: return 4
        case .verifyFailed: return 5
        case .interrupted: return 130
        default: return 2
        }
    }
}

// MARK: - Message factories

extension FlashError {
    static func refusing(_ kind: Kind, _ target: String, _ reason: String, hint: String? = nil) -> FlashError {
        FlashError(kind, path: target, message: "refusing to write to \(target): \(reason)", hint: hint)
    }

    static func notFound(_ target: String, inDeviceDirectory: Bool) -> FlashError {
        inDeviceDirectory
            ? refusing(.notFound, target, "no such device", hint: "list disks with 'lsblk -d -o NAME,MODEL,SIZE,RM' and check the name")
            : refusing(.notFound, target, "its directory does not exist")
    }

    static func notADisk(_ target: String, what: String) -> FlashError {
        refusing(.notADisk, target, "it is \(what), not a block device or a regular file")
    }

    static func partition(_ target: String, number: Int?, disk: String) -> FlashError {
        let which = number.map { "partition \($0)" } ?? "a partition"
        return refusing(.partition, target, "it is \(which) of \(disk); write the image to the whole disk (\(disk))",
                        hint: "an image carries its own partition table, so it goes to the whole disk")
    }

    static func mounted(_ target: String, _ mounts: [Mount], wholeDisk: String) -> FlashError {
        var byDevice: [(device: String, points: [String])] = []
        for m in mounts {
            if let i = byDevice.firstIndex(where: { $0.device == m.device }) { byDevice[i].points.append(m.mountPoint) }
            else { byDevice.append((m.device, [m.mountPoint])) }
        }
        let parts = byDevice.map { entry in
            let points = entry.points.joined(separator: " and ")
            return entry.device == wholeDisk ? "\(entry.device) is mounted at \(points)" : "partition \(entry.device) is mounted at \(points)"
        }
        let them = byDevice.count == 1 && byDevice[0].points.count == 1 ? "it" : "them"
        let points = byDevice.flatMap(\.points).map { "'umount \($0)'" }.joined(separator: ", ")
        return refusing(.mounted, target, parts.joined(separator: ", ") + "; unmount \(them) first", hint: "run \(points), or eject it in the file manager")
    }

    static func systemDisk(_ target: String, mounts: [Mount], swaps: [String]) -> FlashError {
        var held = mounts.map(\.mountPoint)
        var details: [String] = []
        if !mounts.isEmpty { details.append("mounted at " + mounts.map(\.mountPoint).joined(separator: ", ")) }
        if !swaps.isEmpty {
            held.append("swap")
            details.append("swap on " + swaps.joined(separator: ", "))
        }
        return refusing(.systemDisk, target, "it holds \(held.joined(separator: ", ")) (\(details.joined(separator: "; ")))",
                        hint: "this is a disk the running system uses; check the target name with 'lsblk'")
    }

    static func inUse(_ target: String, by holders: [String]) -> FlashError {
        refusing(.inUse, target, "it is in use by \(holders.joined(separator: ", ")) (RAID, LVM or an encrypted volume)",
                 hint: "stop the volume first (for example 'cryptsetup close', 'vgchange -an' or 'mdadm --stop')")
    }

    static func busy(_ target: String) -> FlashError {
        refusing(.inUse, target, "it is in use (the kernel refused exclusive access: a partition may be mounted, or the disk is part of a RAID, LVM or encrypted volume)")
    }

    static func notRemovable(_ target: String) -> FlashError {
        refusing(.notRemovable, target, "it is not a removable disk (pass --force if you are sure)",
                 hint: "USB sticks and SD cards are removable; internal disks are not")
    }

    static func tooSmall(_ target: String, size: UInt64, imageSize: UInt64) -> FlashError {
        var t = ByteSize.binary(size), i = ByteSize.binary(imageSize)
        if t == i { t = "\(size) bytes"; i = "\(imageSize) bytes" }
        return FlashError(.tooSmall, path: target, message: "the target \(target) (\(t)) is smaller than the image (\(i))")
    }

    /// The target is a file the flash reads (kind ``Kind/isImage`` for the image and its block map alike).
    static func isInput(_ target: String, _ input: FlashInput) -> FlashError {
        switch input.role {
        case .image: return refusing(.isImage, target, "it is the image itself")
        case .blockMap: return refusing(.isImage, target, "it is the image's block map (\(input.url.lastPathComponent)), which the flash reads")
        }
    }

    static func mountsUnknown(_ target: String, _ unreadable: String) -> FlashError {
        refusing(.mountsUnknown, target, "the mount table cannot be read (\(unreadable)), so whether the disk is mounted is unknown; --force does not lift this",
                 hint: "flash from a system with /proc mounted (outside the chroot or container, or after 'mount -t proc proc /proc')")
    }

    static func wouldTruncate(_ target: String, size: UInt64, imageSize: UInt64) -> FlashError {
        refusing(.wouldTruncate, target, "it is a file of \(ByteSize.binary(size)), larger than the image (\(ByteSize.binary(imageSize))), and would be truncated (pass --force to truncate it)")
    }

    static func noConfirmation(_ target: String) -> FlashError {
        refusing(.noConfirmation, target, "no terminal to confirm on (pass --yes to write without asking)")
    }

    static func declined(_ target: String) -> FlashError {
        FlashError(.declined, path: target, message: "nothing written to \(target): not confirmed")
    }

    static func imageUnreadable(_ image: String, _ reason: String) -> FlashError {
        FlashError(.imageUnreadable, path: image, message: "cannot read the image \(image): \(reason)")
    }

    static func imageCorrupt(_ image: String, _ reason: String) -> FlashError {
        FlashError(.imageCorrupt, path: image, message: "the image \(image) does not match its block map: \(reason); nothing was written",
                   hint: "rebuild the image, or delete \(image).bmap.json if the image was changed on purpose")
    }

    static func writeFailed(_ target: String, _ what: String, errno code: Int32, blockZeroWritten: Bool) -> FlashError {
        let state = blockZeroWritten ? "" : "; the target is not bootable and must be re-flashed"
        return FlashError(.writeFailed, path: target, message: "\(what) \(target) failed: \(String(cString: strerror(code)))\(state)")
    }

    static func verifyFailed(_ target: String, range: BlockMapRangeDescription, blockZeroWritten: Bool) -> FlashError {
        let state = blockZeroWritten ? "" : "; block 0 was not written, so the target is not bootable and must be re-flashed"
        return FlashError(.verifyFailed, path: target,
                          message: "verification of \(target) failed: \(range) reads back with a different SHA-256 than the image\(state)",
                          hint: "the medium may be failing or counterfeit (smaller than it claims); try another one")
    }

    static func interrupted(_ target: String, signal: String, written: UInt64, total: UInt64) -> FlashError {
        FlashError(.interrupted, path: target,
                   message: "flashing \(target) was stopped by \(signal) after \(ByteSize.mebibytes(written)) of \(ByteSize.mebibytes(total)); block 0 was not written, so the target is not bootable and must be re-flashed")
    }
}

/// "range 3 (offset 4194304, 1.0 MiB)", for messages.
struct BlockMapRangeDescription: CustomStringConvertible {
    var index: Int
    var offset: UInt64
    var length: UInt64
    var description: String { "range \(index + 1) (offset \(offset), \(ByteSize.mebibytes(length)))" }
}
