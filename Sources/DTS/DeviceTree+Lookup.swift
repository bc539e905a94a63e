extension DeviceTree {
    /// The child indexes leading from the root to the node at `path`
    /// (`/soc/serial@7e215040`), or nil when there is no such node.
    func indexPath(of path: String) -> [Int]? {
        guard path.hasPrefix("/") else { return nil }
        var indexes: [Int] = []
        var node = root
        for component in path.split(separator: "/") {
            guard let i = node.children.firstIndex(where: { $0.name == component }) else { return nil }
            indexes.append(i)
            node = node.children[i]
        }
        return indexes
    }

    /// The node at an absolute path (`/` is the root).
    public func node(at path: String) -> Node? {
        guard let indexes = indexPath(of: path) else { return nil }
        return indexes.reduce(root) { $0.children[$1] }
    }

    /// Calls `body` for every node in tree order (a node before its children) with its full path.
    public func forEachNode(_ body: (String, Node) throws -> Void) rethrows {
        func visit(_ node: Node, _ path: String) throws {
            try body(path, node)
            for child in node.children {
                try visit(child, path == "/" ? "/" + child.name : path + "/" + child.name)
            }
        }
        try visit(root, "/")
    }

    /// The path of the node carrying `label`, if any.
    public func path(ofLabel label: String) -> String? {
        var found: String?
        forEachNode { path, node in
            if found == nil, node.labels.contains(label) { found = path }
        }
        return found
    }

    /// The node carrying `label`, if any.
    public func node(labeled label: String) -> Node? {
        path(ofLabel: label).flatMap { node(at: $0) }
    }

    /// The path of the node whose `phandle` is `phandle`, if any.
    public func path(ofPhandle phandle: UInt32) -> String? {
        var found: String?
        forEachNode { path, node in
            if found == nil, node.phandle == phandle { found = path }
        }
        return found
    }

    /// The node whose `phandle` is `phandle`, if any.
    public func node(phandle: UInt32) -> Node? {
        path(ofPhandle: phandle).flatMap { node(at: $0) }
    }

    /// Runs `body` on the node at `path` in place; throws when there is no such node.
    public mutating func modifyNode<R>(at path: String, _ body: (inout Node) throws -> R) throws -> R {
        guard let indexes = indexPath(of: path) else {
            throw DTSError(.notFound, "no node at path '\(path)'")
        }
        func descend(_ node: inout Node, _ rest: ArraySlice<Int>) throws -> R {
            guard let first = rest.first else { return try body(&node) }
            return try descend(&node.children[first], rest.dropFirst())
        }
        return try descend(&root, indexes[...])
    }

    /// Sets (replaces or appends) a property on the node at `path`.
    public mutating func setProperty(_ property: Property, at path: String) throws {
        try modifyNode(at: path) { $0.setProperty(property) }
    }

    /// Removes a property from the node at `path`; returns whether it was there.
    @discardableResult
    public mutating func removeProperty(_ name: String, at path: String) throws -> Bool {
        try modifyNode(at: path) { $0.removeProperty(name) }
    }

    /// Adds `node` as the last child of the node at `parentPath`; throws when a child of that name exists.
    public mutating func addNode(_ node: Node, under parentPath: String) throws {
        try validateNodeName(node.name)
        try modifyNode(at: parentPath) { parent in
            if parent.child(node.name) != nil {
                throw DTSError(.invalidEdit, "node '\(node.name)' already exists under '\(parentPath)'")
            }
            parent.children.append(node)
        }
    }

    /// Removes the node at `path` (not the root).
    public mutating func removeNode(at path: String) throws {
        guard path != "/", let slash = path.lastIndex(of: "/") else {
            throw DTSError(.invalidEdit, "cannot remove node '\(path)'")
        }
        let parent = slash == path.startIndex ? "/" : String(path[..<slash])
        let name = String(path[path.index(after: slash)...])
        try modifyNode(at: parent) { node in
            guard let i = node.children.firstIndex(where: { $0.name == name }) else {
                throw DTSError(.notFound, "no node at path '\(path)'")
            }
            node.children.remove(at: i)
        }
    }

    /// The node at `path`, created (with any missing parents) when absent.
    mutating func ensureNode(at path: String) throws {
        var current = "/"
        for component in path.split(separator: "/") {
            let next = current == "/" ? "/" + component : current + "/" + component
            if node(at: next) == nil {
                try addNode(Node(name: String(component)), under: current)
            }
            current = next
        }
    }
}

/// Node names: 1–31 characters of `[A-Za-z0-9,._+-]` before an optional `@unit`.
func validateNodeName(_ name: String) throws {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,._+-@")
    guard !name.isEmpty, name.allSatisfy({ allowed.contains($0) }), name.filter({ $0 == "@" }).count <= 1, !name.hasPrefix("@") else {
        throw DTSError(.invalidEdit, "'\(name)' is not a valid node name")
    }
}
