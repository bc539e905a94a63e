import Foundation

/// A set of CPIO entries keyed by normalised path: what a root filesystem or
/// boot payload will contain. Build it from host files, read it from an
/// existing archive, change it, and write it as a deterministic newc archive
/// (see `CPIOArchive+Write.swift`).
public struct CPIOArchive: Sendable {
    /// The entries, keyed by `CPIOEntry.path`.
    public internal(set) var entries: [String: CPIOEntry] = [:]

    public init() {}

    /// An archive holding `entries` (later entries replace earlier ones with the same path).
    public init(_ entries: [CPIOEntry]) throws {
        for entry in entries { try insert(entry) }
    }

    /// The entries in archive order: parents before children (`CPIOPath.precedes`).
    public var sortedEntries: [CPIOEntry] {
        entries.values.sorted { CPIOPath.precedes($0.path, $1.path) }
    }

    public subscript(path: String) -> CPIOEntry? {
        guard let key = try? CPIOPath.normalize(path) else { return nil }
        return entries[key]
    }

    /// Adds or replaces an entry. Missing parent directories are created
    /// (mode 0755, owner root). Replacing a directory by something else
    /// removes the directory's subtree; a parent that exists but is not a
    /// directory is an error.
    public mutating func insert(_ entry: CPIOEntry) throws {
        for ancestor in CPIOPath.ancestors(of: entry.path) {
            if let existing = entries[ancestor] {
                guard existing.isDirectory else {
                    throw CPIOError.invalid("cannot add '\(entry.path)': '\(ancestor)' in the archive is a \(Self.noun(existing.kind)), not a directory",
                                            hint: "remove '\(ancestor)' first (overlay --remove \(ancestor))")
                }
            } else {
                entries[ancestor] = try CPIOEntry(path: ancestor, kind: .directory, mtime: entry.mtime)
            }
        }
        if let existing = entries[entry.path], existing.isDirectory, !entry.isDirectory {
            remove(entry.path)
        }
        entries[entry.path] = entry
    }

    /// Removes `path` and everything below it; returns how many entries went.
    @discardableResult
    public mutating func remove(_ path: String) -> Int {
        guard let key = try? CPIOPath.normalize(path) else { return 0 }
        let prefix = key + "/"
        let doomed = entries.keys.filter { $0 == key || $0.hasPrefix(prefix) }
        for k in doomed { entries.removeValue(forKey: k) }
        return doomed.count
    }

    /// Adds a directory (its parents too).
    public mutating func addDirectory(_ path: String, mode: UInt16 = 0o755) throws {
        try insert(CPIOEntry(path: path, kind: .directory, mode: mode))
    }

    /// Adds a symbolic link at `path` pointing to `target` (stored as given, never resolved).
    public mutating func addSymlink(_ path: String, target: String) throws {
        guard !target.isEmpty, !target.contains("\0") else {
            throw CPIOError.invalid("symlink '\(path)' needs a non-empty target without NUL bytes")
        }
        try insert(CPIOEntry(path: path, kind: .symlink(target: target)))
    }

    /// Adds a device node or FIFO (no privileges needed: only the archive entry is written).
    public mutating func addNode(_ spec: DeviceSpec) throws {
        try insert(CPIOEntry(path: spec.path, kind: spec.kind, mode: spec.mode))
    }

    /// Adds a file whose bytes are in memory.
    public mutating func addFile(_ path: String, contents: Data, mode: UInt16 = 0o644) throws {
        try insert(CPIOEntry(path: path, kind: .file(.bytes(contents)), mode: mode))
    }

    static func noun(_ kind: CPIOEntry.Kind) -> String {
        switch kind {
        case .file: return "file"
        case .directory: return "directory"
        case .symlink: return "symlink"
        case .characterDevice: return "character device"
        case .blockDevice: return "block device"
        case .fifo: return "FIFO"
        }
    }
}
