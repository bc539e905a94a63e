import Foundation

/// A board sel4img can build for: what seL4's CMake needs to target it, where
/// its RAM and console are, how it is booted, and how QEMU models it (when it
/// does). Loaded from `boards/<name>.yaml`; the format is documented in
/// `boards/README.md`.
public struct Board: Sendable, Equatable, Codable {
    /// The board's name: its file name without `.yaml`.
    public var name: String
    /// One line for people.
    public var description: String
    public var sel4: SeL4
    /// Prefix of the cross toolchain's programs, e.g. `aarch64-linux-gnu-`.
    public var crossCompilerPrefix: String
    public var memory: Memory
    /// The serial port seL4 (elfloader and kernel) prints on.
    public var uart: UART
    /// Device-tree path of the console device in seL4's device tree for this
    /// board (the first entry of `seL4,kernel-devices`), when known.
    public var consoleDevice: String?
    /// How QEMU models this board; nil when QEMU has no model of it.
    public var qemu: QEMU?
    /// Where the bootloader puts things in RAM; nil when there is no bootloader.
    public var load: Load?
    public var bootloader: Bootloader

    public init(name: String, description: String, sel4: SeL4, crossCompilerPrefix: String, memory: Memory,
                uart: UART, consoleDevice: String?, qemu: QEMU?, load: Load?, bootloader: Bootloader) {
        self.name = name
        self.description = description
        self.sel4 = sel4
        self.crossCompilerPrefix = crossCompilerPrefix
        self.memory = memory
        self.uart = uart
        self.consoleDevice = consoleDevice
        self.qemu = qemu
        self.load = load
        self.bootloader = bootloader
    }

    /// What seL4's CMake is told about the board.
    public struct SeL4: Sendable, Equatable, Codable {
        /// seL4's `PLATFORM` value (`qemu-arm-virt`, `rpi4`, `tx1`, `tx2`).
        public var platform: String
        /// seL4 architecture; `aarch64`.
        public var arch: String
        /// The CPU core, e.g. `cortex-a53`.
        public var cpu: String
        /// Whether the build is for simulation (seL4's `SIMULATION`).
        public var simulation: Bool
        /// Further `-D` settings for seL4's CMake that this board always needs.
        public var cmake: [String: String]
        /// Device-tree fragments (files in `boards/overlays/`) appended to the
        /// platform's tree by seL4's build, after sel4img's own.
        public var overlays: [String]

        public init(platform: String, arch: String, cpu: String, simulation: Bool, cmake: [String: String], overlays: [String] = []) {
            self.overlays = overlays
            self.platform = platform
            self.arch = arch
            self.cpu = cpu
            self.simulation = simulation
            self.cmake = cmake
        }
    }

    /// Physical RAM.
    public struct Memory: Sendable, Equatable, Codable {
        /// Physical address of the start of RAM.
        public var base: UInt64
        /// RAM size in bytes (the default when `variants` is set).
        public var size: UInt64
        /// The sizes the board is sold with, when it comes in several; a build
        /// picks one of them.
        public var variants: [UInt64]?
        /// The seL4 CMake variable that receives the chosen size in MiB
        /// (`RPI4_MEMORY`, `QEMU_MEMORY`), when seL4 needs to be told.
        public var sizeSetting: String?

        public init(base: UInt64, size: UInt64, variants: [UInt64]?, sizeSetting: String?) {
            self.base = base
            self.size = size
            self.variants = variants
            self.sizeSetting = sizeSetting
        }
    }

    /// The console serial port.
    public struct UART: Sendable, Equatable, Codable {
        /// The kind of device (`pl011`, `bcm2835-aux-uart`, `tegra-uart`).
        public var device: String
        /// Physical address of its registers, as the CPU sees them.
        public var address: UInt64
        /// Baud rate to set on the host end.
        public var baud: Int

        public init(device: String, address: UInt64, baud: Int) {
            self.device = device
            self.address = address
            self.baud = baud
        }
    }

    /// How to run the board under QEMU.
    public struct QEMU: Sendable, Equatable, Codable {
        /// The QEMU program, e.g. `qemu-system-aarch64`.
        public var binary: String
        /// `-machine` value.
        public var machine: String
        /// `-cpu` value.
        public var cpu: String
        /// Guest RAM in bytes (`-m size=…`).
        public var memory: UInt64
        /// Further arguments, placed before `-kernel`.
        public var extraArgs: [String]
        /// The oldest QEMU that has this machine (`raspi4b` came with 9.0).
        public var minimumVersion: String?
        /// `-serial` values in order, when the console is not QEMU's first
        /// serial port (the Pi's mini UART is its second: `[null, mon:stdio]`).
        public var serial: [String]
        /// How the board boots its disk image; nil: as qemu-virt does.
        public var disk: Disk?
        /// Whether QEMU can start the seL4 image itself (`-kernel`); when not,
        /// `sel4img qemu` always boots the disk image.
        public var kernelBoot: Bool
        /// seL4 CMake settings for builds meant for this machine
        /// (`sel4img build --emulated`), e.g. `SIMULATION: TRUE`.
        public var cmake: [String: String]
        /// The machine's fixed number of cores, when QEMU refuses `-smp` with
        /// any other (raspi4b: 4); nil: `-smp N` gives a build for N cores
        /// its N. A build for fewer cores leaves the others parked.
        public var cpus: Int?

        public init(binary: String, machine: String, cpu: String, memory: UInt64, extraArgs: [String],
                    minimumVersion: String? = nil, serial: [String] = [], disk: Disk? = nil, kernelBoot: Bool = true,
                    cmake: [String: String] = [:], cpus: Int? = nil) {
            self.cmake = cmake
            self.cpus = cpus
            self.binary = binary
            self.machine = machine
            self.cpu = cpu
            self.memory = memory
            self.extraArgs = extraArgs
            self.minimumVersion = minimumVersion
            self.serial = serial
            self.disk = disk
            self.kernelBoot = kernelBoot
        }

        /// How QEMU is given the disk image and what starts it.
        public struct Disk: Sendable, Equatable, Codable {
            public enum FirmwareOption: String, Sendable, Equatable, Codable, CaseIterable {
                /// `-bios`: QEMU's virt machine runs U-Boot as its firmware.
                case bios
                /// `-kernel`: the Pi's machine starts U-Boot as the GPU firmware would.
                case kernel
            }

            /// `-drive if=` value: `virtio`, `sd`.
            public var interface: String
            public var firmwareOption: FirmwareOption
            /// The firmware file (a name in `bootloader.blobs`).
            public var firmware: String
            /// A device tree given with `-dtb` (a name in `bootloader.blobs`).
            public var deviceTree: String?
            /// Whether the firmware and device tree are read from the image's
            /// boot partition (what the board really starts) rather than the blob cache.
            public var filesFromImage: Bool
            /// Whether QEMU needs the drive's size to be a power of two (its SD
            /// card model does); QEMU gets a padded scratch copy.
            public var powerOfTwoSize: Bool

            public init(interface: String = "virtio", firmwareOption: FirmwareOption = .bios, firmware: String = "u-boot.bin",
                        deviceTree: String? = nil, filesFromImage: Bool = false, powerOfTwoSize: Bool = false) {
                self.interface = interface
                self.firmwareOption = firmwareOption
                self.firmware = firmware
                self.deviceTree = deviceTree
                self.filesFromImage = filesFromImage
                self.powerOfTwoSize = powerOfTwoSize
            }
        }
    }

    /// Load addresses used by the bootloader.
    public struct Load: Sendable, Equatable, Codable {
        /// Where the bootloader loads the seL4 image (and, for `binary`
        /// images, jumps to).
        public var imageAddress: UInt64
        /// Where a separate device tree blob is loaded, when one is.
        public var dtbAddress: UInt64?

        public init(imageAddress: UInt64, dtbAddress: UInt64?) {
            self.imageAddress = imageAddress
            self.dtbAddress = dtbAddress
        }
    }

    /// The boot path.
    public struct Bootloader: Sendable, Equatable, Codable {
        public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
            /// Das U-Boot loads and starts the image.
            case uBoot = "u-boot"
            /// No bootloader: QEMU loads the image itself (`-kernel`).
            case none
        }

        /// seL4's elfloader image formats (`ElfloaderImage`).
        public enum ImageFormat: String, Sendable, Equatable, Codable, CaseIterable {
            case elf, binary, uimage, efi
        }

        /// True for U-Boot's `INTERFACE DEV:PART` (`mmc 1:1`, `virtio 0:1`).
        public static func isPartition(_ text: String) -> Bool {
            text.wholeMatch(of: /[a-z]+ [0-9]+:[0-9]+/) != nil
        }

        public var kind: Kind
        /// The elfloader image format this board boots.
        public var imageFormat: ImageFormat
        /// U-Boot's board configuration name (its `<name>_defconfig`), for U-Boot boards.
        public var uBootConfig: String?
        /// Where U-Boot finds the disk image's FAT partition, in its own
        /// `INTERFACE DEV:PART` form (`mmc 1:1`: the Jetsons' SD card slot);
        /// nil for the default, `virtio 0:1` on QEMU and `mmc 0:1` otherwise.
        public var bootPartition: String?
        /// Files the boot medium needs that sel4img does not build (U-Boot,
        /// firmware), by the name they get on the boot partition.
        public var blobs: [String: Blob]

        public init(kind: Kind, imageFormat: ImageFormat, uBootConfig: String?, bootPartition: String? = nil, blobs: [String: Blob] = [:]) {
            self.blobs = blobs
            self.bootPartition = bootPartition
            self.kind = kind
            self.imageFormat = imageFormat
            self.uBootConfig = uBootConfig
        }
    }
}

extension Board {
    /// seL4's `KernelPlatform` for this board: the name seL4 uses in output
    /// file names (`rpi4` builds `…-image-arm-bcm2711`).
    public var kernelPlatform: String {
        SeL4Platform.named(sel4.platform)?.kernelPlatform ?? sel4.platform
    }

    /// Whether QEMU can run this board.
    public var canEmulate: Bool { qemu != nil }

    /// Whether the board exists only as a QEMU machine whose firmware QEMU
    /// supplies (qemu-virt: U-Boot as `-bios`, the disk on virtio), so its
    /// disk carries no boot blobs. False for a real board QEMU also models
    /// (rpi4 on `raspi4b` boots the firmware files on its own SD image).
    public var emulatorSuppliesFirmware: Bool {
        guard let qemu else { return false }
        return !(qemu.disk?.filesFromImage ?? false)
    }

    /// The settings that target seL4's CMake at this board: `PLATFORM`, the
    /// architecture, `SIMULATION`, the cross compiler, the CPU where seL4
    /// takes one, the memory size where seL4 needs it, and `sel4.cmake`.
    ///
    /// - Parameter memorySize: one of `memory.variants`; nil for `memory.size`.
    ///
    /// With `emulated`, the build is for the board's QEMU machine: the size
    /// defaults to the machine's memory, a bigger one is refused, and
    /// `qemu.cmake` is applied last.
    public func cmakeSettings(memorySize: UInt64? = nil, emulated: Bool = false) throws -> [String: String] {
        var memorySize = memorySize
        if emulated {
            guard let qemu else {
                throw BoardError(kind: .invalidValue, file: nil, line: nil, keyPath: nil,
                                 message: "--emulated builds for the board's QEMU machine, and board '\(name)' has none; build without --emulated and flash the image")
            }
            if memory.variants != nil {
                let size = memorySize ?? qemu.memory
                if size > qemu.memory {
                    throw BoardError(kind: .invalidValue, file: nil, line: nil, keyPath: nil,
                                     message: "--emulated builds for QEMU's \(qemu.machine), which has \(Quantity.formatSize(qemu.memory)) of memory; --memory \(Quantity.formatSize(size)) is more")
                }
                memorySize = size
            }
        }
        var settings = sel4.cmake
        settings["PLATFORM"] = sel4.platform
        if sel4.arch == "aarch64" { settings["AARCH64"] = "TRUE" }
        settings["SIMULATION"] = sel4.simulation ? "TRUE" : "FALSE"
        settings["CROSS_COMPILER_PREFIX"] = crossCompilerPrefix
        if let cpuSetting = SeL4Platform.named(sel4.platform)?.cpuSetting {
            settings[cpuSetting] = sel4.cpu
        }
        if bootloader.kind == .uBoot {
            // Read by the 'uboot' patch set on seL4_tools; seL4 otherwise picks per platform.
            settings["SEL4IMG_ELFLOADER_IMAGE"] = bootloader.imageFormat.rawValue
        }
        let size = memorySize ?? memory.size
        if let variants = memory.variants, !variants.contains(size) {
            let list = variants.map(Quantity.formatSize).joined(separator: ", ")
            throw BoardError(kind: .invalidValue, file: nil, line: nil, keyPath: nil,
                             message: "board '\(name)' does not come with \(Quantity.formatSize(size)) of memory; choose one of \(list)")
        }
        if let setting = memory.sizeSetting {
            settings[setting] = String(size / Quantity.mib)
        }
        if emulated, let qemu { settings.merge(qemu.cmake) { _, emulator in emulator } }
        return settings
    }
}

/// The seL4 platforms sel4img knows, with the facts seL4's own CMake fixes
/// for them (read from `src/plat/*/config.cmake` in the kernel).
public struct SeL4Platform: Sendable, Equatable {
    /// seL4's `PLATFORM` value.
    public var name: String
    /// seL4's `KernelPlatform` (the name in image file names).
    public var kernelPlatform: String
    /// CPUs seL4 accepts for the platform in 64-bit mode.
    public var cpus: [String]
    /// The CMake variable that selects the CPU, where the platform has a choice.
    public var cpuSetting: String?

    public static let all: [SeL4Platform] = [
        SeL4Platform(name: "qemu-arm-virt", kernelPlatform: "qemu-arm-virt",
                     cpus: ["cortex-a53", "cortex-a57", "cortex-a72"], cpuSetting: "ARM_CPU"),
        SeL4Platform(name: "rpi4", kernelPlatform: "bcm2711", cpus: ["cortex-a72"], cpuSetting: nil),
        SeL4Platform(name: "tx1", kernelPlatform: "tx1", cpus: ["cortex-a57"], cpuSetting: nil),
        SeL4Platform(name: "tx2", kernelPlatform: "tx2", cpus: ["cortex-a57"], cpuSetting: nil),
    ]

    public static func named(_ name: String) -> SeL4Platform? {
        all.first { $0.name == name }
    }
}

