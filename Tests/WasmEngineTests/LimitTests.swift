import Testing
@testable import WasmEngine

/// The JS API's implementation limits (ImplementationLimit), each at the limit (accepted) and one
/// past it (rejected with the limit named and the offset of the first item past it). Modules are
/// built here, byte by byte.
@Suite struct ImplementationLimitTests {
    /// A module of `sections` after the header.
    static func module(_ sections: [UInt8]...) -> [UInt8] { Wasm.header + sections.flatMap { $0 } }

    /// A section whose vector has `count` copies of `item`, after `prefix` bytes of other sections:
    /// (bytes, offset in the module of the last item).
    static func repeated(_ id: UInt8, _ count: Int, _ item: [UInt8], prefix: Int = 0) -> (bytes: [UInt8], last: Int) {
        var content = Wasm.leb(count)
        content.reserveCapacity(content.count + count * item.count)
        for _ in 0..<count { content += item }
        let section = Wasm.section(id, content)
        // header + id + size + count + (count - 1) items
        let last = prefix + Wasm.header.count + 1 + Wasm.leb(content.count).count + Wasm.leb(count).count + (count - 1) * item.count
        return (section, last)
    }

    static let emptyType = Wasm.section(1, Wasm.vec([[0x60, 0x00, 0x00]]))

    static func expectLimit(_ bytes: [UInt8], _ limit: ImplementationLimit, message: String, offset: Int?) {
        do {
            _ = try Module.decode(bytes)
            Issue.record("\(limit) + 1 was accepted")
        } catch {
            #expect(error.kind == .limit)
            #expect(error.message == message)
            #expect(error.offset == offset)
        }
    }

    static func expectAccepted(_ bytes: [UInt8], _ limit: ImplementationLimit) {
        #expect(throws: Never.self, "\(limit) at the limit") { _ = try Module.decode(bytes) }
    }

    @Test("the limits are the JS API's")
    func values() {
        #expect(ImplementationLimit.allCases.map(\.value) == [
            1_073_741_824, 1_000_000, 1_000_000, 100_000, 100_000, 1_000_000, 100_000, 100_000, 10_000_000,
            10_000_000, 1000, 1000, 7_654_321, 50_000,
        ])
    }

    @Test("types: 1,000,000")
    func types() {
        let limit = ImplementationLimit.types.value
        Self.expectAccepted(Self.module(Self.repeated(1, limit, [0x60, 0x00, 0x00]).bytes), .types)
        let over = Self.repeated(1, limit + 1, [0x60, 0x00, 0x00])
        Self.expectLimit(Self.module(over.bytes), .types, message: "more than 1000000 types in a module", offset: over.last)
    }

    @Test("parameters and results per function type: 1000")
    func parametersAndResults() {
        func type(params: Int, results: Int) -> [UInt8] {
            Self.module(Wasm.section(1, Wasm.vec([[0x60] + Wasm.leb(params) + Array(repeating: 0x7F, count: params)
                                                  + Wasm.leb(results) + Array(repeating: 0x7F, count: results)])))
        }
        Self.expectAccepted(type(params: 1000, results: 1000), .parameters)
        // header 8, id 1, size 2, count 1, 0x60 1, parameter count 2: parameter 1000 at 15 + 1000.
        Self.expectLimit(type(params: 1001, results: 0), .parameters,
                         message: "more than 1000 parameters in a function type", offset: 15 + 1000)
        // ... parameter count 1, result count 2: result 1000 at 16 + 1000.
        Self.expectLimit(type(params: 0, results: 1001), .results,
                         message: "more than 1000 results in a function type", offset: 16 + 1000)
    }

    @Test("functions defined: 1,000,000")
    func functions() throws {
        let limit = ImplementationLimit.functions.value
        // At the limit the function section decodes; compiling a million bodies takes minutes in a
        // debug build, so the module stops at the missing code section instead.
        let functions = Self.repeated(3, limit, [0x00], prefix: Self.emptyType.count)
        let error = #expect(throws: WasmError.self) { try Module.decode(Self.module(Self.emptyType, functions.bytes)) }
        #expect(error?.message == "function and code section have inconsistent lengths")
        let over = Self.repeated(3, limit + 1, [0x00], prefix: Self.emptyType.count)
        Self.expectLimit(Self.module(Self.emptyType, over.bytes), .functions,
                         message: "more than 1000000 functions defined in a module", offset: over.last)
    }

    @Test("imports: 100,000")
    func imports() {
        let limit = ImplementationLimit.imports.value
        let item = Wasm.name("m") + Wasm.name("f") + [0x00, 0x00]
        Self.expectAccepted(Self.module(Self.emptyType, Self.repeated(2, limit, item).bytes), .imports)
        let over = Self.repeated(2, limit + 1, item, prefix: Self.emptyType.count)
        Self.expectLimit(Self.module(Self.emptyType, over.bytes), .imports,
                         message: "more than 100000 imports in a module", offset: over.last)
    }

    @Test("exports: 100,000")
    func exports() {
        let limit = ImplementationLimit.exports.value
        func section(_ count: Int) -> [UInt8] {
            var content = Wasm.leb(count)
            for i in 0..<count { content += Wasm.name("e\(i)") + [0x03, 0x00] }  // global 0
            return Wasm.section(7, content)
        }
        let global = Wasm.section(6, Wasm.vec([[0x7F, 0x00, 0x41, 0x00, 0x0B]]))
        Self.expectAccepted(Self.module(global, section(limit)), .exports)
        let over = Self.module(global, section(limit + 1))
        // The last export, "e100000" (9 bytes with its length and 2 of kind and index), ends the module.
        Self.expectLimit(over, .exports, message: "more than 100000 exports in a module", offset: over.count - 10)
    }

    @Test("globals defined: 1,000,000")
    func globals() {
        let limit = ImplementationLimit.globals.value
        let item: [UInt8] = [0x7F, 0x00, 0x41, 0x00, 0x0B]
        Self.expectAccepted(Self.module(Self.repeated(6, limit, item).bytes), .globals)
        let over = Self.repeated(6, limit + 1, item)
        Self.expectLimit(Self.module(over.bytes), .globals,
                         message: "more than 1000000 globals defined in a module", offset: over.last)
    }

    @Test("data segments: 100,000")
    func dataSegments() {
        let limit = ImplementationLimit.dataSegments.value
        let item: [UInt8] = [0x01, 0x00]  // passive, empty
        Self.expectAccepted(Self.module(Self.repeated(11, limit, item).bytes), .dataSegments)
        let over = Self.repeated(11, limit + 1, item)
        Self.expectLimit(Self.module(over.bytes), .dataSegments,
                         message: "more than 100000 data segments in a module", offset: over.last)
    }

    @Test("tables, imported ones included: 100,000")
    func tables() {
        let limit = ImplementationLimit.tables.value
        let item: [UInt8] = [0x70, 0x00, 0x00]
        Self.expectAccepted(Self.module(Self.repeated(4, limit, item).bytes), .tables)
        let over = Self.repeated(4, limit + 1, item)
        Self.expectLimit(Self.module(over.bytes), .tables,
                         message: "more than 100000 tables in a module (imported ones included)", offset: over.last)
        // One imported table and the limit defined: one too many.
        let imported = Wasm.section(2, Wasm.vec([Wasm.name("m") + Wasm.name("t") + [0x01, 0x70, 0x00, 0x00]]))
        let defined = Self.repeated(4, limit, item, prefix: imported.count)
        Self.expectLimit(Self.module(imported, defined.bytes), .tables,
                         message: "more than 100000 tables in a module (imported ones included)", offset: defined.last)
    }

    @Test("a table's initial size: 10,000,000 elements")
    func tableSize() {
        func table(_ min: Int) -> [UInt8] { Self.module(Wasm.section(4, Wasm.vec([[0x70, 0x00] + Wasm.leb(min)]))) }
        Self.expectAccepted(table(10_000_000), .tableSize)
        // header 8, id 1, size 1, count 1, reftype 1: the limits at 12.
        Self.expectLimit(table(10_000_001), .tableSize,
                         message: "more than 10000000 elements in a table's initial size: 10000001", offset: 12)
        let imported = Self.module(Wasm.section(2, Wasm.vec([Wasm.name("m") + Wasm.name("t") + [0x01, 0x70, 0x00] + Wasm.leb(10_000_001)])))
        Self.expectLimit(imported, .tableSize,
                         message: "more than 10000000 elements in a table's initial size: 10000001", offset: 17)
    }

    @Test("elements in one element segment: 10,000,000 (one past it)")
    func elementSegmentItems() {
        // At the limit the decoder would hold 10,000,000 items: too much memory for a unit test.
        let limit = ImplementationLimit.elementSegmentItems.value
        let function = Self.emptyType + Wasm.section(3, Wasm.vec([[0x00]]))
        var content = Wasm.leb(1) + [0x01, 0x00] + Wasm.leb(limit + 1)
        let itemsStart = Wasm.header.count + function.count + 1 + Wasm.leb(content.count + limit + 1).count + content.count
        content += Array(repeating: 0x00, count: limit + 1)
        Self.expectLimit(Self.module(function, Wasm.section(9, content)), .elementSegmentItems,
                         message: "more than 10000000 elements in an element segment", offset: itemsStart + limit)
    }

    @Test("a function body: 7,654,321 bytes, locals included")
    func functionBodySize() {
        func module(bodySize: Int) -> [UInt8] {
            // 0 local groups, nops, end.
            let code: [UInt8] = [0x00] + Array(repeating: 0x01, count: bodySize - 2) + [0x0B]
            return Self.module(Self.emptyType, Wasm.section(3, Wasm.vec([[0x00]])),
                               Wasm.section(10, Wasm.leb(1) + Wasm.leb(code.count) + code))
        }
        Self.expectAccepted(module(bodySize: 7_654_321), .functionBodySize)
        // header 8, type section 6, function section 4; code section id 1, size 4, count 1: the
        // body's size at 24.
        Self.expectLimit(module(bodySize: 7_654_322), .functionBodySize,
                         message: "more than 7654321 bytes in a function body (locals included): 7654322", offset: 24)
    }

    @Test("locals in a function, parameters included: 50,000")
    func locals() {
        func module(params: Int, locals: Int) -> [UInt8] {
            let type = Wasm.section(1, Wasm.vec([[0x60] + Wasm.leb(params) + Array(repeating: 0x7F, count: params) + [0x00]]))
            return Self.module(type, Wasm.section(3, Wasm.vec([[0x00]])),
                               Wasm.section(10, Wasm.vec([Wasm.body([0x0B], locals: [0x01] + Wasm.leb(locals) + [0x7F])])))
        }
        Self.expectAccepted(module(params: 0, locals: 50_000), .locals)
        Self.expectAccepted(module(params: 1000, locals: 49_000), .locals)
        let over = module(params: 0, locals: 50_001)
        // The body, after its size: 1 group of 50,001 (3 bytes) i32, end: 6 bytes before the end.
        Self.expectLimit(over, .locals, message: "more than 50000 locals in a function (parameters included): 50001", offset: over.count - 6)
        let withParameters = module(params: 1, locals: 50_000)
        Self.expectLimit(withParameters, .locals, message: "more than 50000 locals in a function (parameters included): 50001",
                         offset: withParameters.count - 6)
    }

    @Test("a module: 1 GiB")
    func moduleSize() {
        // A custom section fills the module; its bytes are never read, so they stay unwritten pages.
        func module(size: Int) -> [UInt8] {
            [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                let sectionSize = size - Wasm.header.count - 1 - 5
                let prefix = Wasm.header + [0x00] + [UInt8(sectionSize & 0x7F | 0x80), UInt8(sectionSize >> 7 & 0x7F | 0x80),
                                                    UInt8(sectionSize >> 14 & 0x7F | 0x80), UInt8(sectionSize >> 21 & 0x7F | 0x80),
                                                    UInt8(sectionSize >> 28)] + Wasm.name("x")
                for (i, byte) in prefix.enumerated() { buffer[i] = byte }
                count = size
            }
        }
        Self.expectAccepted(module(size: 1 << 30), .moduleSize)
        Self.expectLimit(module(size: (1 << 30) + 1), .moduleSize,
                         message: "more than 1073741824 bytes in a module: 1073741825", offset: 1 << 30)
    }
}
