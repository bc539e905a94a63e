#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WASI
import WasmEngine

/// The Linux WASI platform: the process's real fds 0, 1 and 2, clock_gettime,
/// getrandom (through SystemRandomNumberGenerator), nanosleep.
public struct HostPlatform: WASIPlatform {
    public init() {}

    /// Linear memories in anonymous private mappings of their maximum size (at most 4 GiB of
    /// address space each, MAP_NORESERVE): pages read as zero and take memory only once the
    /// module writes them, and growing never copies. nil from `reserve` (no address space, or
    /// strict overcommit) makes the memory fall back to calloc.
    public static let memoryReservation = MemoryReservation(
        reserve: { byteCount in
            let base = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
            guard let base, base != MAP_FAILED else { return nil }
            return base
        },
        release: { base, byteCount in _ = munmap(base, byteCount) })

    public mutating func write(fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        guard fd == 1 || fd == 2, let base = bytes.baseAddress else { return bytes.isEmpty ? 0 : -8 }
        while true {
            let written = Glibc.write(fd, base, bytes.count)
            if written >= 0 { return written }
            if errno == EINTR { continue }
            return -Self.wasiErrno(errno)
        }
    }

    public mutating func read(fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        guard fd == 0, let base = buffer.baseAddress else { return buffer.isEmpty ? 0 : -8 }
        while true {
            let count = Glibc.read(fd, base, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            return -Self.wasiErrno(errno)
        }
    }

    /// WASI clock ids 0…3 are CLOCK_REALTIME, CLOCK_MONOTONIC,
    /// CLOCK_PROCESS_CPUTIME_ID and CLOCK_THREAD_CPUTIME_ID.
    static func hostClock(_ id: UInt32) -> clockid_t? {
        switch id {
        case 0: return CLOCK_REALTIME
        case 1: return CLOCK_MONOTONIC
        case 2: return CLOCK_PROCESS_CPUTIME_ID
        case 3: return CLOCK_THREAD_CPUTIME_ID
        default: return nil
        }
    }

    public func clock(_ id: UInt32) -> UInt64? {
        guard let clock = Self.hostClock(id) else { return nil }
        var time = timespec()
        guard clock_gettime(clock, &time) == 0 else { return nil }
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    public func clockResolution(_ id: UInt32) -> UInt64? {
        guard let clock = Self.hostClock(id) else { return nil }
        var time = timespec()
        guard clock_getres(clock, &time) == 0 else { return nil }
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    /// SystemRandomNumberGenerator is getrandom(2) on Linux: cryptographically secure.
    public mutating func random(into buffer: UnsafeMutableRawBufferPointer) {
        var generator = SystemRandomNumberGenerator()
        var index = 0
        while index < buffer.count {
            var word = generator.next()
            for _ in 0..<min(8, buffer.count - index) {
                buffer[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
    }

    public mutating func sleep(nanoseconds: UInt64) {
        var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }

    public func isTerminal(fd: Int32) -> Bool { isatty(fd) == 1 }

    /// The WASI errno for a Linux errno (the ones write(2) and read(2) return).
    static func wasiErrno(_ code: Int32) -> Int {
        switch code {
        case EAGAIN: return 6
        case EBADF: return 8
        case EFAULT: return 21
        case EFBIG: return 22
        case EINVAL: return 28
        case EIO: return 29
        case EISDIR: return 31
        case ENOSPC: return 51
        case EPIPE: return 64
        default: return 29
        }
    }
}
