import Foundation

/// Options of a DTS compilation, matching dtc's flags.
public struct DTSCompileOptions: Equatable, Sendable {
    /// Add `__symbols__` (label → path) and a phandle for every labelled node, like `dtc -@`.
    public var symbols: Bool

    public init(symbols: Bool = false) {
        self.symbols = symbols
    }
}

extension DeviceTree {
    /// Compiles DTS source as `dtc -I dts -O dtb` does: references become
    /// phandles (allocated in tree order from 1, skipping explicit ones) or
    /// paths; a `/plugin/` source becomes an overlay with `fragment@N`,
    /// `__fixups__` and `__local_fixups__`. `file` names the source in errors;
    /// `/include/` files are read relative to `directory`.
    public init(dts text: String, file: String = "<dts>", directory: URL? = nil, options: DTSCompileOptions = DTSCompileOptions()) throws {
        var parser = DTSParser(file: file) { name, including in
            let base = including?.deletingLastPathComponent() ?? directory ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            let url = name.hasPrefix("/") ? URL(fileURLWithPath: name) : base.appendingPathComponent(name).standardizedFileURL
            let bytes: [UInt8]
            do { bytes = try DTSFile.read(url, regularOnly: true) } catch let error as DTSError {
                throw DTSError(.io, "cannot include '\(name)': \(url.path): \(error.message.replacingOccurrences(of: "cannot read: ", with: ""))")
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw DTSError(.io, "cannot include '\(name)': \(url.path) is not UTF-8 text")
            }
            return (name, url, text)
        }
        var scanner = DTSScanner(text: text, file: file)
        try parser.parseFile(&scanner, url: directory.map { $0.appendingPathComponent((file as NSString).lastPathComponent) }, depth: 0)
        var resolver = ReferenceResolver(root: parser.root, isPlugin: parser.isPlugin)
        try resolver.resolve(symbols: options.symbols)
        self.init(root: parser.root.toNode(), memoryReservations: parser.reservations, bootCPU: 0)
    }

    /// Compiles a DTS file (see `init(dts:file:directory:options:)`).
    public init(dtsFile url: URL, options: DTSCompileOptions = DTSCompileOptions()) throws {
        guard let text = String(validating: try DTSFile.read(url), as: UTF8.self) else {
            throw DTSError(.io, "cannot read: not UTF-8 DTS text", file: url.path)
        }
        try self.init(dts: text, file: url.path, directory: url.deletingLastPathComponent(), options: options)
    }

    /// A DTB (told by its magic number) or DTS source, as `sel4img dt show`
    /// and `dt compile` take either. `file` names it in errors; DTS
    /// `/include/`s are read relative to `directory`.
    public init(dtbOrDTS bytes: [UInt8], file: String, directory: URL? = nil, options: DTSCompileOptions = DTSCompileOptions()) throws {
        if bytes.starts(with: [0xd0, 0x0d, 0xfe, 0xed]) {
            try self.init(dtb: bytes, file: file)
            return
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw DTSError(.io, "neither a DTB (no 0xd00dfeed magic) nor UTF-8 DTS text", file: file)
        }
        try self.init(dts: text, file: file, directory: directory, options: options)
    }

    /// A DTB or DTS file (see `init(dtbOrDTS:file:directory:options:)`), named in errors as `path`.
    public init(dtbOrDTSFile path: String, options: DTSCompileOptions = DTSCompileOptions()) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try self.init(dtbOrDTS: try DTSFile.read(url), file: path, directory: url.deletingLastPathComponent(), options: options)
        } catch var error as DTSError where error.kind == .io && error.file == url.path {
            error.file = path
            throw error
        }
    }
}

/// dtc's reference fixing after parsing: explicit phandles, phandle
/// allocation for referenced nodes, path references, then `__symbols__`,
/// `__fixups__` and `__local_fixups__`.
struct ReferenceResolver {
    let root: SourceNode
    let isPlugin: Bool
    var used: [UInt32: SourceNode] = [:]
    var nextPhandle: UInt32 = 1
    /// Label → node, filled by `checkLabels` (labels do not change after parsing).
    var labelOwners: [String: SourceNode] = [:]

    init(root: SourceNode, isPlugin: Bool) {
        self.root = root
        self.isPlugin = isPlugin
    }

    func error(_ message: String, _ file: String, _ line: Int, _ node: SourceNode) -> DTSError {
        DTSError(.reference, message, file: file, line: line, node: node.path)
    }

    /// A reference's node: a label from the index, a path by walking names.
    func lookup(_ reference: String) -> SourceNode? {
        reference.hasPrefix("/") ? root.node(atPath: reference) : labelOwners[reference]
    }

    mutating func resolve(symbols: Bool) throws {
        labelOwners = try checkLabels()
        try collectExplicitPhandles()
        // Phandles for referenced nodes, in tree order, properties in order.
        try root.walk { node in
            for property in node.properties {
                for case .phandle(let ref, let line) in property.chunks {
                    guard let target = lookup(ref) else {
                        if isPlugin { continue }
                        throw unknown(ref, property.file, line, node)
                    }
                    _ = phandle(for: target)
                }
            }
        }
        // Values with references filled in; fixup records in tree order.
        var fixups: [(label: String, entry: String)] = []
        var localFixups: [(node: SourceNode, property: String, offset: UInt32)] = []
        try root.walk { node in
            for i in node.properties.indices {
                var bytes: [UInt8] = []
                let property = node.properties[i]
                for chunk in property.chunks {
                    switch chunk {
                    case .bytes(let b):
                        bytes += b
                    case .phandle(let ref, _):
                        if let target = lookup(ref), let value = target.phandle {
                            localFixups.append((node, property.name, UInt32(bytes.count)))
                            bytes += value.bigEndianBytes
                        } else {
                            fixups.append((ref, "\(node.path):\(property.name):\(bytes.count)"))
                            bytes += UInt32.max.bigEndianBytes
                        }
                    case .path(let ref, let line):
                        guard let target = lookup(ref) else { throw unknown(ref, property.file, line, node) }
                        bytes += Array(target.path.utf8) + [0]
                    }
                }
                node.properties[i].resolvedBytes = bytes
            }
        }
        if symbols { addSymbols() }
        if isPlugin {
            try addFixups(fixups)
            addLocalFixups(localFixups)
        }
    }

    func unknown(_ ref: String, _ file: String, _ line: Int, _ node: SourceNode) -> DTSError {
        let what = ref.hasPrefix("/") ? "unknown path '\(ref)'" : "unknown label '\(ref)'"
        return error("\(what) in reference \(referenceText(ref))", file, line, node)
    }

    /// A label names one node only; returns each label's node.
    func checkLabels() throws -> [String: SourceNode] {
        var owners: [String: SourceNode] = [:]
        try root.walk { node in
            for label in node.labels {
                if let other = owners[label], other !== node {
                    throw error("duplicate label '\(label)' on \(other.path) and \(node.path)", node.file, node.line, node)
                }
                owners[label] = node
            }
        }
        return owners
    }

    mutating func collectExplicitPhandles() throws {
        try root.walk { node in
            for property in node.properties where property.name == "phandle" || property.name == "linux,phandle" {
                guard let bytes = property.plainBytes else { continue }
                guard bytes.count == 4 else {
                    throw error("'\(property.name)' must be one 32-bit cell", property.file, property.line, node)
                }
                let value = UInt32(readBigEndian(bytes, at: 0, count: 4))
                guard value != 0, value != .max else {
                    throw error("'\(property.name)' has the invalid value 0x\(String(value, radix: 16))", property.file, property.line, node)
                }
                if let other = used[value], other !== node {
                    throw error("phandle 0x\(String(value, radix: 16)) is already used by \(other.path)", property.file, property.line, node)
                }
                if let existing = node.phandle, existing != value {
                    throw error("'phandle' and 'linux,phandle' differ", property.file, property.line, node)
                }
                used[value] = node
                node.phandle = value
            }
        }
    }

    /// dtc's `get_node_phandle`: the node's phandle, allocating the lowest
    /// unused one from 1 and appending a `phandle` property when it has none.
    mutating func phandle(for node: SourceNode) -> UInt32 {
        if let existing = node.phandle { return existing }
        while used[nextPhandle] != nil { nextPhandle += 1 }
        let value = nextPhandle
        used[value] = node
        node.phandle = value
        if !node.properties.contains(where: { $0.name == "phandle" }) {
            var property = SourceProperty(name: "phandle", labels: [], chunks: [.bytes(value.bigEndianBytes)], file: node.file, line: node.line)
            property.resolvedBytes = value.bigEndianBytes
            node.properties.append(property)
        }
        return value
    }

    private func rootChild(_ name: String) -> SourceNode {
        root.child(name) ?? root.addChild(name, file: root.file, line: root.line)
    }

    private func setString(_ node: SourceNode, _ name: String, _ bytes: [UInt8], append: Bool) {
        if append, let i = node.properties.firstIndex(where: { $0.name == name }) {
            node.properties[i].resolvedBytes += bytes
        } else {
            var property = SourceProperty(name: name, labels: [], chunks: [], file: node.file, line: node.line)
            property.resolvedBytes = bytes
            node.properties.append(property)
        }
    }

    /// `__symbols__`: every node label with its path; each labelled node gets a phandle.
    mutating func addSymbols() {
        var labelled: [SourceNode] = []
        root.walk { if !$0.labels.isEmpty { labelled.append($0) } }
        guard !labelled.isEmpty else { return }
        let symbols = rootChild("__symbols__")
        var written = Set(symbols.properties.map(\.name))
        for node in labelled {
            for label in node.labels where written.insert(label).inserted {
                setString(symbols, label, Array(node.path.utf8) + [0], append: false)
            }
            _ = phandle(for: node)
        }
    }

    func addFixups(_ fixups: [(label: String, entry: String)]) throws {
        guard !fixups.isEmpty else { return }
        let node = rootChild("__fixups__")
        for fixup in fixups {
            guard !fixup.label.hasPrefix("/") else {
                throw DTSError(.reference, "cannot make a fixup for the path reference \(referenceText(fixup.label)): overlays can refer to the base tree only by label", file: root.file)
            }
            setString(node, fixup.label, Array(fixup.entry.utf8) + [0], append: true)
        }
    }

    /// `__local_fixups__`: a mirror of the referring nodes' paths whose
    /// properties list the offsets of phandles that point inside the overlay.
    func addLocalFixups(_ fixups: [(node: SourceNode, property: String, offset: UInt32)]) {
        guard !fixups.isEmpty else { return }
        let top = rootChild("__local_fixups__")
        for fixup in fixups {
            var names: [String] = []
            var walker: SourceNode? = fixup.node
            while let w = walker, w.parent != nil { names.insert(w.name, at: 0); walker = w.parent }
            var target = top
            for name in names { target = target.child(name) ?? target.addChild(name, file: root.file, line: root.line) }
            setString(target, fixup.property, fixup.offset.bigEndianBytes, append: true)
        }
    }
}

extension Property {
    /// A property from a value written in DTS syntax, e.g. `"console=ttyS0"`,
    /// `<0x0 0x40000000>`, `[de ad]` or `"a", "b"`; nil `value` gives an empty
    /// property. References cannot be resolved here and are errors.
    public init(name: String, dtsValue value: String?, source: String = "<value>") throws {
        let text = "/dts-v1/; / { \(name)" + (value.map { " = \($0)" } ?? "") + "; };"
        let tree = try DeviceTree(dts: text, file: source)
        guard tree.root.properties.count == 1, let property = tree.root.properties.first, tree.root.children.isEmpty else {
            throw DTSError(.syntax, "'\(name)' with value '\(value ?? "")' is not one property", file: source)
        }
        self = property
    }
}
