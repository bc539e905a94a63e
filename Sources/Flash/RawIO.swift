import Dispatch
import Foundation
import Support

/// Positioned reads and writes on file descriptors, and the parallel SHA-256
/// of many ranges that both image checking and read-back verification use.
/// Errors are errno values; ``Flasher`` turns them into ``FlashError``s.
enum RawIO {
    /// The size of every read and write: large enough for full-speed sequential I/O.
    static let chunkSize = 4 << 20

    struct Failure: Error { var errno: Int32 }

    /// Reads exactly `count` bytes at `offset`; a short file is EIO.
    static func preadFully(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, at offset: UInt64) throws {
        var done = 0
        while done < count {
            let n = pread(fd, buffer + done, count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(errno: errno)
            }
            if n == 0 { throw Failure(errno: EIO) }
            done += n
        }
    }

    /// Writes exactly `count` bytes at `offset`.
    static func pwriteFully(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int, at offset: UInt64) throws {
        var done = 0
        while done < count {
            let n = pwrite(fd, buffer + done, count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(errno: errno)
            }
            if n == 0 { throw Failure(errno: EIO) }
            done += n
        }
    }

    /// A page-aligned buffer of `chunkSize` bytes (aligned so O_DIRECT would accept it).
    static func withBuffer<T>(_ body: (UnsafeMutableRawPointer) throws -> T) rethrows -> T {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 4096)
        defer { buffer.deallocate() }
        return try body(buffer)
    }

    /// SHA-256 of each `(offset, length)` range of `fd`, hashed on every core.
    static func hashes(_ fd: Int32, _ ranges: [(offset: UInt64, length: UInt64)]) throws -> [String] {
        final class Shared: @unchecked Sendable {
            let lock = NSLock()
            var next = 0
            var results: [String?]
            var failure: Failure?
            init(count: Int) { results = Array(repeating: nil, count: count) }
            func take() -> Int? {
                lock.lock(); defer { lock.unlock() }
                guard failure == nil, next < results.count else { return nil }
                next += 1
                return next - 1
            }
            func finish(_ index: Int, _ hash: String) { lock.lock(); results[index] = hash; lock.unlock() }
            func fail(_ f: Failure) { lock.lock(); if failure == nil { failure = f }; lock.unlock() }
        }
        let shared = Shared(count: ranges.count)
        let workers = max(1, min(ranges.count, ProcessInfo.processInfo.activeProcessorCount))
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            withBuffer { buffer in
                while let i = shared.take() {
                    do {
                        let hasher = SHA256Stream()
                        var done: UInt64 = 0
                        let range = ranges[i]
                        while done < range.length {
                            let n = Int(min(UInt64(chunkSize), range.length - done))
                            try preadFully(fd, buffer, n, at: range.offset + done)
                            hasher.update(Data(bytesNoCopy: buffer, count: n, deallocator: .none))
                            done += UInt64(n)
                        }
                        shared.finish(i, hasher.finish())
                    } catch let f as Failure {
                        shared.fail(f)
                    } catch {
                        shared.fail(Failure(errno: EIO))
                    }
                }
            }
        }
        if let failure = shared.failure { throw failure }
        return shared.results.map { $0! }
    }

    /// The offset of the first non-zero byte in `[start, end)`, visiting only
    /// the parts that hold data (SEEK_DATA/SEEK_HOLE), so holes in a sparse
    /// image cost nothing.
    static func firstNonZeroByte(_ fd: Int32, from start: UInt64, to end: UInt64) throws -> UInt64? {
        var position = start
        while position < end {
            var dataStart = position, dataEnd = end
            let d = lseek(fd, off_t(position), seekData)
            if d < 0 {
                if errno == ENXIO { return nil }  // only a hole is left
            } else {
                dataStart = UInt64(d)
                if dataStart >= end { return nil }
                let h = lseek(fd, off_t(dataStart), seekHole)
                if h >= 0 { dataEnd = min(end, UInt64(h)) }
            }
            if let found = try firstNonZeroByte(fd, reading: dataStart, to: dataEnd) { return found }
            position = dataEnd
        }
        return nil
    }

    /// The offset of the first non-zero byte in `[start, end)`, reading every byte.
    private static func firstNonZeroByte(_ fd: Int32, reading start: UInt64, to end: UInt64) throws -> UInt64? {
        try withBuffer { buffer -> UInt64? in
            var offset = start
            while offset < end {
                let n = Int(min(UInt64(chunkSize), end - offset))
                try preadFully(fd, buffer, n, at: offset)
                let words = buffer.assumingMemoryBound(to: UInt64.self)
                var nonZero = false
                for i in 0..<(n / 8) where words[i] != 0 { nonZero = true; break }
                let bytes = buffer.assumingMemoryBound(to: UInt8.self)
                if nonZero || (n / 8 * 8..<n).contains(where: { bytes[$0] != 0 }) {
                    return offset + UInt64((0..<n).first { bytes[$0] != 0 }!)
                }
                offset += UInt64(n)
            }
            return nil
        }
    }

    /// Makes `[offset, offset+length)` read as zeros: a punched hole in a
    /// file, BLKZEROOUT on a disk, plain zero writes where neither works.
    static func zero(_ fd: Int32, offset: UInt64, length: UInt64, blockDevice: Bool) throws {
        if blockDevice {
            var span: (UInt64, UInt64) = (offset, length)
            if offset % 512 == 0, length % 512 == 0, ioctl(fd, blkZeroOut, &span) == 0 { return }
        } else if let fallocate = GNU.fallocate, fallocate(fd, punchHole | keepSize, off_t(offset), off_t(length)) == 0 {
            return
        }
        let zeros = UnsafeMutableRawPointer.allocate(byteCount: chunkSize, alignment: 4096)
        defer { zeros.deallocate() }
        zeros.initializeMemory(as: UInt8.self, repeating: 0, count: chunkSize)
        var done: UInt64 = 0
        while done < length {
            let n = Int(min(UInt64(chunkSize), length - done))
            try pwriteFully(fd, zeros, n, at: offset + done)
            done += UInt64(n)
        }
    }

    /// Linux constants Glibc's Swift module does not export (macros, or _GNU_SOURCE only).
    static let seekData: Int32 = 3  // SEEK_DATA
    static let seekHole: Int32 = 4  // SEEK_HOLE
    static let blkZeroOut: UInt = 0x127F   // _IO(0x12, 127)
    static let blkRereadPartitions: UInt = 0x125F  // _IO(0x12, 95)
    static let punchHole: Int32 = 0x02  // FALLOC_FL_PUNCH_HOLE
    static let keepSize: Int32 = 0x01   // FALLOC_FL_KEEP_SIZE
}

/// Keeps the amount of unwritten data bounded: every `window` bytes, starts
/// writeback of the newest window and waits for the one before. Progress then
/// shows the device's speed rather than the page cache's, and the final
/// fsync has little left to do (the approach Linus Torvalds described for
/// streaming writes).
struct WritebackWindow {
    var window: UInt64 = 32 << 20
    private var start: UInt64?
    private var end: UInt64 = 0
    private var previous: (UInt64, UInt64)?

    /// Records a write; returns an offset below which every write is on the
    /// medium when this call waited for a window, nil otherwise.
    @discardableResult
    mutating func wrote(_ fd: Int32, offset: UInt64, length: UInt64) -> UInt64? {
        if let s = start, offset >= s {
            end = max(end, offset + length)
        } else {
            start = offset  // a new window, or a write below the current one (the held-back head)
            end = offset + length
        }
        guard let s = start, end - s >= window else { return nil }
        guard let syncFileRange = GNU.syncFileRange else { return nil }
        _ = syncFileRange(fd, off_t(s), off_t(end - s), GNU.syncWrite)
        var durable: UInt64?
        if let (ps, pl) = previous,
           syncFileRange(fd, off_t(ps), off_t(pl), GNU.syncWaitBefore | GNU.syncWrite | GNU.syncWaitAfter) == 0 {
            durable = ps + pl
        }
        previous = (s, end - s)
        start = nil
        return durable
    }
}

/// Linux calls that glibc declares only under _GNU_SOURCE, which Swift's
/// Glibc module does not define; looked up once by name. Nil where missing.
enum GNU {
    typealias SyncFileRange = @convention(c) (Int32, off_t, off_t, UInt32) -> Int32
    typealias Fallocate = @convention(c) (Int32, Int32, off_t, off_t) -> Int32

    static let syncFileRange: SyncFileRange? = symbol("sync_file_range")
    static let fallocate: Fallocate? = symbol("fallocate")

    static let syncWaitBefore: UInt32 = 1  // SYNC_FILE_RANGE_WAIT_BEFORE
    static let syncWrite: UInt32 = 2       // SYNC_FILE_RANGE_WRITE
    static let syncWaitAfter: UInt32 = 4   // SYNC_FILE_RANGE_WAIT_AFTER

    private static func symbol<T>(_ name: String) -> T? {
        guard let pointer = dlsym(nil, name) else { return nil }
        return unsafeBitCast(pointer, to: T.self)
    }
}
