#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Support

/// The SHA-256 of the files an AOT cache key covers (the glue, the WASI list, wasm2c's runtime),
/// remembered in the cache (`digests`) by what stat(2) says of each file: device, inode, size,
/// and modification and change times to the nanosecond, as ccache's direct mode and git's index
/// do. A run whose files are unchanged then reads none of them. A file modified or changed in
/// the last two seconds is hashed every time and not remembered: a later write within the same
/// clock tick could leave all of its stat fields as they were.
struct AOTFileDigests {
    /// The memo file (nil: nothing remembered).
    let memo: URL?
    /// stat fields, then the path -> SHA-256.
    private(set) var known: [String: String] = [:]
    private var learned = false
    /// How many files were read and hashed (tests check that a warm run reads none).
    private(set) var hashed = 0

    /// How recent a change must be for the file to be hashed every time.
    static let settleSeconds = 2

    init(memo: URL?) {
        self.memo = memo
        guard let memo, let text = try? String(contentsOf: memo, encoding: .utf8) else { return }
        for line in text.split(separator: "\n") {
            // "DIGEST STAMP\tPATH": the path last, as it may hold spaces.
            guard let tab = line.firstIndex(of: "\t") else { continue }
            let head = line[..<tab].split(separator: " ", maxSplits: 1)
            guard head.count == 2, head[0].count == 64 else { continue }
            known["\(head[1])\t\(line[line.index(after: tab)...])"] = String(head[0])
        }
    }

    /// What stat(2) says of `path` that changes when its bytes do, or nil when the file cannot be
    /// remembered (unreadable, not a regular file, changed too recently, a path with a line break).
    static func stamp(_ path: String, now: time_t = time(nil)) -> String? {
        var info = stat()
        guard !path.contains("\n"), stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        let newest = max(info.st_mtim.tv_sec, info.st_ctim.tv_sec)
        guard newest + time_t(settleSeconds) <= now else { return nil }
        return "\(info.st_dev):\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
    }

    /// The file's SHA-256: remembered when its stat fields are as they were, else read.
    mutating func digest(of url: URL) throws(AOTUnavailable) -> String {
        let stamp = Self.stamp(url.path)
        if let stamp, let known = known["\(stamp)\t\(url.path)"] { return known }
        hashed += 1
        guard let digest = try? SHA256Hex.ofFile(at: url) else { throw AOTUnavailable("cannot read \(url.path)") }
        // The stamp is taken again after reading: a file written meanwhile is not remembered.
        if let stamp, Self.stamp(url.path) == stamp {
            known = known.filter { !$0.key.hasSuffix("\t\(url.path)") }
            known["\(stamp)\t\(url.path)"] = digest
            learned = true
        }
        return digest
    }

    /// Writes what was learned (whole or not at all, like the cache's objects).
    func save() {
        guard learned, let memo else { return }
        let text = known.sorted { $0.key < $1.key }.map { entry -> String in
            let tab = entry.key.firstIndex(of: "\t")!
            return "\(entry.value) \(entry.key[..<tab])\t\(entry.key[entry.key.index(after: tab)...])"
        }.joined(separator: "\n") + "\n"
        try? AOTTier.makeDirectories(memo.deletingLastPathComponent())
        let temporary = memo.deletingLastPathComponent().appendingPathComponent(".digests-\(getpid())")
        guard (try? text.write(to: temporary, atomically: false, encoding: .utf8)) != nil else { return }
        if rename(temporary.path, memo.path) != 0 { try? FileManager.default.removeItem(at: temporary) }
    }
}
