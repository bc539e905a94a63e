import Foundation
import Testing
@testable import WasmEngine

/// memory.grow: amortised growth within the maximum, contents kept, new pages zero, and memory
/// allocated as it is used.
@Suite struct MemoryGrowthTests {
    /// (memory MIN MAX?) with "grow" (pages → old size), "load" (address → byte), "store" (address, byte).
    static func module(min: Int, max: Int?) -> [UInt8] {
        let limits: [UInt8] = max.map { [0x01] + Wasm.leb(min) + Wasm.leb($0) } ?? [0x00] + Wasm.leb(min)
        return Wasm.header
            + Wasm.section(1, Wasm.vec([[0x60, 0x01, 0x7F, 0x01, 0x7F], [0x60, 0x02, 0x7F, 0x7F, 0x00]]))
            + Wasm.section(3, Wasm.vec([[0x00], [0x00], [0x01]]))
            + Wasm.section(5, Wasm.vec([limits]))
            + Wasm.section(7, Wasm.vec([Wasm.name("grow") + [0x00, 0x00], Wasm.name("load") + [0x00, 0x01],
                                        Wasm.name("store") + [0x00, 0x02]]))
            + Wasm.section(10, Wasm.vec([
                Wasm.body([0x20, 0x00, 0x40, 0x00, 0x0B]),                    // memory.grow
                Wasm.body([0x20, 0x00, 0x2D, 0x00, 0x00, 0x0B]),              // i32.load8_u
                Wasm.body([0x20, 0x00, 0x20, 0x01, 0x3A, 0x00, 0x00, 0x0B]),  // i32.store8
            ]))
    }

    @Test("growing a page at a time doubles the block, up to the module's maximum, keeping the contents")
    func doublingWithinTheMaximum() throws {
        let store = Store()
        let instance = try Instance.instantiate(try Module.decode(Self.module(min: 1, max: 10)), imports: Imports(), store: store)
        let memory = try #require(instance.memory)
        #expect(memory.capacity == 65536)
        var capacities: [Int] = []
        for page in 1..<10 {
            // Mark the last byte of the memory so far; after growing it must still be there.
            _ = try instance.invoke("store", [.i32(UInt32(page * 65536 - 1)), .i32(UInt32(page))])
            #expect(try instance.invoke("grow", [.i32(1)]) == [.i32(UInt32(page))])
            capacities.append(memory.capacity / 65536)
            #expect(try instance.invoke("load", [.i32(UInt32((page + 1) * 65536 - 1))]) == [.i32(0)])
        }
        #expect(capacities == [2, 4, 4, 8, 8, 8, 8, 10, 10])
        for page in 1..<10 {
            #expect(try instance.invoke("load", [.i32(UInt32(page * 65536 - 1))]) == [.i32(UInt32(page))])
        }
        #expect(memory.byteCount == 10 * 65536)
        #expect(try instance.invoke("grow", [.i32(1)]) == [.i32(0xFFFF_FFFF)])
        #expect(memory.capacity == 10 * 65536)
    }

    @Test("the host's page limit caps the block too")
    func hostLimitCapsTheBlock() throws {
        let store = Store(configuration: Configuration(maxMemoryPages: 3))
        let instance = try Instance.instantiate(try Module.decode(Self.module(min: 2, max: nil)), imports: Imports(), store: store)
        #expect(try instance.invoke("grow", [.i32(1)]) == [.i32(2)])
        #expect(instance.memory?.capacity == 3 * 65536)
        #expect(try instance.invoke("grow", [.i32(1)]) == [.i32(0xFFFF_FFFF)])
    }

    /// A reservation from calloc that logs what is reserved and released.
    final class ReservationLog: @unchecked Sendable {
        let lock = NSLock()
        var reserved: [Int] = []
        var released: [Int] = []
        func record(_ f: (ReservationLog) -> Void) { lock.lock(); f(self); lock.unlock() }
        var reservation: MemoryReservation {
            MemoryReservation(reserve: { n in
                self.record { $0.reserved.append(n) }
                return calloc(1, n)
            }, release: { base, n in
                self.record { $0.released.append(n) }
                free(base)
            })
        }
    }

    @Test("with a reservation a memory reserves its maximum once and grows in place")
    func reservedMemoryGrowsInPlace() throws {
        let log = ReservationLog()
        do {
            let store = Store(configuration: Configuration(maxMemoryPages: 12, memoryReservation: log.reservation))
            let instance = try Instance.instantiate(try Module.decode(Self.module(min: 1, max: 10)), imports: Imports(), store: store)
            let memory = try #require(instance.memory)
            let base = memory.buffer.baseAddress
            #expect(memory.capacity == 10 * 65536)
            _ = try instance.invoke("store", [.i32(65535), .i32(9)])
            for page in 1..<10 {
                #expect(try instance.invoke("grow", [.i32(1)]) == [.i32(UInt32(page))])
                #expect(memory.buffer.baseAddress == base)
                #expect(try instance.invoke("load", [.i32(UInt32((page + 1) * 65536 - 1))]) == [.i32(0)])
            }
            #expect(try instance.invoke("load", [.i32(65535)]) == [.i32(9)])
            #expect(try instance.invoke("grow", [.i32(1)]) == [.i32(0xFFFF_FFFF)])
            #expect(log.reserved == [10 * 65536])
            store.release()
        }
        // A module without a maximum reserves the host's limit; the store let go of both.
        let other = Store(configuration: Configuration(maxMemoryPages: 12, memoryReservation: log.reservation))
        _ = try Instance.instantiate(try Module.decode(Self.module(min: 0, max: nil)), imports: Imports(), store: other)
        other.release()
        #expect(log.reserved == [10 * 65536, 12 * 65536])
        #expect(log.released == [10 * 65536, 12 * 65536])
    }

    @Test("a reservation that fails leaves the memory to calloc")
    func failedReservationFallsBack() throws {
        let reservation = MemoryReservation(reserve: { _ in nil }, release: { _, _ in Issue.record("nothing to release") })
        let store = Store(configuration: Configuration(memoryReservation: reservation))
        let instance = try Instance.instantiate(try Module.decode(Self.module(min: 1, max: 10)), imports: Imports(), store: store)
        #expect(instance.memory?.capacity == 65536)
        #expect(try instance.invoke("grow", [.i32(1)]) == [.i32(1)])
        #expect(instance.memory?.capacity == 2 * 65536)
        store.release()
    }

    /// The process's resident set, from /proc/self/status (Linux).
    static func residentBytes() throws -> Int {
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") })
        return try #require(Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])) * 1024
    }

    @Test("a 4 GiB memory occupies only the pages written", .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/status")))
    func largeMemoryIsAllocatedAsUsed() throws {
        let before = try Self.residentBytes()
        let store = Store()
        let instance = try Instance.instantiate(try Module.decode(Self.module(min: 1, max: nil)), imports: Imports(), store: store)
        #expect(try instance.invoke("grow", [.i32(65535)]) == [.i32(1)])
        _ = try instance.invoke("store", [.i32(0xFFFF_FFFF), .i32(7)])
        #expect(try instance.invoke("load", [.i32(0xFFFF_FFFF)]) == [.i32(7)])
        #expect(try instance.invoke("load", [.i32(0x8000_0000)]) == [.i32(0)])
        #expect(instance.memory?.byteCount == 1 << 32)
        // Before: all 4 GiB written with zeros at once. Other tests run beside this one, so
        // allow them 1 GiB.
        #expect(try Self.residentBytes() - before < 1 << 30)
        store.release()
    }
}
