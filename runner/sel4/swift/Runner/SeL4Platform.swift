import CRunner
import WASI

/// WASI's view of the machine on seL4: the debug console for stdout and
/// stderr, no stdin (end of input at once), the ARM generic timer for
/// clocks, and a seeded pseudo-random generator (there is no entropy source).
struct SeL4Platform: WASIPlatform {
    /// Seconds since 1970 at boot for the realtime clock: the archive's
    /// timestamp (SOURCE_DATE_EPOCH), as there is no real-time clock.
    var epochSeconds: UInt64

    mutating func write(fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        Console.write(bytes)
        return bytes.count
    }

    mutating func read(fd: Int32, into: UnsafeMutableRawBufferPointer) -> Int {
        0
    }

    /// Nanoseconds since boot from the virtual counter.
    static func uptime() -> UInt64 {
        let ticks = wasm_runner_counter()
        let frequency = max(wasm_runner_counter_frequency(), 1)
        return (ticks / frequency) &* 1_000_000_000 &+ (ticks % frequency) &* 1_000_000_000 / frequency
    }

    func clock(_ id: UInt32) -> UInt64? {
        switch id {
        case 0: return epochSeconds &* 1_000_000_000 &+ Self.uptime()
        case 1, 2, 3: return Self.uptime()
        default: return nil
        }
    }

    func clockResolution(_ id: UInt32) -> UInt64? {
        guard id <= 3 else { return nil }
        let frequency = max(wasm_runner_counter_frequency(), 1)
        return max(1, (1_000_000_000 + frequency - 1) / frequency)
    }

    mutating func random(into buffer: UnsafeMutableRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        wasm_runner_random(base.assumingMemoryBound(to: UInt8.self), UInt(buffer.count))
    }
}
