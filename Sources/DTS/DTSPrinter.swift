/// Prints a tree as DTS text exactly as `dtc -I dtb -O dts` (1.6.1) prints
/// the same DTB: tabs for indentation, a blank line before each child node,
/// and each value shown as a string, 32-bit cells or bytes by dtc's guess
/// from its bytes alone (a DTB records no types).
public enum DTSPrinter {
    public static func print(_ tree: DeviceTree) -> String {
        var out = "/dts-v1/;\n\n"
        for reservation in tree.memoryReservations {
            for label in reservation.labels { out += "\(label): " }
            out += "/memreserve/\t0x\(hex(reservation.address, width: 16)) 0x\(hex(reservation.size, width: 16));\n"
        }
        printNode(tree.root, level: 0, into: &out)
        return out
    }

    static func printNode(_ node: Node, level: Int, into out: inout String) {
        let indent = String(repeating: "\t", count: level)
        out += indent
        for label in node.labels { out += "\(label): " }
        out += node.name.isEmpty ? "/ {\n" : "\(node.name) {\n"
        for property in node.properties {
            out += indent + "\t"
            for label in property.labels { out += "\(label): " }
            out += property.name + value(property.value) + "\n"
        }
        for child in node.children {
            out += "\n"
            printNode(child, level: level + 1, into: &out)
        }
        out += indent + "};\n"
    }

    /// ` = …;` or `;` for an empty value.
    static func value(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return ";" }
        switch guessType(bytes) {
        case .string:
            return " = " + quoted(bytes) + ";"
        case .cells:
            let cells = stride(from: 0, to: bytes.count, by: 4).map { "0x" + hex(readBigEndian(bytes, at: $0, count: 4), width: 2) }
            return " = <" + cells.joined(separator: " ") + ">;"
        case .bytes:
            return " = [" + bytes.map { hex(UInt64($0), width: 2) }.joined(separator: " ") + "];"
        }
    }

    enum ValueType { case string, cells, bytes }

    /// dtc's `guess_value_type`: a string when NUL-terminated, made only of
    /// printable characters, C escapes and NULs, with no more NULs than other
    /// characters; else cells when the length is a multiple of 4; else bytes.
    static func guessType(_ bytes: [UInt8]) -> ValueType {
        let nuls = bytes.filter { $0 == 0 }.count
        let allString = bytes.allSatisfy { isPrintable($0) || $0 == 0 || (7...13).contains($0) }
        if bytes.last == 0, allString, nuls <= bytes.count - nuls { return .string }
        return bytes.count % 4 == 0 ? .cells : .bytes
    }

    static func isPrintable(_ byte: UInt8) -> Bool { (0x20...0x7e).contains(byte) }

    /// dtc's `write_propval_string` over the whole value: inner NULs print as `\0`.
    static func quoted(_ bytes: [UInt8]) -> String {
        var out = "\""
        for byte in bytes.dropLast() {
            switch byte {
            case 7: out += "\\a"
            case 8: out += "\\b"
            case 9: out += "\\t"
            case 10: out += "\\n"
            case 11: out += "\\v"
            case 12: out += "\\f"
            case 13: out += "\\r"
            case 0x5c: out += "\\\\"
            case 0x22: out += "\\\""
            case 0: out += "\\0"
            default:
                out += isPrintable(byte) ? String(UnicodeScalar(byte)) : "\\x" + hex(UInt64(byte), width: 2)
            }
        }
        return out + "\""
    }

    /// Lower-case hex, zero-padded to at least `width` digits (`%0Nx`).
    static func hex(_ value: UInt64, width: Int) -> String {
        let digits = String(value, radix: 16)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

extension DeviceTree {
    /// The tree as DTS text, as `dtc -I dtb -O dts` prints it.
    public var dtsText: String { DTSPrinter.print(self) }
}
