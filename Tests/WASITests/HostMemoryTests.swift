import Foundation
import Testing
import WasmEngine
import WasmHost

/// The host's linear memories (`HostPlatform.memoryReservation`): reserved with mmap at their
/// maximum, so growing neither copies nor zero-fills.
@Suite struct HostMemoryTests {
    /// (memory 4096) (256 MiB, no maximum) exporting "grow" (pages → old size) and "store"
    /// (address, byte), written out by hand.
    static let module: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
        0x01, 0x0B, 0x02, 0x60, 0x01, 0x7F, 0x01, 0x7F, 0x60, 0x02, 0x7F, 0x7F, 0x00,
        0x03, 0x03, 0x02, 0x00, 0x01,
        0x05, 0x04, 0x01, 0x00, 0x80, 0x20,
        0x07, 0x10, 0x02, 0x04, 0x67, 0x72, 0x6F, 0x77, 0x00, 0x00, 0x05, 0x73, 0x74, 0x6F, 0x72, 0x65, 0x00, 0x01,
        0x0A, 0x12, 0x02, 0x06, 0x00, 0x20, 0x00, 0x40, 0x00, 0x0B, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01, 0x3A, 0x00, 0x00, 0x0B]

    static func residentBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])) * 1024
    }

    @Test("growing a 256 MiB memory past its first block keeps it in place and does not touch its pages",
          .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/status")))
    func growthTouchesNothing() throws {
        let store = Store(configuration: Configuration(memoryReservation: HostPlatform.memoryReservation))
        let instance = try Instance.instantiate(try Module.decode(Self.module), imports: Imports(), store: store)
        let memory = try #require(instance.memory)
        let base = memory.buffer.baseAddress
        #expect(memory.capacity == 1 << 32)
        let before = try Self.residentBytes()
        _ = try instance.invoke("store", [.i32(0x0FFF_FFFF), .i32(1)])
        #expect(try instance.invoke("grow", [.i32(1)]) == [.i32(4096)])
        _ = try instance.invoke("store", [.i32(0x1000_FFFF), .i32(2)])
        #expect(memory.buffer.baseAddress == base)
        #expect(memory.buffer[0x0FFF_FFFF] == 1 && memory.buffer[0x1000_FFFF] == 2 && memory.buffer[0x0800_0000] == 0)
        // calloc and a copy into a doubled block wrote all 256 MiB (and more); other tests run
        // beside this one, so allow them 64 MiB.
        #expect(try Self.residentBytes() - before < 64 << 20)
        store.release()
    }
}
