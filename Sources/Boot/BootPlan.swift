import Boards
import Emulator
import Foundation
import Support

/// How `sel4img qemu` will boot a build, derived from the board, the app and
/// the build's artifacts before QEMU starts: what it boots, the QEMU command
/// line, and what the console is watched for. `sel4img qemu --plan` prints it.
public struct BootPlan: Codable, Equatable, Sendable {
    /// What QEMU boots.
    public struct Medium: Codable, Equatable, Sendable {
        public enum Kind: String, Codable, Sendable {
            /// The elfloader ELF (or the image) with `-kernel`.
            case kernel
            /// The build's disk image on a virtio drive, started by U-Boot given with `-bios`.
            case disk
        }
        public var kind: Kind
        /// The artifact QEMU boots.
        public var image: String
        /// U-Boot's place in the blob cache (disk boot); fetched and verified before QEMU starts.
        /// With `firmwareFromImage`, where U-Boot is copied out of the image's boot partition.
        public var bios: String?
        /// The device tree QEMU passes with `-dtb` (disk boot on boards that take one).
        public var deviceTree: String?
        /// U-Boot and the device tree are read from the image's boot partition.
        public var firmwareFromImage: Bool?
        /// The copy of `image` QEMU is given (padded to a power of two for an
        /// SD card); the artifact itself is never written.
        public var scratch: String?

        public init(kind: Kind, image: String, bios: String?, deviceTree: String? = nil, firmwareFromImage: Bool? = nil, scratch: String? = nil) {
            self.kind = kind
            self.image = image
            self.bios = bios
            self.deviceTree = deviceTree
            self.firmwareFromImage = firmwareFromImage
            self.scratch = scratch
        }
    }

    /// What the console is watched for.
    public struct Console: Codable, Equatable, Sendable {
        /// Patterns that mean success (none with a script: its statuses decide).
        public var success: [String]
        public var failure: [String]
        /// The console belongs to the user; nothing is watched.
        public var interactive: Bool
        /// Seconds to wait for a pattern.
        public var timeoutSeconds: Double
        /// Shell commands typed once the guest's shell is ready (`--script`).
        public var script: String?
        public var shellReady: String?
        public var commandTimeoutSeconds: Double?
        /// Where the console is saved.
        public var log: String
    }

    public var board: String
    public var app: String
    public var medium: Medium
    public var qemu: QEMUConfiguration
    /// The QEMU command line.
    public var arguments: [String]
    public var console: Console

    /// The plan as `--plan` prints it: JSON with sorted keys.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}

/// What the command line asks of a boot.
public struct BootRequest: Sendable, Equatable {
    /// Seconds to wait for a pattern; nil: the app's.
    public var timeout: Double?
    /// Success patterns replacing the app's (none: the app's).
    public var expect: [String]
    /// Failure patterns replacing the app's (none: the app's).
    public var fail: [String]
    public var interactive: Bool
    /// Boot the disk image through U-Boot instead of the kernel directly.
    public var disk: Bool
    /// A script file of shell commands, as given.
    public var script: String?
    public var commandTimeout: Double

    public init(timeout: Double? = nil, expect: [String] = [], fail: [String] = [], interactive: Bool = false, disk: Bool = false,
                script: String? = nil, commandTimeout: Double = ScriptSession.defaultCommandTimeout) {
        self.timeout = timeout
        self.expect = expect
        self.fail = fail
        self.interactive = interactive
        self.disk = disk
        self.script = script
        self.commandTimeout = commandTimeout
    }
}
