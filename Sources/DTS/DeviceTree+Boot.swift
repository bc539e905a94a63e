extension DeviceTree {
    /// `#address-cells` and `#size-cells` of the root: the cell counts of
    /// `/memory` and `/reserved-memory` entries and of the initrd addresses.
    public var rootCells: (address: Int, size: Int) { (root.addressCells, root.sizeCells) }

    /// The path of the first `memory` or `memory@…` node under the root, if any.
    public var memoryNodePath: String? {
        root.children.first { $0.name == "memory" || $0.name.hasPrefix("memory@") }.map { "/" + $0.name }
    }

    /// Sets the `reg` of the memory node to one region, in the root's
    /// `#address-cells`/`#size-cells`. Creates `/memory@BASE` (with
    /// `device_type = "memory"`) when the tree has no memory node.
    public mutating func setMemory(base: UInt64, size: UInt64) throws {
        let cells = rootCells
        let reg = try Property.cells("reg", [(base, cells.address), (size, cells.size)])
        let path: String
        if let existing = memoryNodePath {
            path = existing
        } else {
            path = "/memory@" + String(base, radix: 16)
            try addNode(Node(name: String(path.dropFirst())), under: "/")
        }
        try modifyNode(at: path) { node in
            node.setProperty(.string("device_type", "memory"))
            node.setProperty(reg)
        }
    }

    /// Adds `/reserved-memory/NAME@BASE` with `reg` and `no-map`, creating
    /// `/reserved-memory` (with the root's cell counts and an empty `ranges`) when absent.
    public mutating func addReservedMemory(name: String, base: UInt64, size: UInt64) throws {
        if node(at: "/reserved-memory") == nil {
            let cells = rootCells
            try addNode(Node(name: "reserved-memory", properties: [
                .u32("#address-cells", [UInt32(cells.address)]),
                .u32("#size-cells", [UInt32(cells.size)]),
                .empty("ranges"),
            ]), under: "/")
        }
        let parent = node(at: "/reserved-memory")!
        let reg = try Property.cells("reg", [(base, parent.addressCells), (size, parent.sizeCells)])
        try addNode(Node(name: "\(name)@\(String(base, radix: 16))", properties: [reg, .empty("no-map")]), under: "/reserved-memory")
    }

    /// Sets `/chosen/stdout-path` (creating `/chosen`), e.g. `/soc/serial@7e215040` or `serial0:115200n8`.
    public mutating func setStdoutPath(_ path: String) throws {
        try ensureNode(at: "/chosen")
        try setProperty(.string("stdout-path", path), at: "/chosen")
    }

    /// Sets `/chosen/bootargs` (creating `/chosen`).
    public mutating func setBootargs(_ arguments: String) throws {
        try ensureNode(at: "/chosen")
        try setProperty(.string("bootargs", arguments), at: "/chosen")
    }

    /// Sets `/chosen/linux,initrd-start` and `linux,initrd-end`: 64-bit values
    /// when the root's `#address-cells` is 2 (as Linux expects), else 32-bit.
    public mutating func setInitrd(start: UInt64, end: UInt64) throws {
        guard end >= start else {
            throw DTSError(.invalidEdit, "initrd end 0x\(String(end, radix: 16)) is below its start 0x\(String(start, radix: 16))")
        }
        try ensureNode(at: "/chosen")
        for property in try Self.initrdProperties(start: start, end: end, addressCells: rootCells.address) {
            try setProperty(property, at: "/chosen")
        }
    }

    static func initrdProperties(start: UInt64, end: UInt64, addressCells: Int) throws -> [Property] {
        let cells = addressCells >= 2 ? 2 : 1
        return [
            try Property.cells("linux,initrd-start", [(start, cells)]),
            try Property.cells("linux,initrd-end", [(end, cells)]),
        ]
    }
}
