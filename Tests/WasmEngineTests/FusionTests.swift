import Testing
@testable import WasmEngine

/// Superinstructions the compiler forms from common wasm sequences: the fused form must give
/// exactly what the separate instructions give.
@Suite struct FusionTests {
    /// Four (f64, f64, f64) -> f64 functions over params a, b, c: c + a*b, a*b + c, a*b - c, c - a*b.
    static let module: [UInt8] = {
        let get0: [UInt8] = [0x20, 0x00], get1: [UInt8] = [0x20, 0x01], get2: [UInt8] = [0x20, 0x02]
        let mul: [UInt8] = [0xA2], add: [UInt8] = [0xA0], sub: [UInt8] = [0xA1], end: [UInt8] = [0x0B]
        let bodies = [get2 + get0 + get1 + mul + add + end, get0 + get1 + mul + get2 + add + end,
                      get0 + get1 + mul + get2 + sub + end, get2 + get0 + get1 + mul + sub + end]
        return Wasm.header
            + Wasm.section(1, Wasm.vec([[0x60, 0x03, 0x7C, 0x7C, 0x7C, 0x01, 0x7C]]))
            + Wasm.section(3, Wasm.vec([[0x00], [0x00], [0x00], [0x00]]))
            + Wasm.section(7, Wasm.vec(["cab", "abc", "absubc", "csubab"].enumerated().map { Wasm.name($1) + [0x00, UInt8($0)] }))
            + Wasm.section(10, Wasm.vec(bodies.map { Wasm.body($0) }))
    }()

    static func d(_ x: Double) -> Value { .f64(x.bitPattern) }

    @Test("f64.mul and the add or sub consuming it become one instruction that rounds twice, as wasm does")
    func multiplyAddRoundsTwice() throws {
        let store = Store()
        let instance = try Instance.instantiate(try Module.decode(Self.module), imports: Imports(), store: store)
        // a*b = 1 - 2^-54 exactly, which rounds to 1: with c = -1 the two roundings give 0, a
        // fused multiply-add would give -2^-54.
        let a = 1 + 0x1p-27, b = 1 - 0x1p-27
        #expect(try instance.invoke("cab", [Self.d(a), Self.d(b), Self.d(-1)]) == [Self.d(0)])
        #expect(try instance.invoke("abc", [Self.d(a), Self.d(b), Self.d(-1)]) == [Self.d(0)])
        #expect(try instance.invoke("absubc", [Self.d(a), Self.d(b), Self.d(1)]) == [Self.d(0)])
        #expect(try instance.invoke("csubab", [Self.d(a), Self.d(b), Self.d(1)]) == [Self.d(0)])
        #expect(try instance.invoke("cab", [Self.d(3), Self.d(4), Self.d(5)]) == [Self.d(17)])
        #expect(try instance.invoke("abc", [Self.d(3), Self.d(4), Self.d(5)]) == [Self.d(17)])
        #expect(try instance.invoke("absubc", [Self.d(3), Self.d(4), Self.d(5)]) == [Self.d(7)])
        #expect(try instance.invoke("csubab", [Self.d(3), Self.d(4), Self.d(5)]) == [Self.d(-7)])
        // Each body compiled to the fused instruction and a return.
        let opcodes = store.functions.map { function -> [UInt16] in
            let compiled = function.compiled!
            return (0..<compiled.count).map { UInt16(truncatingIfNeeded: compiled.code[$0]) }
        }
        #expect(opcodes.map { $0.first } == [Op.f64MulAdd, Op.f64MulAdd, Op.f64MulSub, Op.f64SubMul])
        #expect(opcodes.map { $0.count } == [3, 3, 3, 3])
    }
}
