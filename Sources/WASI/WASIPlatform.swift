/// What WASI needs from the machine it runs on: stdio, clocks, randomness.
///
/// The Linux implementation is `HostPlatform` in WasmHost; the seL4 runner
/// implements it over the debug console and a timer. Everything file-like
/// beyond stdio comes from a `WASIFileTree`, so a platform needs no file
/// system.
public protocol WASIPlatform {
    /// Writes to fd 1 (stdout) or 2 (stderr). Returns the number of bytes
    /// written (0...bytes.count), or a negated WASI errno (e.g. -29 for EIO)
    /// when nothing could be written.
    mutating func write(fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int

    /// Reads from fd 0 (stdin). Returns the number of bytes read, 0 at end of
    /// input, or a negated WASI errno.
    mutating func read(fd: Int32, into: UnsafeMutableRawBufferPointer) -> Int

    /// The time of clock `id` (0 realtime, 1 monotonic, 2 process CPU time,
    /// 3 thread CPU time) in nanoseconds, or nil when the clock is unsupported.
    func clock(_ id: UInt32) -> UInt64?

    /// The resolution of clock `id` in nanoseconds, or nil when unsupported.
    func clockResolution(_ id: UInt32) -> UInt64?

    /// Fills the buffer with cryptographically secure random bytes.
    mutating func random(into: UnsafeMutableRawBufferPointer)

    /// Waits for about `nanoseconds` (poll_oneoff with a clock subscription).
    /// The default spins on the monotonic clock; a platform with a timer
    /// should block instead.
    mutating func sleep(nanoseconds: UInt64)

    /// Whether stdio fd `fd` (0, 1 or 2) is a terminal: fd_fdstat_get then
    /// reports a character device, which is how wasi-libc's isatty decides
    /// between line and full buffering. Default: false.
    func isTerminal(fd: Int32) -> Bool
}

extension WASIPlatform {
    public mutating func sleep(nanoseconds: UInt64) {
        guard let start = clock(WASIABI.clockMonotonic) else { return }
        while let now = clock(WASIABI.clockMonotonic), now &- start < nanoseconds {}
    }

    public func isTerminal(fd: Int32) -> Bool { false }
}
