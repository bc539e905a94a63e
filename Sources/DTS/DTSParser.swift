import Foundation

/// Parses DTS source into a `SourceNode` tree, following dtc 1.6.1's grammar:
/// `/dts-v1/;`, `/plugin/;`, `/memreserve/`, nodes and properties with
/// labels, strings, `<cells>` with expressions and references, `/bits/`,
/// `[bytes]`, `&ref { … }` merges (overlay fragments under `/plugin/`),
/// `/delete-node/`, `/delete-property/` and `/include/`.
struct DTSParser {
    static let maximumIncludeDepth = 8

    let root: SourceNode
    var reservations: [MemoryReservation] = []
    var isPlugin = false
    var fragmentCount = 0
    /// Reads an included file: (path as written, including file's URL) → (display name, URL, text).
    let readInclude: (String, URL?) throws -> (String, URL, String)

    init(file: String, readInclude: @escaping (String, URL?) throws -> (String, URL, String)) {
        root = SourceNode(name: "", file: file, line: 1)
        self.readInclude = readInclude
    }

    mutating func parseFile(_ s: inout DTSScanner, url: URL?, depth: Int) throws {
        while true {
            try s.skipTrivia()
            if s.atEnd { return }
            if try s.consume("/dts-v1/") { try s.expect(";", "after /dts-v1/"); continue }
            if try s.consume("/plugin/") { isPlugin = true; try s.expect(";", "after /plugin/"); continue }
            if try s.consume("/include/") {
                try include(&s, url: url, depth: depth)
                continue
            }
            if try s.consume("/delete-node/") {
                try s.skipTrivia()
                let line = s.line
                guard try s.consume("&") else { throw s.error("expected '&label' or '&{/path}' after /delete-node/ at top level") }
                let ref = try readReference(&s)
                guard let target = root.resolve(ref) else { throw unknownReference(ref, s, line: line, node: nil) }
                guard let parent = target.parent else { throw s.error("cannot delete the root node", line: line) }
                parent.removeChild(target)
                try s.expect(";", "after /delete-node/ \(referenceText(ref))")
                continue
            }
            let labels = try readLabels(&s)
            let line = s.line
            if try s.consume("/memreserve/") {
                let address = try primary(&s, bits: 64)
                let size = try primary(&s, bits: 64)
                try s.expect(";", "after /memreserve/ address and size")
                reservations.append(MemoryReservation(address: address, size: size, labels: labels))
            } else if try s.consume("&") {
                let ref = try readReference(&s)
                try s.skipTrivia()
                guard s.peek() == UInt8(ascii: "{") else { throw s.error("expected '{' after \(referenceText(ref)), found \(s.describeNext())") }
                if isPlugin {
                    let fragment = root.addChild("fragment@\(fragmentCount)", file: s.file, line: line)
                    fragmentCount += 1
                    let target: SourceProperty = ref.hasPrefix("/")
                        ? SourceProperty(name: "target-path", labels: [], chunks: [.bytes(Array(ref.utf8) + [0])], file: s.file, line: line)
                        : SourceProperty(name: "target", labels: [], chunks: [.phandle(ref, line: line)], file: s.file, line: line)
                    fragment.setProperty(target)
                    let overlay = fragment.addChild("__overlay__", file: s.file, line: line)
                    overlay.labels = labels
                    try parseBody(&s, into: overlay)
                } else {
                    guard let target = root.resolve(ref) else { throw unknownReference(ref, s, line: line, node: nil) }
                    for label in labels where !target.labels.contains(label) { target.labels.append(label) }
                    try parseBody(&s, into: target)
                }
            } else if s.peek() == UInt8(ascii: "/"), s.peek(1).map(DTSScanner.isLabelByte) == true {
                throw s.error("unknown directive \(s.describeNext())")
            } else if try s.consume("/") {
                for label in labels where !root.labels.contains(label) { root.labels.append(label) }
                try parseBody(&s, into: root)
            } else {
                throw s.error("expected '/ {', '&label {' or a directive at top level, found \(s.describeNext())")
            }
        }
    }

    private mutating func include(_ s: inout DTSScanner, url: URL?, depth: Int) throws {
        try s.skipTrivia()
        let line = s.line
        guard s.peek() == UInt8(ascii: "\"") else { throw s.error("expected a quoted file name after /include/") }
        let name = String(decoding: try s.readString(), as: UTF8.self)
        guard depth < Self.maximumIncludeDepth else {
            throw s.error("includes nested deeper than \(Self.maximumIncludeDepth) levels at '\(name)'", line: line)
        }
        let included: (String, URL, String)
        do { included = try readInclude(name, url) } catch let error as DTSError {
            throw s.error(error.message, line: line, kind: error.kind)
        }
        var inner = DTSScanner(text: included.2, file: included.0)
        try parseFile(&inner, url: included.1, depth: depth + 1)
    }

    /// Zero or more `label:` prefixes.
    mutating func readLabels(_ s: inout DTSScanner) throws -> [String] {
        var labels: [String] = []
        while true {
            try s.skipTrivia()
            let save = s
            let word = try s.readName()
            if !word.isEmpty, s.peek() == UInt8(ascii: ":") {
                guard let first = word.utf8.first, !(first >= 0x30 && first <= 0x39), word.utf8.allSatisfy(DTSScanner.isLabelByte) else {
                    throw s.error("'\(word)' is not a valid label (letters, digits and '_', not starting with a digit)")
                }
                try checkLabelLength(word, s)
                s.advance()
                labels.append(word)
            } else {
                s = save
                return labels
            }
        }
    }

    /// After `&`: a label, or `{/path}`.
    func readReference(_ s: inout DTSScanner) throws -> String {
        if s.peek() == UInt8(ascii: "{") {
            s.advance()
            let start = s.position
            while let c = s.peek(), c != UInt8(ascii: "}"), c != 0x0a { s.advance() }
            let path = String(decoding: s.bytes[start..<s.position], as: UTF8.self)
            guard s.peek() == UInt8(ascii: "}"), path.hasPrefix("/") else {
                throw s.error("expected '&{/path}' with an absolute path")
            }
            s.advance()
            return path
        }
        let label = s.readLabelName()
        guard !label.isEmpty else { throw s.error("expected a label or '{/path}' after '&', found \(s.describeNext())") }
        try checkLabelLength(label, s)
        return label
    }

    /// Labels become property names (in `__symbols__` and `__fixups__`), so they share that limit.
    func checkLabelLength(_ label: String, _ s: DTSScanner) throws {
        guard label.utf8.count <= DeviceTree.maximumPropertyName else {
            throw s.error("a label of \(label.utf8.count) bytes is longer than \(DeviceTree.maximumPropertyName)")
        }
    }

    func unknownReference(_ ref: String, _ s: DTSScanner, line: Int, node: String?) -> DTSError {
        let what = ref.hasPrefix("/") ? "unknown path '\(ref)'" : "unknown label '\(ref)'"
        return s.error("\(what) in reference \(referenceText(ref))", line: line, node: node, kind: .reference)
    }

    /// `{ properties; children; };` merged into `node`.
    mutating func parseBody(_ s: inout DTSScanner, into node: SourceNode) throws {
        try s.expect("{", "to open node \(node.path)", node: node.path)
        var seenProperties: Set<String> = [], seenChildren: Set<String> = []
        while true {
            if try s.consume("}") {
                try s.expect(";", "after '}'", node: node.path)
                return
            }
            if s.atEnd { throw s.error("unexpected end of file: missing '};'", node: node.path) }
            if try s.consume("/delete-property/") {
                let name = try s.readName()
                guard !name.isEmpty else { throw s.error("expected a property name after /delete-property/", node: node.path) }
                node.removeProperty(named: name)
                seenProperties.remove(name)
                try s.expect(";", "after /delete-property/ \(name)", node: node.path)
                continue
            }
            if try s.consume("/delete-node/") {
                let name = try s.readName()
                guard !name.isEmpty else { throw s.error("expected a node name after /delete-node/", node: node.path) }
                node.removeChildren(named: name)
                seenChildren.remove(name)
                try s.expect(";", "after /delete-node/ \(name)", node: node.path)
                continue
            }
            let labels = try readLabels(&s)
            let line = s.line
            let name = try s.readName()
            guard !name.isEmpty else {
                throw s.error("expected a property or node name, found \(s.describeNext())", node: node.path)
            }
            if try s.consume("{") {
                s.position -= 1
                guard name.utf8.allSatisfy({ DTSScanner.isNameByte($0) && !"*#?".utf8.contains($0) }), name.filter({ $0 == "@" }).count <= 1 else {
                    throw s.error("'\(name)' is not a valid node name", line: line, node: node.path)
                }
                guard seenChildren.insert(name).inserted else {
                    throw s.error("duplicate node '\(name)'", line: line, node: node.path)
                }
                guard node.depth < DeviceTree.maximumDepth else {
                    throw s.error("node '\(name)' is nested deeper than \(DeviceTree.maximumDepth) levels (real device trees nest fewer than 20)", line: line)
                }
                let child = node.child(name) ?? node.addChild(name, file: s.file, line: line)
                for label in labels where !child.labels.contains(label) { child.labels.append(label) }
                try parseBody(&s, into: child)
            } else {
                guard name.utf8.allSatisfy({ $0 != UInt8(ascii: "@") }) else {
                    throw s.error("'\(name)' is not a valid property name", line: line, node: node.path)
                }
                guard name.utf8.count <= DeviceTree.maximumPropertyName else {
                    throw s.error("a property name of \(name.utf8.count) bytes is longer than \(DeviceTree.maximumPropertyName)", line: line, node: node.path)
                }
                guard seenProperties.insert(name).inserted else {
                    throw s.error("duplicate property '\(name)'", line: line, node: node.path)
                }
                var chunks: [SourceProperty.Chunk] = []
                if try s.consume("=") {
                    repeat {
                        chunks += try value(&s, node: node)
                    } while try s.consume(",")
                }
                try s.expect(";", "after property '\(name)'", node: node.path)
                node.setProperty(SourceProperty(name: name, labels: labels, chunks: chunks, file: s.file, line: line))
            }
        }
    }

    /// One value of a property: a string, `<cells>`, `/bits/ N <cells>`, `[bytes]` or `&ref`.
    mutating func value(_ s: inout DTSScanner, node: SourceNode) throws -> [SourceProperty.Chunk] {
        _ = try readLabels(&s)
        try s.skipTrivia()
        switch s.peek() {
        case UInt8(ascii: "\""):
            return [.bytes(try s.readString() + [0])]
        case UInt8(ascii: "&"):
            let line = s.line
            s.advance()
            return [.path(try readReference(&s), line: line)]
        case UInt8(ascii: "["):
            s.advance()
            var bytes: [UInt8] = []
            while true {
                _ = try readLabels(&s)
                try s.skipTrivia()
                if s.peek() == UInt8(ascii: "]") { s.advance(); return [.bytes(bytes)] }
                guard let hi = s.peek().flatMap(hexValue), let lo = s.peek(1).flatMap(hexValue) else {
                    throw s.error("expected pairs of hex digits or ']' in byte string, found \(s.describeNext())", node: node.path)
                }
                s.advance(); s.advance()
                bytes.append(hi << 4 | lo)
            }
        case UInt8(ascii: "<"):
            return try cells(&s, bits: 32, node: node)
        default:
            if try s.consume("/bits/") {
                let line = s.line
                let bits = try s.readInteger()
                guard [8, 16, 32, 64].contains(bits) else {
                    throw s.error("/bits/ must be 8, 16, 32 or 64, not \(bits)", line: line, node: node.path)
                }
                try s.skipTrivia()
                guard s.peek() == UInt8(ascii: "<") else { throw s.error("expected '<' after /bits/ \(bits)", node: node.path) }
                return try cells(&s, bits: Int(bits), node: node)
            }
            if try s.consume("/incbin/") { throw s.error("/incbin/ is not supported", node: node.path) }
            throw s.error("expected a string, '<', '[' or '&' in the value, found \(s.describeNext())", node: node.path)
        }
    }

    private func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x37
        case 0x61...0x66: return c - 0x57
        default: return nil
        }
    }

    /// `< … >`: numbers, character literals, `( expressions )` and phandle references.
    mutating func cells(_ s: inout DTSScanner, bits: Int, node: SourceNode) throws -> [SourceProperty.Chunk] {
        s.advance()
        var chunks: [SourceProperty.Chunk] = []
        var bytes: [UInt8] = []
        while true {
            _ = try readLabels(&s)
            try s.skipTrivia()
            let line = s.line
            guard let c = s.peek() else { throw s.error("unexpected end of file in cell list", node: node.path) }
            if c == UInt8(ascii: ">") { s.advance(); break }
            if c == UInt8(ascii: "&") {
                guard bits == 32 else { throw s.error("references are only allowed in 32-bit cells", node: node.path) }
                s.advance()
                let ref = try readReference(&s)
                if !bytes.isEmpty { chunks.append(.bytes(bytes)); bytes = [] }
                chunks.append(.phandle(ref, line: line))
                continue
            }
            guard c == UInt8(ascii: "(") || c == UInt8(ascii: "'") || (c >= 0x30 && c <= 0x39) else {
                throw s.error("expected a number, '&reference' or '>' in cell list, found \(s.describeNext())", node: node.path)
            }
            var value = try primary(&s, bits: bits)
            let mask: UInt64 = bits == 64 ? .max : (1 << UInt64(bits)) - 1
            if value > mask, value | mask != .max {
                throw s.error("value 0x\(String(value, radix: 16)) does not fit in \(bits) bits", line: line, node: node.path)
            }
            value &= mask
            switch bits {
            case 8: bytes.append(UInt8(value))
            case 16: bytes += UInt16(value).bigEndianBytes
            case 32: bytes += UInt32(value).bigEndianBytes
            default: bytes += value.bigEndianBytes
            }
        }
        if !bytes.isEmpty { chunks.append(.bytes(bytes)) }
        return chunks
    }
}
