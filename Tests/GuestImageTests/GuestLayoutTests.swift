import Boards
import DTS
import Foundation
import Testing
import TestSupport

/// Each board's wasm-vm guest is described three times: the VMM's memory map
/// (runner/camkes/BOARD/devices.camkes), the channel's PCI window
/// (runner/camkes/CMakeLists.txt), the VMM platform's headers (upstream, or
/// the camkes-vm-rpi4 and camkes-vm-tx1-channel patch sets) and the guest's
/// device tree (runner/guest/BOARD.dts, compiled with the DTS module). These
/// tests read all of them and check that they agree.
@Suite struct GuestLayoutTests {
    struct Layout: CustomTestStringConvertible, Sendable {
        var board: String
        /// seL4's KernelARMPlatform: the directory CAmkES imports devices.camkes from.
        var platform: String
        /// The SPI the VMM injects for the channel (free_plat_interrupts - 32).
        var channelSPI: UInt64
        /// Where that number is set.
        var spiSource: String
        var testDescription: String { board }
    }

    static let layouts: [Layout] = [
        // Upstream camkes-vm 3dd34a48: plat_include/qemu-arm-virt/plat/vmlinux.h, { 50 + IRQ_SPI_OFFSET }.
        Layout(board: "qemu-virt", platform: "qemu-arm-virt", channelSPI: 50, spiSource: "upstream"),
        Layout(board: "rpi4", platform: "rpi4", channelSPI: 220, spiSource: "patches/camkes-vm-rpi4/0002-VM_Arm-bcm2711.patch"),
        Layout(board: "tx1", platform: "tx1", channelSPI: 220, spiSource: "patches/camkes-vm-tx1-channel/0001-VM_Arm-tx1-virtual-PCI-and-cross-VM-interrupt.patch"),
        // Upstream camkes-vm 3dd34a48: plat_include/tx2/plat/vmlinux.h, { 220 + GIC_LIC_INTID_BASE }.
        Layout(board: "tx2", platform: "tx2", channelSPI: 220, spiSource: "upstream"),
    ]

    static func text(_ path: String) throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// `#define NAME 0x…` values (in a C header, a CAmkES file or added lines of a patch).
    static func defines(in text: String) -> [String: UInt64] {
        var values: [String: UInt64] = [:]
        for line in text.split(separator: "\n") {
            let words = line.drop { $0 == "+" }.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 3, words[0] == "#define" else { continue }
            let value = words[2].hasSuffix("ull") ? words[2].dropLast(3) : words[2]
            if value.hasPrefix("0x"), let number = UInt64(value.dropFirst(2), radix: 16) { values[String(words[1])] = number }
        }
        return values
    }

    /// The channel's BAR window for a platform in runner/camkes/CMakeLists.txt.
    static func channelAddress(platform: String) throws -> UInt64 {
        let cmake = try text("runner/camkes/CMakeLists.txt")
        let branch = try #require(cmake.range(of: "STREQUAL \"\(platform)\")"), "no branch for \(platform) in CMakeLists.txt")
        let rest = cmake[branch.upperBound...]
        let set = try #require(rest.range(of: "set(wasm_channel_address 0x"))
        let digits = rest[set.upperBound...].prefix { $0.isHexDigit }
        return try #require(UInt64(digits, radix: 16))
    }

    /// runner/guest/PLATFORM.dts, compiled by the DTS module.
    static func tree(_ platform: String) throws -> DeviceTree {
        try DeviceTree(dtsFile: repositoryRoot.appendingPathComponent("runner/guest/\(platform).dts"))
    }

    static func node(_ tree: DeviceTree, prefix: String) throws -> Node {
        try #require(tree.root.children.first { $0.name.hasPrefix(prefix) }, "no /\(prefix)… node")
    }

    @Test("the guest's RAM, DTB and initramfs addresses agree between devices.camkes, the guest DTS and apps/wasm-vm.yaml", arguments: layouts)
    func memory(_ layout: Layout) throws {
        let camkes = Self.defines(in: try Self.text("runner/camkes/\(layout.platform)/devices.camkes"))
        let base = try #require(camkes["VM_RAM_BASE"]), size = try #require(camkes["VM_RAM_SIZE"])
        let tree = try Self.tree(layout.platform)
        let memory = try Self.node(tree, prefix: "memory@")
        #expect(memory.name == "memory@\(String(base, radix: 16))")
        #expect(memory.property("reg")?.numbers(cellsEach: 2) == [base, size])
        let app = try App.load(from: repositoryRoot.appendingPathComponent("apps/wasm-vm.yaml"), knownBoards: ["qemu-virt", "rpi4", "tx1", "tx2"])
        let guest = try #require(app.guest).on(board: layout.board)
        #expect(guest.deviceTree == "runner/guest/\(layout.platform).dts")
        #expect(guest.initrdAddress == camkes["VM_INITRD_ADDR"])
        let dtb = try #require(camkes["VM_DTB_ADDR"])
        #expect(base < guest.initrdAddress && guest.initrdAddress < dtb && dtb + 0x10_0000 < base + size)
    }

    @Test("the channel's PCI memory window is CMakeLists.txt's wasm_channel_address, and slot 1's INTA is the SPI the VMM injects", arguments: layouts)
    func channel(_ layout: Layout) throws {
        let tree = try Self.tree(layout.platform)
        let pci = try Self.node(tree, prefix: "pci@")
        // ranges: (space, child address hi, lo), (parent address hi, lo), (size hi, lo).
        let ranges = try #require(pci.property("ranges")?.numbers(cellsEach: 1)).map { UInt32($0) }
        #expect(ranges.count == 14)
        let memory = try #require(stride(from: 0, to: ranges.count, by: 7).map { Array(ranges[$0..<$0 + 7]) }.first { $0[0] == 0x0200_0000 })
        let address = try Self.channelAddress(platform: layout.platform)
        #expect(UInt64(memory[1]) << 32 | UInt64(memory[2]) == address)
        #expect(UInt64(memory[3]) << 32 | UInt64(memory[4]) == address)
        #expect(UInt64(memory[5]) << 32 | UInt64(memory[6]) == 0x100_0000)
        #expect(address + 0x100_0000 <= 0x1_0000_0000, "the BARs are 32-bit addresses")

        // interrupt-map: slot 1 (devfn 0x0800), INTA, to the GIC's SPI, level-high.
        let gic = try #require(tree.root.children.first { $0.property("interrupt-controller") != nil })
        let gicAddressCells = Int(try #require(gic.property("#address-cells")?.numbers(cellsEach: 1)?.first))
        let map = try #require(pci.property("interrupt-map")?.numbers(cellsEach: 1))
        #expect(pci.property("interrupt-map-mask")?.numbers(cellsEach: 1) == [0xf800, 0, 0, 7])
        #expect(map.count == 4 + 1 + gicAddressCells + 3)
        #expect(Array(map.prefix(4)) == [0x800, 0, 0, 1])
        #expect(tree.node(phandle: UInt32(map[4]))?.name == gic.name)
        #expect(Array(map.suffix(3)) == [0, layout.channelSPI, 4])
        if layout.spiSource != "upstream" {
            let patch = try Self.text(layout.spiSource)
            let expected = layout.board == "rpi4" ? "free_plat_interrupts[] =  { \(layout.channelSPI) + IRQ_SPI_OFFSET };"
                : "free_plat_interrupts[] =  { \(layout.channelSPI) + 32 };"
            #expect(patch.contains("+static const int \(expected)"))
        }
    }

    @Test("rpi4: the guest's GIC, PCI host bridge and vGIC mapping are where the camkes-vm-rpi4 patch set puts them")
    func rpi4Platform() throws {
        let headers = Self.defines(in: try Self.text("patches/camkes-vm-rpi4/0001-libsel4vm-vmmplatsupport-bcm2711.patch"))
        let gicBase = try #require(headers["GIC_PADDR"])
        #expect(gicBase == 0xff84_0000)
        let tree = try Self.tree("rpi4")
        let gic = try Self.node(tree, prefix: "interrupt-controller@")
        // Distributor (emulated) and CPU interface (the virtual one, mapped there), as gicv2.h's offsets.
        #expect(gic.property("reg")?.numbers(cellsEach: 2) == [gicBase + 0x1000, 0x1000, gicBase + 0x2000, 0x2000])
        #expect(gic.property("compatible")?.value == Array("arm,gic-400\0".utf8))
        let camkes = try Self.text("runner/camkes/rpi4/devices.camkes")
        #expect(camkes.contains("\"0x\(String(gicBase + 0x6000, radix: 16)):12\", // GIC virtual CPU interface"))

        let pci = try Self.node(tree, prefix: "pci@")
        let cfg = try #require(headers["PCI_CFG_REGION_ADDR"]), cfgSize = try #require(headers["PCI_CFG_REGION_SIZE"])
        #expect(pci.name == "pci@\(String(cfg, radix: 16))")
        #expect(pci.property("reg")?.numbers(cellsEach: 2) == [cfg, cfgSize])
        let ranges = pci.property("ranges")?.numbers(cellsEach: 1) ?? []
        #expect(ranges == [0x0100_0000, 0, 0, 0, try #require(headers["PCI_IO_REGION_ADDR"]), 0, try #require(headers["PCI_IO_REGION_SIZE"]),
                           0x0200_0000, 0, try #require(headers["PCI_MEM_REGION_ADDR"]), 0, headers["PCI_MEM_REGION_ADDR"]!, 0, try #require(headers["PCI_MEM_REGION_SIZE"])])
        #expect(headers["GIC_ADDRESS_CELLS"] == gic.property("#address-cells")?.numbers(cellsEach: 1)?.first)

        // The console: the mini UART at the CPU's view of bus address 0x7e215040, SPI 93, as
        // seL4's tools/dts/rpi4.dts has it (/soc maps 0x7e000000 to 0xfe000000).
        let uart = try Self.node(tree, prefix: "serial@")
        #expect(uart.name == "serial@fe215040")
        #expect(uart.property("reg")?.numbers(cellsEach: 2) == [0xfe21_5040, 0x40])
        #expect(uart.property("interrupts")?.numbers(cellsEach: 1) == [0, 93, 4])
        #expect(tree.node(at: "/chosen")?.property("stdout-path")?.value == Array("/serial@fe215040\0".utf8))
        #expect(camkes.contains("{\"path\": \"/soc/serial@7e215040\"}"))
    }
}
