import Foundation

/// One line of /proc/self/mounts.
public struct Mount: Sendable, Equatable {
    /// The source as listed ("/dev/sdb1", "/dev/mapper/vg-root").
    public var device: String
    public var mountPoint: String
    public var fileSystem: String

    public init(device: String, mountPoint: String, fileSystem: String) {
        self.device = device
        self.mountPoint = mountPoint
        self.fileSystem = fileSystem
    }

    /// Mount points whose disk the running system needs; flashing them is never allowed, not even with --force.
    public static let systemMountPoints: Set<String> = ["/", "/boot", "/boot/efi", "/efi", "/usr", "/var", "/home"]

    public var isSystem: Bool { Self.systemMountPoints.contains(mountPoint) }
}

/// Reads the mount and swap tables of a ``SystemRoot``.
enum MountTable {
    /// `/proc/self/mounts`, or `/proc/mounts` where there is no `self`.
    /// Throws ``Unreadable`` when neither can be read (a chroot or container
    /// without /proc): then nobody can tell whether a disk is mounted.
    static func mounts(in root: SystemRoot) throws -> [Mount] {
        let primary = root.proc.appendingPathComponent("self/mounts")
        var firstFailure: Unreadable?
        for url in [primary, root.proc.appendingPathComponent("mounts")] {
            let fd = open(url.path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                if firstFailure == nil { firstFailure = Unreadable(path: url.path, reason: String(cString: strerror(errno))) }
                continue
            }
            let data = FileHandle(fileDescriptor: fd, closeOnDealloc: true).readDataToEndOfFile()
            return parseMounts(String(decoding: data, as: UTF8.self))
        }
        throw firstFailure ?? Unreadable(path: primary.path, reason: "unknown error")
    }

    /// Why the mount table could not be read.
    struct Unreadable: Error, Sendable, Equatable {
        var path: String
        var reason: String
    }

    static func parseMounts(_ text: String) -> [Mount] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 3 else { return nil }
            return Mount(device: unescape(fields[0]), mountPoint: unescape(fields[1]), fileSystem: String(fields[2]))
        }
    }

    /// Device and file names from `/proc/swaps` (its first line is a header).
    static func swaps(in root: SystemRoot) -> [String] {
        guard let text = try? String(contentsOf: root.proc.appendingPathComponent("swaps"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            line.split(separator: " ", omittingEmptySubsequences: true).first.map(unescape)
        }
    }

    /// Undoes the kernel's octal escapes ("\040" for a space) in mount tables.
    static func unescape<S: StringProtocol>(_ field: S) -> String {
        guard field.contains("\\") else { return String(field) }
        var bytes: [UInt8] = []
        let utf8 = Array(field.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "\\"), i + 4 <= utf8.count {
                let digits = utf8[(i + 1)..<(i + 4)]
                if digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }) {
                    bytes.append(digits.reduce(0) { $0 &* 8 &+ ($1 - UInt8(ascii: "0")) })
                    i += 4
                    continue
                }
            }
            bytes.append(utf8[i])
            i += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
