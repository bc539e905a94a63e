/// The tree as the parser builds it: nodes are objects (so `&label { … }`
/// can merge into a node found earlier) and property values keep their
/// references unresolved until the whole source is read, as dtc does.
final class SourceNode {
    var name: String
    var labels: [String] = []
    var properties: [SourceProperty] = []
    /// Children in order; changed only through `addChild` and `removeChild…`, which keep `childrenByName`.
    private(set) var children: [SourceNode] = []
    /// The first child of each name, so a node with thousands of children is not searched once per child.
    private var childrenByName: [String: SourceNode] = [:]
    /// Where each property name sits in `properties` (complete when its count equals `properties.count`).
    private var propertyIndex: [String: Int] = [:]
    weak var parent: SourceNode?
    /// Where the node was first defined, for errors.
    var file: String
    var line: Int
    var phandle: UInt32?
    /// Levels below the root (the root is 0); the parser keeps it within `DeviceTree.maximumDepth`.
    let depth: Int

    init(name: String, file: String, line: Int, parent: SourceNode? = nil) {
        self.name = name
        self.file = file
        self.line = line
        self.parent = parent
        depth = parent.map { $0.depth + 1 } ?? 0
    }

    /// The absolute path, built in one pass up the parents (linear in the depth).
    var path: String {
        var names: [String] = []
        var node = self
        while let parent = node.parent {
            names.append(node.name)
            node = parent
        }
        return "/" + names.reversed().joined(separator: "/")
    }

    func child(_ name: String) -> SourceNode? { childrenByName[name] }

    func addChild(_ name: String, file: String, line: Int) -> SourceNode {
        let node = SourceNode(name: name, file: file, line: line, parent: self)
        children.append(node)
        if childrenByName[name] == nil { childrenByName[name] = node }
        return node
    }

    func removeChildren(named name: String) {
        children.removeAll { $0.name == name }
        childrenByName[name] = nil
    }

    func removeChild(_ node: SourceNode) {
        children.removeAll { $0 === node }
        if childrenByName[node.name] === node { childrenByName[node.name] = children.first { $0.name == node.name } }
    }

    /// Sets a property as dtc's `merge_nodes` does: a value for an existing
    /// name replaces it in place (labels are added); a new name is appended.
    func setProperty(_ property: SourceProperty) {
        if propertyIndex.count != properties.count {
            propertyIndex = [:]
            for (i, p) in properties.enumerated() where propertyIndex[p.name] == nil { propertyIndex[p.name] = i }
        }
        if let i = propertyIndex[property.name] {
            properties[i].chunks = property.chunks
            properties[i].file = property.file
            properties[i].line = property.line
            for label in property.labels where !properties[i].labels.contains(label) { properties[i].labels.append(label) }
        } else {
            propertyIndex[property.name] = properties.count
            properties.append(property)
        }
    }

    func removeProperty(named name: String) {
        properties.removeAll { $0.name == name }
        propertyIndex = [:]
    }

    /// Nodes in tree order, this one first.
    func walk(_ body: (SourceNode) throws -> Void) rethrows {
        try body(self)
        for child in children { try child.walk(body) }
    }

    /// The node at an absolute path below this root, matching names exactly.
    func node(atPath path: String) -> SourceNode? {
        var node = self
        for component in path.split(separator: "/") {
            guard let next = node.child(String(component)) else { return nil }
            node = next
        }
        return path.hasPrefix("/") ? node : nil
    }

    /// The node carrying `label` in this tree.
    func node(labeled label: String) -> SourceNode? {
        if labels.contains(label) { return self }
        for child in children {
            if let found = child.node(labeled: label) { return found }
        }
        return nil
    }

    /// A reference as written after `&`: a label, or a path when it starts with `/`.
    func resolve(_ reference: String) -> SourceNode? {
        reference.hasPrefix("/") ? node(atPath: reference) : node(labeled: reference)
    }

    func toNode() -> Node {
        Node(name: name, labels: labels,
             properties: properties.map { Property(name: $0.name, value: $0.resolvedBytes, labels: $0.labels) },
             children: children.map { $0.toNode() })
    }
}

/// A property value as written: plain bytes and references still to resolve.
struct SourceProperty {
    enum Chunk {
        case bytes([UInt8])
        /// `<&label>` or `<&{/path}>`: a 32-bit phandle.
        case phandle(String, line: Int)
        /// `&label` or `&{/path}` outside `< >`: the full path as a string.
        case path(String, line: Int)
    }

    var name: String
    var labels: [String]
    var chunks: [Chunk]
    var file: String
    var line: Int
    /// Filled in by resolution.
    var resolvedBytes: [UInt8] = []

    /// The value when it has no references (explicit `phandle` values are read this way).
    var plainBytes: [UInt8]? {
        var out: [UInt8] = []
        for chunk in chunks {
            guard case .bytes(let b) = chunk else { return nil }
            out += b
        }
        return out
    }
}

/// How a reference is shown in messages: `&label` or `&{/path}`.
func referenceText(_ reference: String) -> String {
    reference.hasPrefix("/") ? "&{\(reference)}" : "&\(reference)"
}
