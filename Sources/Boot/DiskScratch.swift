import DiskImage
import Foundation
import Support

/// The files a disk boot gives QEMU besides the artifacts themselves: a
/// scratch copy of the disk image (QEMU writes to its drive, and its SD card
/// model wants a power-of-two size) and the firmware read from the image's
/// boot partition. They live under the workspace's `.sel4img/qemu/BOARD-APP`;
/// the artifact is only read.
public enum DiskScratch {
    /// The smallest power of two at least `size` (`size` itself when it is one).
    public static func powerOfTwo(atLeast size: UInt64) -> UInt64 {
        guard size > 1 else { return 1 }
        return 1 << (64 - UInt64((size - 1).leadingZeroBitCount))
    }

    /// Copies `image` to `destination` and extends the copy with zeros (a
    /// sparse tail) to the next power of two. Returns `destination`.
    @discardableResult
    public static func paddedCopy(of image: URL, to destination: URL) throws -> URL {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            if fm.fileExists(atPath: destination.path) { try fm.removeItem(at: destination) }
            try fm.copyItem(at: image, to: destination)
            let size = (try fm.attributesOfItem(atPath: destination.path)[.size] as? NSNumber)?.uint64Value ?? 0
            let handle = try FileHandle(forWritingTo: destination)
            defer { try? handle.close() }
            try handle.truncate(atOffset: powerOfTwo(atLeast: size))
        } catch {
            throw DiskScratchError(description: "cannot make the scratch copy \(destination.path) of \(image.path): \(readableDescription(of: error))")
        }
        return destination
    }

    /// Copies `names` out of the FAT volume in partition 1 of `image` into
    /// `directory`; returns the written files in the order of `names`.
    public static func extractBootFiles(_ names: [String], from image: URL, into directory: URL) throws -> [URL] {
        let volume: FATVolumeReader
        do { volume = try FATVolumeReader(image: image, partition: 1) } catch {
            throw DiskScratchError(description: "cannot read the boot partition of \(image.path): \(readableDescription(of: error))",
                                   hint: "rebuild the image with 'sel4img build'")
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try names.map { name in
            let data: Data
            do { data = try volume.contents(of: name) } catch {
                throw DiskScratchError(description: "\(image.path): \(readableDescription(of: error)); QEMU starts the board's \(name.escapingControlCharacters) from there",
                                       hint: "rebuild the image with 'sel4img build'")
            }
            let file = directory.appendingPathComponent(name)
            try data.write(to: file)
            return file
        }
    }
}

/// A scratch file for a disk boot that could not be made.
public struct DiskScratchError: UserFacingError, Equatable {
    public var description: String
    public var hint: String?
}
