import Boards
import Foundation
import Support
import Testing
import TestSupport
@testable import ImageAssembly

/// Each board's boot.scr against the U-Boot that runs it: the U-Boots sel4img
/// ships (the board files' `u-boot.bin` blobs: Debian's u-boot-qemu
/// `qemu_arm64` for qemu-virt, u-boot-rpi's `rpi_arm64` for rpi4) are booted
/// under QEMU, autoboot is stopped, and `help` lists the commands each was
/// built with (neither has `dcache`). The Jetsons boot from NVIDIA's L4T U-Boot, which is flashed to
/// the module and not shipped here, so their scripts are held to commands any
/// U-Boot with distro boot has.
@Suite(.serialized, .enabled(if: ProcessRunner.which("qemu-system-aarch64") != nil, "needs qemu-system-aarch64"))
struct BootScriptUBootTests {
    static func board(_ name: String) throws -> Board {
        try BoardCatalog.load(dataDirectory: repositoryRoot).board(named: name)
    }

    /// The commands U-Boot's own `help` lists when QEMU runs it with
    /// `arguments` (scripts/uboot-commands.py: Enter until the prompt shows
    /// autoboot stopped, then `help`).
    static func helpCommands(_ arguments: [String]) throws -> Set<String> {
        let script = repositoryRoot.appendingPathComponent("scripts/uboot-commands.py").path
        let listing = try sh(ProcessRunner.quote(["python3", script] + arguments))
        return Set(listing.split(separator: "\n").map(String.init))
    }

    /// QEMU running the board's shipped U-Boot as the board's boot flow
    /// starts it (qemu-virt: -bios; rpi4: -kernel with the Pi's device tree,
    /// the console on the mini UART), blobs from sel4img's blob cache.
    static func uBootArguments(_ board: Board) throws -> [String] {
        let blobs = board.bootloader.blobs
        let uBoot = try BlobCache.standard.fetch("u-boot.bin", try #require(blobs["u-boot.bin"])).path
        switch board.name {
        case "qemu-virt":
            return ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a53", "-m", "512M", "-nographic", "-nic", "none", "-bios", uBoot]
        default:
            let dtb = try BlobCache.standard.fetch("bcm2711-rpi-4-b.dtb", try #require(blobs["bcm2711-rpi-4-b.dtb"])).path
            return ["qemu-system-aarch64", "-M", "raspi4b", "-kernel", uBoot, "-dtb", dtb,
                    "-serial", "null", "-serial", "stdio", "-display", "none", "-monitor", "none"]
        }
    }

    @Test("each shipped U-Boot's own help lists every command its board's boot.scr runs (neither has dcache)", arguments: ["qemu-virt", "rpi4"])
    func scriptFitsShippedUBoot(_ name: String) throws {
        let board = try Self.board(name)
        let script = BootDisk(board: board, label: "x", sourceDateEpoch: 0).bootScript
        let commands = try Self.helpCommands(try Self.uBootArguments(board))
        // The listing was read whole: both U-Boots have well over 50 commands.
        #expect(commands.count > 50)
        #expect(commands.isSuperset(of: ["echo", "load", "bootm", "go", "help", "version"]))
        #expect(Set(script.commandNames).subtracting(commands) == [])
        // Neither was built with the cache commands (CONFIG_CMD_CACHE).
        #expect(!commands.contains("dcache") && !commands.contains("icache"))
    }

    @Test("boot scripts read the board's boot partition: virtio 0:1 on qemu-virt, the SD card's mmc 0:1 on rpi4 and mmc 1:1 on the Jetsons")
    func bootPartitions() throws {
        let expected = ["qemu-virt": "virtio 0:1", "rpi4": "mmc 0:1", "tx1": "mmc 1:1", "tx2": "mmc 1:1"]
        for (name, partition) in expected {
            let disk = BootDisk(board: try Self.board(name), label: "x", sourceDateEpoch: 0)
            #expect(disk.bootPartition == partition, "\(name)")
            #expect(disk.bootScript.commands[1].hasPrefix("load \(partition) "), "\(name)")
        }
    }

    @Test("the Jetsons' scripts (NVIDIA's L4T U-Boot, not shipped) use only echo, load and go or bootm")
    func jetsonScripts() throws {
        #expect(BootDisk(board: try Self.board("tx1"), label: "x", sourceDateEpoch: 0).bootScript.commandNames == ["echo", "load", "go", "echo"])
        #expect(BootDisk(board: try Self.board("tx2"), label: "x", sourceDateEpoch: 0).bootScript.commandNames == ["echo", "load", "bootm", "echo"])
    }
}
