import Dispatch
import DiskImage
import Foundation

/// Reads back ranges of the target and compares them with the block map on
/// a background queue, so verification of ranges already on the medium
/// overlaps the writing of later ones. On a block device each range's cached
/// pages are dropped first (`POSIX_FADV_DONTNEED`), so the reads reach the
/// medium; a regular file is read back through the page cache after fsync,
/// which is what the file system holds for that file.
final class BackgroundVerifier: @unchecked Sendable {
    enum Problem: Equatable {
        /// The range at this index of the map read back differently.
        case mismatch(Int)
        /// Reading back failed with this errno.
        case readError(Int32)
    }

    private let fd: Int32
    private let ranges: [BlockMap.Range]
    private let queue = DispatchQueue(label: "sel4img.flash.verify")
    private let group = DispatchGroup()
    private let lock = NSLock()
    private var found: Problem?
    private var verified = 0

    private let dropCache: Bool

    init(fd: Int32, ranges: [BlockMap.Range], dropCache: Bool) {
        self.fd = fd
        self.ranges = ranges
        self.dropCache = dropCache
    }

    /// Queues the map's ranges at `indices`; call only once they are written
    /// back (sync_file_range waited, or fsync).
    func submit(_ indices: [Int]) {
        guard !indices.isEmpty else { return }
        queue.async(group: group) { [self] in
            guard problem == nil else { return }
            let selected = indices.map { ranges[$0] }
            if dropCache {
                for r in selected { _ = posix_fadvise(fd, off_t(r.offset), off_t(r.length), POSIX_FADV_DONTNEED) }
            }
            do {
                let hashes = try RawIO.hashes(fd, selected.map { ($0.offset, $0.length) })
                if let k = hashes.indices.first(where: { hashes[$0] != selected[$0].sha256 }) {
                    record(.mismatch(indices[k]))
                }
                lock.lock(); verified += indices.count; lock.unlock()
            } catch let f as RawIO.Failure {
                record(.readError(f.errno))
            } catch {
                record(.readError(EIO))
            }
        }
    }

    /// Waits for everything queued; the first problem found, if any.
    func finish() -> Problem? {
        group.wait()
        return problem
    }

    var problem: Problem? {
        lock.lock(); defer { lock.unlock() }
        return found
    }

    private func record(_ p: Problem) {
        lock.lock()
        if found == nil { found = p }
        lock.unlock()
    }
}
