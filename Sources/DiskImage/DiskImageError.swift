import Foundation
import Support

/// Why a disk image or FAT32 volume could not be built or read, with the
/// entry, partition or file involved. Messages are exact and tested.
public typealias DiskImageError = ModuleError<DiskImageErrorKind>

public enum DiskImageErrorKind: String, ErrorKind {
    /// A FAT path or name that FAT cannot hold or that is hostile.
    case invalidName
    /// Two entries name the same FAT entry (FAT ignores case).
    case duplicateName
    /// A volume label FAT cannot hold.
    case invalidLabel
    /// A file that does not fit in the volume or exceeds FAT32's file size.
    case fileTooLarge
    /// A directory with more entries than FAT allows.
    case directoryFull
    /// A volume size below FAT32's minimum or above its maximum.
    case volumeSize
    /// Partitions that overlap, are misaligned, or are too many.
    case partitionLayout
    /// An image beyond MBR's 2 TiB or a caller's limit.
    case imageTooLarge
    /// A source file that cannot be read or changed while being copied.
    case sourceFile
    /// Writing the output failed.
    case output
    /// An image that is not what the reader expects.
    case malformedImage
    /// A path that is not in the volume.
    case notFound
}

/// Byte counts in messages: exact bytes plus a MiB figure a person can read.
func describeBytes(_ n: UInt64) -> String {
    if n < 1 << 20 { return "\(n) bytes" }
    let tenths = (n * 10 + (1 << 19)) >> 20
    return "\(n) bytes (\(tenths / 10).\(tenths % 10) MiB)"
}

extension DiskImageError {
    static func invalidPath(_ path: String, _ problem: String) -> DiskImageError {
        DiskImageError(.invalidName, "FAT path '\(printable(path))' \(problem)")
    }

    static func duplicate(_ path: String, _ other: String) -> DiskImageError {
        DiskImageError(.duplicateName, "FAT path '\(printable(path))' names the same entry as '\(printable(other))' (FAT names ignore case)")
    }

    static func parentIsFile(_ path: String, parent: String) -> DiskImageError {
        DiskImageError(.duplicateName, "FAT path '\(printable(path))' needs '\(printable(parent))' to be a directory, but it is a file")
    }

    static func invalidLabel(_ label: String, _ problem: String) -> DiskImageError {
        DiskImageError(.invalidLabel, "Volume label '\(printable(label))' \(problem)",
                       hint: "use up to 11 characters from A-Z, 0-9, space and ! # $ % & ' ( ) - @ ^ _ ` { } ~")
    }

    static func fileTooLarge(_ path: String, size: UInt64, free: UInt64, volume: UInt64) -> DiskImageError {
        DiskImageError(.fileTooLarge,
                       "File '\(printable(path))' is \(describeBytes(size)) but only \(describeBytes(free)) are left for it in the \(volume)-byte FAT32 volume",
                       hint: "make the boot partition larger or leave its size unset so it is sized to fit")
    }

    static func fileOverFAT32Limit(_ path: String, size: UInt64) -> DiskImageError {
        DiskImageError(.fileTooLarge, "File '\(printable(path))' is \(describeBytes(size)); FAT32 files hold at most 4294967295 bytes")
    }

    /// `subject` says what the source was for: "FAT path 'x'" or "partition 2".
    static func sourceProblem(_ subject: String, source: URL, _ problem: String) -> DiskImageError {
        DiskImageError(.sourceFile, "Source \(source.path) for \(subject) \(problem)")
    }

    static func output(_ url: URL, _ problem: String) -> DiskImageError {
        DiskImageError(.output, "Could not write \(url.path): \(problem)")
    }

    static func malformed(_ what: String, _ problem: String) -> DiskImageError {
        DiskImageError(.malformedImage, "\(what) \(problem)")
    }
}

/// Shows control characters in names as `\u{..}` so a message never carries them raw.
func printable(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        if scalar.value < 0x20 || scalar.value == 0x7F {
            out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}
