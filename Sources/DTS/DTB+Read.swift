import CFDT
import Foundation

extension DeviceTree {
    /// The deepest nesting accepted from a DTB, so a hostile file cannot exhaust the stack.
    static let maximumDepth = 256

    /// Reads a DTB. `file` names it in errors. Every problem (truncation, bad
    /// magic, offsets out of range, bad structure) is a `DTSError`, never a crash:
    /// the header is checked against the buffer, then `fdt_check_full` walks
    /// the whole structure before anything is read from it.
    public init(dtb bytes: [UInt8], file: String = "<dtb>") throws {
        guard let header = FDTHeader(bytes) else {
            throw DTSError(.malformed, "read device tree: file is \(bytes.count) bytes, shorter than a DTB header (\(FDTHeader.size) bytes)", file: file)
        }
        guard header.magic == FDTHeader.magic else {
            throw DTSError(.libfdt(-FDT_ERR_BADMAGIC), "read device tree: \(FDTErrorCode.badMagic) (magic 0x\(String(header.magic, radix: 16)), expected 0xd00dfeed)", file: file)
        }
        guard Int(header.totalSize) <= bytes.count else {
            throw DTSError(.libfdt(-FDT_ERR_TRUNCATED), "read device tree: \(FDTErrorCode.truncated) (header says \(header.totalSize) bytes, file has \(bytes.count))", file: file)
        }
        self = try bytes.withUnsafeBytes { raw in
            let fdt = raw.baseAddress!
            try fdtCheck(fdt_check_header(fdt), "check header", file)
            try fdtCheck(fdt_check_full(fdt, bytes.count), "check structure", file)
            var reservations: [MemoryReservation] = []
            let count = try fdtCheck(fdt_num_mem_rsv(fdt), "count memory reservations", file)
            for n in 0..<count {
                var address: UInt64 = 0, size: UInt64 = 0
                try fdtCheck(fdt_get_mem_rsv(fdt, n, &address, &size), "read memory reservation \(n)", file)
                reservations.append(MemoryReservation(address: address, size: size))
            }
            let root = try Self.readNode(fdt, offset: 0, parentPath: "", depth: 0, file: file)
            return DeviceTree(root: root, memoryReservations: reservations, bootCPU: header.bootCPU)
        }
    }

    /// Reads a DTB file.
    public init(dtbFile url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw DTSError(.io, "cannot read: \(error.localizedDescription)", file: url.path)
        }
        try self.init(dtb: [UInt8](data), file: url.path)
    }

    private static func readNode(_ fdt: UnsafeRawPointer, offset: Int32, parentPath: String, depth: Int, file: String) throws -> Node {
        guard depth <= maximumDepth else {
            throw DTSError(.malformed, "read device tree: nodes nested deeper than \(maximumDepth) levels", file: file, node: parentPath)
        }
        var length: Int32 = 0
        guard let namePointer = fdt_get_name(fdt, offset, &length) else {
            try fdtCheck(length, "read node name", file)
            throw DTSError(.malformed, "read node name: no name at offset \(offset)", file: file)
        }
        let name = depth == 0 ? "" : String(decoding: UnsafeRawBufferPointer(start: namePointer, count: Int(length)), as: UTF8.self)
        let path = depth == 0 ? "/" : (parentPath == "/" ? "/" : parentPath + "/") + name
        var node = Node(name: name)

        var propertyOffset = fdt_first_property_offset(fdt, offset)
        while propertyOffset >= 0 {
            var valueLength: Int32 = 0
            var namePtr: UnsafePointer<CChar>?
            guard let value = fdt_getprop_by_offset(fdt, propertyOffset, &namePtr, &valueLength), let namePtr else {
                try fdtCheck(valueLength, "read property", file)
                throw DTSError(.malformed, "read property: no value at offset \(propertyOffset)", file: file, node: path)
            }
            let bytes = [UInt8](UnsafeRawBufferPointer(start: value, count: Int(valueLength)))
            node.properties.append(Property(name: String(cString: namePtr), value: bytes))
            propertyOffset = fdt_next_property_offset(fdt, propertyOffset)
        }
        if propertyOffset != -FDT_ERR_NOTFOUND {
            try fdtCheck(propertyOffset, "read properties", file)
        }

        var childOffset = fdt_first_subnode(fdt, offset)
        while childOffset >= 0 {
            let child = try readNode(fdt, offset: childOffset, parentPath: path, depth: depth + 1, file: file)
            node.children.append(child)
            childOffset = fdt_next_subnode(fdt, childOffset)
        }
        if childOffset != -FDT_ERR_NOTFOUND {
            try fdtCheck(childOffset, "read subnodes", file)
        }
        return node
    }
}
