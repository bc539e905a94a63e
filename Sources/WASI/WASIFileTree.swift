/// A read-only directory tree held in memory, preopened for a module.
///
/// On Linux it is loaded from a host directory (`WASIFileTree.load` in
/// WasmHost); on seL4 it is built from the files of a CPIO bundle. Names are
/// byte strings compared exactly, like a POSIX file system's. Nodes are kept
/// in one array; a node's index + 1 is its inode number.
public struct WASIFileTree {
    public enum Kind: Equatable { case file, directory }

    struct Node {
        var name: [UInt8]
        var parent: Int
        var kind: Kind
        var contents: [UInt8]
        /// Children by name (directories only).
        var children: [[UInt8]: Int]
        /// Children in byte order of their names: fd_readdir's order.
        var order: [Int]
    }

    private(set) var nodes: [Node]

    /// Number of files and total file bytes: loaders enforce limits with them.
    public private(set) var fileCount = 0
    public private(set) var totalBytes = 0

    /// An empty root directory.
    public init() {
        nodes = [Node(name: [], parent: 0, kind: .directory, contents: [], children: [:], order: [])]
    }

    /// Why a path could not be added.
    public struct Error: Swift.Error, Equatable {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// Adds an empty directory at `path` (relative; "a/b" creates a and a/b),
    /// or does nothing when it exists.
    public mutating func addDirectory(_ path: String) throws(WASIFileTree.Error) {
        var node = 0
        for component in try Self.components(path) {
            node = try child(of: node, named: component, kind: .directory, path: path)
        }
    }

    /// Adds a file at `path`, creating missing parent directories; replaces an
    /// existing file of that name.
    public mutating func addFile(_ path: String, contents: [UInt8]) throws(WASIFileTree.Error) {
        let parts = try Self.components(path)
        guard let last = parts.last else { throw Error(path: path, message: "a file needs a name") }
        var node = 0
        for component in parts.dropLast() {
            node = try child(of: node, named: component, kind: .directory, path: path)
        }
        let file = try child(of: node, named: last, kind: .file, path: path)
        totalBytes += contents.count - nodes[file].contents.count
        nodes[file].contents = contents
    }

    /// The contents of the file at `path`, or nil (for tests and loaders).
    public func contents(of path: String) -> [UInt8]? {
        guard let parts = try? Self.components(path) else { return nil }
        var node = 0
        for part in parts {
            guard let next = nodes[node].children[part] else { return nil }
            node = next
        }
        return nodes[node].kind == .file ? nodes[node].contents : nil
    }

    private mutating func child(of parent: Int, named name: [UInt8], kind: Kind, path: String) throws(WASIFileTree.Error) -> Int {
        if let existing = nodes[parent].children[name] {
            guard nodes[existing].kind == kind else {
                throw Error(path: path, message: kind == .file ? "a directory has that name" : "a file is in the way")
            }
            return existing
        }
        let index = nodes.count
        nodes.append(Node(name: name, parent: parent, kind: kind, contents: [], children: [:], order: []))
        nodes[parent].children[name] = index
        // Keep `order` sorted by name. Loaders add names in sorted order, so
        // appending is the common case; otherwise binary search.
        let order = nodes[parent].order
        var low = 0, high = order.count
        if let last = order.last, !nodes[last].name.lexicographicallyPrecedes(name) {
            while low < high {
                let middle = (low + high) / 2
                if nodes[order[middle]].name.lexicographicallyPrecedes(name) { low = middle + 1 } else { high = middle }
            }
        } else {
            low = order.count
        }
        nodes[parent].order.insert(index, at: low)
        if kind == .file { fileCount += 1 }
        return index
    }

    /// Splits a tree path into components: "/" and "." are ignored, ".." and
    /// NUL bytes are refused.
    static func components(_ path: String) throws(WASIFileTree.Error) -> [[UInt8]] {
        var result: [[UInt8]] = []
        for part in Array(path.utf8).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            let bytes = Array(part)
            if bytes == [UInt8(ascii: ".")] { continue }
            if bytes == [UInt8(ascii: "."), UInt8(ascii: ".")] {
                throw Error(path: path, message: "'..' is not allowed in a tree path")
            }
            if bytes.contains(0) { throw Error(path: path, message: "NUL byte in path") }
            result.append(bytes)
        }
        return result
    }
}
