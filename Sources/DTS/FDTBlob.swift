import CFDT

/// A DTB's header and blocks, located and checked against the blob before
/// anything is read, and the one place sel4img reads a blob's structure.
///
/// Every offset and length taken from the blob (header fields, memory
/// reservations, tokens, node names, property lengths and name offsets) is
/// checked here against the blob's size and against the block it must lie
/// in, so no hostile value reaches a pointer. The structure block is walked
/// iteratively with an explicit stack, nesting at most
/// `DeviceTree.maximumDepth` levels. Errors name the file, the byte offset
/// (from the start of the file) and the node's path where it is known.
struct FDTBlob {
    static let beginNode: UInt32 = 1, endNode: UInt32 = 2, property: UInt32 = 3, nop: UInt32 = 4, end: UInt32 = 9

    let bytes: [UInt8]
    let file: String
    let bootCPU: UInt32
    let reservationStart: Int
    /// Byte ranges of the structure and strings blocks in `bytes`.
    let structure: Range<Int>
    let strings: Range<Int>
    /// `totalsize` from the header (at most `bytes.count`).
    let totalSize: Int

    init(_ bytes: [UInt8], file: String) throws {
        self.bytes = bytes
        self.file = file
        guard let header = FDTHeader(bytes) else {
            throw DTSError(.malformed, "read device tree: file is \(bytes.count) bytes, shorter than a DTB header (\(FDTHeader.size) bytes)", file: file)
        }
        guard header.magic == FDTHeader.magic else {
            throw DTSError(.libfdt(-FDT_ERR_BADMAGIC), "read device tree: \(FDTErrorCode.badMagic) (magic 0x\(String(header.magic, radix: 16)), expected 0xd00dfeed)", file: file)
        }
        guard Int(header.totalSize) <= bytes.count else {
            throw DTSError(.libfdt(-FDT_ERR_TRUNCATED), "read device tree: \(FDTErrorCode.truncated) (header says \(header.totalSize) bytes, file has \(bytes.count))", file: file)
        }
        let field = { (offset: Int) in Int(readBigEndian(bytes, at: offset, count: 4)) }
        totalSize = Int(header.totalSize)
        guard totalSize >= FDTHeader.size else {
            throw DTSError(.malformed, "read device tree: totalsize (header byte offset 4) is \(totalSize), smaller than the header (\(FDTHeader.size) bytes)", file: file)
        }
        let version = field(20), lastCompatible = field(24)
        guard version >= 16, lastCompatible <= 17 else {
            throw DTSError(.libfdt(-FDT_ERR_BADVERSION), "read device tree: \(FDTErrorCode(rawValue: -FDT_ERR_BADVERSION)) (version \(version), last compatible version \(lastCompatible); sel4img reads versions 16 and 17)", file: file)
        }
        bootCPU = header.bootCPU
        let total = totalSize
        func block(_ name: String, _ offsetField: Int, _ sizeField: Int?) throws -> Range<Int> {
            let start = field(offsetField)
            // Version 16 has no size_dt_struct: the block runs to the end of the blob.
            let size = sizeField.map(field) ?? (total - min(start, total))
            guard start >= FDTHeader.size, start + size <= total else {
                let sizeText = sizeField.map { ", size \(size) (header byte offset \($0))" } ?? ""
                throw DTSError(.malformed, "read device tree: the \(name) block at byte offset \(start) (header byte offset \(offsetField))\(sizeText) does not fit between the header (\(FDTHeader.size) bytes) and totalsize \(total)", file: file)
            }
            return start..<start + size
        }
        structure = try block("structure", 8, version >= 17 ? 36 : nil)
        strings = try block("strings", 12, 32)
        reservationStart = try block("memory reservation", 16, nil).lowerBound
    }

    func error(_ message: String, node: String? = nil) -> DTSError {
        DTSError(.malformed, "read device tree: \(message)", file: file, node: node)
    }

    func word(_ offset: Int) -> UInt32 { UInt32(readBigEndian(bytes, at: offset, count: 4)) }

    /// The `/memreserve/` entries, up to the one of size 0 that ends the list.
    func readReservations() throws -> [MemoryReservation] {
        var reservations: [MemoryReservation] = []
        var offset = reservationStart
        while true {
            guard offset + 16 <= totalSize else {
                throw error("memory reservation \(reservations.count) at byte offset \(offset) runs past totalsize \(totalSize) (the list must end with an entry of size 0)")
            }
            let address = readBigEndian(bytes, at: offset, count: 8), size = readBigEndian(bytes, at: offset + 8, count: 8)
            if size == 0 { return reservations }
            reservations.append(MemoryReservation(address: address, size: size))
            offset += 16
        }
    }

    /// The NUL-terminated string at `offset`, which must end before `limit`; nil when it does not.
    func string(at offset: Int, limit: Int) -> [UInt8]? {
        guard offset < limit else { return nil }
        guard let nul = bytes[offset..<limit].firstIndex(of: 0) else { return nil }
        return Array(bytes[offset..<nul])
    }

    /// Walks the structure block: one root node, then FDT_END; NOPs anywhere.
    func readStructure() throws -> Node {
        let end = structure.upperBound
        // Open nodes, innermost last; paths are only built for errors, so each name is copied once.
        var stack: [Node] = []
        var path: String? {
            stack.isEmpty ? nil : "/" + stack.dropFirst().map(\.name).joined(separator: "/")
        }
        var root: Node?
        var offset = structure.lowerBound
        while true {
            guard offset + 4 <= end else {
                throw error("the structure block ends at byte offset \(end) without FDT_END", node: path)
            }
            let token = word(offset)
            switch token {
            case Self.beginNode:
                guard root == nil else { throw error("a second root node at byte offset \(offset)") }
                guard let nameBytes = string(at: offset + 4, limit: end) else {
                    throw error("the name of the node at byte offset \(offset) is not NUL-terminated inside the structure block (which ends at byte offset \(end))", node: path)
                }
                guard stack.count <= DeviceTree.maximumDepth else {
                    throw error("nodes nested deeper than \(DeviceTree.maximumDepth) levels at byte offset \(offset)", node: path)
                }
                stack.append(Node(name: stack.isEmpty ? "" : String(decoding: nameBytes, as: UTF8.self)))
                offset = align(offset + 4 + nameBytes.count + 1)
            case Self.endNode:
                guard let node = stack.popLast() else {
                    throw error("FDT_END_NODE at byte offset \(offset) closes no node")
                }
                if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
                offset += 4
            case Self.property:
                guard !stack.isEmpty else { throw error("a property at byte offset \(offset) is outside any node") }
                guard offset + 12 <= end else {
                    throw error("the property at byte offset \(offset) is cut off by the end of the structure block at byte offset \(end)", node: path)
                }
                let length = Int(word(offset + 4)), nameOffset = Int(word(offset + 8))
                let valueStart = offset + 12
                guard valueStart + length <= end else {
                    throw error("the property at byte offset \(offset) has length \(length) (0x\(String(length, radix: 16))), running past the end of the structure block at byte offset \(end)", node: path)
                }
                let nameStart = strings.lowerBound + nameOffset
                guard let nameBytes = string(at: nameStart, limit: min(strings.upperBound, nameStart + DeviceTree.maximumPropertyName + 1)) else {
                    if nameStart < strings.upperBound, strings.upperBound - nameStart > DeviceTree.maximumPropertyName {
                        throw error("the property at byte offset \(offset) has a name longer than \(DeviceTree.maximumPropertyName) bytes (name offset \(nameOffset))", node: path)
                    }
                    throw error("the property at byte offset \(offset) has name offset \(nameOffset) (0x\(String(nameOffset, radix: 16))), not a NUL-terminated string inside the strings block (\(strings.count) bytes at byte offset \(strings.lowerBound))", node: path)
                }
                let property = Property(name: String(decoding: nameBytes, as: UTF8.self), value: Array(bytes[valueStart..<valueStart + length]))
                stack[stack.count - 1].properties.append(property)
                offset = align(valueStart + length)
            case Self.nop:
                offset += 4
            case Self.end:
                if !stack.isEmpty { throw error("FDT_END at byte offset \(offset) inside an open node", node: path) }
                guard let root else { throw error("no root node before FDT_END at byte offset \(offset)") }
                return root
            default:
                throw error("unknown token 0x\(String(token, radix: 16)) at byte offset \(offset)", node: path)
            }
        }
    }

    /// Tokens are 4-byte aligned from the start of the structure block.
    private func align(_ offset: Int) -> Int {
        let relative = offset - structure.lowerBound
        return structure.lowerBound + ((relative + 3) & ~3)
    }
}
