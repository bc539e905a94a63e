import Foundation
import Testing
import TestSupport
@testable import Boards

@Suite struct RealBoardFileTests {
    let catalog: BoardCatalog

    init() throws {
        catalog = try BoardCatalog.load(dataDirectory: repositoryRoot)
    }

    @Test("the checkout defines exactly the four supported boards")
    func names() {
        #expect(catalog.names == ["qemu-virt", "rpi4", "tx1", "tx2"])
    }

    @Test("qemu-virt is seL4's qemu-arm-virt on a Cortex-A53 with 2 GiB at 0x40000000")
    func qemuVirt() throws {
        let board = try catalog.board(named: "qemu-virt")
        #expect(board.name == "qemu-virt")
        #expect(board.sel4 == Board.SeL4(platform: "qemu-arm-virt", arch: "aarch64", cpu: "cortex-a53", simulation: true, cmake: [:]))
        #expect(board.crossCompilerPrefix == "aarch64-linux-gnu-")
        #expect(board.memory == Board.Memory(base: 0x4000_0000, size: 2 << 30, variants: nil, sizeSetting: "QEMU_MEMORY"))
        #expect(board.uart == Board.UART(device: "pl011", address: 0x900_0000, baud: 115_200))
        #expect(board.consoleDevice == "/pl011@9000000")
        #expect(board.qemu == Board.QEMU(binary: "qemu-system-aarch64", machine: "virt", cpu: "cortex-a53",
                                         memory: 2 << 30, extraArgs: []))
        #expect(board.load == Board.Load(imageAddress: 0x4800_0000, dtbAddress: nil))
        #expect(board.bootloader == Board.Bootloader(kind: .uBoot, imageFormat: .uimage, uBootConfig: "qemu_arm64", blobs: [
            "u-boot.bin": Blob(sha256: "f50cb989e32b41a7389edd5a77a565c2c3870abec44a2e55678107abd34f1184",
                               path: "/usr/lib/u-boot/qemu_arm64/u-boot.bin", package: "u-boot-qemu"),
        ]))
        #expect(board.kernelPlatform == "qemu-arm-virt")
    }

    @Test("rpi4 boots a binary image from U-Boot at 0x10000000 and comes in four memory sizes")
    func rpi4() throws {
        let board = try catalog.board(named: "rpi4")
        #expect(board.sel4.platform == "rpi4")
        #expect(board.sel4.cpu == "cortex-a72")
        #expect(board.sel4.simulation == false)
        #expect(board.memory.base == 0)
        #expect(board.memory.size == 8 << 30)
        #expect(board.memory.variants == [1 << 30, 2 << 30, 4 << 30, 8 << 30])
        #expect(board.memory.sizeSetting == "RPI4_MEMORY")
        #expect(board.uart == Board.UART(device: "bcm2835-aux-uart", address: 0xfe21_5040, baud: 115_200))
        #expect(board.qemu == Board.QEMU(
            binary: "qemu-system-aarch64", machine: "raspi4b", cpu: "cortex-a72", memory: 2 << 30, extraArgs: [], minimumVersion: "9.0",
            serial: ["null", "mon:stdio"],
            disk: .init(interface: "sd", firmwareOption: .kernel, firmware: "u-boot.bin", deviceTree: "bcm2711-rpi-4-b.dtb",
                        filesFromImage: true, powerOfTwoSize: true),
            kernelBoot: false, cmake: ["SIMULATION": "TRUE"], cpus: 4))
        // A real board QEMU also models: its firmware stays on its own disk.
        #expect(!board.emulatorSuppliesFirmware)
        #expect(board.load == Board.Load(imageAddress: 0x1000_0000, dtbAddress: nil))
        #expect(board.bootloader.kind == .uBoot)
        #expect(board.bootloader.imageFormat == .binary)
        #expect(board.bootloader.uBootConfig == "rpi_arm64")
        // The firmware, DTB and U-Boot come out of Debian 12 packages, pinned by the extracted files' hashes.
        #expect(board.bootloader.blobs.keys.sorted() == ["bcm2711-rpi-4-b.dtb", "fixup4.dat", "start4.elf", "u-boot.bin"])
        #expect(board.bootloader.blobs["u-boot.bin"] == Blob(
            sha256: "570601fb7cd1d52ad9a0078fbb26b5bef3ec68e5e0c40b7480af9ca51a99d22b",
            url: "https://deb.debian.org/debian/pool/main/u/u-boot/u-boot-rpi_2023.01+dfsg-2+deb12u3_arm64.deb",
            member: "usr/lib/u-boot/rpi_arm64/u-boot.bin", package: "u-boot-rpi"))
        for blob in board.bootloader.blobs.values {
            #expect(blob.url?.hasPrefix("https://deb.debian.org/debian/pool/") == true)
            #expect(blob.member?.hasPrefix("usr/lib/") == true)
        }
        #expect(board.kernelPlatform == "bcm2711")
    }

    @Test("tx1 and tx2 have RAM at 0x80000000 and their console UARTs")
    func jetsons() throws {
        let tx1 = try catalog.board(named: "tx1")
        #expect(tx1.sel4.platform == "tx1")
        #expect(tx1.sel4.cpu == "cortex-a57")
        #expect(tx1.memory.base == 0x8000_0000)
        #expect(tx1.uart.address == 0x7000_6000)
        #expect(tx1.load?.imageAddress == 0x9000_0000)
        #expect(tx1.bootloader == Board.Bootloader(kind: .uBoot, imageFormat: .binary, uBootConfig: "p2371-2180", bootPartition: "mmc 1:1"))
        #expect(tx1.qemu == nil)

        let tx2 = try catalog.board(named: "tx2")
        #expect(tx2.sel4.platform == "tx2")
        #expect(tx2.memory.base == 0x8000_0000)
        #expect(tx2.uart.address == 0x310_0000)
        #expect(tx2.bootloader.imageFormat == .uimage)
        #expect(tx2.qemu == nil)
    }

    @Test("a board's CMake settings carry platform, architecture, simulation, compiler and CPU")
    func cmakeSettings() throws {
        let settings = try catalog.board(named: "qemu-virt").cmakeSettings()
        #expect(settings == [
            "PLATFORM": "qemu-arm-virt", "AARCH64": "TRUE", "SIMULATION": "TRUE",
            "CROSS_COMPILER_PREFIX": "aarch64-linux-gnu-", "ARM_CPU": "cortex-a53", "QEMU_MEMORY": "2048",
            "SEL4IMG_ELFLOADER_IMAGE": "uimage",
        ])
    }

    @Test("rpi4's memory variant becomes RPI4_MEMORY in MiB, and a size it is not sold with is refused")
    func rpi4Memory() throws {
        let board = try catalog.board(named: "rpi4")
        #expect(try board.cmakeSettings()["RPI4_MEMORY"] == "8192")
        #expect(try board.cmakeSettings(memorySize: 2 << 30)["RPI4_MEMORY"] == "2048")
        let error = #expect(throws: BoardError.self) { try board.cmakeSettings(memorySize: 3 << 30) }
        #expect(error?.description == "board 'rpi4' does not come with 3G of memory; choose one of 1G, 2G, 4G, 8G")
    }

    @Test("asking for a board that does not exist lists the valid ones")
    func unknownBoard() {
        let error = #expect(throws: BoardError.self) { try catalog.board(named: "rpi5") }
        #expect(error?.description == "unknown board 'rpi5'; valid boards: qemu-virt, rpi4, tx1, tx2")
        #expect(error?.kind == .unknownName)
    }

    @Test("boards survive a JSON round trip")
    func jsonRoundTrip() throws {
        for name in catalog.names {
            let board = try catalog.board(named: name)
            let data = try JSONEncoder().encode(board)
            #expect(try JSONDecoder().decode(Board.self, from: data) == board)
        }
    }
}

@Suite struct RealAppFileTests {
    let boards: BoardCatalog
    let apps: AppCatalog

    init() throws {
        boards = try BoardCatalog.load(dataDirectory: repositoryRoot)
        apps = try AppCatalog.load(dataDirectory: repositoryRoot, boards: boards)
    }

    @Test("sel4test loads with its manifest, boards, console patterns and outputs")
    func sel4test() throws {
        #expect(apps.names == ["sel4test", "wasm-runner", "wasm-vm"])
        let app = try apps.app(named: "sel4test")
        #expect(app.manifest == "sel4test.xml")
        #expect(app.patchSets == ["reproducible", "reproducible-sel4test", "memoize", "uboot"])
        #expect(app.supportedBoards == ["qemu-virt", "rpi4", "tx1", "tx2"])
        #expect(app.cmake.settings == ["RELEASE": "FALSE", "VERIFICATION": "FALSE"])
        #expect(app.console.success == ["All is well in the universe"])
        #expect(app.console.failure.contains("Test suite failed"))
        #expect(app.console.failure.contains(#"\*\*\* FAILURES DETECTED \*\*\*"#))
        #expect(app.console.timeoutSeconds == 600)
        #expect(app.outputs == [
            "image": "images/sel4test-driver-image-arm-*",
            "kernel": "kernel/kernel.elf",
            "dtb": "kernel/kernel.dtb",
            "rootServer": "apps/sel4test-driver/sel4test-driver",
            "elfloader": "elfloader/elfloader",
        ])
        #expect(app.imagePattern == "images/sel4test-driver-image-arm-*")
    }

    @Test("sel4test's console patterns match what sel4test-driver prints")
    func consolePatterns() throws {
        let app = try apps.app(named: "sel4test")
        func matches(_ patterns: [String], _ line: String) throws -> Bool {
            try patterns.contains { pattern in
                let regex = try NSRegularExpression(pattern: pattern)
                return regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil
            }
        }
        #expect(try matches(app.console.success, "All is well in the universe"))
        #expect(try matches(app.console.failure, "Test suite failed. 120/121 tests passed."))
        #expect(try matches(app.console.failure, "*** FAILURES DETECTED ***"))
        #expect(try !matches(app.console.failure, "Test suite passed. 121 tests passed. 54 tests disabled."))
        #expect(try !matches(app.console.failure, "All is well in the universe"))
    }

    @Test("sel4test's settings for a board combine the board's with the app's")
    func combinedSettings() throws {
        let app = try apps.app(named: "sel4test")
        let settings = try app.cmakeSettings(for: boards.board(named: "tx2"))
        #expect(settings == [
            "PLATFORM": "tx2", "AARCH64": "TRUE", "SIMULATION": "FALSE",
            "CROSS_COMPILER_PREFIX": "aarch64-linux-gnu-", "RELEASE": "FALSE", "VERIFICATION": "FALSE",
            "SEL4IMG_ELFLOADER_IMAGE": "uimage",
        ])
    }

    @Test("asking for an app that does not exist lists the valid ones")
    func unknownApp() {
        let error = #expect(throws: BoardError.self) { try apps.app(named: "camkes") }
        #expect(error?.description == "unknown app 'camkes'; valid apps: sel4test, wasm-runner, wasm-vm")
    }

    @Test("apps survive a JSON round trip")
    func jsonRoundTrip() throws {
        let app = try apps.app(named: "sel4test")
        #expect(try JSONDecoder().decode(App.self, from: JSONEncoder().encode(app)) == app)
    }
}
