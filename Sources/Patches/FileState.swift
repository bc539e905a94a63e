import Foundation
import Support

/// What is at one path of a work tree: nothing, a regular file (content hash
/// and permission bits) or a symbolic link (hash of its destination).
struct FileState: Codable, Equatable, Sendable {
    enum Kind: String, Codable, Sendable { case absent, file, symlink }

    var kind: Kind
    /// SHA-256 of the content (file) or of the link destination (symlink).
    var sha256: String?
    /// POSIX permission bits of a regular file.
    var mode: Int?
    /// Destination of a symbolic link.
    var linkDestination: String?

    static let absent = FileState(kind: .absent)

    /// Content and permissions match; used to tell whether a path changed.
    func sameContent(as other: FileState) -> Bool {
        kind == other.kind && sha256 == other.sha256 && linkDestination == other.linkDestination
    }
}

/// A path's state together with the bytes needed to put it back.
struct Snapshot {
    var state: FileState
    /// The bytes of a regular file.
    var content: Data?
    /// Ancestor directories (relative to the work tree, deepest first) that did
    /// not exist, so restoring an absent file can remove what the set created.
    var missingDirectories: [String]
}

/// Reads and restores paths below one work tree, refusing any path whose
/// existing parent directory resolves outside it (a symlinked directory).
struct WorkTreeFiles {
    let project: String
    let root: URL

    private var fm: FileManager { .default }

    func url(_ path: String) -> URL { SafePath.join(root, path) }

    /// Throws when `path`, on the disk as it is now, goes through a symbolic
    /// link leading out of the work tree (with `followLast`, also when it is one).
    func checkContained(_ path: String, followLast: Bool = false) throws {
        do {
            _ = try Containment(root: root, name: project).resolve(path, followLast: followLast)
        } catch let error as ContainmentError {
            throw PatchError(.unsafeTarget, "\(project)/\(Containment.printable(path)) is refused: \(error)",
                             hint: error.hint, project: project)
        }
    }

    /// The current state of `path` (without reading the bytes into the result).
    func state(_ path: String) throws -> FileState {
        try read(path, keepContent: false).state
    }

    /// The current state and bytes of `path`.
    func snapshot(_ path: String) throws -> Snapshot {
        try checkContained(path)
        return try read(path, keepContent: true)
    }

    private func read(_ path: String, keepContent: Bool) throws -> Snapshot {
        let target = url(path)
        if let destination = try? fm.destinationOfSymbolicLink(atPath: target.path) {
            return Snapshot(state: FileState(kind: .symlink, sha256: SHA256Hex.of(destination), linkDestination: destination),
                            content: nil, missingDirectories: [])
        }
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: target.path, isDirectory: &isDirectory) else {
            return Snapshot(state: .absent, content: nil, missingDirectories: missingDirectories(path))
        }
        guard !isDirectory.boolValue else {
            throw PatchError(.unsafeTarget, "\(project)/\(path) is a directory, but the patch set treats it as a file", project: project)
        }
        do {
            let data = try Data(contentsOf: target)
            let mode = (try fm.attributesOfItem(atPath: target.path)[.posixPermissions] as? NSNumber)?.intValue
            return Snapshot(state: FileState(kind: .file, sha256: SHA256Hex.of(data), mode: mode),
                            content: keepContent ? data : nil, missingDirectories: [])
        } catch {
            throw PatchError.io("read \(project)/\(path)", error)
        }
    }

    private func missingDirectories(_ path: String) -> [String] {
        var parts = path.split(separator: "/").map(String.init)
        parts.removeLast()
        var missing: [String] = []
        for depth in stride(from: parts.count, through: 1, by: -1) {
            let directory = parts.prefix(depth).joined(separator: "/")
            if fm.fileExists(atPath: url(directory).path) { break }
            missing.append(directory)
        }
        return missing
    }

    /// Puts `path` back to `state`: rewrites the bytes and permissions,
    /// recreates the link, or removes the file and the directories the set created.
    func restore(_ path: String, to state: FileState, content: Data?, missingDirectories: [String]) throws {
        try checkContained(path)
        let target = url(path)
        do {
            switch state.kind {
            case .file:
                try removeIfLink(target)
                try fm.writeAtomically(content ?? Data(), to: target)
                if let mode = state.mode {
                    try fm.setAttributes([.posixPermissions: NSNumber(value: mode)], ofItemAtPath: target.path)
                }
            case .symlink:
                try removeExisting(target, path)
                try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try fm.createSymbolicLink(atPath: target.path, withDestinationPath: state.linkDestination ?? "")
            case .absent:
                try removeExisting(target, path)
                removeEmptyDirectories(missingDirectories)
            }
        } catch let error as PatchError {
            throw error
        } catch {
            throw PatchError.io("restore \(project)/\(path)", error)
        }
    }

    /// Removes directories the set created, deepest first, where they are empty.
    func removeEmptyDirectories(_ directories: [String]) {
        for directory in directories {
            // rmdir only removes empty directories, which is exactly what is wanted.
            _ = rmdir(url(directory).path)
        }
    }

    private func removeIfLink(_ target: URL) throws {
        if (try? fm.destinationOfSymbolicLink(atPath: target.path)) != nil { try fm.removeItem(at: target) }
    }

    private func removeExisting(_ target: URL, _ path: String) throws {
        if (try? fm.destinationOfSymbolicLink(atPath: target.path)) != nil {
            try fm.removeItem(at: target)
            return
        }
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: target.path, isDirectory: &isDirectory) else { return }
        guard !isDirectory.boolValue else {
            throw PatchError(.unsafeTarget, "\(project)/\(path) is now a directory; not removing it", project: project)
        }
        try fm.removeItem(at: target)
    }
}

extension WorkTreeFiles {
    /// Refuses a patch, just before it is applied, when a path it writes or
    /// removes (rename sources included) goes through a symbolic link leading
    /// out of the work tree on the disk as it is now, or lies below a path the
    /// same patch makes a symbolic link.
    func checkPaths(of patch: VerifiedPatch) throws {
        let links = Set(patch.diff.symlinks)
        for path in patch.files {
            try checkContained(path, followLast: true)
            let parts = path.split(separator: "/")
            for depth in parts.indices.dropLast() {
                let ancestor = parts[...depth].joined(separator: "/")
                if links.contains(ancestor) {
                    throw PatchError(.unsafeTarget,
                                     "\(project)/\(Containment.printable(path)) is refused: it lies below '\(Containment.printable(ancestor))', which the same patch makes a symbolic link",
                                     hint: "split the patch, or make '\(Containment.printable(ancestor))' a directory", project: project)
                }
            }
        }
    }
}
