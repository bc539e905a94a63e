import Foundation

/// The directory tree of a volume being built: names checked, parents
/// created, children sorted, short names assigned. Nodes live in one array;
/// index 0 is the root.
struct FATTree: Sendable {
    struct Node: Sendable {
        var name: String
        /// The path as given (or, for implicit parents, as derived).
        var path: String
        var isDirectory: Bool
        var content: FATImage.Content?
        /// Set when an entry named this node itself (not only a path below it).
        var explicit: Bool
        var parent = 0
        var children: [Int] = []
        var childByKey: [String: Int] = [:]
        var shortName = ShortName(base: [], ext: [])
        var needsLongName = false
        var size: UInt64 = 0
        var firstCluster: UInt32 = 0
        var clusters: UInt64 = 0

        /// Directory entries this node takes in its parent: its short entry and long name entries.
        var entrySlots: Int { 1 + (needsLongName ? (name.utf16.count + 12) / 13 : 0) }
    }

    static let maximumDirectoryEntries = 65_536

    var nodes: [Node]

    init(entries: [FATImage.Entry]) throws {
        nodes = [Node(name: "", path: "", isDirectory: true, content: nil, explicit: true)]
        for entry in entries {
            let parts = try FATNames.components(of: entry.path)
            var current = 0
            for (i, part) in parts.enumerated() {
                let isLast = i == parts.count - 1
                let key = part.uppercased()
                if let existing = nodes[current].childByKey[key] {
                    let node = nodes[existing]
                    if isLast {
                        let sameImplicitDirectory = !node.explicit && node.name == part && entry.isDirectory
                        guard sameImplicitDirectory else { throw DiskImageError.duplicate(entry.path, node.path) }
                        nodes[existing].explicit = true
                        nodes[existing].path = entry.path
                    } else if !node.isDirectory {
                        throw DiskImageError.parentIsFile(entry.path, parent: node.path)
                    }
                    current = existing
                    continue
                }
                let path = isLast ? entry.path : parts[0...i].joined(separator: "/")
                let node = Node(name: part, path: path, isDirectory: isLast ? entry.isDirectory : true,
                                content: isLast ? entry.content : nil, explicit: isLast)
                nodes.append(node)
                nodes[nodes.count - 1].parent = current
                let index = nodes.count - 1
                nodes[current].childByKey[key] = index
                nodes[current].children.append(index)
                current = index
            }
        }
        for index in nodes.indices where nodes[index].isDirectory {
            try arrange(directory: index)
        }
    }

    /// Sorts a directory's children and gives each a unique short name:
    /// names that are already 8.3 keep theirs, the rest get basis names with
    /// numeric tails in sorted order, so the result never depends on input order.
    private mutating func arrange(directory index: Int) throws {
        let sorted = nodes[index].children.sorted { lexicographicLess(FATNames.sortKey(nodes[$0].name), FATNames.sortKey(nodes[$1].name)) }
        nodes[index].children = sorted
        var taken = Set<[UInt8]>()
        var pending: [Int] = []
        for child in sorted {
            if let exact = FATNames.exactShortName(nodes[child].name) {
                nodes[child].shortName = exact
                taken.insert(exact.bytes)
            } else {
                pending.append(child)
            }
        }
        for child in pending {
            nodes[child].shortName = FATNames.generate(for: nodes[child].name, taken: &taken)
            nodes[child].needsLongName = true
        }
        let count = entryCount(ofDirectory: index)
        if count > Self.maximumDirectoryEntries {
            let name = index == 0 ? "the root directory" : "directory '\(printable(nodes[index].path))'"
            throw DiskImageError(.directoryFull, "FAT \(name) would need \(count) entries; a FAT directory holds at most \(Self.maximumDirectoryEntries)")
        }
    }

    /// 32-byte entries a directory holds: the volume label (root) or `.` and
    /// `..` (others), then each child's entries.
    func entryCount(ofDirectory index: Int) -> Int {
        (index == 0 ? 1 : 2) + nodes[index].children.reduce(0) { $0 + nodes[$1].entrySlots }
    }
}

extension FATImage.Entry {
    var isDirectory: Bool { if case .directory = kind { return true } else { return false } }
    var content: FATImage.Content? { if case .file(let c) = kind { return c } else { return nil } }
}
