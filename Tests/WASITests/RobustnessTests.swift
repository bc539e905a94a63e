import Testing
import TestSupport
import WASI
import WasmEngine

/// Random arguments to every WASI call: no crash, no trap, and every result
/// is a preview1 errno.
@Suite struct RobustnessTests {
    /// Values that find edge cases: small fds, pointers near the end of memory and of 4 GiB.
    static func interesting(_ rng: inout SplitMix64) -> Int {
        let choices = [0, 1, 2, 3, 4, 5, -1, 8, 16, 100, 1000, 4096, 65528, 65535, 65536, 0x7FFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFF8]
        if Bool.random(using: &rng) { return choices.randomElement(using: &rng)! }
        return Int(UInt32.random(in: 0...UInt32.max, using: &rng))
    }

    @Test("every call survives random arguments and random memory", arguments: wasiSignatures.map(\.name).filter { $0 != "proc_exit" })
    func randomArguments(name: String) throws {
        let h = try Harness(stdin: Array("input".utf8))
        var rng = SplitMix64(state: name.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) })   // the same numbers every run
        let count = wasiSignatures.first { $0.name == name }!.params.count
        for round in 0..<300 {
            // Scribble over the first pages so pointers read from memory (iovecs, subscriptions) are random too.
            if round % 10 == 0 {
                for i in 0..<8192 { h.memory.buffer[i] = UInt8.random(in: 0...255, using: &rng) }
            }
            let args = (0..<count).map { _ in Self.interesting(&rng) }
            let errno: Int
            switch args.count {
            case 0: errno = try h.call(name)
            case 1: errno = try h.call(name, args[0])
            case 2: errno = try h.call(name, args[0], args[1])
            case 3: errno = try h.call(name, args[0], args[1], args[2])
            case 4: errno = try h.call(name, args[0], args[1], args[2], args[3])
            case 5: errno = try h.call(name, args[0], args[1], args[2], args[3], args[4])
            case 6: errno = try h.call(name, args[0], args[1], args[2], args[3], args[4], args[5])
            case 7: errno = try h.call(name, args[0], args[1], args[2], args[3], args[4], args[5], args[6])
            default: errno = try h.call(name, args[0], args[1], args[2], args[3], args[4], args[5], args[6], args[7], args[8])
            }
            #expect((0...76).contains(errno), "\(name)\(args) returned \(errno)")
        }
    }
}
