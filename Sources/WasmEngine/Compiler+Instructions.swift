// The validating compiler's pass over one function body: each wasm instruction is checked
// against the operand stack (the spec's validation algorithm, including the polymorphic stack
// after unconditional branches) and turned into register-based internal code.

extension FunctionCompiler {
    // MARK: The pass

    mutating func compile() throws(WasmError) -> CompiledFunction {
        let i32 = ValueType.i32.rawValue, i64 = ValueType.i64.rawValue
        let f32 = ValueType.f32.rawValue, f64 = ValueType.f64.rawValue
        controls.append(Control(kind: .function, params: [], results: type.results.map { $0.rawValue }, height: 0))
        while true {
            at = r.position
            let op = try r.byte()
            defer { if op >= 0x02 && op <= 0x0B { barrier = code.count } }
            switch op {
            case 0x00:
                emit(0x00)
                markUnreachable()
            case 0x01:
                break
            case 0x02, 0x03:
                let bt = try blockType()
                materializeAll()
                try pop(bt.params)
                pushControl(op == 0x02 ? .block : .loop, bt.params, bt.results)
            case 0x04:
                let bt = try blockType()
                let condition = try popEntry(i32)
                let params = try popEntries(bt.params)
                pushEntries(params, bt.params)
                let fixup = conditionalBranch(condition, depth: nil, ifTrue: false)
                try pop(bt.params)
                pushControl(.if, bt.params, bt.results)
                controls[controls.count - 1].elseFixup = fixup
            case 0x05:
                guard controls[controls.count - 1].kind == .if else { throw invalid("else without if") }
                materializeAll()
                var frame = try popControl()
                let jumpPosition = emitJump()
                frame.fixups.append(.immediate(jumpPosition))
                if let fixup = frame.elseFixup { patchTarget(fixup, to: code.count) }
                frame.elseFixup = nil
                frame.kind = .else
                frame.unreachable = false
                frame.height = stack.count
                controls.append(frame)
                push(frame.params)
            case 0x0B:
                materializeAll()
                let frame = try popControl()
                if frame.kind == .if && frame.params != frame.results {
                    throw invalid("type mismatch: if without else must leave its parameters as results")
                }
                if let fixup = frame.elseFixup { patchTarget(fixup, to: code.count) }
                for fixup in frame.fixups { patchTarget(fixup, to: code.count) }
                push(frame.results)
                if controls.isEmpty {
                    emit(0x0F, d: home(0))
                    if r.position != r.end { throw malformed("section size mismatch") }
                    if numLocals + maxHeight > 0xFFFF {
                        throw invalid("function too large: more than 65535 locals and operand slots")
                    }
                    return CompiledFunction(code: code, offsets: offsets, numParams: type.parameters.count,
                                            numLocals: numLocals, numResults: type.results.count,
                                            maxHeight: maxHeight, index: functionIndex)
                }
            case 0x0C:
                let depth = try label(try r.u32())
                materializeAll()
                try pop(controls[controls.count - 1 - depth].labelTypes)
                push(controls[controls.count - 1 - depth].labelTypes)
                emitBranch(depth: depth, condition: nil)
                markUnreachable()
            case 0x0D:
                let depth = try label(try r.u32())
                let condition = try popEntry(i32)
                let types = controls[controls.count - 1 - depth].labelTypes
                if types.isEmpty || home(stack.count - types.count) == home(controls[controls.count - 1 - depth].height) {
                    pushEntries(try popEntries(types), types)
                    addFixup(conditionalBranch(condition, depth: depth, ifTrue: true), depth: depth)
                } else {
                    materializeAll()
                    let conditionSlot = condition.isConstant ? operandSlot(condition, height: stack.count) : condition.location
                    try pop(types)
                    push(types)
                    emitBranch(depth: depth, condition: conditionSlot)
                }
            case 0x0E:
                let n = try r.count()
                guard n <= r.end - r.position else { throw malformed("unexpected end of section or function") }
                var depths: [Int] = []
                for _ in 0...n { depths.append(try label(try r.u32())) }
                let index = try popEntry(i32)
                let indexSlot = index.isConstant ? operandSlot(index, height: stack.count) : index.location
                materializeAll()
                let defaultDepth = depths[n]
                let arity = controls[controls.count - 1 - defaultDepth].labelTypes.count
                for depth in depths {
                    let types = controls[controls.count - 1 - depth].labelTypes
                    guard types.count == arity else { throw invalid("type mismatch: br_table targets differ in arity") }
                    var popped: [UInt8] = []
                    var i = types.count - 1
                    while i >= 0 { popped.append(try pop(types[i])); i -= 1 }
                    push(popped.reversed())
                }
                try pop(controls[controls.count - 1 - defaultDepth].labelTypes)
                let source = home(stack.count)
                let start = code.count
                emit(arity == 0 ? Op.jumpTableNoValues : Op.jumpTable, d: indexSlot, imm: UInt32(n))
                for depth in depths {
                    let target = controls[controls.count - 1 - depth]
                    let position = code.count
                    emitWord(0)
                    emitWord(UInt64(source) | UInt64(home(target.height)) << 16 | UInt64(arity) << 32)
                    addFixup(.word(position, from: start), depth: depth)
                }
                markUnreachable()
            case 0x0F:
                materializeAll()
                let results = controls[0].results
                try pop(results)
                emit(0x0F, d: home(stack.count))
                markUnreachable()
            case 0x10:
                let index = try r.u32()
                guard Int(index) < module.functionTypes.count else { throw invalid("unknown function \(index)") }
                let callee = module.functionType(index)
                materializeAll()
                try pop(callee.parameters.map { $0.rawValue })
                emit(0x10, d: home(stack.count), imm: index)
                push(callee.results.map { $0.rawValue })
            case 0x11:
                let typeIndex = try r.u32()
                let tableIndex = try r.u32()
                guard try table(tableIndex) == ValueType.funcRef.rawValue else { throw invalid("type mismatch: call_indirect needs a funcref table") }
                guard Int(typeIndex) < module.types.count else { throw invalid("unknown type") }
                let callee = module.types[Int(typeIndex)]
                let index = try popEntry(i32)
                materializeAll()
                let indexSlot = operandSlot(index, height: stack.count)
                try pop(callee.parameters.map { $0.rawValue })
                emit(Op.callIndirect, d: home(stack.count), imm: typeIndex)
                emitWord(UInt64(tableIndex) | UInt64(indexSlot) << 32)
                push(callee.results.map { $0.rawValue })
            case 0x1A:
                _ = try pop()
            case 0x1B, 0x1C:
                var annotated: UInt8 = typeUnknown
                if op == 0x1C {
                    let n = try r.count()
                    guard n == 1 else { throw invalid("invalid result arity") }
                    annotated = try r.valueType().rawValue
                }
                let condition = try popEntry(i32)
                let second = op == 0x1C ? try popEntry(annotated) : try popEntry()
                let first = op == 0x1C ? try popEntry(annotated) : try popEntry()
                let t1 = second.type, t2 = first.type
                var result = annotated
                if op == 0x1B {
                    let isNumber: (UInt8) -> Bool = { $0 <= 3 || $0 == typeUnknown }
                    guard isNumber(t1), isNumber(t2) else { throw invalid("type mismatch: select needs a type annotation for references") }
                    guard t1 == t2 || t1 == typeUnknown || t2 == typeUnknown else { throw invalid("type mismatch: select operands differ") }
                    result = t1 == typeUnknown ? t2 : t1
                }
                let h = stack.count
                let c = operandSlot(condition, height: h + 2)
                if first.isConstant != second.isConstant {
                    // One operand a constant: it goes in the code (no `constant` to run first).
                    let (value, constant) = first.isConstant ? (second, first) : (first, second)
                    emit(first.isConstant ? Op.constSelect : Op.selectConst, d: home(h), a: value.location, b: c, writesTop: true)
                    emitWord(constant.constant)
                    push(result)
                    continue
                }
                let b = operandSlot(second, height: h + 1)
                let a = operandSlot(first, height: h)
                emit(0x1B, d: home(h), a: a, b: b, writesTop: true)
                emitWord(UInt64(c))
                push(result)
            case 0x20:
                let index = try r.u32()
                push(try localType(index), location: Int(index))
            case 0x21, 0x22:
                let index = try r.u32()
                let t = try localType(index)
                let value = try popEntry(t)
                let local = Int(index)
                let readers = locations.contains(local)
                if !readers && !value.isConstant && value.location == home(stack.count) && previousWritesTop
                    && previousStart >= barrier && Int((code[previousStart] >> 16) & 0xFFFF) == value.location {
                    // Redirect the producing instruction's result into the local.
                    code[previousStart] = (code[previousStart] & ~(UInt64(0xFFFF) << 16)) | Self.slot(local) << 16
                    previousWritesTop = false
                } else {
                    detach(local: local)
                    if value.isConstant {
                        emit(Op.constant, d: local)
                        emitWord(value.constant)
                    } else if value.location != local {
                        emitCopy(d: local, a: value.location)
                    }
                    previousWritesTop = false
                }
                if op == 0x22 { push(t, location: local) }
            case 0x23:
                let index = try r.u32()
                guard Int(index) < module.globals.count else { throw invalid("unknown global \(index)") }
                emit(0x23, d: home(stack.count), imm: index)
                previousWritesTop = true
                push(module.globals[Int(index)].valueType.rawValue)
            case 0x24:
                let index = try r.u32()
                guard Int(index) < module.globals.count else { throw invalid("unknown global \(index)") }
                guard module.globals[Int(index)].mutable else { throw invalid("global is immutable") }
                let value = try popEntry(module.globals[Int(index)].valueType.rawValue)
                emit(0x24, d: operandSlot(value, height: stack.count), imm: index)
            case 0x25:
                let index = try r.u32()
                let t = try table(index)
                let element = try popEntry(i32)
                let a = operandSlot(element, height: stack.count)
                emit(0x25, d: home(stack.count), a: a, writesTop: true)
                emitWord(UInt64(index))
                push(t)
            case 0x26:
                let index = try r.u32()
                let t = try table(index)
                let value = try popEntry(t)
                let element = try popEntry(i32)
                let v = operandSlot(value, height: stack.count + 1)
                let e = operandSlot(element, height: stack.count)
                emit(0x26, d: e, a: v)
                emitWord(UInt64(index))
            case 0x28...0x35:
                let natural: [UInt32] = [2, 3, 2, 3, 0, 0, 1, 1, 0, 0, 1, 1, 2, 2]
                let result: [UInt8] = [i32, i64, f32, f64, i32, i32, i32, i32, i64, i64, i64, i64, i64, i64]
                let k = Int(op - 0x28)
                let offset = try memarg(naturalAlignment: natural[k])
                let address = try popEntry(i32)
                if address.isConstant {
                    emit(Op.loadAbsolute + UInt16(k), d: home(stack.count), writesTop: true)
                    emitWord(UInt64(UInt32(truncatingIfNeeded: address.constant)) + UInt64(offset))
                } else {
                    let (a, index, addend) = addressOperand(address, height: stack.count)
                    let form = index != nil ? Op.loadIndexed + UInt16(k) : addend != 0 ? Op.loadAddend + UInt16(k) : UInt16(op)
                    emit(form, d: home(stack.count), a: a, b: index ?? 0, writesTop: true)
                    emitWord(form == UInt16(op) ? Self.plainOffset(offset, width: Self.loadWidths[k]) : UInt64(offset) | UInt64(addend) << 32)
                    if form == 0x2B { lastF64Load = previousStart }
                }
                push(result[k])
            case 0x36...0x3E:
                let natural: [UInt32] = [2, 3, 2, 3, 0, 1, 0, 1, 2]
                let operand: [UInt8] = [i32, i64, f32, f64, i32, i32, i64, i64, i64]
                let k = Int(op - 0x36)
                let offset = try memarg(naturalAlignment: natural[k])
                let value = try popEntry(operand[k])
                let address = try popEntry(i32)
                if value.isConstant {
                    let (a, index, addend) = addressOperand(address, height: stack.count)
                    emit((index == nil ? Op.storeConstant : Op.storeConstantIndexed) + UInt16(k), a: a, b: index ?? 0)
                    emitWord(UInt64(offset) | UInt64(addend) << 32)
                    emitWord(value.constant)
                } else if value.location != home(stack.count + 1) {
                    // The value is a local: nothing was emitted after the address.
                    let (a, index, addend) = addressOperand(address, height: stack.count)
                    let form = index != nil ? Op.storeIndexed + UInt16(k) : addend != 0 ? Op.storeAddend + UInt16(k) : UInt16(op)
                    emit(form, d: value.location, a: a, b: index ?? 0)
                    emitWord(form == UInt16(op) ? Self.plainOffset(offset, width: Self.storeWidths[k]) : UInt64(offset) | UInt64(addend) << 32)
                } else {
                    let v = operandSlot(value, height: stack.count + 1)
                    let a = operandSlot(address, height: stack.count)
                    if !(op == 0x39 && (fuseAddStore(value: v, address: a, offset: offset)
                                        || fuseMultiplyChainStore(value: v, address: a, offset: offset))) {
                        emit(UInt16(op), d: v, a: a)
                        emitWord(Self.plainOffset(offset, width: Self.storeWidths[k]))
                    }
                }
            case 0x3F:
                try zeroByte()
                try checkMemory()
                emit(0x3F, d: home(stack.count), writesTop: true)
                push(i32)
            case 0x40:
                try zeroByte()
                try checkMemory()
                let delta = try popEntry(i32)
                let a = operandSlot(delta, height: stack.count)
                emit(0x40, d: home(stack.count), a: a, writesTop: true)
                push(i32)
            case 0x41:
                let v = try r.s32()
                push(i32, location: Self.constantLocation, constant: UInt64(UInt32(bitPattern: v)))
            case 0x42:
                let v = try r.s64()
                push(i64, location: Self.constantLocation, constant: UInt64(bitPattern: v))
            case 0x43:
                let v = try r.fixed32()
                push(f32, location: Self.constantLocation, constant: UInt64(v))
            case 0x44:
                let v = try r.fixed64()
                push(f64, location: Self.constantLocation, constant: v)
            case 0xAD:
                // i64.extend_i32_u: every i32 value is kept zero-extended in its 64-bit slot, so
                // the operand's slot (or constant) already holds the result.
                let operand = try popEntry(i32)
                push(i64, location: operand.location, constant: operand.constant)
            case 0x45...0xC4:
                let sig = Self.numericSignature(op)
                if sig.1 != typeUnknown {
                    let second = try popEntry(sig.1)
                    let first = try popEntry(sig.0)
                    let h = stack.count
                    if fuseLoadOperand(op, first: first, second: second, height: h)
                        || fuseMultiplication(op, first: first, second: second, height: h)
                        || fuseMultiplyChain(op, first: first, second: second, height: h)
                        || fuseMultiplyChainSum(op, first: first, second: second, height: h)
                        || fuseIntegerPair(op, first: first, second: second, height: h) {
                        push(sig.2)
                        continue
                    }
                    let a = operandSlot(first, height: h)
                    if second.isConstant, let k = Op.fusableIndex(op) {
                        emit(Op.withConst + UInt16(k), d: home(h), a: a, writesTop: true)
                        emitWord(second.constant)
                    } else {
                        let b = operandSlot(second, height: h + 1)
                        emit(UInt16(op), d: home(h), a: a, b: b, writesTop: true)
                    }
                } else {
                    let operand = try popEntry(sig.0)
                    let a = operandSlot(operand, height: stack.count)
                    emit(UInt16(op), d: home(stack.count), a: a, writesTop: true)
                }
                push(sig.2)
            case 0xD0:
                let t = try r.referenceType()
                push(t.rawValue, location: Self.constantLocation, constant: 0)
            case 0xD1:
                let operand = try popEntry()
                let t = operand.type
                guard t == typeUnknown || t == ValueType.funcRef.rawValue || t == ValueType.externRef.rawValue else {
                    throw invalid("type mismatch: expected a reference, found \(Self.name(t))")
                }
                let a = operandSlot(operand, height: stack.count)
                emit(0x50, d: home(stack.count), a: a, writesTop: true)
                push(i32)
            case 0xD2:
                let index = try r.u32()
                guard Int(index) < module.functionTypes.count else { throw invalid("unknown function \(index)") }
                guard declaredReferences.contains(index) else { throw invalid("undeclared function reference") }
                emit(0xD2, d: home(stack.count), imm: index)
                previousWritesTop = true
                push(ValueType.funcRef.rawValue)
            case 0xFC:
                try compilePrefixed()
            default:
                throw malformed("illegal opcode")
            }
        }
    }

    mutating func compilePrefixed() throws(WasmError) {
        let i32 = ValueType.i32.rawValue, i64 = ValueType.i64.rawValue
        let f32 = ValueType.f32.rawValue, f64 = ValueType.f64.rawValue
        let sub = try r.u32()
        let op = Op.prefixFC + UInt16(truncatingIfNeeded: min(sub, 0xFF))
        switch sub {
        case 0...7:
            let from: [UInt8] = [f32, f32, f64, f64, f32, f32, f64, f64]
            let operand = try popEntry(from[Int(sub)])
            let a = operandSlot(operand, height: stack.count)
            emit(op, d: home(stack.count), a: a, writesTop: true)
            push(sub < 4 ? i32 : i64)
        case 8:
            let index = try r.u32()
            try zeroByte()
            try checkMemory()
            let count = try dataCount()
            guard index < count else { throw invalid("unknown data segment \(index)") }
            materializeAll()
            let base = try popOperandsToHome([i32, i32, i32])
            emit(op, d: base, imm: index)
        case 9:
            let index = try r.u32()
            let count = try dataCount()
            guard index < count else { throw invalid("unknown data segment \(index)") }
            emit(op, imm: index)
        case 10:
            try zeroByte(); try zeroByte()
            try checkMemory()
            materializeAll()
            emit(op, d: try popOperandsToHome([i32, i32, i32]))
        case 11:
            try zeroByte()
            try checkMemory()
            materializeAll()
            emit(op, d: try popOperandsToHome([i32, i32, i32]))
        case 12:
            let element = try r.u32()
            let tableIndex = try r.u32()
            let t = try table(tableIndex)
            guard Int(element) < module.elements.count else { throw invalid("unknown elem segment \(element)") }
            guard module.elements[Int(element)].type.rawValue == t else { throw invalid("type mismatch") }
            materializeAll()
            emit(op, d: try popOperandsToHome([i32, i32, i32]), imm: element)
            emitWord(UInt64(tableIndex))
        case 13:
            let element = try r.u32()
            guard Int(element) < module.elements.count else { throw invalid("unknown elem segment \(element)") }
            emit(op, imm: element)
        case 14:
            let destination = try r.u32()
            let source = try r.u32()
            let td = try table(destination)
            let ts = try table(source)
            guard td == ts else { throw invalid("type mismatch") }
            materializeAll()
            emit(op, d: try popOperandsToHome([i32, i32, i32]), imm: destination)
            emitWord(UInt64(source))
        case 15:
            let index = try r.u32()
            let t = try table(index)
            materializeAll()
            let base = try popOperandsToHome([t, i32])
            emit(op, d: base, imm: index)
            push(i32)
        case 16:
            let index = try r.u32()
            _ = try table(index)
            emit(op, d: home(stack.count), imm: index)
            previousWritesTop = true
            push(i32)
        case 17:
            let index = try r.u32()
            let t = try table(index)
            materializeAll()
            emit(op, d: try popOperandsToHome([i32, t, i32]), imm: index)
        default:
            throw malformed("illegal opcode")
        }
    }

    /// Operand and result types of the plain numeric instructions 0x45...0xC4
    /// (second operand `typeUnknown` for unary ones).
    static func numericSignature(_ op: UInt8) -> (UInt8, UInt8, UInt8) {
        let i: UInt8 = 0, l: UInt8 = 1, f: UInt8 = 2, d: UInt8 = 3, n = typeUnknown
        switch op {
        case 0x45: return (i, n, i)
        case 0x46...0x4F: return (i, i, i)
        case 0x50: return (l, n, i)
        case 0x51...0x5A: return (l, l, i)
        case 0x5B...0x60: return (f, f, i)
        case 0x61...0x66: return (d, d, i)
        case 0x67...0x69: return (i, n, i)
        case 0x6A...0x78: return (i, i, i)
        case 0x79...0x7B: return (l, n, l)
        case 0x7C...0x8A: return (l, l, l)
        case 0x8B...0x91: return (f, n, f)
        case 0x92...0x98: return (f, f, f)
        case 0x99...0x9F: return (d, n, d)
        case 0xA0...0xA6: return (d, d, d)
        case 0xA7: return (l, n, i)
        case 0xA8, 0xA9: return (f, n, i)
        case 0xAA, 0xAB: return (d, n, i)
        case 0xAC, 0xAD: return (i, n, l)
        case 0xAE, 0xAF: return (f, n, l)
        case 0xB0, 0xB1: return (d, n, l)
        case 0xB2, 0xB3: return (i, n, f)
        case 0xB4, 0xB5: return (l, n, f)
        case 0xB6: return (d, n, f)
        case 0xB7, 0xB8: return (i, n, d)
        case 0xB9, 0xBA: return (l, n, d)
        case 0xBB: return (f, n, d)
        case 0xBC: return (f, n, i)
        case 0xBD: return (d, n, l)
        case 0xBE: return (i, n, f)
        case 0xBF: return (l, n, d)
        case 0xC0, 0xC1: return (i, n, i)
        default: return (l, n, l)   // 0xC2...0xC4
        }
    }
}
