import Foundation

/// Where image bytes go. Regions are written at absolute offsets; anything
/// never written reads as zero.
protocol ImageSink: AnyObject {
    func write(_ data: Data, at offset: UInt64) throws
    /// Copies exactly `length` bytes of `source` to `offset`; `subject` names the
    /// entry in messages when the source is unreadable or changes size.
    func copy(from source: URL, length: UInt64, at offset: UInt64, for subject: String) throws
}

extension ImageSink {
    func copy(from source: URL, length: UInt64, at offset: UInt64, for subject: String) throws {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: source)
        } catch {
            throw DiskImageError.sourceProblem(subject, source: source, "cannot be read: \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        var done: UInt64 = 0
        let chunk: UInt64 = 1 << 20
        while done < length {
            let want = Int(min(chunk, length - done))
            let data: Data
            do {
                data = try handle.read(upToCount: want) ?? Data()
            } catch {
                throw DiskImageError.sourceProblem(subject, source: source, "cannot be read: \(error.localizedDescription)")
            }
            if data.isEmpty {
                throw DiskImageError.sourceProblem(subject, source: source, "became shorter while it was copied (\(done) of \(length) bytes)")
            }
            try write(data, at: offset + done)
            done += UInt64(data.count)
        }
        if let extra = try? handle.read(upToCount: 1), !extra.isEmpty {
            throw DiskImageError.sourceProblem(subject, source: source, "grew while it was copied (expected \(length) bytes)")
        }
    }
}

/// An image held in memory.
final class MemorySink: ImageSink {
    private(set) var data: Data

    init(size: UInt64) { data = Data(count: Int(size)) }

    func write(_ bytes: Data, at offset: UInt64) throws {
        let start = Int(offset)
        data.replaceSubrange(start..<start + bytes.count, with: bytes)
    }
}

/// An image streamed to a temporary file beside its destination and renamed
/// into place when finished, so a failed or interrupted build never leaves
/// a half image under the real name. All-zero 4 KiB blocks are not written
/// (the file is new, so they stay holes and read as zero), which keeps a
/// mostly empty multi-GiB image cheap on disk.
final class SparseFileSink: ImageSink {
    static let blockSize = 4096
    let destination: URL
    let temporary: URL
    private let handle: FileHandle
    private var closed = false

    init(destination: URL) throws {
        self.destination = destination
        let directory = destination.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw DiskImageError.output(destination, "cannot create its directory: \(error.localizedDescription)")
        }
        temporary = directory.appendingPathComponent(".\(destination.lastPathComponent).tmp-\(getpid())-\(UUID().uuidString.prefix(8))")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw DiskImageError.output(destination, "cannot create temporary file \(temporary.path)")
        }
        do {
            handle = try FileHandle(forWritingTo: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw DiskImageError.output(destination, "cannot open temporary file \(temporary.path): \(error.localizedDescription)")
        }
    }

    func write(_ data: Data, at offset: UInt64) throws {
        let count = data.count
        var runStart: Int?
        var i = 0
        while i < count {
            let intoBlock = Int((offset + UInt64(i)) % UInt64(Self.blockSize))
            let end = min(count, i + Self.blockSize - intoBlock)
            if Self.isZero(data, i..<end) {
                if let s = runStart { try put(data, s..<i, at: offset); runStart = nil }
            } else if runStart == nil {
                runStart = i
            }
            i = end
        }
        if let s = runStart { try put(data, s..<count, at: offset) }
    }

    private func put(_ data: Data, _ range: Range<Int>, at offset: UInt64) throws {
        let base = data.startIndex
        do {
            try handle.seek(toOffset: offset + UInt64(range.lowerBound))
            try handle.write(contentsOf: data[(base + range.lowerBound)..<(base + range.upperBound)])
        } catch {
            throw DiskImageError.output(destination, error.localizedDescription)
        }
    }

    static func isZero(_ data: Data, _ range: Range<Int>) -> Bool {
        data.withUnsafeBytes { raw in
            var i = range.lowerBound
            let end = range.upperBound
            while i + 8 <= end {
                if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) != 0 { return false }
                i += 8
            }
            while i < end {
                if raw[i] != 0 { return false }
                i += 1
            }
            return true
        }
    }

    /// Sets the final size (holes to the end), flushes, and renames into place.
    func finish(size: UInt64) throws {
        do {
            try handle.truncate(atOffset: size)
            try handle.synchronize()
            try handle.close()
            closed = true
        } catch {
            abandon()
            throw DiskImageError.output(destination, error.localizedDescription)
        }
        if rename(temporary.path, destination.path) != 0 {
            let reason = String(cString: strerror(errno))
            abandon()
            throw DiskImageError.output(destination, "cannot rename \(temporary.path) into place: \(reason)")
        }
    }

    /// Closes and removes the temporary file after a failure.
    func abandon() {
        if !closed { try? handle.close(); closed = true }
        try? FileManager.default.removeItem(at: temporary)
    }
}
