import Foundation

/// Changes to lay over an archive (the `create` and `overlay` commands):
/// removals first, so `--remove /etc --add my-etc:/etc` replaces a whole
/// directory, then additions, directories, symlinks and device nodes, each
/// in the order given. Later additions replace earlier entries at the same path.
public struct CPIOEdits: Equatable, Sendable {
    /// Archive paths to remove with everything below them.
    public var removals: [String]
    public var additions: [HostAddition]
    /// Directories to create (mode 0755).
    public var directories: [String]
    public var symlinks: [SymlinkSpec]
    public var devices: [DeviceSpec]

    public init(removals: [String] = [], additions: [HostAddition] = [], directories: [String] = [],
                symlinks: [SymlinkSpec] = [], devices: [DeviceSpec] = []) {
        self.removals = removals
        self.additions = additions
        self.directories = directories
        self.symlinks = symlinks
        self.devices = devices
    }
}

/// What `apply` changed, for the command's summary line.
public struct CPIOEditSummary: Equatable, Sendable {
    public var removed = 0
    public var added = 0
    public var replaced = 0
}

extension CPIOArchive {
    /// Applies `edits` in their documented order. A removal that matches
    /// nothing is an error (a misspelt path should not pass silently).
    @discardableResult
    public mutating func apply(_ edits: CPIOEdits) throws -> CPIOEditSummary {
        var summary = CPIOEditSummary()
        for path in edits.removals {
            let count = remove(path)
            if count == 0 {
                throw CPIOError.invalid("cannot remove '\(path)': the archive has no such entry",
                                        hint: "list the archive's paths with 'sel4img cpio list FILE'")
            }
            summary.removed += count
        }
        let before = Set(entries.keys)
        let beforeEntries = entries
        for addition in edits.additions { try addHostItem(from: addition.source, at: addition.destination) }
        for directory in edits.directories { try addDirectory(directory) }
        for link in edits.symlinks { try addSymlink(link.path, target: link.target) }
        for device in edits.devices { try addNode(device) }
        for (path, entry) in entries {
            if !before.contains(path) {
                summary.added += 1
            } else if beforeEntries[path] != entry {
                summary.replaced += 1
            }
        }
        return summary
    }
}
