import DiskImage
import Foundation
import Support

/// What a finished flash did.
public struct FlashReport: Sendable, Equatable {
    /// Image bytes written (the block map's ranges).
    public var bytesWritten: UInt64
    /// Bytes zeroed with `--zero-unmapped`.
    public var bytesZeroed: UInt64
    /// Ranges read back from the target and found equal to the map.
    public var rangesVerified: Int
    public var seconds: Double
}

/// Test hooks: a stop after a given range, a change to the target between
/// writing and reading back.
struct FlashHooks: Sendable {
    var afterRange: (@Sendable (Int) -> Void)?
    var beforeReadBack: (@Sendable (URL) throws -> Void)?
}

/// Writes a checked ``FlashPlan`` to its target:
///
/// 1. checks every mapped range of the image against the block map, and that
///    the image holds no data outside the map (a stale map);
/// 2. opens the target (`O_EXCL` for a disk: the kernel refuses if it is in use);
/// 3. writes the mapped ranges, except the first 4 KiB of the disk and of the
///    first range, with writeback kept flowing, then fsyncs;
/// 4. reads back (past the page cache) and compares every range written so far,
///    starting while later ranges are still being written;
/// 5. writes the held-back first block, fsyncs, and verifies it the same way.
///
/// A stop (SIGINT, SIGTERM) before step 5 leaves block 0 as it was, so a
/// half-written disk never looks bootable.
public struct Flasher: Sendable {
    public var plan: FlashPlan
    public var reporter: any ProgressReporter
    public var stop: StopSignal
    var hooks = FlashHooks()

    /// Bytes at the start of the disk (and of the first range) written last.
    static let headSize: UInt64 = 4096

    public init(plan: FlashPlan, reporter: any ProgressReporter, stop: StopSignal = StopSignal()) {
        self.plan = plan
        self.reporter = reporter
        self.stop = stop
    }

    private var item: String { "flash \(plan.target.path)" }
    private var targetURL: URL { URL(fileURLWithPath: plan.target.resolvedPath) }

    public func run() throws -> FlashReport {
        let started = Date()
        let map = plan.map
        let imageFD = open(plan.image.path, O_RDONLY | O_CLOEXEC)
        guard imageFD >= 0 else { throw FlashError.imageUnreadable(plan.imagePath, String(cString: strerror(errno))) }
        defer { close(imageFD) }
        try checkImage(imageFD)

        let fd = try openTarget()
        defer { close(fd) }
        let layout = Layout(map: map, zeroUnmapped: plan.options.zeroUnmapped)
        let total = map.mappedBytes
        // The progress line counts the body; the held-back head gets a line of its own after verifying.
        var meter = Meter(total: total - layout.headBytes)

        // The body: everything but the held-back head.
        var zeroed: UInt64 = 0
        for gap in layout.bodyZeros {
            try io("zeroing part of") { try RawIO.zero(fd, offset: gap.offset, length: gap.length, blockDevice: isDevice) }
            zeroed += gap.length
        }
        // Ranges are read back as soon as writeback has put them on the medium.
        let verifier = BackgroundVerifier(fd: fd, ranges: map.ranges, dropCache: isDevice)
        defer { _ = verifier.finish() }  // before the descriptor closes
        var unverified = layout.bodyRanges[...]
        func submit(upTo durable: UInt64) {
            let ready = unverified.prefix { map.ranges[$0].offset + map.ranges[$0].length <= durable }
            verifier.submit(Array(ready))
            unverified = unverified.dropFirst(ready.count)
        }
        var writeback = WritebackWindow()
        try RawIO.withBuffer { buffer in
            for (index, pieces) in layout.bodyData.enumerated() {
                for piece in pieces {
                    try copy(piece, imageFD: imageFD, fd: fd, buffer: buffer, meter: &meter, writeback: &writeback,
                             stoppable: true, showProgress: true, onDurable: submit(upTo:))
                }
                hooks.afterRange?(index)
                if let signal = stop.requested { try interrupted(fd, signal: signal, written: meter.done) }
            }
        }
        reporter.update(item, "syncing \(ByteSize.mebibytes(meter.done))")
        try io("syncing") { try sync(fd) }
        try hooks.beforeReadBack?(targetURL)
        if let signal = stop.requested { try interrupted(fd, signal: signal, written: meter.done) }

        // Verify the body before the head makes the target bootable.
        reporter.update(item, "verifying \(ByteSize.mebibytes(total - layout.headBytes))")
        submit(upTo: .max)
        try check(verifier.finish(), blockZeroWritten: false)
        if let signal = stop.requested { try interrupted(fd, signal: signal, written: meter.done) }

        // The head, last.
        reporter.update(item, "writing the held-back \(ByteSize.binary(layout.headBytes)) (partition table and boot sector) and verifying it")
        for gap in layout.headZeros {
            try io("zeroing part of") { try RawIO.zero(fd, offset: gap.offset, length: gap.length, blockDevice: isDevice) }
            zeroed += gap.length
        }
        try RawIO.withBuffer { buffer in
            for piece in layout.headData {
                try copy(piece, imageFD: imageFD, fd: fd, buffer: buffer, meter: &meter, writeback: &writeback,
                         stoppable: false, showProgress: false, onDurable: { _ in })
            }
        }
        try io("syncing") { try sync(fd) }
        try verify(fd, ranges: layout.headRanges, blockZeroWritten: true)
        if isDevice { _ = ioctl(fd, RawIO.blkRereadPartitions) }  // show the new partitions; harmless if refused

        let seconds = Date().timeIntervalSince(started)
        let rate = seconds > 0 ? Double(total) / seconds / 1_048_576 : 0
        reporter.update(item, "done: \(ByteSize.mebibytes(total)) written and verified in " + String(format: "%.1f s (%.0f MiB/s)", seconds, rate))
        return FlashReport(bytesWritten: total, bytesZeroed: zeroed, rangesVerified: map.ranges.count, seconds: seconds)
    }

    private var isDevice: Bool { plan.target.kind == .blockDevice }

    // MARK: - Steps

    /// Every mapped range must hash as the map says, and nothing outside the
    /// map may hold data, or the image is not the one the map describes.
    private func checkImage(_ imageFD: Int32) throws {
        let map = plan.map
        reporter.update(item, "checking \(plan.imagePath) against its block map")
        let hashes: [String]
        do { hashes = try RawIO.hashes(imageFD, map.ranges.map { ($0.offset, $0.length) }) } catch let f as RawIO.Failure {
            throw FlashError.imageUnreadable(plan.imagePath, String(cString: strerror(f.errno)))
        }
        for (i, range) in map.ranges.enumerated() where hashes[i] != range.sha256 {
            throw FlashError.imageCorrupt(plan.imagePath, "\(BlockMapRangeDescription(index: i, offset: range.offset, length: range.length)) has SHA-256 \(hashes[i]), the map says \(range.sha256)")
        }
        var previousEnd: UInt64 = 0
        for range in map.ranges + [BlockMap.Range(offset: map.imageSize, length: 0, sha256: "")] {
            if range.offset > previousEnd {
                let found: UInt64?
                do { found = try RawIO.firstNonZeroByte(imageFD, from: previousEnd, to: range.offset) } catch let f as RawIO.Failure {
                    throw FlashError.imageUnreadable(plan.imagePath, String(cString: strerror(f.errno)))
                }
                if let offset = found {
                    throw FlashError.imageCorrupt(plan.imagePath, "it has data at offset \(offset), which the block map leaves out")
                }
            }
            previousEnd = range.offset + range.length
        }
    }

    private func openTarget() throws -> Int32 {
        let path = plan.target.resolvedPath
        let fd: Int32
        switch plan.target.kind {
        case .blockDevice: fd = open(path, O_RDWR | O_CLOEXEC | O_EXCL)
        case .regularFile: fd = open(path, O_RDWR | O_CLOEXEC)
        case .newFile: fd = open(path, O_RDWR | O_CLOEXEC | O_CREAT | O_EXCL, 0o644)
        }
        if fd < 0 {
            let code = errno
            if code == EBUSY { throw FlashError.busy(plan.target.path) }
            var error = FlashError.writeFailed(plan.target.path, "opening", errno: code, blockZeroWritten: true)
            error.message += "; nothing was written"
            if code == EACCES || code == EPERM { error.hint = "writing to a disk needs root: run it with sudo, or join the 'disk' group" }
            throw error
        }
        if plan.target.kind != .blockDevice, plan.target.size != plan.map.imageSize || plan.target.kind == .newFile {
            // A file target ends up exactly the image's size; new bytes read as zero.
            if ftruncate(fd, off_t(plan.map.imageSize)) != 0 {
                let code = errno
                close(fd)
                throw FlashError.writeFailed(plan.target.path, "resizing", errno: code, blockZeroWritten: true)
            }
        }
        return fd
    }

    private func copy(_ piece: Layout.Piece, imageFD: Int32, fd: Int32, buffer: UnsafeMutableRawPointer,
                      meter: inout Meter, writeback: inout WritebackWindow, stoppable: Bool, showProgress: Bool,
                      onDurable: (UInt64) -> Void) throws {
        var done: UInt64 = 0
        while done < piece.length {
            let n = Int(min(UInt64(RawIO.chunkSize), piece.length - done))
            let offset = piece.offset + done
            do { try RawIO.preadFully(imageFD, buffer, n, at: offset) } catch let f as RawIO.Failure {
                throw FlashError.imageUnreadable(plan.imagePath, String(cString: strerror(f.errno)))
            }
            try io("writing to") { try RawIO.pwriteFully(fd, buffer, n, at: offset) }
            if let durable = writeback.wrote(fd, offset: offset, length: UInt64(n)) { onDurable(durable) }
            done += UInt64(n)
            meter.done += UInt64(n)
            if showProgress, let state = meter.state() { reporter.update(item, state) }
            if stoppable, let signal = stop.requested { try interrupted(fd, signal: signal, written: meter.done) }
        }
    }

    /// Reads `ranges` back from the device itself and compares them with the map.
    private func verify(_ fd: Int32, ranges: [Int], blockZeroWritten: Bool) throws {
        let verifier = BackgroundVerifier(fd: fd, ranges: plan.map.ranges, dropCache: isDevice)
        verifier.submit(ranges)
        try check(verifier.finish(), blockZeroWritten: blockZeroWritten)
    }

    private func check(_ problem: BackgroundVerifier.Problem?, blockZeroWritten: Bool) throws {
        switch problem {
        case nil: return
        case .readError(let code):
            throw FlashError.writeFailed(plan.target.path, "reading back", errno: code, blockZeroWritten: blockZeroWritten)
        case .mismatch(let i):
            let r = plan.map.ranges[i]
            throw FlashError.verifyFailed(plan.target.path, range: BlockMapRangeDescription(index: i, offset: r.offset, length: r.length),
                                          blockZeroWritten: blockZeroWritten)
        }
    }

    private func sync(_ fd: Int32) throws {
        while fsync(fd) != 0 {
            if errno != EINTR { throw RawIO.Failure(errno: errno) }
        }
    }

    private func interrupted(_ fd: Int32, signal: String, written: UInt64) throws -> Never {
        _ = fsync(fd)  // leave what was written in a known state
        reporter.update(item, "failed: stopped by \(signal)")
        throw FlashError.interrupted(plan.target.path, signal: signal, written: written, total: plan.map.mappedBytes)
    }

    /// Runs a system call wrapper and turns its errno into a ``FlashError``.
    private func io(_ what: String, _ body: () throws -> Void) throws {
        do { try body() } catch let f as RawIO.Failure {
            throw FlashError.writeFailed(plan.target.path, what, errno: f.errno, blockZeroWritten: false)
        }
    }
}

/// Progress: bytes, rate and time left, at most ten updates a second.
struct Meter {
    var total: UInt64
    var done: UInt64 = 0
    let started = Date()
    var lastShown = Date.distantPast

    init(total: UInt64) { self.total = total }

    mutating func state() -> String? {
        let now = Date()
        guard now.timeIntervalSince(lastShown) >= 0.1 || done == total else { return nil }
        lastShown = now
        let seconds = now.timeIntervalSince(started)
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let left = rate > 0 ? Double(total - min(done, total)) / rate : 0
        let percent = total > 0 ? Double(done) * 100 / Double(total) : 100
        return "writing \(ByteSize.mebibytes(done)) of \(ByteSize.mebibytes(total)) "
            + String(format: "(%.0f%%), %.1f MiB/s, %.0f s left", percent, rate / 1_048_576, left)
    }
}
