import Testing
@testable import WasmEngine

/// A tiny assembler for hand-made binary modules, so these tests need no external tool.
enum Wasm {
    static func leb(_ value: Int) -> [UInt8] {
        var v = UInt64(value), out: [UInt8] = []
        repeat {
            var b = UInt8(v & 0x7F)
            v >>= 7
            if v != 0 { b |= 0x80 }
            out.append(b)
        } while v != 0
        return out
    }
    static func name(_ s: String) -> [UInt8] { leb(s.utf8.count) + Array(s.utf8) }
    static func vec(_ items: [[UInt8]]) -> [UInt8] { leb(items.count) + items.flatMap { $0 } }
    static func section(_ id: UInt8, _ content: [UInt8]) -> [UInt8] { [id] + leb(content.count) + content }
    static let header: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
    static func body(_ code: [UInt8], locals: [UInt8] = [0x00]) -> [UInt8] {
        let content = locals + code
        return leb(content.count) + content
    }

    /// (param i32 i32) (result i32) function "div" doing i32.div_s, with a name section naming it.
    static var divide: [UInt8] {
        header
            + section(1, vec([[0x60, 0x02, 0x7F, 0x7F, 0x01, 0x7F]]))
            + section(3, vec([[0x00]]))
            + section(7, vec([name("div") + [0x00, 0x00]]))
            + section(10, vec([body([0x20, 0x00, 0x20, 0x01, 0x6D, 0x0B])]))
            + section(0, name("name") + [0x01] + leb(1 + 1 + 4) + vec([[0x00] + name("div")]))
    }
}

@Suite struct DecodingErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var label: String
        var bytes: [UInt8]
        var description: String
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "an empty file", bytes: [],
             description: "malformed module at offset 0x0: magic header not detected"),
        Case(label: "a truncated header", bytes: [0x00, 0x61, 0x73, 0x6D, 0x01],
             description: "malformed module at offset 0x4: unknown binary version"),
        Case(label: "bad magic", bytes: [0x7F, 0x45, 0x4C, 0x46, 0x01, 0x00, 0x00, 0x00],
             description: "malformed module at offset 0x0: magic header not detected"),
        Case(label: "bad version", bytes: [0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00],
             description: "malformed module at offset 0x4: unknown binary version"),
        Case(label: "a truncated section", bytes: Wasm.header + [0x01, 0x05, 0x01, 0x60],
             description: "malformed module at offset 0xa: length out of bounds"),
        Case(label: "a truncated function body",
             bytes: Wasm.header + Wasm.section(1, Wasm.vec([[0x60, 0x00, 0x00]])) + Wasm.section(3, Wasm.vec([[0x00]]))
                + Wasm.section(10, Wasm.vec([Wasm.body([0x41])])),
             description: "malformed module at offset 0x18: unexpected end"),
        Case(label: "a section out of order",
             bytes: Wasm.header + Wasm.section(3, Wasm.vec([[0x00]])) + Wasm.section(1, Wasm.vec([[0x60, 0x00, 0x00]])),
             description: "malformed module at offset 0xc: unexpected content after last section"),
        Case(label: "a type mismatch",
             bytes: Wasm.header + Wasm.section(1, Wasm.vec([[0x60, 0x00, 0x01, 0x7F]])) + Wasm.section(3, Wasm.vec([[0x00]]))
                + Wasm.section(10, Wasm.vec([Wasm.body([0x42, 0x00, 0x0B])])),
             description: "invalid module at offset 0x1a: type mismatch: expected i32, found i64"),
        Case(label: "an unknown opcode",
             bytes: Wasm.header + Wasm.section(1, Wasm.vec([[0x60, 0x00, 0x00]])) + Wasm.section(3, Wasm.vec([[0x00]]))
                + Wasm.section(10, Wasm.vec([Wasm.body([0xFF, 0x0B])])),
             description: "malformed module at offset 0x17: illegal opcode"),
    ]

    @Test(arguments: cases)
    func badInputGivesAnExactMessage(_ c: Case) {
        do {
            _ = try Module.decode(c.bytes)
            Issue.record("decoded")
        } catch {
            #expect(error.description == c.description)
        }
    }

    @Test func mutatedModulesNeverCrashTheDecoder() {
        // Every single-byte corruption of a valid module decodes or fails cleanly, and whatever
        // decodes instantiates and runs (or traps) cleanly.
        let original = Wasm.divide
        var decoded = 0
        for position in 0..<original.count {
            for value: UInt8 in [0x00, 0x01, 0x7F, 0x80, 0xFF, original[position] &+ 1] {
                var bytes = original
                bytes[position] = value
                guard let module = try? Module.decode(bytes) else { continue }
                decoded += 1
                if let instance = try? Instance.instantiate(module, imports: Imports(), store: Store()),
                   case .function(let function)? = instance.export("div") {
                    _ = try? instance.invoke(function, [.i32(7), .i32(0)])
                }
            }
        }
        // Truncations too.
        for length in 0..<original.count { _ = try? Module.decode(Array(original[0..<length])) }
        #expect(decoded > 0)
    }
}

@Suite struct ExecutionTests {
    @Test func aTrapNamesTheFunctionAndTheOffset() throws {
        let instance = try Instance.instantiate(try Module.decode(Wasm.divide), imports: Imports(), store: Store())
        #expect(try instance.invoke("div", [.i32(7), .i32(2)]) == [.i32(3)])
        do {
            _ = try instance.invoke("div", [.i32(7), .i32(0)])
            Issue.record("no trap")
        } catch {
            #expect(error.reason == .integerDivideByZero)
            #expect(error.functionIndex == 0)
            #expect(error.functionName == "div")
            // header 8 + type 9 + function 4 + export 9 + code header 3 + body size/locals 2 + two local.gets 4.
            #expect(error.offset == 0x27)
            #expect(error.description == "integer divide by zero in function 0 ($div) at offset 0x27")
        }
    }

    /// (func $loop (export "loop") (loop (br 0))) and (func $rec (export "rec") (call $rec)).
    static var spinner: [UInt8] {
        Wasm.header
            + Wasm.section(1, Wasm.vec([[0x60, 0x00, 0x00]]))
            + Wasm.section(3, Wasm.vec([[0x00], [0x00], [0x00]]))
            + Wasm.section(7, Wasm.vec([Wasm.name("loop") + [0x00, 0x00], Wasm.name("rec") + [0x00, 0x01], Wasm.name("nop") + [0x00, 0x02]]))
            + Wasm.section(10, Wasm.vec([Wasm.body([0x03, 0x40, 0x0C, 0x00, 0x0B, 0x0B]), Wasm.body([0x10, 0x01, 0x0B]), Wasm.body([0x01, 0x0B])]))
    }

    @Test func fuelStopsAnEndlessLoop() throws {
        let store = Store(configuration: Configuration(fuel: 10_000))
        let instance = try Instance.instantiate(try Module.decode(Self.spinner), imports: Imports(), store: store)
        _ = try instance.invoke("nop", [])
        // No call and no loop: free.
        #expect(store.fuelRemaining == 10_000)
        do {
            _ = try instance.invoke("loop", [])
            Issue.record("no trap")
        } catch {
            #expect(error.reason == .outOfFuel)
            #expect(error.description.hasPrefix("out of fuel in function 0 ($loop) at offset 0x"))
        }
        #expect(store.fuelRemaining == 0)
    }

    @Test func unlimitedFuelIsReportedAsNil() {
        #expect(Store().fuelRemaining == nil)
    }

    @Test("release frees the store, its instances and their memories; calls afterwards trap")
    func releaseFreesTheStore() throws {
        weak var weakStore: Store?
        weak var weakInstance: Instance?
        var kept: Instance?
        do {
            let store = Store()
            let instance = try Instance.instantiate(try Module.decode(Wasm.divide), imports: Imports(), store: store)
            #expect(try instance.invoke("div", [.i32(9), .i32(3)]) == [.i32(3)])
            weakStore = store
            weakInstance = instance
            kept = instance
            store.release()
        }
        // The host still holds the instance: it must not crash, only refuse to run.
        do {
            _ = try kept!.invoke("div", [.i32(1), .i32(1)])
            Issue.record("a released store ran code")
        } catch {
            #expect(error.description.contains("no exported function named \"div\"") || error.description.contains("the store was released"))
        }
        kept = nil
        #expect(weakInstance == nil)
        #expect(weakStore == nil)
    }

    @Test("without release a store and its instances keep each other alive (documented)")
    func storesWithoutReleaseStayAlive() throws {
        weak var weakStore: Store?
        do {
            let store = Store()
            _ = try Instance.instantiate(try Module.decode(Wasm.divide), imports: Imports(), store: store)
            weakStore = store
        }
        #expect(weakStore != nil)
        weakStore?.release()
        #expect(weakStore == nil)
    }

    @Test func deepRecursionTrapsAtTheConfiguredDepth() throws {
        let store = Store(configuration: Configuration(maxCallDepth: 100))
        let instance = try Instance.instantiate(try Module.decode(Self.spinner), imports: Imports(), store: store)
        do {
            _ = try instance.invoke("rec", [])
            Issue.record("no trap")
        } catch {
            #expect(error.reason == .callStackExhausted)
            #expect(error.functionName == "rec")
        }
        // The store is usable afterwards.
        #expect(try instance.invoke("nop", []) == [])
    }

    /// Imports env.f: [i32] -> [i32] and exports "g" calling it.
    static var caller: [UInt8] {
        Wasm.header
            + Wasm.section(1, Wasm.vec([[0x60, 0x01, 0x7F, 0x01, 0x7F]]))
            + Wasm.section(2, Wasm.vec([Wasm.name("env") + Wasm.name("f") + [0x00, 0x00]]))
            + Wasm.section(3, Wasm.vec([[0x00]]))
            + Wasm.section(5, Wasm.vec([[0x01, 0x01, 0x02]]))
            + Wasm.section(7, Wasm.vec([Wasm.name("g") + [0x00, 0x01], Wasm.name("memory") + [0x02, 0x00]]))
            + Wasm.section(10, Wasm.vec([Wasm.body([0x20, 0x00, 0x10, 0x00, 0x0B])]))
    }

    @Test func anUnknownImportIsALinkError() throws {
        let module = try Module.decode(Self.caller)
        #expect(module.imports.count == 1)
        do {
            _ = try Instance.instantiate(module, imports: Imports(), store: Store())
            Issue.record("instantiated")
        } catch {
            guard case .link(let error) = error else { Issue.record("not a link error: \(error)"); return }
            #expect(error.kind == .unlinkable)
            #expect(error.description == "unlinkable module: unknown import \"env\" \"f\"")
        }
    }

    @Test func aMismatchedImportIsALinkError() throws {
        var imports = Imports()
        imports.define(module: "env", name: "f", HostFunction(type: FunctionType(parameters: [], results: [])) { _, _ in [] })
        let module = try Module.decode(Self.caller)
        do {
            _ = try Instance.instantiate(module, imports: imports, store: Store())
            Issue.record("instantiated")
        } catch {
            #expect(error.description == "unlinkable module: incompatible import type for \"env\" \"f\"")
        }
    }

    @Test func hostFunctionsSeeTheCallersMemoryAndTheirTrapsGetAPlace() throws {
        var imports = Imports()
        imports.define(module: "env", name: "f", HostFunction(type: FunctionType(parameters: [.i32], results: [.i32])) { (caller: inout Caller, arguments: [Value]) throws(Trap) -> [Value] in
            guard case .i32(let x) = arguments[0] else { return [] }
            if x == 13 { throw Trap(.host("unlucky")) }
            guard let memory = caller.memory else { throw Trap(.host("no memory")) }
            memory.buffer[0] = UInt8(truncatingIfNeeded: x)
            return [.i32(UInt32(memory.byteCount / 65536) + x)]
        })
        let instance = try Instance.instantiate(try Module.decode(Self.caller), imports: imports, store: Store())
        #expect(try instance.invoke("g", [.i32(5)]) == [.i32(6)])
        guard case .memory(let memory)? = instance.export("memory") else { Issue.record("no memory"); return }
        #expect(memory.buffer[0] == 5)
        do {
            _ = try instance.invoke("g", [.i32(13)])
            Issue.record("no trap")
        } catch {
            #expect(error.reason == .host("unlucky"))
            #expect(error.description == "unlucky in function 1 ($g) at offset 0x3c")
        }
    }

    @Test func memoryGrowHonoursTheHostLimit() throws {
        // (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
        let bytes = Wasm.header
            + Wasm.section(1, Wasm.vec([[0x60, 0x01, 0x7F, 0x01, 0x7F]]))
            + Wasm.section(3, Wasm.vec([[0x00]]))
            + Wasm.section(5, Wasm.vec([[0x00, 0x01]]))
            + Wasm.section(7, Wasm.vec([Wasm.name("grow") + [0x00, 0x00]]))
            + Wasm.section(10, Wasm.vec([Wasm.body([0x20, 0x00, 0x40, 0x00, 0x0B])]))
        let store = Store(configuration: Configuration(maxMemoryPages: 4))
        let instance = try Instance.instantiate(try Module.decode(bytes), imports: Imports(), store: store)
        #expect(try instance.invoke("grow", [.i32(3)]) == [.i32(1)])
        #expect(try instance.invoke("grow", [.i32(1)]) == [.i32(0xFFFF_FFFF)])
        #expect(try instance.invoke("grow", [.i32(0xFFFF_FFFF)]) == [.i32(0xFFFF_FFFF)])
    }

    @Test func wrongArgumentsAreRejectedBeforeRunning() throws {
        let instance = try Instance.instantiate(try Module.decode(Wasm.divide), imports: Imports(), store: Store())
        do {
            _ = try instance.invoke("div", [.i32(1)])
            Issue.record("no trap")
        } catch {
            #expect(error.description == "wrong number of arguments: expected 2, got 1")
        }
    }
}

@Suite struct OpcodeTests {
    /// The interpreter turns instruction words into `Opcode` with unsafeBitCast, which is only
    /// right when every raw value equals its case index.
    @Test func internalOpcodesAreDenselyNumbered() {
        #expect(Opcode.isDenselyNumbered())
    }
}
