import Foundation
import Testing
import TestSupport
@testable import WasmEngine

/// Fuel and the time limit (`Configuration.fuel`, `Configuration.timeLimit`): one unit per call
/// made by wasm code and per taken branch back to a loop's start, whatever the branch's compiled
/// form (fused compare-and-branch, with a constant, i64, br_table, carrying a value); a run stops
/// exactly at the documented figure, completes with the same results below it, and the store
/// runs again afterwards. The time limit is checked with a clock the test drives, so the figures
/// are exact, not timed.
@Suite struct FuelTests {
    static let text = """
        (module
          (type $t (func (param i32) (result i32)))
          (global $n (export "n") (mut i32) (i32.const 0))
          (table 1 funcref)
          (elem (i32.const 0) $down)
          ;; Counts its body's runs in $n, forever.
          (func $spin (export "spin")
            (loop $l (global.set $n (i32.add (global.get $n) (i32.const 1))) (br $l)))
          ;; The body runs k times (k >= 1) in each of these: k - 1 units.
          (func (export "count") (param $k i32) (result i32) (local $i i32)
            (loop $l
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_s (local.get $i) (local.get $k))))
            (local.get $i))
          (func (export "countConst") (param $k i32) (result i32) (local $i i32)
            (loop $l
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.ne (local.get $i) (i32.const 5))))
            (local.get $i))
          (func (export "count64") (param $k i32) (result i32) (local $i i64)
            (loop $l
              (local.set $i (i64.add (local.get $i) (i64.const 1)))
              (br_if $l (i64.lt_u (local.get $i) (i64.extend_i32_u (local.get $k)))))
            (i32.wrap_i64 (local.get $i)))
          (func (export "countdown") (param $k i32) (result i32) (local $r i32)
            (loop $l
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br_if $l (local.tee $k (i32.sub (local.get $k) (i32.const 1)))))
            (local.get $r))
          (func (export "table") (param $k i32) (result i32) (local $r i32)
            (block $out
              (loop $l
                (local.set $r (i32.add (local.get $r) (i32.const 1)))
                (local.set $k (i32.sub (local.get $k) (i32.const 1)))
                (br_table $l $out (i32.eqz (local.get $k)))))
            (local.get $r))
          (func (export "carry") (param $k i32) (result i32) (local $r i32)
            (local.get $k)
            (loop $l (param i32) (result i32)
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (i32.sub (i32.const 1))
              (local.tee $k)
              (local.get $k)
              (br_if $l))
            (drop)
            (local.get $r))
          (func (export "unconditional") (param $k i32) (result i32) (local $r i32)
            (block $out
              (loop $l
                (local.set $r (i32.add (local.get $r) (i32.const 1)))
                (br_if $out (i32.ge_u (local.get $r) (local.get $k)))
                (br $l)))
            (local.get $r))
          ;; k calls each.
          (func $down (export "down") (param $k i32) (result i32)
            (if (result i32) (i32.eqz (local.get $k))
              (then (i32.const 0))
              (else (i32.add (i32.const 1) (call $down (i32.sub (local.get $k) (i32.const 1)))))))
          (func (export "downIndirect") (param $k i32) (result i32)
            (if (result i32) (i32.eqz (local.get $k))
              (then (i32.const 0))
              (else (i32.add (i32.const 1) (call_indirect (type $t) (i32.sub (local.get $k) (i32.const 1)) (i32.const 0))))))
          ;; No loop, no call: free.
          (func (export "straight") (param $k i32) (result i32)
            (i32.mul (i32.add (local.get $k) (i32.const 1)) (i32.const 3))))
        """

    static let bytes: [UInt8] = {
        let dir = try! TemporaryDirectory("fuel")
        defer { dir.remove() }
        try! dir.write("m.wat", text)
        try! sh("wat2wasm --debug-names m.wat -o m.wasm", in: dir.url)
        return [UInt8](try! Data(contentsOf: dir.path("m.wasm")))
    }()

    func global(_ instance: Instance) -> Value? {
        guard case .global(let global) = instance.export("n") else { return nil }
        return global.value
    }

    static func instance(_ configuration: Configuration) throws -> (Store, Instance) {
        let store = Store(configuration: configuration)
        return (store, try Instance.instantiate(try Module.decode(bytes), imports: Imports(), store: store))
    }

    struct Shape: CustomTestStringConvertible, Sendable {
        var export: String
        var units: UInt64
        var result: UInt32
        var testDescription: String { "\(export)(5): \(units) units" }
    }

    @Test("each shape of backward branch and call costs exactly its units: enough fuel gives the unbounded result, one unit less stops it", arguments: [
        Shape(export: "count", units: 4, result: 5),
        Shape(export: "countConst", units: 4, result: 5),
        Shape(export: "count64", units: 4, result: 5),
        Shape(export: "countdown", units: 4, result: 5),
        Shape(export: "table", units: 4, result: 5),
        Shape(export: "carry", units: 4, result: 5),
        Shape(export: "unconditional", units: 4, result: 5),
        Shape(export: "down", units: 5, result: 5),
        Shape(export: "downIndirect", units: 5, result: 5),
        Shape(export: "straight", units: 0, result: 18),
    ])
    func exactUnits(shape: Shape) throws {
        let (_, unbounded) = try Self.instance(Configuration())
        #expect(try unbounded.invoke(shape.export, [.i32(5)]) == [.i32(shape.result)])

        let (store, enough) = try Self.instance(Configuration(fuel: shape.units + 7))
        #expect(try enough.invoke(shape.export, [.i32(5)]) == [.i32(shape.result)])
        #expect(store.fuelRemaining == 7)

        if shape.units > 0 {
            let (short, instance) = try Self.instance(Configuration(fuel: shape.units - 1))
            let error = #expect(throws: Trap.self) { try instance.invoke(shape.export, [.i32(5)]) }
            #expect(error?.reason == .outOfFuel)
            #expect(short.fuelRemaining == 0)
        }
    }

    @Test("an endless loop with fuel N runs its body N + 1 times, stops with the documented message, and the store runs again")
    func endlessLoop() throws {
        let configuration = Configuration(fuel: 1000)
        let (store, instance) = try Self.instance(configuration)
        let error = #expect(throws: Trap.self) { try instance.invoke("spin", []) }
        #expect(error?.reason == .outOfFuel)
        #expect(error?.functionName == "spin")
        #expect(error?.boundMessage(configuration)?.hasPrefix("fuel exhausted after 1000 units in function 0 ($spin) at offset 0x") == true)
        #expect(error?.isBoundExceeded == true)
        #expect(global(instance) == .i32(1001))
        #expect(store.fuelRemaining == 0)
        // The same instance, given more fuel, runs normally.
        store.addFuel(4)
        #expect(try instance.invoke("count", [.i32(5)]) == [.i32(5)])
        #expect(store.fuelRemaining == 0)
    }

    @Test("without fuel or a time limit nothing is metered")
    func unmetered() throws {
        let (store, instance) = try Self.instance(Configuration())
        #expect(!store.metered)
        #expect(try instance.invoke("down", [.i32(100)]) == [.i32(100)])
        #expect(store.fuelRemaining == nil)
    }

    /// A clock that advances 1 ms at every reading.
    final class SteppingClock: @unchecked Sendable {
        var now: UInt64 = 0
        var readings = 0
        func read() -> UInt64 {
            readings += 1
            now += 1_000_000
            return now
        }
    }

    @Test("a time limit reads the clock once every unitsPerCheck units and stops an endless loop at the first reading past it")
    func timeLimitWithADrivenClock() throws {
        let clock = SteppingClock()
        let configuration = Configuration(timeLimit: TimeLimit(nanoseconds: 5_000_000, unitsPerCheck: 100) { clock.read() })
        let (store, instance) = try Self.instance(configuration)
        #expect(clock.readings == 1)   // the store's creation: the limit ends at 6 ms
        let error = #expect(throws: Trap.self) { try instance.invoke("spin", []) }
        #expect(error?.reason == .timeLimitExceeded)
        #expect(error?.boundMessage(configuration)?.hasPrefix("time limit of 5 ms exceeded in function 0 ($spin) at offset 0x") == true)
        // Readings at 2, 3, 4 and 5 ms each allowed 100 more units; the one at 6 ms stopped it:
        // 500 units, so the body ran 501 times.
        #expect(clock.readings == 6)
        #expect(global(instance) == .i32(501))
        #expect(store.fuelRemaining == nil)
    }

    @Test("fuel and a time limit together: the fuel runs out first when the clock stands still")
    func fuelAndTimeLimit() throws {
        let configuration = Configuration(fuel: 250, timeLimit: TimeLimit(nanoseconds: 5_000_000, unitsPerCheck: 100) { 0 })
        let (store, instance) = try Self.instance(configuration)
        let error = #expect(throws: Trap.self) { try instance.invoke("spin", []) }
        #expect(error?.reason == .outOfFuel)
        #expect(global(instance) == .i32(251))
        #expect(store.fuelRemaining == 0)
    }

    @Test("a time limit on the real monotonic clock stops an endless loop, and a new store runs the next module")
    func timeLimitOnTheRealClock() throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let configuration = Configuration(timeLimit: TimeLimit(nanoseconds: 20_000_000) { DispatchTime.now().uptimeNanoseconds })
        let (_, instance) = try Self.instance(configuration)
        let error = #expect(throws: Trap.self) { try instance.invoke("spin", []) }
        #expect(error?.reason == .timeLimitExceeded)
        #expect(DispatchTime.now().uptimeNanoseconds - start >= 20_000_000)
        let (_, next) = try Self.instance(configuration)
        #expect(try next.invoke("count", [.i32(5)]) == [.i32(5)])
    }
}
