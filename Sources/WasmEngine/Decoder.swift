// The module decoder: sections in order, then module-level validation, then the function bodies
// (validated and compiled in one pass by `FunctionCompiler`).
//
// Why an own decoder rather than WasmKit 0.4.2's WasmParser (which does build as Embedded Swift):
// the engine then has no package dependency at all, so the seL4 runner compiles one module from
// one directory with one swiftc command; the decoder can hand function bodies straight to the
// fused validator/compiler without an intermediate instruction representation; and the error
// kinds (malformed / invalid) and offsets are exactly what this API reports.

/// A constant expression as decoded, checked for constness and type during validation.
struct RawConstExpr {
    var items: [ConstExpr] = []
    var nonConstant = false
    var offset = 0
}

/// A function body as located by the decoder: locals run-length encoded, code as a byte range.
struct RawBody {
    var locals: [(count: UInt32, type: ValueType)]
    var localCount: Int
    var start: Int
    var end: Int
}

struct ModuleDecoder {
    let bytes: [UInt8]
    var module = Module()
    var bodies: [RawBody] = []
    var globalInits: [RawConstExpr] = []
    var elementRaw: [(mode: Int, table: UInt32, offset: RawConstExpr?, type: ValueType, items: [RawConstExpr])] = []
    var dataRaw: [(memory: UInt32, offset: RawConstExpr?)] = []
    var functionCount: Int?   // from the function section

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    static func invalid(_ message: String, at offset: Int? = nil) -> WasmError {
        WasmError(.invalid, message, offset: offset)
    }

    /// Before decoding item `index` (0-based) of a counted list: refuses the one past the limit.
    /// Checked per item, not on the declared count, so a truncated section with a huge count is
    /// still reported as malformed where it ends.
    static func check(_ limit: ImplementationLimit, index: Int, at offset: Int) throws(WasmError) {
        if index >= limit.value { throw limit.error(at: offset) }
    }

    mutating func decodeModule() throws(WasmError) -> Module {
        if bytes.count > ImplementationLimit.moduleSize.value {
            throw ImplementationLimit.moduleSize.error(found: bytes.count, at: ImplementationLimit.moduleSize.value)
        }
        var reader = Reader(bytes: bytes)
        let magic = try? reader.fixed32()
        guard magic == 0x6D73_6100 else {
            throw WasmError(.malformed, "magic header not detected", offset: 0)
        }
        let version: UInt32
        do { version = try reader.fixed32() } catch { throw WasmError(.malformed, "unknown binary version", offset: 4) }
        guard version == 1 else { throw WasmError(.malformed, "unknown binary version", offset: 4) }

        // Section order rank: type 1, import 2, function 3, table 4, memory 5, global 6, export 7,
        // start 8, element 9, data count 10, code 11, data 12.
        let rank: [UInt8: Int] = [1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 7, 8: 8, 9: 9, 12: 10, 10: 11, 11: 12]
        var lastRank = 0
        var sawCode = false
        var sawData = false
        while !reader.isAtEnd {
            let idOffset = reader.position
            let id = try reader.byte()
            let size = try reader.u32()
            let start = reader.position
            guard Int(size) <= reader.end - start else {
                throw WasmError(.malformed, "length out of bounds", offset: start)
            }
            var section = Reader(bytes: bytes, position: start, end: start + Int(size))
            if id == 0 {
                let name = try section.name()
                if name == "name" {
                    // Names are a debugging aid: a malformed name section is ignored.
                    var sub = section
                    module.functionNames = (try? Self.decodeNames(&sub)) ?? [:]
                }
            } else {
                guard let r = rank[id] else {
                    throw WasmError(.malformed, "malformed section id", offset: idOffset)
                }
                guard r > lastRank else {
                    throw WasmError(.malformed, "unexpected content after last section", offset: idOffset)
                }
                lastRank = r
                switch id {
                case 1: try decodeTypes(&section)
                case 2: try decodeImports(&section)
                case 3: try decodeFunctions(&section)
                case 4: try decodeTables(&section)
                case 5: try decodeMemories(&section)
                case 6: try decodeGlobals(&section)
                case 7: try decodeExports(&section)
                case 8: module.start = try section.u32()
                case 9: try decodeElements(&section)
                case 12: module.dataCount = try section.u32()
                case 10: sawCode = true; try decodeCode(&section)
                case 11: sawData = true; try decodeData(&section)
                default: break
                }
                if section.position != section.end {
                    throw WasmError(.malformed, "section size mismatch", offset: section.position)
                }
            }
            reader.position = start + Int(size)
        }
        let declared = functionCount ?? 0
        if declared != bodies.count || (declared > 0 && !sawCode) {
            throw WasmError(.malformed, "function and code section have inconsistent lengths")
        }
        if let dataCount = module.dataCount, Int(dataCount) != dataRaw.count || (!sawData && dataCount != 0) {
            throw WasmError(.malformed, "data count and data section have inconsistent lengths")
        }
        try scanBodiesForDataCount()
        try validateModule()
        try compileBodies()
        return module
    }

    // MARK: Sections

    mutating func decodeTypes(_ r: inout Reader) throws(WasmError) {
        let n = try r.count()
        for i in 0..<n {
            let at = r.position
            try Self.check(.types, index: i, at: at)
            guard try r.byte() == 0x60 else { throw r.malformed("integer representation too long", at: at) }
            var params: [ValueType] = []
            for j in 0..<(try r.count()) {
                try Self.check(.parameters, index: j, at: r.position)
                params.append(try r.valueType())
            }
            var results: [ValueType] = []
            for j in 0..<(try r.count()) {
                try Self.check(.results, index: j, at: r.position)
                results.append(try r.valueType())
            }
            module.types.append(FunctionType(parameters: params, results: results))
        }
    }

    mutating func decodeImports(_ r: inout Reader) throws(WasmError) {
        let n = try r.count()
        for i in 0..<n {
            try Self.check(.imports, index: i, at: r.position)
            let moduleName = try r.name()
            let name = try r.name()
            let at = r.position
            let kind = try r.byte()
            switch kind {
            case 0x00:
                let typeIndex = try r.u32()
                guard Int(typeIndex) < module.types.count else { throw Self.invalid("unknown type", at: at) }
                module.functionTypes.append(typeIndex)
                module.importedFunctionCount += 1
                module.imports.append(Import(module: moduleName, name: name, kind: .function(module.types[Int(typeIndex)])))
            case 0x01:
                try Self.check(.tables, index: module.tables.count, at: at)
                let type = try tableType(&r)
                module.tables.append(type)
                module.importedTableCount += 1
                module.imports.append(Import(module: moduleName, name: name, kind: .table(type)))
            case 0x02:
                let type = MemoryType(limits: try r.limits())
                module.memories.append(type)
                module.importedMemoryCount += 1
                module.imports.append(Import(module: moduleName, name: name, kind: .memory(type)))
            case 0x03:
                let type = try globalType(&r)
                module.globals.append(type)
                module.importedGlobalCount += 1
                module.imports.append(Import(module: moduleName, name: name, kind: .global(type)))
            default:
                throw r.malformed("malformed import kind", at: at)
            }
        }
    }

    func tableType(_ r: inout Reader) throws(WasmError) -> TableType {
        let elementType = try r.referenceType()
        let at = r.position
        let limits = try r.limits()
        // A minimum above the maximum is invalid, which validation reports (the spec suite expects that error first).
        if limits.max.map({ limits.min <= $0 }) ?? true, Int(limits.min) > ImplementationLimit.tableSize.value {
            throw ImplementationLimit.tableSize.error(found: Int(limits.min), at: at)
        }
        return TableType(elementType: elementType, limits: limits)
    }

    func globalType(_ r: inout Reader) throws(WasmError) -> GlobalType {
        let type = try r.valueType()
        let at = r.position
        switch try r.byte() {
        case 0: return GlobalType(valueType: type, mutable: false)
        case 1: return GlobalType(valueType: type, mutable: true)
        default: throw r.malformed("malformed mutability", at: at)
        }
    }

    mutating func decodeFunctions(_ r: inout Reader) throws(WasmError) {
        let n = try r.count()
        for i in 0..<n {
            try Self.check(.functions, index: i, at: r.position)
            module.functionTypes.append(try r.u32())
        }
        functionCount = n
    }

    mutating func decodeTables(_ r: inout Reader) throws(WasmError) {
        let n = try r.count()
        for _ in 0..<n {
            try Self.check(.tables, index: module.tables.count, at: r.position)
            module.tables.append(try tableType(&r))
        }
    }

    mutating func decodeMemories(_ r: inout Reader) throws(WasmError) {
        let n = try r.count()
        for _ in 0..<n { module.memories.append(MemoryType(limits: try r.limits())) }
    }

    mutating func decodeGlobals(_ r: inout Reader) throws(WasmError) {
        let n = try r.count()
        for i in 0..<n {
            try Self.check(.globals, index: i, at: r.position)
            let type = try globalType(&r)
            module.globals.append(type)
            globalInits.append(try constExpr(&r))
        }
    }

    mutating func decodeExports(_ r: inout Reader) throws(WasmError) {
        let n = try r.count()
        for i in 0..<n {
            try Self.check(.exports, index: i, at: r.position)
            let name = try r.name()
            let at = r.position
            let kind = try r.byte()
            let index = try r.u32()
            switch kind {
            case 0: module.exports.append(Export(name: name, kind: .function(index)))
            case 1: module.exports.append(Export(name: name, kind: .table(index)))
            case 2: module.exports.append(Export(name: name, kind: .memory(index)))
            case 3: module.exports.append(Export(name: name, kind: .global(index)))
            default: throw r.malformed("malformed export kind", at: at)
            }
        }
    }

    mutating func decodeElements(_ r: inout Reader) throws(WasmError) {
        let n = try r.count()
        for _ in 0..<n {
            let at = r.position
            let flags = try r.u32()
            guard flags <= 7 else { throw r.malformed("malformed elements segment kind", at: at) }
            var table: UInt32 = 0
            var offset: RawConstExpr?
            var type = ValueType.funcRef
            var items: [RawConstExpr] = []
            let mode = flags & 1 == 0 ? 0 : (flags & 2 == 0 ? 1 : 2)  // 0 active, 1 passive, 2 declarative
            if flags & 1 == 0 {
                if flags & 2 != 0 { table = try r.u32() }
                offset = try constExpr(&r)
            }
            let usesExpressions = flags & 4 != 0
            if flags & 3 != 0 {
                if usesExpressions {
                    type = try r.referenceType()
                } else {
                    let kindAt = r.position
                    guard try r.byte() == 0x00 else { throw r.malformed("malformed element kind", at: kindAt) }
                }
            }
            let count = try r.count()
            for j in 0..<count {
                try Self.check(.elementSegmentItems, index: j, at: r.position)
                if usesExpressions {
                    items.append(try constExpr(&r))
                } else {
                    let itemAt = r.position
                    let index = try r.u32()
                    items.append(RawConstExpr(items: [.refFunc(index)], nonConstant: false, offset: itemAt))
                }
            }
            elementRaw.append((mode: mode, table: table, offset: offset, type: type, items: items))
        }
    }

    mutating func decodeCode(_ r: inout Reader) throws(WasmError) {
        let n = try r.count()
        for _ in 0..<n {
            let sizeAt = r.position
            let size = try r.u32()
            let start = r.position
            guard Int(size) <= r.end - start else { throw r.malformed("unexpected end of section or function") }
            if Int(size) > ImplementationLimit.functionBodySize.value {
                throw ImplementationLimit.functionBodySize.error(found: Int(size), at: sizeAt)
            }
            var body = Reader(bytes: bytes, position: start, end: start + Int(size))
            var locals: [(count: UInt32, type: ValueType)] = []
            var total: UInt64 = 0
            let groups = try body.count()
            for _ in 0..<groups {
                let count = try body.u32()
                total += UInt64(count)
                if total > UInt64(UInt32.max) { throw body.malformed("too many locals") }
                locals.append((count: count, type: try body.valueType()))
            }
            // Parameters count too; an unknown type index is reported by validation.
            let typeIndex = module.importedFunctionCount + bodies.count
            if typeIndex < module.functionTypes.count, Int(module.functionTypes[typeIndex]) < module.types.count {
                total += UInt64(module.types[Int(module.functionTypes[typeIndex])].parameters.count)
            }
            if total > UInt64(ImplementationLimit.locals.value) {
                throw ImplementationLimit.locals.error(found: Int(total), at: start)
            }
            bodies.append(RawBody(locals: locals, localCount: Int(total), start: body.position, end: start + Int(size)))
            r.position = start + Int(size)
        }
    }

    mutating func decodeData(_ r: inout Reader) throws(WasmError) {
        let n = try r.count()
        for i in 0..<n {
            let at = r.position
            try Self.check(.dataSegments, index: i, at: at)
            let flags = try r.u32()
            var memory: UInt32 = 0
            var offset: RawConstExpr?
            switch flags {
            case 0: offset = try constExpr(&r)
            case 1: break
            case 2:
                memory = try r.u32()
                offset = try constExpr(&r)
            default: throw r.malformed("malformed data segment kind", at: at)
            }
            let length = try r.count()
            let content = try r.bytes(length)
            dataRaw.append((memory: memory, offset: offset))
            module.data.append(DataSegment(mode: .passive, bytes: content))
        }
    }

    /// Decodes a constant expression up to its `end`. Non-constant instructions are remembered
    /// (validation reports them) as long as they decode.
    func constExpr(_ r: inout Reader) throws(WasmError) -> RawConstExpr {
        var expr = RawConstExpr(offset: r.position)
        while true {
            let at = r.position
            let op = try r.byte()
            switch op {
            case 0x0B: return expr
            case 0x41: expr.items.append(.value(UInt64(UInt32(bitPattern: try r.s32())), .i32))
            case 0x42: expr.items.append(.value(UInt64(bitPattern: try r.s64()), .i64))
            case 0x43: expr.items.append(.value(UInt64(try r.fixed32()), .f32))
            case 0x44: expr.items.append(.value(try r.fixed64(), .f64))
            case 0xD0: expr.items.append(.refNull(try r.referenceType()))
            case 0xD2: expr.items.append(.refFunc(try r.u32()))
            case 0x23: expr.items.append(.globalGet(try r.u32()))
            case 0x00, 0x01, 0x0F, 0x1A, 0x1B, 0xD1, 0x45...0xC4:
                expr.nonConstant = true
            case 0x20, 0x21, 0x22, 0x24, 0x10:
                _ = try r.u32()
                expr.nonConstant = true
            default:
                throw r.malformed("illegal opcode", at: at)
            }
        }
    }

    static func decodeNames(_ r: inout Reader) throws(WasmError) -> [UInt32: String] {
        var names: [UInt32: String] = [:]
        while !r.isAtEnd {
            let id = try r.byte()
            let size = try r.u32()
            let end = r.position + Int(size)
            guard end <= r.end else { break }
            if id == 1 {
                var sub = Reader(bytes: r.bytes, position: r.position, end: end)
                let n = try sub.count()
                for _ in 0..<n {
                    let index = try sub.u32()
                    names[index] = try sub.name()
                }
            }
            r.position = end
        }
        return names
    }

    /// memory.init and data.drop need the data count section; that is a decoding rule.
    func scanBodiesForDataCount() throws(WasmError) {
        // Checked during compilation (FunctionCompiler reports it as malformed).
    }

    // MARK: Validation of everything outside function bodies

    mutating func validateModule() throws(WasmError) {
        let m = module
        for index in m.functionTypes[m.importedFunctionCount...] where Int(index) >= m.types.count {
            throw Self.invalid("unknown type")
        }
        for table in m.tables {
            if let max = table.limits.max, table.limits.min > max {
                throw Self.invalid("size minimum must not be greater than maximum")
            }
        }
        if m.memories.count > 1 { throw Self.invalid("multiple memories") }
        for memory in m.memories {
            if memory.limits.min > 65536 || (memory.limits.max ?? 0) > 65536 {
                throw Self.invalid("memory size must be at most 65536 pages (4GiB)")
            }
            if let max = memory.limits.max, memory.limits.min > max {
                throw Self.invalid("size minimum must not be greater than maximum")
            }
        }
        // Function references that bodies may take with ref.func.
        var declared = Set<UInt32>()
        for (i, raw) in globalInits.enumerated() {
            let type = m.globals[m.importedGlobalCount + i]
            let expr = try checkConst(raw, type.valueType, declared: &declared)
            module.globalDefinitions.append(GlobalDefinition(type: type, initializer: expr))
        }
        var names = Set<Name>()
        for export in m.exports {
            let ok: Bool
            switch export.kind {
            case .function(let i): ok = Int(i) < m.functionTypes.count; if ok { declared.insert(i) }
            case .table(let i): ok = Int(i) < m.tables.count
            case .memory(let i): ok = Int(i) < m.memories.count
            case .global(let i): ok = Int(i) < m.globals.count
            }
            if !ok {
                switch export.kind {
                case .function: throw Self.invalid("unknown function")
                case .table: throw Self.invalid("unknown table")
                case .memory: throw Self.invalid("unknown memory")
                case .global: throw Self.invalid("unknown global")
                }
            }
            guard names.insert(Name(export.name)).inserted else { throw Self.invalid("duplicate export name") }
        }
        if let start = m.start {
            guard Int(start) < m.functionTypes.count else { throw Self.invalid("unknown function") }
            let type = m.functionType(start)
            guard type.parameters.isEmpty, type.results.isEmpty else { throw Self.invalid("start function") }
        }
        for raw in elementRaw {
            var items: [ConstExpr] = []
            for item in raw.items { items.append(try checkConst(item, raw.type, declared: &declared)) }
            let mode: ElementSegment.Mode
            switch raw.mode {
            case 0:
                guard Int(raw.table) < m.tables.count else { throw Self.invalid("unknown table \(raw.table)") }
                guard m.tables[Int(raw.table)].elementType == raw.type else { throw Self.invalid("type mismatch") }
                mode = .active(table: raw.table, offset: try checkConst(raw.offset!, .i32, declared: &declared))
            case 1: mode = .passive
            default: mode = .declarative
            }
            module.elements.append(ElementSegment(mode: mode, type: raw.type, items: items))
        }
        for (i, raw) in dataRaw.enumerated() {
            guard let offset = raw.offset else { continue }
            guard Int(raw.memory) < m.memories.count else { throw Self.invalid("unknown memory \(raw.memory)") }
            module.data[i].mode = .active(memory: raw.memory, offset: try checkConst(offset, .i32, declared: &declared))
        }
        declaredReferences = declared
    }

    var declaredReferences = Set<UInt32>()

    func checkConst(_ raw: RawConstExpr, _ expected: ValueType, declared: inout Set<UInt32>) throws(WasmError) -> ConstExpr {
        let m = module
        for item in raw.items {
            switch item {
            case .globalGet(let index):
                guard Int(index) < m.importedGlobalCount else { throw Self.invalid("unknown global \(index)", at: raw.offset) }
                if m.globals[Int(index)].mutable { throw Self.invalid("constant expression required", at: raw.offset) }
            case .refFunc(let index):
                guard Int(index) < m.functionTypes.count else { throw Self.invalid("unknown function \(index)", at: raw.offset) }
                declared.insert(index)
            default: break
            }
        }
        if raw.nonConstant { throw Self.invalid("constant expression required", at: raw.offset) }
        guard raw.items.count == 1 else { throw Self.invalid("type mismatch", at: raw.offset) }
        let item = raw.items[0]
        let type: ValueType
        switch item {
        case .value(_, let t): type = t
        case .refNull(let t): type = t
        case .refFunc: type = .funcRef
        case .globalGet(let index): type = m.globals[Int(index)].valueType
        }
        guard type == expected else { throw Self.invalid("type mismatch", at: raw.offset) }
        return item
    }

    mutating func compileBodies() throws(WasmError) {
        var code: [CompiledFunction] = []
        code.reserveCapacity(bodies.count)
        var firstInvalid: WasmError?
        for (i, body) in bodies.enumerated() {
            let index = UInt32(module.importedFunctionCount + i)
            var compiler = FunctionCompiler(module: module, bytes: bytes, body: body, functionIndex: index,
                                            declaredReferences: declaredReferences)
            do {
                code.append(try compiler.compile())
            } catch {
                if error.kind == .malformed { throw error }
                // A later body may still be malformed, which takes precedence.
                if firstInvalid == nil { firstInvalid = error }
                code.append(CompiledFunction.placeholder)
            }
        }
        if let firstInvalid { throw firstInvalid }
        module.code = code
    }
}
