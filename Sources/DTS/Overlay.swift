import CFDT

/// A device tree overlay built in code: fragments that set properties and
/// add nodes at a target given by path (works on any base) or by label
/// (needs a base compiled with symbols, `dtc -@`). `deviceTree` lays it out
/// as `dtc` compiles a `/plugin/` source: `fragment@N` nodes with `target-path`
/// or `target = <0xffffffff>` and a `__fixups__` entry for each label target.
public struct Overlay: Equatable, Sendable {
    public enum Target: Equatable, Sendable {
        case path(String)
        case label(String)
    }

    /// What one fragment changes: its `__overlay__` node's properties and children.
    public struct Fragment: Equatable, Sendable {
        public var target: Target
        public var content: Node
    }

    public private(set) var fragments: [Fragment] = []

    public init() {}

    private mutating func withFragment(_ target: Target, _ body: (inout Node) -> Void) {
        if let i = fragments.firstIndex(where: { $0.target == target }) {
            body(&fragments[i].content)
        } else {
            var content = Node(name: "__overlay__")
            body(&content)
            fragments.append(Fragment(target: target, content: content))
        }
    }

    /// Sets a property on the target node (a later value for the same name replaces the earlier).
    public mutating func set(_ property: Property, on target: Target) {
        withFragment(target) { $0.setProperty(property) }
    }

    /// Adds (or merges, when the base has one of that name) a child node under the target.
    public mutating func add(_ node: Node, under target: Target) throws {
        try validateNodeName(node.name)
        withFragment(target) { content in
            if let i = content.children.firstIndex(where: { $0.name == node.name }) {
                for property in node.properties { content.children[i].setProperty(property) }
                content.children[i].children += node.children
            } else {
                content.children.append(node)
            }
        }
    }

    /// `/chosen/stdout-path`.
    public mutating func setStdoutPath(_ path: String) {
        set(.string("stdout-path", path), on: .path("/chosen"))
    }

    /// `/chosen/bootargs`.
    public mutating func setBootargs(_ arguments: String) {
        set(.string("bootargs", arguments), on: .path("/chosen"))
    }

    /// `/chosen/linux,initrd-start` and `-end`, 64-bit when the base's root `#address-cells` is 2.
    public mutating func setInitrd(start: UInt64, end: UInt64, addressCells: Int) throws {
        for property in try DeviceTree.initrdProperties(start: start, end: end, addressCells: addressCells) {
            set(property, on: .path("/chosen"))
        }
    }

    /// A memory node `nodeName` (e.g. `memory@0`, or the base's own memory node's name)
    /// under the root with one `reg` region in the base's root cell counts.
    public mutating func setMemory(base: UInt64, size: UInt64, addressCells: Int, sizeCells: Int, nodeName: String? = nil) throws {
        let reg = try Property.cells("reg", [(base, addressCells), (size, sizeCells)])
        let name = nodeName ?? "memory@" + String(base, radix: 16)
        try add(Node(name: name, properties: [.string("device_type", "memory"), reg]), under: .path("/"))
    }

    /// The overlay as a tree, laid out as `dtc` compiles a `/plugin/` source.
    public var deviceTree: DeviceTree {
        var root = Node(name: "")
        var fixups = Node(name: "__fixups__")
        for (n, fragment) in fragments.enumerated() {
            var node = Node(name: "fragment@\(n)")
            switch fragment.target {
            case .path(let path):
                node.properties.append(.string("target-path", path))
            case .label(let label):
                node.properties.append(.u32("target", [.max]))
                let entry = Array("/fragment@\(n):target:0".utf8) + [0]
                if let i = fixups.properties.firstIndex(where: { $0.name == label }) {
                    fixups.properties[i].value += entry
                } else {
                    fixups.properties.append(Property(name: label, value: entry))
                }
            }
            node.children.append(fragment.content)
            root.children.append(node)
        }
        if !fixups.properties.isEmpty { root.children.append(fixups) }
        return DeviceTree(root: root)
    }
}

extension DeviceTree {
    /// Applies overlays (DTBOs) in order to a base DTB with libfdt's
    /// `fdt_overlay_apply`, as `fdtoverlay -i BASE -o OUT OVERLAY…` does,
    /// and returns the packed result. Label targets need a base with
    /// `__symbols__` (compiled with `dtc -@`); path targets work on any base.
    public static func applyOverlays(_ overlays: [(name: String, dtb: [UInt8])], to base: [UInt8], baseName: String) throws -> [UInt8] {
        var current = base
        for overlay in overlays {
            // libfdt trusts what it is given: both blobs pass sel4img's own reader and the overlay's fixups are checked first.
            let baseTree = try DeviceTree(dtb: current, file: baseName)
            try DeviceTree(dtb: overlay.dtb, file: overlay.name).checkOverlayFixups(name: overlay.name, base: baseTree, baseName: baseName)
            current = try apply(overlay.dtb, name: overlay.name, to: current, baseName: baseName)
        }
        return current
    }

    /// Checks what libfdt's `fdt_overlay_apply` reads from an overlay without
    /// bounds checks of its own: `target-path` strings, `__fixups__` entries
    /// (`path:property:offset`) and `__local_fixups__` offsets must each point
    /// inside the overlay (an offset of 0xffffffff crashes libfdt 1.6.1 and
    /// fdtoverlay), and the base's `__symbols__` a fixup names must be strings.
    func checkOverlayFixups(name: String, base: DeviceTree, baseName: String) throws {
        func fail(_ message: String, node: String? = nil) -> DTSError {
            DTSError(.malformed, "apply overlay: \(message)", file: name, node: node)
        }
        for fragment in root.children {
            if let target = fragment.property("target-path"), target.value.last != 0 {
                throw fail("'target-path' is not a NUL-terminated string", node: "/" + fragment.name)
            }
        }
        /// The property a fixup patches, and that 4 bytes at `offset` lie inside it.
        func checkPatch(path: String, property: String, offset: UInt64, entry: String) throws {
            guard let node = node(at: path) else { throw fail("\(entry) names the node \(path), which the overlay does not have") }
            guard let value = node.property(property)?.value else {
                throw fail("\(entry) names the property '\(property)', which \(path) does not have")
            }
            guard offset.addingReportingOverflow(4).partialValue <= UInt64(value.count), offset <= UInt64(UInt32.max) else {
                throw fail("\(entry) patches 4 bytes at offset \(offset) of '\(property)', which has \(value.count) bytes", node: path)
            }
        }
        if let fixups = root.child("__fixups__") {
            for property in fixups.properties {
                guard property.value.last == 0 else { throw fail("__fixups__ entry '\(property.name)' is not a NUL-terminated string list", node: "/__fixups__") }
                for entry in property.value.dropLast().split(separator: 0, omittingEmptySubsequences: false) {
                    let text = String(decoding: entry, as: UTF8.self)
                    let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                    guard parts.count == 3, parts[0].hasPrefix("/"), !parts[1].isEmpty, !parts[2].isEmpty,
                          parts[2].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                        throw fail("__fixups__ entry '\(text)' for label '\(property.name)' is not PATH:PROPERTY:OFFSET", node: "/__fixups__")
                    }
                    let offset = UInt64(parts[2]) ?? .max
                    try checkPatch(path: String(parts[0]), property: String(parts[1]), offset: offset, entry: "__fixups__ entry '\(text)'")
                    if let symbol = base.node(at: "/__symbols__")?.property(property.name), symbol.value.last != 0 {
                        throw DTSError(.malformed, "apply overlay: __symbols__ entry '\(property.name)' is not a NUL-terminated path", file: baseName, node: "/__symbols__")
                    }
                }
            }
        }
        if node(at: "/__local_fixups__") != nil {
            try forEachNode { path, mirror in
                guard path == "/__local_fixups__" || path.hasPrefix("/__local_fixups__/") else { return }
                let target = path == "/__local_fixups__" ? "/" : String(path.dropFirst("/__local_fixups__".count))
                for property in mirror.properties {
                    guard let offsets = property.u32Values else {
                        throw fail("__local_fixups__ entry '\(property.name)' is \(property.value.count) bytes, not a list of 32-bit offsets", node: path)
                    }
                    for offset in offsets {
                        try checkPatch(path: target, property: property.name, offset: UInt64(offset), entry: "__local_fixups__ entry for '\(property.name)'")
                    }
                }
            }
        }
    }

    /// Applies overlays to this tree (encoded with `dtb()` first).
    public func applying(_ overlays: [DeviceTree]) throws -> DeviceTree {
        let encoded = try overlays.enumerated().map { ("overlay \($0.offset)", try $0.element.dtb()) }
        return try DeviceTree(dtb: Self.applyOverlays(encoded, to: dtb(), baseName: "base"), file: "result")
    }

    private static func apply(_ overlay: [UInt8], name: String, to base: [UInt8], baseName: String) throws -> [UInt8] {
        var capacity = base.count + overlay.count * 2 + 4096
        while true {
            var buffer = [UInt8](repeating: 0, count: capacity)
            var overlayCopy = overlay
            let result: Int32 = try base.withUnsafeBytes { source in
                try buffer.withUnsafeMutableBytes { target in
                    try fdtCheck(fdt_open_into(source.baseAddress!, target.baseAddress!, Int32(capacity)), "open base device tree", baseName)
                    return overlayCopy.withUnsafeMutableBytes { fdto in
                        fdt_overlay_apply(target.baseAddress!, fdto.baseAddress!)
                    }
                }
            }
            if result == -FDT_ERR_NOSPACE, capacity < Int(Int32.max / 2) {
                capacity *= 2
                continue
            }
            if result < 0 {
                var message = "apply overlay to \(baseName): \(FDTErrorCode(rawValue: result))"
                if result == -FDT_ERR_NOTFOUND {
                    message += " (a target of the overlay is not in the base; label targets need a base compiled with symbols, dtc -@)"
                }
                throw DTSError(.libfdt(result), message, file: name)
            }
            _ = try buffer.withUnsafeMutableBytes { target in
                try fdtCheck(fdt_pack(target.baseAddress!), "pack device tree", baseName)
            }
            let size = Int(readBigEndian(buffer, at: 4, count: 4))
            return Array(buffer[..<size])
        }
    }
}
