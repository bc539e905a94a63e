// The fused validator and compiler: one pass over a function body checks it with the spec's
// operand-stack algorithm and emits the interpreter's internal code at the same time.
//
// Internal code is register based. Every value on the wasm operand stack has a home: the frame
// slot `numLocals + height` (frame slots are 64 bits; locals come first). While compiling, a
// stack entry may instead still *be* a local (after `local.get`) or a constant; instructions
// then read the local's slot or an inline constant directly, and a result followed by
// `local.set` is written straight into the local. Before anything that joins control flow
// (blocks, branches, calls) every entry is moved to its home slot, so at those points the
// layout is fixed and branches need no run-time label search: their targets and value moves
// are resolved here.
//
// An instruction is one 64-bit word: opcode in bits 0-15, then up to three 16-bit slot fields
// (d: bits 16-31, a: 32-47, b: 48-63) or a 32-bit immediate in bits 32-63; some take further
// words (constants, memory offsets, branch targets). Wasm opcodes keep their numbers for the
// slot-slot forms; other forms are listed in `Op` (Opcode.swift, generated from
// scripts/wasm-instructions.json).

let typeUnknown: UInt8 = 0xFF

/// The compiled form of one function body.
final class CompiledFunction {
    let code: UnsafeMutablePointer<UInt64>
    let count: Int
    /// Byte offset in the module of the wasm instruction each code word belongs to.
    let offsets: [UInt32]
    let numParams: Int
    let numLocals: Int      // including parameters
    let numResults: Int
    let maxHeight: Int      // operand slots above the locals
    let index: UInt32

    init(code: [UInt64], offsets: [UInt32], numParams: Int, numLocals: Int, numResults: Int, maxHeight: Int, index: UInt32) {
        self.code = UnsafeMutablePointer<UInt64>.allocate(capacity: max(code.count, 1))
        self.code.initialize(to: 0)
        for (i, word) in code.enumerated() { self.code[i] = word }
        self.count = code.count
        self.offsets = offsets
        self.numParams = numParams
        self.numLocals = numLocals
        self.numResults = numResults
        self.maxHeight = maxHeight
        self.index = index
    }

    deinit { code.deallocate() }

    static var placeholder: CompiledFunction { CompiledFunction(code: [], offsets: [], numParams: 0, numLocals: 0, numResults: 0, maxHeight: 0, index: 0) }
}

/// The kind of a control frame of the validating compiler.
enum ControlKind {
    case block, loop, `if`, `else`, function
}

/// A branch target the compiler writes once it is known (the end of a block, if or else).
enum Fixup {
    /// The 32-bit immediate (bits 32-63) of the instruction word at this position: jump,
    /// jumpAdjust, jumpIf, jumpIfAdjust, jumpUnless, jumpIfI64, jumpUnlessI64.
    case immediate(Int)
    /// The whole word at this position, of the instruction that starts at `from`: the target
    /// word after a fused compare-and-branch, or a `jumpTable` entry.
    case word(Int, from: Int)
}

struct FunctionCompiler {
    struct Control {
        var kind: ControlKind
        var params: [UInt8]
        var results: [UInt8]
        var height: Int
        var unreachable = false
        var start = 0            // loop target
        var fixups: [Fixup] = [] // forward branches to the end
        var elseFixup: Fixup?    // an if's branch to its else (or end) when the condition is false
        var labelTypes: [UInt8] { kind == .loop ? params : results }
    }

    /// Where a stack entry's value is: a frame slot (its home, or a local), or a constant.
    static let constantLocation = -1

    let module: Module
    var r: Reader
    let functionIndex: UInt32
    let declaredReferences: Set<UInt32>
    let body: RawBody
    let type: FunctionType
    var localTypes: [UInt8] = []
    let numLocals: Int
    var stack: [UInt8] = []
    var locations: [Int] = []
    var constants: [UInt64] = []
    var controls: [Control] = []
    var code: [UInt64] = []
    var offsets: [UInt32] = []
    var maxHeight = 0
    var at = 0                   // offset of the instruction being compiled
    /// The last emitted instruction, whether its result may be redirected (d field) and the
    /// first position no rewrite may reach back across (a branch target).
    var previousStart = -1
    var previousOp: UInt16 = 0xFFFF
    var previousWritesTop = false
    var barrier = 0
    /// Where the last plain `f64.load` was emitted (-1: none), for `fuseMultiplyChainStore`,
    /// which checks that it is still there.
    var lastF64Load = -1
    /// The instruction emitted before the previous one (-1 and 0xFFFF when unknown): a
    /// condition fused away (`i32.eqz`) leaves it last.
    var earlierStart = -1
    var earlierOp: UInt16 = 0xFFFF

    init(module: Module, bytes: [UInt8], body: RawBody, functionIndex: UInt32, declaredReferences: Set<UInt32>) {
        self.module = module
        self.r = Reader(bytes: bytes, position: body.start, end: body.end)
        self.functionIndex = functionIndex
        self.declaredReferences = declaredReferences
        self.body = body
        self.type = module.functionType(functionIndex)
        numLocals = type.parameters.count + body.localCount
        localTypes = type.parameters.map { $0.rawValue }
        if body.localCount <= 1 << 16 {
            for run in body.locals {
                localTypes.append(contentsOf: repeatElement(run.type.rawValue, count: Int(run.count)))
            }
        }
    }

    func localType(_ index: UInt32) throws(WasmError) -> UInt8 {
        guard Int(index) < numLocals else { throw invalid("unknown local \(index)") }
        if Int(index) < localTypes.count { return localTypes[Int(index)] }
        var i = UInt64(index) - UInt64(type.parameters.count)
        for run in body.locals {
            if i < UInt64(run.count) { return run.type.rawValue }
            i -= UInt64(run.count)
        }
        throw invalid("unknown local \(index)")
    }

    func invalid(_ message: String) -> WasmError { WasmError(.invalid, message, offset: at) }
    func malformed(_ message: String) -> WasmError { WasmError(.malformed, message, offset: at) }

    static func name(_ t: UInt8) -> String {
        if t == typeUnknown { return "unknown" }
        return ValueType(rawValue: t)?.name ?? "?"
    }

    // MARK: Operand stack (types for validation, locations for code generation)

    func home(_ height: Int) -> Int { numLocals + height }

    mutating func push(_ t: UInt8) {
        locations.append(home(stack.count))
        constants.append(0)
        stack.append(t)
        if stack.count > maxHeight { maxHeight = stack.count }
    }

    mutating func push(_ t: UInt8, location: Int, constant: UInt64 = 0) {
        push(t)
        locations[locations.count - 1] = location
        constants[constants.count - 1] = constant
    }

    struct Entry {
        var type: UInt8
        var location: Int
        var constant: UInt64
        var isConstant: Bool { location == FunctionCompiler.constantLocation }
    }

    mutating func popEntry() throws(WasmError) -> Entry {
        let frame = controls[controls.count - 1]
        if stack.count == frame.height {
            if frame.unreachable { return Entry(type: typeUnknown, location: home(stack.count), constant: 0) }
            throw invalid("type mismatch: expected a value, found an empty stack")
        }
        return Entry(type: stack.removeLast(), location: locations.removeLast(), constant: constants.removeLast())
    }

    mutating func pop() throws(WasmError) -> UInt8 { try popEntry().type }

    @discardableResult
    mutating func popEntry(_ expected: UInt8) throws(WasmError) -> Entry {
        let entry = try popEntry()
        let actual = entry.type
        if actual != expected && actual != typeUnknown && expected != typeUnknown {
            throw invalid("type mismatch: expected \(Self.name(expected)), found \(Self.name(actual))")
        }
        return entry
    }

    @discardableResult
    mutating func pop(_ expected: UInt8) throws(WasmError) -> UInt8 { try popEntry(expected).type }

    mutating func pop(_ types: [UInt8]) throws(WasmError) {
        var i = types.count - 1
        while i >= 0 {
            try pop(types[i])
            i -= 1
        }
    }

    mutating func push(_ types: [UInt8]) {
        for t in types { push(t) }
    }

    mutating func popEntries(_ types: [UInt8]) throws(WasmError) -> [Entry] {
        var entries: [Entry] = []
        var i = types.count - 1
        while i >= 0 {
            entries.append(try popEntry(types[i]))
            i -= 1
        }
        return entries.reversed()
    }

    /// Pushes popped entries back with the given types (the spec re-pushes the expected types).
    mutating func pushEntries(_ entries: [Entry], _ types: [UInt8]) {
        for (entry, t) in zip(entries, types) {
            push(t, location: entry.location, constant: entry.constant)
        }
    }

    mutating func pushControl(_ kind: ControlKind, _ params: [UInt8], _ results: [UInt8]) {
        controls.append(Control(kind: kind, params: params, results: results, height: stack.count, start: code.count))
        push(params)
    }

    mutating func popControl() throws(WasmError) -> Control {
        let frame = controls[controls.count - 1]
        try pop(frame.results)
        if stack.count != frame.height { throw invalid("type mismatch: values remaining on the stack at end of block") }
        controls.removeLast()
        return frame
    }

    mutating func markUnreachable() {
        let height = controls[controls.count - 1].height
        stack.removeLast(stack.count - height)
        locations.removeLast(locations.count - height)
        constants.removeLast(constants.count - height)
        controls[controls.count - 1].unreachable = true
    }

    // MARK: Emission

    static func slot(_ value: Int) -> UInt64 { UInt64(UInt16(truncatingIfNeeded: value)) }

    mutating func emit(_ op: UInt16, d: Int = 0, a: Int = 0, b: Int = 0, writesTop: Bool = false) {
        earlierStart = previousStart
        earlierOp = previousOp
        previousStart = code.count
        previousOp = op
        previousWritesTop = writesTop
        code.append(UInt64(op) | Self.slot(d) << 16 | Self.slot(a) << 32 | Self.slot(b) << 48)
        offsets.append(UInt32(truncatingIfNeeded: at))
    }

    mutating func emit(_ op: UInt16, d: Int = 0, imm: UInt32) {
        earlierStart = previousStart
        earlierOp = previousOp
        previousStart = code.count
        previousOp = op
        previousWritesTop = false
        code.append(UInt64(op) | Self.slot(d) << 16 | UInt64(imm) << 32)
        offsets.append(UInt32(truncatingIfNeeded: at))
    }

    mutating func emitWord(_ word: UInt64) {
        code.append(word)
        offsets.append(UInt32(truncatingIfNeeded: at))
    }

    mutating func patch(_ position: Int, to target: Int) {
        code[position] = (code[position] & 0xFFFF_FFFF) | UInt64(UInt32(truncatingIfNeeded: target)) << 32
    }

    /// Moves stack entry `i` to its home slot.
    mutating func materialize(_ i: Int) {
        let slot = home(i)
        let location = locations[i]
        if location == slot { return }
        if location == Self.constantLocation {
            emit(Op.constant, d: slot)
            emitWord(constants[i])
        } else {
            emitCopy(d: slot, a: location)
        }
        previousWritesTop = false
        locations[i] = slot
    }

    /// Emits `copy` d = a, or turns a `copy` emitted just before (no branch target in between)
    /// into a `copyPair` that does both in order.
    mutating func emitCopy(d: Int, a: Int) {
        if previousOp == Op.copy && previousStart == code.count - 1 && previousStart >= barrier {
            code[previousStart] = (code[previousStart] & 0x0000_FFFF_FFFF_0000) | UInt64(Op.copyPair) | Self.slot(d) << 48
            emitWord(UInt64(Self.slot(a)))
            previousOp = Op.copyPair
            previousWritesTop = false
            return
        }
        emit(Op.copy, d: d, a: a)
    }

    /// Emits an unconditional `jump` and returns the position of the word whose immediate is its
    /// target; a `constant` emitted just before (no branch target in between) becomes a
    /// `constantJump` instead.
    mutating func emitJump() -> Int {
        if previousOp == Op.constant && previousStart == code.count - 2 && previousStart >= barrier {
            let position = previousStart
            code[position] = (code[position] & 0xFFFF_0000) | UInt64(Op.constantJump)
            previousOp = Op.constantJump
            previousWritesTop = false
            return position
        }
        let position = code.count
        emit(Op.jump, imm: 0)
        return position
    }

    mutating func materializeAll() {
        for i in 0..<stack.count { materialize(i) }
    }

    /// A popped operand as a slot: constants are first written to the operand's home slot.
    mutating func operandSlot(_ entry: Entry, height: Int) -> Int {
        if entry.isConstant {
            emit(Op.constant, d: home(height))
            emitWord(entry.constant)
            return home(height)
        }
        return entry.location
    }

    /// Before local `index` is written: entries still reading it move to their home slots.
    mutating func detach(local index: Int) {
        for i in 0..<stack.count where locations[i] == index { materialize(i) }
    }

    /// Emits branch moves and the jump for a branch to label `depth` (stack already materialized,
    /// condition already popped).
    mutating func emitBranch(depth: Int, condition: Int?) {
        let target = controls[controls.count - 1 - depth]
        let arity = target.labelTypes.count
        let destination = home(target.height)
        let source = home(stack.count - arity)
        let needsMove = arity > 0 && source != destination
        let op: UInt16
        if condition != nil { op = needsMove ? Op.jumpIfAdjust : Op.jumpIf } else { op = needsMove ? Op.jumpAdjust : Op.jump }
        let position: Int
        if op == Op.jump {
            position = emitJump()
        } else {
            position = code.count
            emit(op, d: condition ?? 0, imm: 0)
        }
        if needsMove { emitWord(UInt64(source) | UInt64(destination) << 16 | UInt64(arity) << 32) }
        addFixup(.immediate(position), depth: depth)
    }

    /// A branch to label `depth`: a loop's start is known and written now; a block's end is
    /// written when the block ends.
    mutating func addFixup(_ fixup: Fixup, depth: Int) {
        let target = controls[controls.count - 1 - depth]
        if target.kind == .loop { patchTarget(fixup, to: target.start) } else {
            controls[controls.count - 1 - depth].fixups.append(fixup)
        }
    }

    /// Writes the target of a branch: its distance in words from the branch instruction's first
    /// word, so a taken branch is one add to the code pointer (see `Machine.branch(by:)`).
    /// Nothing moves a branch's words once they are emitted, so the distance stays right.
    mutating func patchTarget(_ fixup: Fixup, to target: Int) {
        switch fixup {
        case .immediate(let position): patch(position, to: target &- position)
        case .word(let position, let start): code[position] = UInt64(bitPattern: Int64(target &- start))
        }
    }

    /// A conditional branch on a popped i32 condition entry; fuses a just-emitted i32 comparison
    /// or eqz into the branch. `ifTrue` false means "branch when zero" (if / else). Returns where
    /// the target goes.
    mutating func conditionalBranch(_ condition: Entry, depth: Int?, ifTrue: Bool) -> Fixup {
        // Fusable: the condition is the result of the instruction just emitted.
        let fusable = previousStart >= barrier && previousWritesTop && !condition.isConstant
            && condition.location == home(stack.count) && previousStart == code.count - (previousOp >= Op.withConst ? 2 : 1)
        var conditionSlot = condition.location
        if condition.isConstant { conditionSlot = operandSlot(condition, height: stack.count) }
        // The comparison's family (i32 or i64), index j (0x46 + j or 0x51 + j), and form.
        let op = previousOp
        var wide = false, eqz = false, constant = false, j: UInt16 = 0, matches = true
        switch op {
        case 0x45: eqz = true
        case 0x50: eqz = true; wide = true
        case 0x46...0x4F: j = op - 0x46
        case 0x51...0x5A: j = op - 0x51; wide = true
        case Op.withConst...(Op.withConst + 9): j = op - Op.withConst; constant = true
        case (Op.withConst + 25)...(Op.withConst + 34): j = op - Op.withConst - 25; constant = true; wide = true
        default: matches = false
        }
        if fusable && op == Op.withConst + UInt16(Op.fusableIndex(0x71)!) {
            // (a & k) as the condition: a flag test.
            let word = code[previousStart]
            let constantWord = code[previousStart + 1]
            code.removeLast(code.count - previousStart)
            offsets.removeLast(offsets.count - previousStart)
            materializeAll()
            emit(ifTrue ? Op.brIfI32AndConst : Op.brUnlessI32AndConst, a: Int((word >> 32) & 0xFFFF))
            let fixup = Fixup.word(code.count, from: code.count - 1)
            emitWord(0)
            emitWord(constantWord)
            return fixup
        }
        if fusable && matches {
            let word = code[previousStart]
            let constantWord = constant ? code[previousStart + 1] : 0
            code.removeLast(code.count - previousStart)
            offsets.removeLast(offsets.count - previousStart)
            let codeCountBefore = code.count
            materializeAll()
            let a = Int((word >> 32) & 0xFFFF), b = Int(word >> 48)
            let fixup: Fixup
            if eqz {
                fixup = .immediate(code.count)
                if wide {
                    emit(ifTrue ? Op.jumpUnlessI64 : Op.jumpIfI64, d: a, imm: 0)
                } else {
                    if code.count == codeCountBefore, earlierStart >= barrier, earlierStart == code.count - 2,
                       let stepped = fuseCounterBranch(at: earlierStart, op: earlierOp, slot: a, ifTrue: !ifTrue) {
                        return stepped
                    }
                    emit(ifTrue ? Op.jumpUnless : Op.jumpIf, d: a, imm: 0)
                }
            } else if constant {
                if !wide && ifTrue && j == 0 && code.count == codeCountBefore, earlierStart >= barrier, earlierStart == code.count - 2,
                   let tested = fuseMaskedCompare(at: earlierStart, op: earlierOp, slot: a, constant: constantWord) {
                    return tested
                }
                let base = wide ? (ifTrue ? Op.branchIfCompareConstI64 : Op.branchUnlessCompareConstI64)
                                : (ifTrue ? Op.branchIfCompareConst : Op.branchUnlessCompareConst)
                emit(base + j, a: a)
                fixup = .word(code.count, from: code.count - 1)
                emitWord(0)
                emitWord(constantWord)
            } else {
                if ifTrue && j == 1 && code.count == codeCountBefore, earlierStart >= barrier, earlierStart == code.count - 2,
                   let stepped = fuseCounterCompare(at: earlierStart, op: earlierOp, a: a, b: b, wide: wide) {
                    return stepped
                }
                let base = wide ? (ifTrue ? Op.branchIfCompareI64 : Op.branchUnlessCompareI64)
                                : (ifTrue ? Op.branchIfCompare : Op.branchUnlessCompare)
                emit(base + j, a: a, b: b)
                fixup = .word(code.count, from: code.count - 1)
                emitWord(0)
            }
            return fixup
        }
        materializeAll()
        if !condition.isConstant, previousStart >= barrier, previousStart == code.count - 2,
           let stepped = fuseCounterBranch(at: previousStart, op: previousOp, slot: conditionSlot, ifTrue: ifTrue) {
            return stepped
        }
        let fixup = Fixup.immediate(code.count)
        emit(ifTrue ? Op.jumpIf : Op.jumpUnless, d: conditionSlot, imm: 0)
        return fixup
    }

    mutating func label(_ depth: UInt32) throws(WasmError) -> Int {
        guard Int(depth) < controls.count else { throw invalid("unknown label") }
        return Int(depth)
    }

    mutating func blockType() throws(WasmError) -> (params: [UInt8], results: [UInt8]) {
        guard let b = r.peek() else { throw malformed("unexpected end of section or function") }
        if b == 0x40 { r.position += 1; return ([], []) }
        if let t = ValueType(binary: b) { r.position += 1; return ([], [t.rawValue]) }
        let index = try r.signed(bits: 33)
        guard index >= 0, index < Int64(module.types.count) else { throw invalid("unknown type") }
        let type = module.types[Int(index)]
        return (type.parameters.map { $0.rawValue }, type.results.map { $0.rawValue })
    }

    mutating func memarg(naturalAlignment: UInt32) throws(WasmError) -> UInt32 {
        let align = try r.u32()
        let offset = try r.u32()
        guard align < 32 else { throw malformed("malformed memop flags") }
        guard module.memories.count > 0 else { throw invalid("unknown memory 0") }
        guard align <= naturalAlignment else { throw invalid("alignment must not be larger than natural") }
        return offset
    }

    mutating func zeroByte() throws(WasmError) {
        guard try r.byte() == 0 else { throw malformed("zero byte expected") }
    }

    /// memory.init and data.drop need the data count section when the module has data segments
    /// (a decoding rule); without any segments every index is simply unknown.
    func dataCount() throws(WasmError) -> UInt32 {
        if let count = module.dataCount { return count }
        if !module.data.isEmpty { throw malformed("data count section required") }
        return 0
    }

    func checkMemory() throws(WasmError) {
        guard module.memories.count > 0 else { throw invalid("unknown memory 0") }
    }

    func table(_ index: UInt32) throws(WasmError) -> UInt8 {
        guard Int(index) < module.tables.count else { throw invalid("unknown table \(index)") }
        return module.tables[Int(index)].elementType.rawValue
    }

    /// The address operand of a load or store: a slot, an optional second slot to add, and an
    /// i32 addend. When the address is the result of an `i32.add` (of two slots, or of a slot and
    /// a constant) emitted just before, into the operand's home slot with no branch target in
    /// between, that instruction is removed and its operands are used instead; the interpreter
    /// adds them with 32-bit wrap-around, as `i32.add` does.
    mutating func addressOperand(_ address: Entry, height: Int) -> (slot: Int, index: Int?, addend: UInt32) {
        let foldable = !address.isConstant && address.location == home(height) && previousWritesTop
            && previousStart >= barrier && Int((code[previousStart] >> 16) & 0xFFFF) == address.location
        if foldable && previousOp == Op.i32AddConst && previousStart == code.count - 2 {
            let word = code[previousStart]
            let addend = UInt32(truncatingIfNeeded: code[previousStart + 1])
            dropPrevious()
            return (Int((word >> 32) & 0xFFFF), nil, addend)
        }
        if foldable && previousOp == 0x6A && previousStart == code.count - 1 {
            let word = code[previousStart]
            dropPrevious()
            return (Int((word >> 32) & 0xFFFF), Int(word >> 48), 0)
        }
        return (operandSlot(address, height: height), nil, 0)
    }

    /// The access widths of the loads 0x28...0x35 and the stores 0x36...0x3E, in opcode order.
    static let loadWidths: [UInt64] = [4, 8, 4, 8, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4]
    static let storeWidths: [UInt64] = [4, 8, 4, 8, 1, 2, 1, 2, 4]

    /// The word of a plain load or store (no folded addend): its offset plus its width, so the
    /// handler's bounds check is one add (see `plainAddress`).
    static func plainOffset(_ offset: UInt32, width: UInt64) -> UInt64 {
        UInt64(offset) &+ width
    }

    /// Removes the last emitted instruction (folded into the next one).
    mutating func dropPrevious() {
        drop(from: previousStart)
    }

    /// Removes the instructions emitted from `start` on (folded into the next one).
    mutating func drop(from start: Int) {
        code.removeLast(code.count - start)
        offsets.removeLast(offsets.count - start)
        previousStart = -1
        previousOp = 0xFFFF
        previousWritesTop = false
        earlierStart = -1
        earlierOp = 0xFFFF
    }

    /// Pops `count` i32 operands into consecutive home slots and returns the first slot.
    mutating func popOperandsToHome(_ types: [UInt8]) throws(WasmError) -> Int {
        try pop(types)
        let base = stack.count
        // The popped entries were materialized before popping (see callers).
        return home(base)
    }
}
