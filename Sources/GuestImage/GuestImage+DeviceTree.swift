import Boards
import DTS
import Foundation
import Support

extension GuestImage {
    /// The guest's DTB: `deviceTree` compiled, `appliedOverlay` (the
    /// emulated build's) applied, then /chosen's `bootargs` and
    /// `linux,initrd-start`/`linux,initrd-end` (the end is exclusive: start +
    /// size of the initramfs; two cells each when the root's `#address-cells`
    /// is 2). `stdout-path` and everything else stay as in the source.
    func deviceTree(initrdSize: UInt64) throws -> [UInt8] {
        let key = "guest.deviceTree"
        let source = SafePath.join(repository, guest.deviceTree)
        var tree: DeviceTree
        do {
            tree = try DeviceTree(dtsFile: source)
        } catch let failure as DTSError {
            throw error(.deviceTree, key, "cannot compile \(guest.deviceTree): \(failure.description)", hint: failure.hint)
        }
        if let overlay = appliedOverlay {
            do {
                tree = try tree.applying([try DeviceTree(dtsFile: SafePath.join(repository, overlay))])
            } catch let failure as DTSError {
                throw error(.deviceTree, "guest.emulatedOverlay", "cannot apply \(overlay) to \(guest.deviceTree): \(failure.description)", hint: failure.hint)
            }
        }
        let start = guest.initrdAddress
        let (end, overflow) = start.addingReportingOverflow(initrdSize)
        guard !overflow else {
            throw error(.initrdOutsideMemory, "guest.initrdAddress", "the initramfs of \(initrdSize) bytes at \(Self.hex(start)) would end beyond 2^64")
        }
        try checkInitrdFits(tree, start: start, end: end)
        do {
            try tree.setBootargs(guest.bootargs)
            try tree.setInitrd(start: start, end: end)
            return try tree.dtb(file: Self.deviceTreeFile)
        } catch let failure as DTSError {
            throw error(.deviceTree, key, "cannot set /chosen in \(guest.deviceTree): \(failure.description)")
        }
    }

    /// When the tree describes memory, the initramfs must lie inside one region of it.
    func checkInitrdFits(_ tree: DeviceTree, start: UInt64, end: UInt64) throws {
        let regions = Self.memoryRegions(tree)
        guard !regions.isEmpty else { return }
        if regions.contains(where: { start >= $0.base && end <= $0.base &+ $0.size && $0.base <= $0.base &+ $0.size }) { return }
        let memory = regions.map { "\(Self.hex($0.base)) to \(Self.hex($0.base &+ $0.size &- 1))" }.joined(separator: ", ")
        throw error(.initrdOutsideMemory, "guest.initrdAddress",
                    "the initramfs (\(Self.hex(start)) to \(Self.hex(end &- 1)), \(Self.kib(Int(end - start)))) does not fit in the guest's memory (\(memory) in \(guest.deviceTree))",
                    hint: "choose an initrdAddress with room for the initramfs below the end of memory, and tell the VMM the same address")
    }

    /// The `reg` regions of the root's memory nodes, in the root's cell sizes.
    static func memoryRegions(_ tree: DeviceTree) -> [(base: UInt64, size: UInt64)] {
        let (addressCells, sizeCells) = tree.rootCells
        guard (1...2).contains(addressCells), (1...2).contains(sizeCells) else { return [] }
        var regions: [(base: UInt64, size: UInt64)] = []
        for node in tree.root.children {
            let isMemory = node.property("device_type")?.stringValue == "memory" || node.name == "memory" || node.name.hasPrefix("memory@")
            guard isMemory, let reg = node.property("reg") else { continue }
            let width = (addressCells + sizeCells) * 4
            guard !reg.value.isEmpty, reg.value.count % width == 0 else { continue }
            for offset in stride(from: 0, to: reg.value.count, by: width) {
                let base = number(reg.value, offset, addressCells)
                let size = number(reg.value, offset + addressCells * 4, sizeCells)
                regions.append((base, size))
            }
        }
        return regions
    }

    private static func number(_ bytes: [UInt8], _ offset: Int, _ cells: Int) -> UInt64 {
        (0..<(cells * 4)).reduce(UInt64(0)) { $0 << 8 | UInt64(bytes[offset + $1]) }
    }

    static func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
}
