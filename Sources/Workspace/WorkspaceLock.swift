import Foundation
import Support
#if canImport(Glibc)
import Glibc
#endif

/// The lock that keeps two sel4img processes from changing one workspace at
/// once, and that tells what a killed sel4img left behind.
///
/// `.sel4img/sel4img.pid` is held with `flock` for as long as a sync, patch
/// apply or patch revert runs, and holds the holder's process id meanwhile;
/// it is emptied when the holder finishes. The kernel drops a `flock` when
/// its process dies, however it dies, so:
///
/// - the lock cannot be taken: a live sel4img is working here; refuse;
/// - the lock is taken and the file still names a process: that sel4img was
///   killed before it finished, and every git lock file (`index.lock`,
///   `HEAD.lock`, …) in the workspace's git directories is its leftover:
///   they are removed (a lock file there while the previous holder ended
///   cleanly is not sel4img's, and is left for the user).
///
/// The lock is re-entrant within a process (a sync reverts patch sets
/// while it holds it).
public enum WorkspaceLock {
    public static let fileName = "sel4img.pid"

    /// What `status` reports about the lock, without taking it.
    public enum State: Sendable, Equatable {
        /// No sel4img is working here and none was killed.
        case free
        /// A live sel4img holds the lock.
        case held(pid: Int32?)
        /// A sel4img (`pid`) was killed while working; these git lock files are its leftovers.
        case abandoned(pid: Int32, staleLocks: [String])
    }

    /// Runs `body` holding the lock of the workspace whose state directory
    /// (`.sel4img`) is `stateDirectory`; first removes what a killed holder left.
    public static func withExclusive<T>(stateDirectory: URL, progress: any ProgressReporter, _ body: () throws -> T) throws -> T {
        let key = stateDirectory.standardizedFileURL.path
        try registry.enter(key) { try acquire(stateDirectory: stateDirectory, progress: progress) }
        defer { registry.leave(key) }
        return try body()
    }

    /// The lock's state, for `status`. Takes and drops the lock to tell a live holder from a dead one.
    public static func state(stateDirectory: URL) -> State {
        let file = stateDirectory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: file.path) else { return .free }
        let fd = open(file.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .free }
        defer { close(fd) }
        let pid = readPID(fd)
        if registry.isHeld(stateDirectory.standardizedFileURL.path) { return .held(pid: getpid()) }
        guard flock(fd, LOCK_SH | LOCK_NB) == 0 else { return .held(pid: pid) }
        flock(fd, LOCK_UN)
        guard let pid else { return .free }
        let root = stateDirectory.deletingLastPathComponent()
        return .abandoned(pid: pid, staleLocks: gitLockFiles(in: stateDirectory).map { $0.relativePath(from: root) })
    }

    /// The git lock files below the workspace's git directories
    /// (`.sel4img/projects/…` and `.sel4img/objects/…`).
    static func gitLockFiles(in stateDirectory: URL) -> [URL] {
        var found: [URL] = []
        for top in ["projects", "objects"] {
            let dir = stateDirectory.appendingPathComponent(top)
            guard let walker = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey]) else { continue }
            for case let url as URL in walker where url.lastPathComponent.hasSuffix(".lock") {
                // Only inside a git directory: a component ending in ".git".
                if url.pathComponents.dropLast().contains(where: { $0.hasSuffix(".git") }) { found.append(url) }
            }
        }
        return found.sorted { $0.path < $1.path }
    }

    private static func acquire(stateDirectory: URL, progress: any ProgressReporter) throws -> Int32 {
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        let file = stateDirectory.appendingPathComponent(fileName)
        let fd = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw WorkspaceError(.busy, "cannot open \(file.path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = readPID(fd)
            close(fd)
            throw WorkspaceError(.busy, "another sel4img\(holder.map { " (process \($0))" } ?? "") is working in \(stateDirectory.deletingLastPathComponent().path)",
                                 hint: "wait for it to finish, then run the command again")
        }
        if let dead = readPID(fd) {
            let root = stateDirectory.deletingLastPathComponent()
            for lock in gitLockFiles(in: stateDirectory) {
                try? FileManager.default.removeItem(at: lock)
                progress.note("removed \(lock.relativePath(from: root)), left by sel4img process \(dead), which was killed before it finished")
            }
        }
        writePID(fd, getpid())
        return fd
    }

    fileprivate static func release(_ fd: Int32) {
        writePID(fd, nil)
        flock(fd, LOCK_UN)
        close(fd)
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func writePID(_ fd: Int32, _ pid: Int32?) {
        _ = ftruncate(fd, 0)
        if let pid {
            let text = Array("\(pid)\n".utf8)
            _ = pwrite(fd, text, text.count, 0)
        }
        _ = fsync(fd)
    }

    private static let registry = Registry()

    /// The locks this process holds, with their nesting depth.
    private final class Registry: @unchecked Sendable {
        private let lock = NSLock()
        private var held: [String: (fd: Int32, depth: Int)] = [:]

        func enter(_ key: String, acquire: () throws -> Int32) throws {
            lock.lock()
            defer { lock.unlock() }
            if let entry = held[key] {
                held[key] = (entry.fd, entry.depth + 1)
                return
            }
            held[key] = (try acquire(), 1)
        }

        func leave(_ key: String) {
            lock.lock()
            defer { lock.unlock() }
            guard let entry = held[key] else { return }
            if entry.depth > 1 {
                held[key] = (entry.fd, entry.depth - 1)
            } else {
                held[key] = nil
                WorkspaceLock.release(entry.fd)
            }
        }

        func isHeld(_ key: String) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            return held[key] != nil
        }
    }
}

extension URL {
    /// This path relative to `root` when below it, else the whole path.
    func relativePath(from root: URL) -> String {
        let base = root.standardizedFileURL.path
        let me = standardizedFileURL.path
        return me.hasPrefix(base + "/") ? String(me.dropFirst(base.count + 1)) : me
    }
}
