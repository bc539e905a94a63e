/// A flattened device tree held as plain values: the root node, the memory
/// reservation block (`/memreserve/`) and the boot CPU id from the DTB header.
///
/// Values read from a DTB carry no labels (a DTB has none); trees compiled from
/// DTS source keep the labels written there. Property values are raw
/// big-endian bytes, exactly as they sit in the DTB.
public struct DeviceTree: Equatable, Sendable {
    public var root: Node
    public var memoryReservations: [MemoryReservation]
    /// `boot_cpuid_phys` from the DTB header (0 for trees compiled from source).
    public var bootCPU: UInt32

    public init(root: Node = Node(name: ""), memoryReservations: [MemoryReservation] = [], bootCPU: UInt32 = 0) {
        self.root = root
        self.memoryReservations = memoryReservations
        self.bootCPU = bootCPU
    }
}

/// One `/memreserve/ ADDRESS SIZE;` entry.
public struct MemoryReservation: Equatable, Sendable {
    public var address: UInt64
    public var size: UInt64
    public var labels: [String]

    public init(address: UInt64, size: UInt64, labels: [String] = []) {
        self.address = address
        self.size = size
        self.labels = labels
    }
}

/// A node: its name with unit address (`serial@7e215040`; the root's name is
/// empty), labels, properties and children, both in tree order.
public struct Node: Equatable, Sendable {
    public var name: String
    public var labels: [String]
    public var properties: [Property]
    public var children: [Node]

    public init(name: String, labels: [String] = [], properties: [Property] = [], children: [Node] = []) {
        self.name = name
        self.labels = labels
        self.properties = properties
        self.children = children
    }

    /// The property called `name`, if any.
    public func property(_ name: String) -> Property? {
        properties.first { $0.name == name }
    }

    /// The direct child called exactly `name` (with its unit address, if it has one).
    public func child(_ name: String) -> Node? {
        children.first { $0.name == name }
    }

    /// Sets a property, replacing the value of an existing one in place
    /// (keeping its position and labels) or appending a new one.
    public mutating func setProperty(_ property: Property) {
        if let i = properties.firstIndex(where: { $0.name == property.name }) {
            properties[i].value = property.value
            for label in property.labels where !properties[i].labels.contains(label) {
                properties[i].labels.append(label)
            }
        } else {
            properties.append(property)
        }
    }

    /// Removes the property called `name`; returns whether there was one.
    @discardableResult
    public mutating func removeProperty(_ name: String) -> Bool {
        guard let i = properties.firstIndex(where: { $0.name == name }) else { return false }
        properties.remove(at: i)
        return true
    }

    /// `#address-cells` of this node, as the parent of its children (2 when absent, as the specification says).
    public var addressCells: Int { property("#address-cells")?.u32Values?.first.map(Int.init) ?? 2 }
    /// `#size-cells` of this node, as the parent of its children (1 when absent).
    public var sizeCells: Int { property("#size-cells")?.u32Values?.first.map(Int.init) ?? 1 }

    /// The `phandle` (or legacy `linux,phandle`) value of this node.
    public var phandle: UInt32? {
        (property("phandle") ?? property("linux,phandle"))?.u32Values.flatMap { $0.count == 1 ? $0[0] : nil }
    }
}

/// A property: its name, raw value bytes and labels.
public struct Property: Equatable, Sendable {
    public var name: String
    public var value: [UInt8]
    public var labels: [String]

    public init(name: String, value: [UInt8] = [], labels: [String] = []) {
        self.name = name
        self.value = value
        self.labels = labels
    }

    /// An empty (boolean) property such as `ranges;` or `no-map;`.
    public static func empty(_ name: String) -> Property { Property(name: name) }

    /// A NUL-terminated string.
    public static func string(_ name: String, _ value: String) -> Property {
        Property(name: name, value: Array(value.utf8) + [0])
    }

    /// A string list (`compatible = "a", "b";`).
    public static func strings(_ name: String, _ values: [String]) -> Property {
        Property(name: name, value: values.flatMap { Array($0.utf8) + [0] })
    }

    /// 32-bit cells (`<0x1 0x2>`).
    public static func u32(_ name: String, _ values: [UInt32]) -> Property {
        Property(name: name, value: values.flatMap { $0.bigEndianBytes })
    }

    /// 64-bit values, each as two cells (`/bits/ 64 <…>`).
    public static func u64(_ name: String, _ values: [UInt64]) -> Property {
        Property(name: name, value: values.flatMap { $0.bigEndianBytes })
    }

    /// Numbers each written in `cells` 32-bit cells, e.g. a `reg` entry of an
    /// address in `#address-cells` cells and a size in `#size-cells` cells.
    /// Throws when a value does not fit its cells.
    public static func cells(_ name: String, _ values: [(value: UInt64, cells: Int)]) throws -> Property {
        var bytes: [UInt8] = []
        for (value, cells) in values {
            guard (1...2).contains(cells) else {
                throw DTSError(.invalidEdit, "property '\(name)': \(cells) cells per number is not supported (only 1 or 2)")
            }
            if cells == 1 {
                guard value <= UInt64(UInt32.max) else {
                    throw DTSError(.invalidEdit, "property '\(name)': value 0x\(String(value, radix: 16)) does not fit in one 32-bit cell")
                }
                bytes += UInt32(value).bigEndianBytes
            } else {
                bytes += value.bigEndianBytes
            }
        }
        return Property(name: name, value: bytes)
    }

    /// The value as 32-bit cells, or nil when its length is not a multiple of 4.
    public var u32Values: [UInt32]? {
        guard value.count % 4 == 0 else { return nil }
        return stride(from: 0, to: value.count, by: 4).map { readBigEndian(value, at: $0, count: 4) }.map(UInt32.init)
    }

    /// The value as 64-bit numbers, or nil when its length is not a multiple of 8.
    public var u64Values: [UInt64]? {
        guard value.count % 8 == 0 else { return nil }
        return stride(from: 0, to: value.count, by: 8).map { readBigEndian(value, at: $0, count: 8) }
    }

    /// The value as numbers of `cells` cells each (`reg`, `ranges` entries), or nil when the length does not divide.
    public func numbers(cellsEach cells: Int) -> [UInt64]? {
        let width = cells * 4
        guard cells >= 1, cells <= 2, value.count % width == 0 else { return nil }
        return stride(from: 0, to: value.count, by: width).map { readBigEndian(value, at: $0, count: width) }
    }

    /// The value as a string list, or nil when it is not NUL-terminated UTF-8.
    public var stringValues: [String]? {
        guard let last = value.last, last == 0 else { return nil }
        var result: [String] = []
        for part in value.dropLast().split(separator: 0, omittingEmptySubsequences: false) {
            guard let s = String(validating: part, as: UTF8.self) else { return nil }
            result.append(s)
        }
        return result
    }

    /// The value as one string, or nil unless it is exactly one NUL-terminated string.
    public var stringValue: String? {
        guard let list = stringValues, list.count == 1 else { return nil }
        return list[0]
    }
}

func readBigEndian(_ bytes: [UInt8], at offset: Int, count: Int) -> UInt64 {
    var v: UInt64 = 0
    for i in 0..<count { v = v << 8 | UInt64(bytes[offset + i]) }
    return v
}

extension FixedWidthInteger {
    /// The value as big-endian bytes (device tree byte order).
    var bigEndianBytes: [UInt8] {
        (0..<(Self.bitWidth / 8)).reversed().map { UInt8(truncatingIfNeeded: self >> ($0 * 8)) }
    }
}
