import Foundation
import Testing
import TestSupport
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
        let opcodes = FusionFixture.opcodes(store)
        #expect(opcodes.map { $0.first } == [Op.f64MulAdd, Op.f64MulAdd, Op.f64MulSub, Op.f64SubMul])
        #expect(opcodes.map { $0.count } == [3, 3, 3, 3])
    }
}

/// Moves and jumps the compiler pairs: a `copy` right after another becomes one `copyPair` (in
/// order: the second may read the first's destination), never across a branch target; a
/// `constant` right before an unconditional jump becomes a `constantJump`, which spends fuel as
/// a jump does when it goes back.
@Suite struct MoveFusionTests {
    static let text = """
        (module
          (func (export "swap") (param $a i32) (param $b i32) (result i32) (local $t i32)
            (local.set $t (local.get $a))
            (local.set $a (local.get $b))
            (local.set $b (local.get $t))
            (i32.sub (local.get $a) (local.get $b)))
          (func (export "chain") (param $a i32) (result i32) (local $t i32) (local $u i32)
            (local.set $t (local.get $a))
            (local.set $u (local.get $t))
            (local.get $u))
          ;; The loop starts between the two copies: they must stay apart.
          (func (export "loop") (param $n i32) (result i32) (local $acc i32) (local $tmp i32)
            (local.set $acc (local.get $n))
            (loop $l
              (local.set $tmp (local.get $acc))
              (local.set $acc (i32.sub (local.get $tmp) (i32.const 1)))
              (br_if $l (local.get $acc)))
            (local.get $tmp))
          (func (export "pick") (param $p i32) (result i32) (local $r i32)
            (block $done
              (block $zero
                (br_if $zero (i32.eqz (local.get $p)))
                (local.set $r (i32.const 7))
                (br $done))
              (local.set $r (i32.const 9)))
            (local.get $r))
          (func (export "choose") (param $p i32) (result i32) (local $r i32)
            (if (local.get $p) (then (local.set $r (i32.const 5))) (else (local.set $r (i32.const 6))))
            (local.get $r))
          ;; k - 1 backward constant jumps for k >= 1.
          (func (export "spinConst") (param $k i32) (result i32) (local $i i32) (local $r i32)
            (block $out
              (loop $l
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $out (i32.ge_u (local.get $i) (local.get $k)))
                (local.set $r (i32.const 42))
                (br $l)))
            (i32.add (local.get $i) (local.get $r))))
        """

    static let bytes: [UInt8] = try! FusionFixture.assemble(text)

    static func instance(_ configuration: Configuration = Configuration()) throws -> (Store, Instance) {
        let store = Store(configuration: configuration)
        return (store, try Instance.instantiate(try Module.decode(bytes), imports: Imports(), store: store))
    }

    /// The opcodes of function `index`'s code words (data words included: none of these
    /// functions has data that looks like the opcodes asked about).
    static func opcodes(_ store: Store, _ index: Int) -> [UInt16] {
        FusionFixture.opcodes(store)[index]
    }

    @Test("two copies in a row run as one copyPair, in order; not across a loop's start")
    func copyPairs() throws {
        let (store, instance) = try Self.instance()
        #expect(try instance.invoke("swap", [.i32(10), .i32(3)]) == [.i32(UInt32(bitPattern: -7))])
        #expect(try instance.invoke("chain", [.i32(12345)]) == [.i32(12345)])
        #expect(try instance.invoke("loop", [.i32(3)]) == [.i32(1)])
        #expect(Self.opcodes(store, 0).first == Op.copyPair)
        #expect(Self.opcodes(store, 1).first == Op.copyPair)
        #expect(!Self.opcodes(store, 2).contains(Op.copyPair))
    }

    @Test("a constant before br or else runs as one constantJump, backward ones spending fuel as jumps")
    func constantJumps() throws {
        let (store, instance) = try Self.instance()
        #expect(try instance.invoke("pick", [.i32(1)]) == [.i32(7)])
        #expect(try instance.invoke("pick", [.i32(0)]) == [.i32(9)])
        #expect(try instance.invoke("choose", [.i32(1)]) == [.i32(5)])
        #expect(try instance.invoke("choose", [.i32(0)]) == [.i32(6)])
        #expect(try instance.invoke("spinConst", [.i32(5)]) == [.i32(47)])
        for index in [3, 4, 5] {
            #expect(Self.opcodes(store, index).contains(Op.constantJump))
            #expect(!Self.opcodes(store, index).contains(Op.jump))
        }

        let (enough, metered) = try Self.instance(Configuration(fuel: 4 + 7))
        #expect(try metered.invoke("spinConst", [.i32(5)]) == [.i32(47)])
        #expect(enough.fuelRemaining == 7)
        let (short, stopped) = try Self.instance(Configuration(fuel: 3))
        let error = #expect(throws: Trap.self) { try stopped.invoke("spinConst", [.i32(5)]) }
        #expect(error?.reason == .outOfFuel)
        #expect(short.fuelRemaining == 0)
    }
}

/// Integer pairs fused with the instruction that produced their operand: xor then multiply by a
/// constant, shr_u by a constant then and with a constant (the count taken modulo 32), shr_u by a
/// constant then xor with a slot, in either operand order (the count modulo 64).
@Suite struct IntegerPairFusionTests {
    static let text = """
        (module
          (func (export "fnv32") (param $h i32) (param $b i32) (result i32)
            (i32.mul (i32.xor (local.get $h) (local.get $b)) (i32.const 16777619)))
          (func (export "fnv64") (param $h i64) (param $b i64) (result i64)
            (i64.mul (i64.xor (local.get $h) (local.get $b)) (i64.const 1099511628211)))
          (func (export "field") (param $x i32) (result i32)
            (i32.and (i32.shr_u (local.get $x) (i32.const 35)) (i32.const 0xFFF)))
          (func (export "mix") (param $x i64) (result i64)
            (i64.xor (i64.shr_u (local.get $x) (i64.const 97)) (local.get $x)))
          (func (export "mixSwapped") (param $x i64) (param $y i64) (result i64)
            (i64.xor (local.get $y) (i64.shr_u (local.get $x) (i64.const 33)))))
        """

    @Test("each pair runs as one instruction and gives what the two give")
    func pairs() throws {
        let store = Store()
        let instance = try Instance.instantiate(try Module.decode(try FusionFixture.assemble(Self.text)), imports: Imports(), store: store)
        let h: UInt32 = 0x811C_9DC5, x: UInt64 = 0x0123_4567_89AB_CDEF, y: UInt64 = 0xF0F0_0000_1234_5678
        #expect(try instance.invoke("fnv32", [.i32(h), .i32(0x61)]) == [.i32((h ^ 0x61) &* 16_777_619)])
        #expect(try instance.invoke("fnv64", [.i64(x), .i64(0x61)]) == [.i64((x ^ 0x61) &* 1_099_511_628_211)])
        #expect(try instance.invoke("field", [.i32(0xDEAD_BEEF)]) == [.i32((0xDEAD_BEEF >> 3) & 0xFFF)])
        #expect(try instance.invoke("mix", [.i64(x)]) == [.i64(x ^ (x >> 33))])
        #expect(try instance.invoke("mixSwapped", [.i64(x), .i64(y)]) == [.i64(y ^ (x >> 33))])
        let first = store.functions.map { UInt16(truncatingIfNeeded: $0.compiled!.code[0]) }
        #expect(first == [Op.i32XorMulConst, Op.i64XorMulConst, Op.i32ShrUAndConst, Op.i64XorShrUConst, Op.i64XorShrUConst])
    }
}

/// i32 sums fused with the instruction that produced one of their operands: a + b + c, a * b + c
/// and (a << k) + b (the count modulo 32), in either operand order, wrapping at 32 bits as the
/// separate instructions wrap; an operand that is the sum's own slot is read before it is written.
@Suite struct IntegerSumFusionTests {
    static let text = """
        (module
          (func (export "sum3") (param i32 i32 i32) (result i32)
            (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2)))
          (func (export "sum3Swapped") (param i32 i32 i32) (result i32)
            (i32.add (local.get 2) (i32.add (local.get 0) (local.get 1))))
          (func (export "dot") (param i32 i32 i32) (result i32)
            (i32.add (i32.mul (local.get 0) (local.get 1)) (local.get 2)))
          (func (export "dotSwapped") (param i32 i32 i32) (result i32)
            (i32.add (local.get 2) (i32.mul (local.get 0) (local.get 1))))
          (func (export "element") (param i32 i32) (result i32)
            (i32.add (local.get 1) (i32.shl (local.get 0) (i32.const 34))))
          (func (export "elementSwapped") (param i32 i32) (result i32)
            (i32.add (i32.shl (local.get 0) (i32.const 3)) (local.get 1)))
          ;; The other operand is a temporary in the slot the fused sum writes.
          (func (export "nested") (param i32 i32 i32) (result i32)
            (i32.add (i32.mul (local.get 2) (local.get 2)) (i32.add (local.get 0) (local.get 1))))
          ;; A sum that is also stored to a local keeps the separate add (no fusion across a tee).
          (func (export "teed") (param i32 i32 i32) (result i32) (local $t i32)
            (i32.add (local.tee $t (i32.add (local.get 0) (local.get 1))) (local.get 2))
            (local.get $t)
            (i32.add)))
        """

    @Test("each sum runs as one instruction and gives what the two give")
    func sums() throws {
        let store = Store()
        let instance = try Instance.instantiate(try Module.decode(try FusionFixture.assemble(Self.text)), imports: Imports(), store: store)
        let a: UInt32 = 0xFFFF_FFF0, b: UInt32 = 0x7654_3210, c: UInt32 = 0x8000_0001
        #expect(try instance.invoke("sum3", [.i32(a), .i32(b), .i32(c)]) == [.i32(a &+ b &+ c)])
        #expect(try instance.invoke("sum3Swapped", [.i32(a), .i32(b), .i32(c)]) == [.i32(a &+ b &+ c)])
        #expect(try instance.invoke("dot", [.i32(a), .i32(b), .i32(c)]) == [.i32(a &* b &+ c)])
        #expect(try instance.invoke("dotSwapped", [.i32(a), .i32(b), .i32(c)]) == [.i32(a &* b &+ c)])
        #expect(try instance.invoke("element", [.i32(b), .i32(c)]) == [.i32((b &<< 2) &+ c)])
        #expect(try instance.invoke("elementSwapped", [.i32(b), .i32(c)]) == [.i32((b &<< 3) &+ c)])
        #expect(try instance.invoke("nested", [.i32(a), .i32(b), .i32(c)]) == [.i32(c &* c &+ a &+ b)])
        #expect(try instance.invoke("teed", [.i32(a), .i32(b), .i32(c)]) == [.i32((a &+ b) &* 2 &+ c)])
        let first = store.functions.map { UInt16(truncatingIfNeeded: $0.compiled!.code[0]) }
        #expect(Array(first[0..<6]) == [Op.i32AddAdd, Op.i32AddAdd, Op.i32MulAdd, Op.i32MulAdd, Op.i32ShlConstAdd, Op.i32ShlConstAdd])
        let opcodes = FusionFixture.opcodes(store)
        #expect(opcodes[6].contains(Op.i32AddAdd) && opcodes[6].first == 0x6C)
        #expect(opcodes[7].first == 0x6A)
    }
}

/// f64 multiplication chains fused with the `f64.mul` that produced their operand: (a*b)*c in
/// either operand order, then e + (a*b)*c in either order and e - (a*b)*c; each product and sum
/// rounded on its own, as the separate instructions round.
@Suite struct MultiplyChainFusionTests {
    static let text = """
        (module
          (func (export "mulmul") (param f64 f64 f64 f64) (result f64)
            (f64.mul (f64.mul (local.get 0) (local.get 1)) (local.get 2)))
          (func (export "cmul") (param f64 f64 f64 f64) (result f64)
            (f64.mul (local.get 2) (f64.mul (local.get 0) (local.get 1))))
          (func (export "addLast") (param f64 f64 f64 f64) (result f64)
            (f64.add (local.get 3) (f64.mul (f64.mul (local.get 0) (local.get 1)) (local.get 2))))
          (func (export "addFirst") (param f64 f64 f64 f64) (result f64)
            (f64.add (f64.mul (f64.mul (local.get 0) (local.get 1)) (local.get 2)) (local.get 3)))
          (func (export "subtract") (param f64 f64 f64 f64) (result f64)
            (f64.sub (local.get 3) (f64.mul (f64.mul (local.get 0) (local.get 1)) (local.get 2))))
          (func (export "subtractFrom") (param f64 f64 f64 f64) (result f64)
            (f64.sub (f64.mul (f64.mul (local.get 0) (local.get 1)) (local.get 2)) (local.get 3))))
        """

    static func d(_ x: Double) -> Value { .f64(x.bitPattern) }

    @Test("a chain runs as one instruction that rounds each step, as wasm does")
    func chains() throws {
        let store = Store()
        let instance = try Instance.instantiate(try Module.decode(try FusionFixture.assemble(Self.text)), imports: Imports(), store: store)
        // a*b = 1 - 2^-54 exactly, which rounds to 1; times 3 gives 3, so with e = -3 (or 3)
        // the steps give 0 where a fused evaluation would give -3 * 2^-54.
        let a = 1 + 0x1p-27, b = 1 - 0x1p-27
        let args = [Self.d(a), Self.d(b), Self.d(3), Self.d(-3)]
        #expect(try instance.invoke("mulmul", args) == [Self.d(3)])
        #expect(try instance.invoke("cmul", args) == [Self.d(3)])
        #expect(try instance.invoke("addLast", args) == [Self.d(0)])
        #expect(try instance.invoke("addFirst", args) == [Self.d(0)])
        #expect(try instance.invoke("subtract", [Self.d(a), Self.d(b), Self.d(3), Self.d(3)]) == [Self.d(0)])
        #expect(try instance.invoke("subtractFrom", [Self.d(a), Self.d(b), Self.d(3), Self.d(3)]) == [Self.d(0)])
        let plain = [Self.d(1.5), Self.d(-2), Self.d(0.25), Self.d(10)]
        #expect(try instance.invoke("mulmul", plain) == [Self.d(-0.75)])
        #expect(try instance.invoke("cmul", plain) == [Self.d(-0.75)])
        #expect(try instance.invoke("addLast", plain) == [Self.d(9.25)])
        #expect(try instance.invoke("addFirst", plain) == [Self.d(9.25)])
        #expect(try instance.invoke("subtract", plain) == [Self.d(10.75)])
        #expect(try instance.invoke("subtractFrom", plain) == [Self.d(-10.75)])
        // Each body: the fused instruction (2 words) and a return; (a*b)*c - e keeps its f64.sub.
        let opcodes = FusionFixture.opcodes(store)
        #expect(opcodes.map { $0.first } == [Op.f64MulMul, Op.f64MulMul, Op.f64MulMulAdd, Op.f64MulMulAdd, Op.f64SubMulMul, Op.f64MulMul])
        #expect(opcodes.map { $0.count } == [3, 3, 3, 3, 3, 4])
    }
}

/// `x[i] += y`, `x[i] -= a*b*c` and `x[i] += a*b*c` on f64 (a load, the arithmetic, and a store
/// back where the load read) run as one read-modify-write, which traps as the load would; stores
/// elsewhere keep the instructions apart.
@Suite struct AddStoreFusionTests {
    static let text = """
        (module
          (memory 1)
          (func (export "addTo") (param $p i32) (param $y f64)
            (f64.store offset=8 (local.get $p) (f64.add (local.get $y) (f64.load offset=8 (local.get $p)))))
          (func (export "addElsewhere") (param $p i32) (param $y f64)
            (f64.store offset=16 (local.get $p) (f64.add (local.get $y) (f64.load offset=8 (local.get $p)))))
          (func (export "subChain") (param $p i32) (param $a f64) (param $b f64) (param $c f64)
            (f64.store offset=8 (local.get $p)
              (f64.sub (f64.load offset=8 (local.get $p)) (f64.mul (f64.mul (local.get $a) (local.get $b)) (local.get $c)))))
          (func (export "addChain") (param $p i32) (param $a f64) (param $b f64) (param $c f64)
            (f64.store offset=8 (local.get $p)
              (f64.add (f64.load offset=8 (local.get $p)) (f64.mul (f64.mul (local.get $a) (local.get $b)) (local.get $c)))))
          (func (export "subChainElsewhere") (param $p i32) (param $a f64) (param $b f64) (param $c f64)
            (f64.store (local.get $p)
              (f64.sub (f64.load offset=8 (local.get $p)) (f64.mul (f64.mul (local.get $a) (local.get $b)) (local.get $c)))))
          (func (export "get") (param $p i32) (result f64) (f64.load (local.get $p)))
          (func (export "set") (param $p i32) (param $x f64) (f64.store (local.get $p) (local.get $x))))
        """

    static func d(_ x: Double) -> Value { .f64(x.bitPattern) }

    @Test("x[i] += y runs as one f64AddStore and gives what load, add and store give; out of bounds it traps at the load")
    func addToMemory() throws {
        let store = Store()
        let instance = try Instance.instantiate(try Module.decode(try FusionFixture.assemble(Self.text)), imports: Imports(), store: store)
        _ = try instance.invoke("set", [.i32(24), Self.d(1.5)])
        _ = try instance.invoke("addTo", [.i32(16), Self.d(2.25)])
        #expect(try instance.invoke("get", [.i32(24)]) == [Self.d(3.75)])
        _ = try instance.invoke("addElsewhere", [.i32(16), Self.d(1)])
        #expect(try instance.invoke("get", [.i32(24)]) == [Self.d(3.75)])
        #expect(try instance.invoke("get", [.i32(32)]) == [Self.d(4.75)])
        // NaN + x: the same NaN as the separate instructions give (addElsewhere's sum at 32).
        let nan = Value.f64(0x7FF8_0000_0000_0123)
        _ = try instance.invoke("set", [.i32(24), nan])
        _ = try instance.invoke("addElsewhere", [.i32(16), Self.d(1)])
        _ = try instance.invoke("addTo", [.i32(16), Self.d(1)])
        #expect(try instance.invoke("get", [.i32(24)]) == instance.invoke("get", [.i32(32)]))
        // The last 8 bytes of the page are in bounds; one byte further traps, and memory is unchanged.
        _ = try instance.invoke("set", [.i32(65528), Self.d(5)])
        _ = try instance.invoke("addTo", [.i32(65520), Self.d(1)])
        #expect(try instance.invoke("get", [.i32(65528)]) == [Self.d(6)])
        #expect(throws: Trap.self) { try instance.invoke("addTo", [.i32(65521), Self.d(1)]) }
        #expect(try instance.invoke("get", [.i32(65528)]) == [Self.d(6)])
        do {
            _ = try instance.invoke("addTo", [.i32(65521), Self.d(1)])
        } catch {
            #expect(error.reason == .memoryOutOfBounds)
            #expect(error.functionIndex == 0)
        }
        let opcodes = FusionFixture.opcodes(store)
        #expect(opcodes[0].first == Op.f64AddStore)
        #expect(opcodes[0].count == 3)
        #expect(!opcodes[1].contains(Op.f64AddStore))
    }

    @Test("x[i] -= a*b*c and x[i] += a*b*c run as one instruction that rounds each step; out of bounds they trap at the load")
    func multiplyChainToMemory() throws {
        let store = Store()
        let instance = try Instance.instantiate(try Module.decode(try FusionFixture.assemble(Self.text)), imports: Imports(), store: store)
        // a*b = 1 - 2^-54 exactly, which rounds to 1; times 3 gives 3: x = 3 - 3 = 0 where a fused
        // evaluation would leave 3 * 2^-54.
        let a = 1 + 0x1p-27, b = 1 - 0x1p-27
        _ = try instance.invoke("set", [.i32(24), Self.d(3)])
        _ = try instance.invoke("subChain", [.i32(16), Self.d(a), Self.d(b), Self.d(3)])
        #expect(try instance.invoke("get", [.i32(24)]) == [Self.d(0)])
        _ = try instance.invoke("set", [.i32(24), Self.d(-3)])
        _ = try instance.invoke("addChain", [.i32(16), Self.d(a), Self.d(b), Self.d(3)])
        #expect(try instance.invoke("get", [.i32(24)]) == [Self.d(0)])
        _ = try instance.invoke("set", [.i32(24), Self.d(10)])
        _ = try instance.invoke("subChain", [.i32(16), Self.d(1.5), Self.d(-2), Self.d(0.25)])
        #expect(try instance.invoke("get", [.i32(24)]) == [Self.d(10.75)])
        _ = try instance.invoke("addChain", [.i32(16), Self.d(1.5), Self.d(-2), Self.d(0.25)])
        #expect(try instance.invoke("get", [.i32(24)]) == [Self.d(10)])
        // Stored elsewhere: the load, the chain and the store stay apart.
        _ = try instance.invoke("subChainElsewhere", [.i32(16), Self.d(1), Self.d(1), Self.d(4)])
        #expect(try instance.invoke("get", [.i32(16)]) == [Self.d(6)])
        #expect(try instance.invoke("get", [.i32(24)]) == [Self.d(10)])
        // Out of bounds: a trap, and memory unchanged.
        _ = try instance.invoke("set", [.i32(65528), Self.d(5)])
        #expect(throws: Trap.self) { try instance.invoke("subChain", [.i32(65521), Self.d(1), Self.d(1), Self.d(1)]) }
        #expect(throws: Trap.self) { try instance.invoke("addChain", [.i32(65521), Self.d(1), Self.d(1), Self.d(1)]) }
        #expect(try instance.invoke("get", [.i32(65528)]) == [Self.d(5)])
        let opcodes = FusionFixture.opcodes(store)
        #expect(opcodes[2].first == Op.f64SubMulMulStore)
        #expect(opcodes[2].count == 4)
        #expect(opcodes[3].first == Op.f64MulMulAddStore)
        #expect(opcodes[3].count == 4)
        #expect(!opcodes[4].contains(Op.f64SubMulMulStore))
    }
}

/// A `br_table` whose targets take no values runs as `jumpTableNoValues` (no value moves); one
/// whose targets take values keeps `jumpTable`.
@Suite struct JumpTableFormTests {
    static let text = """
        (module
          (func (export "classify") (param i32) (result i32)
            (block $c (block $b (block $a
              (br_table $a $b $c (local.get 0)))
              (return (i32.const 10)))
              (return (i32.const 20)))
            (i32.const 30))
          (func (export "carry") (param i32) (result i32)
            (block $d (result i32) (block $e (result i32)
              (br_table $e $d (i32.const 7) (local.get 0)))
              (i32.const 100) (i32.add))))
        """

    @Test("br_table without values runs as jumpTableNoValues, with values as jumpTable, and both pick the same targets")
    func forms() throws {
        let store = Store()
        let instance = try Instance.instantiate(try Module.decode(try FusionFixture.assemble(Self.text)), imports: Imports(), store: store)
        for (index, expected) in [(0, 10), (1, 20), (2, 30), (3, 30), (0xFFFF_FFFF, 30)] as [(UInt32, UInt32)] {
            #expect(try instance.invoke("classify", [.i32(index)]) == [.i32(expected)])
        }
        #expect(try instance.invoke("carry", [.i32(0)]) == [.i32(107)])
        #expect(try instance.invoke("carry", [.i32(1)]) == [.i32(7)])
        #expect(try instance.invoke("carry", [.i32(9)]) == [.i32(7)])
        let opcodes = FusionFixture.opcodes(store)
        #expect(opcodes[0].contains(Op.jumpTableNoValues) && !opcodes[0].contains(Op.jumpTable))
        #expect(opcodes[1].contains(Op.jumpTable) && !opcodes[1].contains(Op.jumpTableNoValues))
    }
}

/// A branch on `i32.and` with a constant (a flag test) runs as one instruction: br_if as
/// brIfI32AndConst, if as brUnlessI32AndConst, each spending fuel on a backward branch.
@Suite struct FlagBranchFusionTests {
    static let text = """
        (module
          (func (export "flag") (param i32) (result i32)
            (block $set
              (br_if $set (i32.and (local.get 0) (i32.const 0x10)))
              (return (i32.const 0)))
            (i32.const 1))
          (func (export "choose") (param i32) (result i32)
            (if (result i32) (i32.and (local.get 0) (i32.const 0x80000000))
              (then (i32.const 1)) (else (i32.const 2))))
          ;; Counts x down until its low byte is 0: (x & 0xFF) - 1 backward branches for x & 0xFF > 0.
          (func (export "spin") (param i32) (result i32) (local $n i32)
            (loop $l
              (local.set $n (i32.add (local.get $n) (i32.const 1)))
              (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
              (br_if $l (i32.and (local.get 0) (i32.const 0xFF))))
            (local.get $n)))
        """

    @Test("flag tests branch as one instruction and give what and-then-branch gives")
    func flags() throws {
        let bytes = try FusionFixture.assemble(Self.text)
        let store = Store()
        let instance = try Instance.instantiate(try Module.decode(bytes), imports: Imports(), store: store)
        for (x, expected) in [(0x10, 1), (0x1F, 1), (0xFFFF_FFEF, 0), (0, 0)] as [(UInt32, UInt32)] {
            #expect(try instance.invoke("flag", [.i32(x)]) == [.i32(expected)])
        }
        for (x, expected) in [(0x8000_0000, 1), (0xFFFF_FFFF, 1), (0x7FFF_FFFF, 2), (0, 2)] as [(UInt32, UInt32)] {
            #expect(try instance.invoke("choose", [.i32(x)]) == [.i32(expected)])
        }
        #expect(try instance.invoke("spin", [.i32(5)]) == [.i32(5)])
        #expect(try instance.invoke("spin", [.i32(0x103)]) == [.i32(3)])
        let opcodes = FusionFixture.opcodes(store)
        let and = Op.withConst + UInt16(Op.fusableIndex(0x71)!)
        #expect(opcodes[0].first == Op.brIfI32AndConst)
        #expect(opcodes[1].first == Op.brUnlessI32AndConst)
        #expect(opcodes[2].contains(Op.brIfI32AndConst))
        #expect(opcodes.allSatisfy { !$0.contains(and) })

        // spin(5) branches back 4 times: 4 units of fuel are enough, 3 are not.
        let enough = Store(configuration: Configuration(fuel: 4))
        let running = try Instance.instantiate(try Module.decode(bytes), imports: Imports(), store: enough)
        #expect(try running.invoke("spin", [.i32(5)]) == [.i32(5)])
        #expect(enough.fuelRemaining == 0)
        let short = Store(configuration: Configuration(fuel: 3))
        let stopped = try Instance.instantiate(try Module.decode(bytes), imports: Imports(), store: short)
        let error = #expect(throws: Trap.self) { try stopped.invoke("spin", [.i32(5)]) }
        #expect(error?.reason == .outOfFuel)
    }
}

/// A loop counter stepped by a constant and tested at once (`i32.add; local.tee; br_if`, with
/// or without `i32.eqz`, and `if`) runs as one instruction that writes the counter and branches,
/// spending fuel on a backward branch.
@Suite struct CounterBranchFusionTests {
    static let text = """
        (module
          (func (export "countdown") (param i32) (result i32) (local $s i32)
            (loop $l
              (local.set $s (i32.add (local.get $s) (i32.const 3)))
              (br_if $l (local.tee 0 (i32.add (local.get 0) (i32.const -1)))))
            (local.get $s))
          (func (export "untilWrap") (param i32) (result i32) (local $s i32)
            (block $done
              (loop $l
                (br_if $done (i32.eqz (local.tee 0 (i32.add (local.get 0) (i32.const 1)))))
                (local.set $s (i32.add (local.get $s) (i32.const 1)))
                (br $l)))
            (local.get $s))
          (func (export "step") (param i32) (result i32)
            (if (result i32) (local.tee 0 (i32.add (local.get 0) (i32.const 5)))
              (then (local.get 0)) (else (i32.const 99)))))
        """

    @Test("the add writes the counter and the branch tests it, in one instruction")
    func counters() throws {
        let bytes = try FusionFixture.assemble(Self.text)
        let store = Store()
        let instance = try Instance.instantiate(try Module.decode(bytes), imports: Imports(), store: store)
        #expect(try instance.invoke("countdown", [.i32(4)]) == [.i32(12)])
        #expect(try instance.invoke("countdown", [.i32(1)]) == [.i32(3)])
        #expect(try instance.invoke("untilWrap", [.i32(0xFFFF_FFFD)]) == [.i32(2)])
        #expect(try instance.invoke("untilWrap", [.i32(0xFFFF_FFFF)]) == [.i32(0)])
        #expect(try instance.invoke("step", [.i32(1)]) == [.i32(6)])
        #expect(try instance.invoke("step", [.i32(0xFFFF_FFFB)]) == [.i32(99)])
        let opcodes = FusionFixture.opcodes(store)
        #expect(opcodes[0].contains(Op.i32AddConstBrIf))
        #expect(opcodes[1].contains(Op.i32AddConstBrUnless))
        #expect(opcodes[2].first == Op.i32AddConstBrUnless)
        #expect(opcodes.allSatisfy { !$0.contains(Op.jumpIf) && !$0.contains(Op.jumpUnless) })

        // countdown(4) branches back 3 times: 3 units of fuel are enough, 2 are not.
        let enough = Store(configuration: Configuration(fuel: 3))
        let running = try Instance.instantiate(try Module.decode(bytes), imports: Imports(), store: enough)
        #expect(try running.invoke("countdown", [.i32(4)]) == [.i32(12)])
        #expect(enough.fuelRemaining == 0)
        let short = Store(configuration: Configuration(fuel: 2))
        let stopped = try Instance.instantiate(try Module.decode(bytes), imports: Imports(), store: short)
        let error = #expect(throws: Trap.self) { try stopped.invoke("countdown", [.i32(4)]) }
        #expect(error?.reason == .outOfFuel)
    }
}

/// What the fusion suites share: a text module assembled with wabt's
/// `wat2wasm`, and the opcodes the compiler wrote for each function.
/// A loop counter stepped by a constant and compared with its end at once (`i32.add; local.tee;
/// i32.ne; br_if`, either operand order, and the i64 form) runs as one instruction that writes
/// the counter, wraps as the add wraps, and spends fuel on a backward branch; so does a byte
/// compared with a masked one (`x != (y & 0xFF)`).
@Suite struct CounterCompareFusionTests {
    static let text = """
        (module
          (func (export "sumTo") (param $n i32) (result i32) (local $i i32) (local $s i32)
            (loop $l
              (local.set $s (i32.add (local.get $s) (local.get $i)))
              (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
            (local.get $s))
          (func (export "steps") (param $i i32) (param $n i32) (result i32) (local $c i32)
            (loop $l
              (local.set $c (i32.add (local.get $c) (i32.const 1)))
              (br_if $l (i32.ne (local.get $n) (local.tee $i (i32.add (local.get $i) (i32.const 3))))))
            (local.get $c))
          (func (export "sumTo64") (param $n i64) (result i64) (local $i i64) (local $s i64)
            (loop $l
              (local.set $s (i64.add (local.get $s) (local.get $i)))
              (br_if $l (i64.ne (local.get $n) (local.tee $i (i64.add (local.get $i) (i64.const 1))))))
            (local.get $s))
          ;; Bytes compared after zero-extension (zlib's match loop): 1 when x == y & 0xFF.
          (func (export "sameByte") (param i32 i32) (result i32)
            (block $differ
              (br_if $differ (i32.ne (local.get 0) (i32.and (local.get 1) (i32.const 255))))
              (return (i32.const 1)))
            (i32.const 0)))
        """

    @Test("the step and the compare run as one instruction and give what the three give")
    func counters() throws {
        let bytes = try FusionFixture.assemble(Self.text)
        let store = Store()
        let instance = try Instance.instantiate(try Module.decode(bytes), imports: Imports(), store: store)
        #expect(try instance.invoke("sumTo", [.i32(5)]) == [.i32(10)])
        #expect(try instance.invoke("sumTo", [.i32(1)]) == [.i32(0)])
        // 0xFFFF_FFFD + 3 wraps to 0, then 3: two steps.
        #expect(try instance.invoke("steps", [.i32(0xFFFF_FFFD), .i32(3)]) == [.i32(2)])
        #expect(try instance.invoke("sumTo64", [.i64(5)]) == [.i64(10)])
        #expect(try instance.invoke("sameByte", [.i32(0x41), .i32(0x141)]) == [.i32(1)])
        #expect(try instance.invoke("sameByte", [.i32(0x41), .i32(0x142)]) == [.i32(0)])
        #expect(try instance.invoke("sameByte", [.i32(0x141), .i32(0x141)]) == [.i32(0)])
        let opcodes = FusionFixture.opcodes(store)
        #expect(opcodes[0].contains(Op.i32AddConstBrIfNe) && opcodes[1].contains(Op.i32AddConstBrIfNe))
        #expect(opcodes[2].contains(Op.i64AddConstBrIfNe))
        #expect(opcodes[3].first == Op.i32AndConstBrIfNe)
        #expect(opcodes.allSatisfy { !$0.contains(Op.branchIfCompare + 1) && !$0.contains(Op.branchIfCompareI64 + 1) })

        // sumTo(5) branches back 4 times: 4 units of fuel are enough, 3 are not.
        let enough = Store(configuration: Configuration(fuel: 4))
        let running = try Instance.instantiate(try Module.decode(bytes), imports: Imports(), store: enough)
        #expect(try running.invoke("sumTo", [.i32(5)]) == [.i32(10)])
        #expect(enough.fuelRemaining == 0)
        let short = Store(configuration: Configuration(fuel: 3))
        let stopped = try Instance.instantiate(try Module.decode(bytes), imports: Imports(), store: short)
        let error = #expect(throws: Trap.self) { try stopped.invoke("sumTo", [.i32(5)]) }
        #expect(error?.reason == .outOfFuel)
    }
}

/// A `select` with one constant operand (`c ? x : 0`, `c ? k : x`, any value type) runs as one
/// instruction with the constant in the code.
@Suite struct SelectConstantFusionTests {
    static let text = """
        (module
          (func (export "orZero") (param i32 i32) (result i32)
            (select (local.get 0) (i32.const 0) (local.get 1)))
          (func (export "orSeven") (param i32 i32) (result i32)
            (select (i32.const 7) (local.get 0) (local.get 1)))
          (func (export "wide") (param i64 i32) (result i64)
            (select (local.get 0) (i64.const 0x123456789) (local.get 1)))
          (func (export "float") (param f64 i32) (result f64)
            (select (f64.const -2.5) (local.get 0) (local.get 1)))
          (func (export "both") (param i32) (result i32)
            (select (i32.const 1) (i32.const 2) (local.get 0))))
        """

    @Test("select with a constant operand gives what select gives")
    func selects() throws {
        let store = Store()
        let instance = try Instance.instantiate(try Module.decode(try FusionFixture.assemble(Self.text)), imports: Imports(), store: store)
        #expect(try instance.invoke("orZero", [.i32(5), .i32(1)]) == [.i32(5)])
        #expect(try instance.invoke("orZero", [.i32(5), .i32(0)]) == [.i32(0)])
        #expect(try instance.invoke("orZero", [.i32(5), .i32(0x8000_0000)]) == [.i32(5)])
        #expect(try instance.invoke("orSeven", [.i32(5), .i32(2)]) == [.i32(7)])
        #expect(try instance.invoke("orSeven", [.i32(5), .i32(0)]) == [.i32(5)])
        #expect(try instance.invoke("wide", [.i64(9), .i32(0)]) == [.i64(0x1_2345_6789)])
        #expect(try instance.invoke("wide", [.i64(9), .i32(3)]) == [.i64(9)])
        #expect(try instance.invoke("float", [.f64((1.0).bitPattern), .i32(1)]) == [.f64((-2.5).bitPattern)])
        #expect(try instance.invoke("float", [.f64((1.0).bitPattern), .i32(0)]) == [.f64((1.0).bitPattern)])
        #expect(try instance.invoke("both", [.i32(1)]) == [.i32(1)])
        #expect(try instance.invoke("both", [.i32(0)]) == [.i32(2)])
        let opcodes = FusionFixture.opcodes(store)
        #expect(opcodes[0].first == Op.selectConst && opcodes[2].first == Op.selectConst)
        #expect(opcodes[1].first == Op.constSelect && opcodes[3].first == Op.constSelect)
        #expect(opcodes[0...3].allSatisfy { !$0.contains(Op.constant) && !$0.contains(0x1B) })
        #expect(opcodes[4].contains(0x1B))
    }
}

/// Byte tests: `(x & m) == k` tested by `br_if` (the and's result kept, as `local.tee` keeps
/// it) and `(x + k) & m`, each run as one instruction.
@Suite struct ByteTestFusionTests {
    static let text = """
        (module
          (func (export "isComma") (param i32) (result i32) (local $c i32)
            (block $yes
              (br_if $yes (i32.eq (local.tee $c (i32.and (local.get 0) (i32.const 0xFF))) (i32.const 44)))
              (return (i32.sub (i32.const 0) (local.get $c))))
            (i32.add (local.get $c) (i32.const 1000)))
          (func (export "isDigit") (param i32) (result i32)
            (i32.le_u (i32.and (i32.add (local.get 0) (i32.const -48)) (i32.const 0xFF)) (i32.const 9)))
          (func (export "shifted") (param i32) (result i32)
            (i32.and (i32.add (local.get 0) (i32.const 0x7FFFFFFF)) (i32.const 0x8000FFFF)))
          ;; Steps x until x & 3 is not 1: each step that finds 1 branches back.
          (func (export "spin") (param i32) (result i32) (local $n i32)
            (loop $l
              (local.set $n (i32.add (local.get $n) (i32.const 1)))
              (local.set 0 (i32.add (local.get 0) (i32.const 1)))
              (br_if $l (i32.eq (i32.and (local.get 0) (i32.const 3)) (i32.const 1))))
            (local.get $n)))
        """

    @Test("byte tests run as one instruction and give what the separate instructions give")
    func bytes() throws {
        let store = Store()
        let instance = try Instance.instantiate(try Module.decode(try FusionFixture.assemble(Self.text)), imports: Imports(), store: store)
        #expect(try instance.invoke("isComma", [.i32(0x12C)]) == [.i32(1044)])
        #expect(try instance.invoke("isComma", [.i32(0x41)]) == [.i32(UInt32(bitPattern: -65))])
        #expect(try instance.invoke("isDigit", [.i32(53)]) == [.i32(1)])
        #expect(try instance.invoke("isDigit", [.i32(47)]) == [.i32(0)])
        #expect(try instance.invoke("isDigit", [.i32(0x130)]) == [.i32(1)])
        #expect(try instance.invoke("shifted", [.i32(1)]) == [.i32(0x8000_0000)])
        #expect(try instance.invoke("shifted", [.i32(0x8000_0002)]) == [.i32(1)])
        #expect(try instance.invoke("spin", [.i32(0)]) == [.i32(2)])
        #expect(try instance.invoke("spin", [.i32(1)]) == [.i32(1)])
        let opcodes = FusionFixture.opcodes(store)
        #expect(opcodes[0].contains(Op.i32AndConstBrIfEqConst) && opcodes[3].contains(Op.i32AndConstBrIfEqConst))
        #expect(opcodes[1].first == Op.i32AddConstAndConst && opcodes[2].first == Op.i32AddConstAndConst)
        let and = Op.withConst + UInt16(Op.fusableIndex(0x71)!)
        #expect(opcodes.allSatisfy { !$0.contains(and) })
    }
}

/// A plain `i32.load` or `i32.load8_u` whose result is then the branch condition (`i32.load;
/// local.tee; br_if`, with or without `i32.eqz`, and `if`) runs as one instruction that writes
/// the loaded value and branches, spending fuel on a backward branch and trapping as the load.
@Suite struct LoadBranchFusionTests {
    static let text = """
        (module
          (memory 1)
          ;; A list at 16 -> 32 -> 48 -> end (0), and the string "abc" at 100.
          (data (i32.const 16) "\\20\\00\\00\\00")
          (data (i32.const 32) "\\30\\00\\00\\00")
          (data (i32.const 100) "abc\\00")
          ;; The list's last node: each backward branch follows one link.
          (func (export "last") (param $p i32) (result i32) (local $q i32)
            (loop $l
              (local.set $q (local.get $p))
              (br_if $l (local.tee $p (i32.load (local.get $p)))))
            (local.get $q))
          ;; The sum of the string's bytes, the loaded byte used after the branch.
          (func (export "sum") (param $p i32) (result i32) (local $c i32) (local $s i32)
            (block $end
              (loop $l
                (br_if $end (i32.eqz (local.tee $c (i32.load8_u (local.get $p)))))
                (local.set $s (i32.add (local.get $s) (local.get $c)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $l)))
            (local.get $s))
          (func (export "test") (param i32) (result i32)
            (if (result i32) (i32.load (local.get 0)) (then (i32.const 1)) (else (i32.const 2))))
          ;; The position of the first zero byte after p.
          (func (export "skip") (param $p i32) (result i32) (local $c i32)
            (loop $l
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br_if $l (local.tee $c (i32.load8_u (local.get $p)))))
            (local.get $p)))
        """

    @Test("load-then-branch runs as one instruction and gives what the load and the branch give")
    func loads() throws {
        let bytes = try FusionFixture.assemble(Self.text)
        let store = Store()
        let instance = try Instance.instantiate(try Module.decode(bytes), imports: Imports(), store: store)
        #expect(try instance.invoke("last", [.i32(16)]) == [.i32(48)])
        #expect(try instance.invoke("last", [.i32(48)]) == [.i32(48)])
        #expect(try instance.invoke("sum", [.i32(100)]) == [.i32(97 + 98 + 99)])
        #expect(try instance.invoke("sum", [.i32(103)]) == [.i32(0)])
        #expect(try instance.invoke("test", [.i32(16)]) == [.i32(1)])
        #expect(try instance.invoke("test", [.i32(48)]) == [.i32(2)])
        #expect(try instance.invoke("skip", [.i32(99)]) == [.i32(103)])
        #expect(try instance.invoke("skip", [.i32(102)]) == [.i32(103)])
        let opcodes = FusionFixture.opcodes(store)
        #expect(opcodes[0].contains(Op.i32LoadBrIf))
        #expect(opcodes[1].contains(Op.i32Load8UBrUnless))
        #expect(opcodes[2].first == Op.i32LoadBrUnless)
        #expect(opcodes[3].contains(Op.i32Load8UBrIf))
        #expect(opcodes.allSatisfy { !$0.contains(0x28) && !$0.contains(0x2D) })

        // The last 4 bytes of the page are in bounds; one byte further traps at the load.
        #expect(try instance.invoke("test", [.i32(65532)]) == [.i32(2)])
        let error = #expect(throws: Trap.self) { try instance.invoke("last", [.i32(65533)]) }
        #expect(error?.reason == .memoryOutOfBounds)
        #expect(error?.functionIndex == 0)

        // last(16) branches back twice: 2 units of fuel are enough, 1 is not.
        let enough = Store(configuration: Configuration(fuel: 2))
        let running = try Instance.instantiate(try Module.decode(bytes), imports: Imports(), store: enough)
        #expect(try running.invoke("last", [.i32(16)]) == [.i32(48)])
        #expect(enough.fuelRemaining == 0)
        let short = Store(configuration: Configuration(fuel: 1))
        let stopped = try Instance.instantiate(try Module.decode(bytes), imports: Imports(), store: short)
        let outOfFuel = #expect(throws: Trap.self) { try stopped.invoke("last", [.i32(16)]) }
        #expect(outOfFuel?.reason == .outOfFuel)
    }
}

enum FusionFixture {
    static func assemble(_ text: String) throws -> [UInt8] {
        let dir = try TemporaryDirectory("fusion")
        defer { dir.remove() }
        try dir.write("m.wat", text)
        try sh("wat2wasm m.wat -o m.wasm", in: dir.url)
        return [UInt8](try Data(contentsOf: dir.path("m.wasm")))
    }

    /// Each function's code words as opcodes (data words included: none of the
    /// fixtures has data that looks like the opcodes a test asks about).
    static func opcodes(_ store: Store) -> [[UInt16]] {
        store.functions.map { function in
            let compiled = function.compiled!
            return (0..<compiled.count).map { UInt16(truncatingIfNeeded: compiled.code[$0]) }
        }
    }
}
