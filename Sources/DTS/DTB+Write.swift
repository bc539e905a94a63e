import CFDT
import Foundation
import Support

extension DeviceTree {
    /// The tree as a DTB (version 17), written with libfdt's sequential-write
    /// API and packed. The same tree always gives the same bytes.
    /// `file` names the output in errors.
    public func dtb(file: String = "<dtb>") throws -> [UInt8] {
        var capacity = estimatedSize()
        while true {
            do {
                return try write(capacity: capacity, file: file)
            } catch let error as DTSError where error.kind == .libfdt(-FDT_ERR_NOSPACE) && capacity < Int(Int32.max / 2) {
                capacity *= 2
            }
        }
    }

    /// Writes the DTB to `url` atomically.
    public func writeDTB(to url: URL) throws {
        try DTSFile.write(try dtb(file: url.path), to: url)
    }

    private func estimatedSize() -> Int {
        var size = FDTHeader.size + 16 * (memoryReservations.count + 1) + 64
        forEachNode { _, node in
            size += 8 + node.name.utf8.count + 4
            for property in node.properties {
                size += 12 + property.value.count + 4 + property.name.utf8.count + 1
            }
        }
        return size
    }

    private func write(capacity: Int, file: String) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: capacity)
        let size: Int = try buffer.withUnsafeMutableBytes { raw in
            let fdt = raw.baseAddress!
            try fdtCheck(fdt_create(fdt, Int32(capacity)), "create device tree", file)
            for reservation in memoryReservations {
                try fdtCheck(fdt_add_reservemap_entry(fdt, reservation.address, reservation.size), "add memory reservation", file)
            }
            try fdtCheck(fdt_finish_reservemap(fdt), "finish memory reservations", file)
            try writeNode(root, fdt, path: "/", file: file)
            try fdtCheck(fdt_finish(fdt), "finish device tree", file)
            return Int(readBigEndian(Array(UnsafeRawBufferPointer(start: fdt, count: 8)), at: 4, count: 4))
        }
        // Re-open into a buffer of exactly that size and pack: the canonical v17 layout.
        var packed = [UInt8](repeating: 0, count: size)
        try buffer.withUnsafeBytes { source in
            try packed.withUnsafeMutableBytes { target in
                try fdtCheck(fdt_open_into(source.baseAddress!, target.baseAddress!, Int32(size)), "open device tree", file)
                try fdtCheck(fdt_pack(target.baseAddress!), "pack device tree", file)
            }
        }
        let finalSize = Int(readBigEndian(packed, at: 4, count: 4))
        packed.removeSubrange(finalSize...)
        // boot_cpuid_phys (offset 28); fdt_set_boot_cpuid_phys is a header macro.
        packed.replaceSubrange(28..<32, with: bootCPU.bigEndianBytes)
        return packed
    }

    private func writeNode(_ node: Node, _ fdt: UnsafeMutableRawPointer, path: String, file: String) throws {
        try fdtCheck(fdt_begin_node(fdt, node.name), "begin node", file)
        for property in node.properties {
            _ = try property.value.withUnsafeBytes { value in
                try fdtCheck(fdt_property(fdt, property.name, value.baseAddress, Int32(value.count)), "write property '\(property.name)' of \(path)", file)
            }
        }
        for child in node.children {
            try writeNode(child, fdt, path: path == "/" ? "/" + child.name : path + "/" + child.name, file: file)
        }
        try fdtCheck(fdt_end_node(fdt), "end node", file)
    }
}
