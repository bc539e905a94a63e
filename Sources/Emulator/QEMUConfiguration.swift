import Foundation
import Support

/// What QEMU boots.
public enum BootMedium: Sendable, Equatable, Codable {
    /// Direct boot of seL4's elfloader image (`images/<app>-image-arm-qemu-arm-virt`)
    /// with `-kernel`, as seL4's own `simulate` script does.
    case kernel(URL)
    /// A raw disk image attached as a virtio drive, started by firmware
    /// (U-Boot's `u-boot.bin`) given with `-bios`.
    case disk(image: URL, bios: URL)

    /// The files that must exist before QEMU can start.
    public var files: [URL] {
        switch self {
        case .kernel(let image): return [image]
        case .disk(let image, let bios): return [image, bios]
        }
    }
}

/// Which board and app a boot image was built for. Only used to tell a person
/// which `sel4img build` command produces a missing image.
public struct BootTarget: Sendable, Equatable, Codable {
    public var board: String
    public var app: String

    public init(board: String, app: String) {
        self.board = board
        self.app = app
    }

    /// The command that builds this target's boot image.
    public var buildCommand: String {
        "sel4img build --board \(board) --app \(app)"
    }
}

/// A QEMU command line for booting an seL4 system, derived the way seL4_tools'
/// `cmake-tool/helpers/simulation.cmake` fills in `simulate_scripts/simulate.py`
/// for `PLATFORM=qemu-arm-virt`:
///
///     qemu-system-aarch64 -machine virt,virtualization=on,highmem=off,secure=off \
///         -cpu cortex-a53 -nographic -m size=2G -kernel IMAGE
///
/// For qemu-arm-virt that script passes no `-serial` option: `-nographic`
/// already connects the first UART to stdio, multiplexed with the QEMU
/// monitor (which is why Ctrl-A X quits QEMU in a terminal).
public struct QEMUConfiguration: Sendable, Equatable, Codable {
    /// The QEMU program: a name looked up on PATH, or a path.
    public var binary: String
    /// `-machine` value; empty leaves the option out, as the script does.
    public var machine: String
    /// `-cpu` value; empty leaves the option out, as the script does.
    public var cpu: String
    /// Memory size, passed as `-m size=<memory>`. It should match (or exceed)
    /// the `QEMU_MEMORY` the image was configured with: seL4's qemu-arm-virt
    /// build takes its memory map from a device tree dumped with that size.
    public var memory: String
    /// More QEMU arguments, placed where the script puts its extra arguments
    /// (after the memory size, before the boot image).
    public var extraArgs: [String]
    /// What is booted.
    public var boot: BootMedium
    /// `-serial` values in order (none: QEMU's default, the first UART on stdio).
    public var serial: [String] = []
    /// How a disk boot gives QEMU the disk and its firmware.
    public var disk = DiskOptions()

    /// The disk's interface and how the firmware is passed (qemu-virt: a
    /// virtio drive and `-bios`; raspi4b: an SD card, `-kernel` and `-dtb`).
    public struct DiskOptions: Sendable, Equatable, Codable {
        /// `-drive if=` value.
        public var interface: String
        /// `-bios` or `-kernel`.
        public var firmwareOption: String
        /// A device tree given with `-dtb`.
        public var deviceTree: URL?

        public init(interface: String = "virtio", firmwareOption: String = "-bios", deviceTree: URL? = nil) {
            self.interface = interface
            self.firmwareOption = firmwareOption
            self.deviceTree = deviceTree
        }
    }

    public static let defaultBinary = "qemu-system-aarch64"
    public static let defaultMachine = "virt,virtualization=on,highmem=off,secure=off"
    public static let defaultCPU = "cortex-a53"
    public static let defaultMemory = "2G"

    public init(
        boot: BootMedium,
        binary: String = QEMUConfiguration.defaultBinary,
        machine: String = QEMUConfiguration.defaultMachine,
        cpu: String = QEMUConfiguration.defaultCPU,
        memory: String = QEMUConfiguration.defaultMemory,
        extraArgs: [String] = []
    ) {
        self.boot = boot
        self.binary = binary
        self.machine = machine
        self.cpu = cpu
        self.memory = memory
        self.extraArgs = extraArgs
    }

    /// The full command line, program first, in the order of `simulate.py`:
    /// binary, machine, cpu, graphic, memory, serial (none for qemu-arm-virt),
    /// extra arguments, images (firmware, device tree, drive for a disk).
    public func arguments() -> [String] {
        var args = [binary]
        if !machine.isEmpty { args += ["-machine", machine] }
        if !cpu.isEmpty { args += ["-cpu", cpu] }
        args.append("-nographic")
        args += ["-m", "size=" + memory]
        for port in serial { args += ["-serial", port] }
        args += extraArgs
        switch boot {
        case .kernel(let image):
            args += ["-kernel", image.path]
        case .disk(let image, let bios):
            args += [disk.firmwareOption, bios.path]
            if let deviceTree = disk.deviceTree { args += ["-dtb", deviceTree.path] }
            // snapshot=on: the guest's and U-Boot's writes go to QEMU's temporary
            // overlay, so booting never changes the disk image (a build
            // artifact listed in SHA256SUMS, or the user's own file).
            args += ["-drive", "file=" + Self.escapeOptionValue(image.path) + ",format=raw,if=" + disk.interface + ",snapshot=on"]
        }
        return args
    }

    /// QEMU's option syntax separates `key=value` pairs with commas; a comma
    /// inside a value is written twice.
    static func escapeOptionValue(_ value: String) -> String {
        value.replacingOccurrences(of: ",", with: ",,")
    }

    /// The QEMU program on this host, or nil when it is missing.
    public func resolvedBinary() -> URL? {
        ProcessRunner.which(binary)
    }

    /// Checks that QEMU and every file it would boot exist, so a missing piece
    /// is reported as something a person can act on rather than as QEMU's own
    /// error text. `target` names the build that produces the boot image.
    public func checkPrerequisites(for target: BootTarget) throws {
        guard resolvedBinary() != nil else {
            throw EmulatorError.qemuNotFound(binary: binary)
        }
        switch boot {
        case .kernel(let image):
            try Self.requireImage(image, target: target)
        case .disk(let image, let bios):
            try Self.requireImage(image, target: target)
            for file in [bios] + (disk.deviceTree.map { [$0] } ?? []) where !FileManager.default.fileExists(atPath: file.path) {
                throw EmulatorError.firmwareMissing(path: file.path)
            }
        }
    }

    private static func requireImage(_ image: URL, target: BootTarget) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: image.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw EmulatorError.bootImageMissing(path: image.path, target: target)
        }
    }
}
