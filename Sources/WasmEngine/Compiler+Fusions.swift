// The compiler's superinstructions (see Compiler.swift): each fusion looks at the instruction
// just emitted (and, for some, the one before it) and, when the wasm sequence matches, rewrites
// or replaces it with one instruction that does the work of both. A fusion never reaches back
// across a branch target (`barrier`), and a fused instruction that starts with a load traps as
// that load (`reportLoad`).

extension FunctionCompiler {
    /// A branch on `slot` (when nonzero if `ifTrue`, else when zero) right after the two-word
    /// instruction at `start` that wrote it (`i32.add; local.tee; br_if`, `i32.load; local.tee;
    /// br_if`): an `i32AddConst` becomes `i32AddConstBrIf` / `i32AddConstBrUnless`, a plain
    /// `i32.load` or `i32.load8_u` becomes `i32LoadBrIf` ... `i32Load8UBrUnless`, and the target
    /// word follows the instruction's second word. Nil when the instruction at `start` is none of
    /// these.
    mutating func fuseCounterBranch(at start: Int, op: UInt16, slot: Int, ifTrue: Bool) -> Fixup? {
        let fused: UInt16
        switch op {
        case Op.withConst + UInt16(Op.fusableIndex(0x6A)!): fused = ifTrue ? Op.i32AddConstBrIf : Op.i32AddConstBrUnless
        case 0x28: fused = ifTrue ? Op.i32LoadBrIf : Op.i32LoadBrUnless
        case 0x2D: fused = ifTrue ? Op.i32Load8UBrIf : Op.i32Load8UBrUnless
        default: return nil
        }
        guard Int((code[start] >> 16) & 0xFFFF) == slot else { return nil }
        code[start] = (code[start] & ~UInt64(0xFFFF)) | UInt64(fused)
        return branchTarget(of: start, fused: fused)
    }

    /// The instruction at `start` (the last emitted) was just rewritten into the branch `fused`:
    /// it is the previous instruction now, and its target word follows (returned, to patch).
    mutating func branchTarget(of start: Int, fused: UInt16) -> Fixup {
        previousStart = start
        previousOp = fused
        previousWritesTop = false
        earlierStart = -1
        earlierOp = 0xFFFF
        let fixup = Fixup.word(code.count, from: start)
        emitWord(0)
        return fixup
    }

    /// A `br_if` on `i32.ne` (or `i64.ne`) of slots `a` and `b` right after the add (or i32 and)
    /// with a constant at `start` that wrote one of them (`i32.add; local.tee; i32.ne; br_if`, a
    /// loop counter tested against its end; `x != (y & 0xFF)`, bytes compared): the add becomes
    /// `i32AddConstBrIfNe` (`i64AddConstBrIfNe`), the and `i32AndConstBrIfNe`, comparing with
    /// the other slot, and the target word follows its constant. Nil when the instruction at
    /// `start` is neither.
    mutating func fuseCounterCompare(at start: Int, op: UInt16, a: Int, b: Int, wide: Bool) -> Fixup? {
        let fused: UInt16
        switch op {
        case Op.withConst + UInt16(Op.fusableIndex(wide ? 0x7C : 0x6A)!): fused = wide ? Op.i64AddConstBrIfNe : Op.i32AddConstBrIfNe
        case Op.withConst + UInt16(Op.fusableIndex(0x71)!) where !wide: fused = Op.i32AndConstBrIfNe
        default: return nil
        }
        let sum = Int((code[start] >> 16) & 0xFFFF)
        guard a != b, sum == a || sum == b else { return nil }
        let other = sum == a ? b : a
        code[start] = (code[start] & 0x0000_FFFF_FFFF_0000) | UInt64(fused) | Self.slot(other) << 48
        return branchTarget(of: start, fused: fused)
    }

    /// A `br_if` on `i32.eq` of `slot` and `constant` right after the `i32AndConst` at `start`
    /// that wrote `slot` (`i32.and; local.tee; i32.const; i32.eq; br_if`): the and becomes
    /// `i32AndConstBrIfEqConst`, its word holding the mask and the constant, and the target word
    /// follows. Nil when the instruction at `start` is not such an and.
    mutating func fuseMaskedCompare(at start: Int, op: UInt16, slot: Int, constant: UInt64) -> Fixup? {
        guard op == Op.withConst + UInt16(Op.fusableIndex(0x71)!), Int((code[start] >> 16) & 0xFFFF) == slot else { return nil }
        code[start] = (code[start] & ~UInt64(0xFFFF)) | UInt64(Op.i32AndConstBrIfEqConst)
        code[start + 1] = (code[start + 1] & 0xFFFF_FFFF) | (constant & 0xFFFF_FFFF) << 32
        return branchTarget(of: start, fused: Op.i32AndConstBrIfEqConst)
    }

    /// Fuses f64 add/sub/mul with an `f64.load` emitted just before that produced one of its
    /// operands (the other one being a slot). Returns false when the pattern does not apply.
    mutating func fuseLoadOperand(_ op: UInt8, first: Entry, second: Entry, height h: Int) -> Bool {
        guard op >= 0xA0 && op <= 0xA2, previousOp == 0x2B, previousWritesTop, previousStart >= barrier,
              previousStart == code.count - 2, !first.isConstant, !second.isConstant else { return false }
        let load = code[previousStart]
        let loadResult = Int((load >> 16) & 0xFFFF)
        let fused: UInt16, other: Int
        if second.location == home(h + 1) && loadResult == second.location && first.location != second.location {
            fused = op == 0xA0 ? Op.f64AddLoad : op == 0xA1 ? Op.f64SubLoad : Op.f64MulLoad
            other = first.location
        } else if first.location == home(h) && loadResult == first.location && second.location != first.location {
            fused = op == 0xA0 ? Op.f64AddLoad : op == 0xA1 ? Op.f64LoadSub : Op.f64MulLoad
            other = second.location
        } else {
            return false
        }
        let offsetWord = code[previousStart + 1] &- Self.loadWidths[0x2B - 0x28]  // the plain load's offset (see `plainOffset`)
        let loadOffset = offsets[previousStart]
        dropPrevious()
        emit(fused, d: home(h), a: other, b: Int((load >> 32) & 0xFFFF), writesTop: true)
        emitWord(offsetWord)
        reportLoad(loadOffset, words: 2)
        return true
    }

    /// Fuses an `f64.store` of the sum an `f64AddLoad` emitted just before computed, to the very
    /// address that load read (same slot, same offset word), into one read-modify-write
    /// (`x[i] += y`). Returns false when the pattern does not apply.
    mutating func fuseAddStore(value v: Int, address a: Int, offset: UInt32) -> Bool {
        guard previousOp == Op.f64AddLoad, previousWritesTop, previousStart >= barrier,
              previousStart == code.count - 2 else { return false }
        let add = code[previousStart]
        guard Int((add >> 16) & 0xFFFF) == v, Int(add >> 48) == a, a != v, code[previousStart + 1] == UInt64(offset) else {
            return false
        }
        let loadOffset = offsets[previousStart]
        dropPrevious()
        emit(Op.f64AddStore, a: Int((add >> 32) & 0xFFFF), b: a)
        emitWord(UInt64(offset))
        reportLoad(loadOffset, words: 2)
        return true
    }

    /// Fuses an `f64.store` of e - (a*b)*c or e + (a*b)*c (`f64SubMulMul`, `f64MulMulAdd`, emitted
    /// just before) where e was loaded by the `f64.load` right before that, from the very address
    /// the store writes (same slot, same offset word), into one read-modify-write (`x[i] -= a*b*c`).
    /// Returns false when the pattern does not apply.
    mutating func fuseMultiplyChainStore(value v: Int, address a: Int, offset: UInt32) -> Bool {
        let load = lastF64Load
        guard previousOp == Op.f64SubMulMul || previousOp == Op.f64MulMulAdd, previousWritesTop,
              previousStart == code.count - 2, load >= 0, load >= barrier, previousStart == load + 2,
              UInt16(truncatingIfNeeded: code[load]) == 0x2B, code[load + 1] == Self.plainOffset(offset, width: Self.loadWidths[0x2B - 0x28]) else { return false }
        let chain = code[previousStart], slots = code[previousStart + 1], loaded = code[load]
        let c = Int(slots & 0xFFFF), e = Int((slots >> 16) & 0xFFFF)
        let x = Int((chain >> 32) & 0xFFFF), y = Int(chain >> 48)
        // The fused form never writes e, so nothing but the subtraction or addition may read it.
        guard Int((chain >> 16) & 0xFFFF) == v, Int((loaded >> 16) & 0xFFFF) == e, Int((loaded >> 32) & 0xFFFF) == a,
              a != e, x != e, y != e, c != e else { return false }
        let fused = previousOp == Op.f64SubMulMul ? Op.f64SubMulMulStore : Op.f64MulMulAddStore
        let loadOffset = offsets[load]
        drop(from: load)
        lastF64Load = -1
        emit(fused, d: a, a: x, b: y)
        emitWord(UInt64(c))
        emitWord(UInt64(offset))
        reportLoad(loadOffset, words: 3)
        return true
    }

    /// A fused instruction that starts with a load (its last `words` words) traps as that load:
    /// it reports the load's module offset.
    mutating func reportLoad(_ offset: UInt32, words: Int) {
        for i in offsets.count - words..<offsets.count { offsets[i] = offset }
    }

    /// Of a commutative instruction's operands `first` and `second` (at height `h`), the one
    /// that is not `produced`, the slot the instruction emitted just before wrote on top; nil
    /// when neither is, or both read the same slot.
    func otherOperand(_ first: Entry, _ second: Entry, height h: Int, produced: Int) -> Int? {
        if second.location == home(h + 1) && produced == second.location && first.location != second.location {
            return first.location
        } else if first.location == home(h) && produced == first.location && second.location != first.location {
            return second.location
        }
        return nil
    }

    /// Fuses f64 add/sub with an `f64.mul` (slot-slot form) emitted just before that produced one
    /// of its operands (the other being a slot): c + a*b, a*b + c, c - a*b or a*b - c. Returns
    /// false when the pattern does not apply.
    mutating func fuseMultiplication(_ op: UInt8, first: Entry, second: Entry, height h: Int) -> Bool {
        guard op == 0xA0 || op == 0xA1, previousOp == 0xA2, previousWritesTop, previousStart >= barrier,
              previousStart == code.count - 1, !first.isConstant, !second.isConstant else { return false }
        let mul = code[previousStart]
        let product = Int((mul >> 16) & 0xFFFF)
        let fused: UInt16, other: Int
        if second.location == home(h + 1) && product == second.location && first.location != second.location {
            fused = op == 0xA0 ? Op.f64MulAdd : Op.f64SubMul
            other = first.location
        } else if first.location == home(h) && product == first.location && second.location != first.location {
            fused = op == 0xA0 ? Op.f64MulAdd : Op.f64MulSub
            other = second.location
        } else {
            return false
        }
        dropPrevious()
        emit(fused, d: home(h), a: Int((mul >> 32) & 0xFFFF), b: Int(mul >> 48), writesTop: true)
        emitWord(UInt64(other))
        return true
    }

    /// Fuses an f64 multiplication with an `f64.mul` (slot-slot form) emitted just before that
    /// produced one of its operands (the other being a slot): (a*b)*c or c*(a*b), computed as
    /// (a*b)*c (multiplication commutes exactly). Returns false when the pattern does not apply.
    mutating func fuseMultiplyChain(_ op: UInt8, first: Entry, second: Entry, height h: Int) -> Bool {
        guard op == 0xA2, previousOp == 0xA2, previousWritesTop, previousStart >= barrier,
              previousStart == code.count - 1, !first.isConstant, !second.isConstant else { return false }
        let mul = code[previousStart]
        guard let other = otherOperand(first, second, height: h, produced: Int((mul >> 16) & 0xFFFF)) else { return false }
        dropPrevious()
        emit(Op.f64MulMul, d: home(h), a: Int((mul >> 32) & 0xFFFF), b: Int(mul >> 48), writesTop: true)
        emitWord(UInt64(other))
        return true
    }

    /// Fuses f64 add/sub with an `f64MulMul` emitted just before that produced one of its
    /// operands (the other being a slot): e + (a*b)*c, (a*b)*c + e, e - (a*b)*c. Returns false
    /// when the pattern does not apply.
    mutating func fuseMultiplyChainSum(_ op: UInt8, first: Entry, second: Entry, height h: Int) -> Bool {
        guard op == 0xA0 || op == 0xA1, previousOp == Op.f64MulMul, previousWritesTop, previousStart >= barrier,
              previousStart == code.count - 2, !first.isConstant, !second.isConstant else { return false }
        let mul = code[previousStart]
        let c = code[previousStart + 1] & 0xFFFF
        let product = Int((mul >> 16) & 0xFFFF)
        let other: Int
        if second.location == home(h + 1) && product == second.location && first.location != second.location {
            other = first.location
        } else if op == 0xA0 && first.location == home(h) && product == first.location && second.location != first.location {
            other = second.location
        } else {
            return false
        }
        dropPrevious()
        emit(op == 0xA0 ? Op.f64MulMulAdd : Op.f64SubMulMul, d: home(h), a: Int((mul >> 32) & 0xFFFF), b: Int(mul >> 48), writesTop: true)
        emitWord(c | UInt64(Self.slot(other)) << 16)
        return true
    }

    /// Fuses integer pairs common in hashing and bit-field code with the instruction just emitted
    /// that produced the operand on top: `i32/i64.xor` then a multiplication by a constant,
    /// `i32.shr_u` by a constant then an `and` with a constant, `i64.shr_u` by a constant then an
    /// `xor` with a slot, and `i32.add`, `i32.mul` or `i32.shl` by a constant then an `i32.add`
    /// with a slot. Returns false when the pattern does not apply.
    mutating func fuseIntegerPair(_ op: UInt8, first: Entry, second: Entry, height h: Int) -> Bool {
        guard previousWritesTop, previousStart >= barrier, !first.isConstant else { return false }
        let word = code[previousStart]
        let produced = Int((word >> 16) & 0xFFFF)
        let previousA = Int((word >> 32) & 0xFFFF), previousB = Int(word >> 48)
        if op == 0x6A && !second.isConstant && (previousOp == 0x6A || previousOp == 0x6C) {
            // (a + b) + c, (a * b) + c, either operand order
            guard previousStart == code.count - 1, let other = otherOperand(first, second, height: h, produced: produced) else { return false }
            let fused = previousOp == 0x6A ? Op.i32AddAdd : Op.i32MulAdd
            dropPrevious()
            emit(fused, d: home(h), a: previousA, b: previousB, writesTop: true)
            emitWord(UInt64(other))
            return true
        }
        if op == 0x6A && !second.isConstant && previousOp == Op.withConst + UInt16(Op.fusableIndex(0x74)!) {
            // (a << s) + b, either operand order
            guard previousStart == code.count - 2, let other = otherOperand(first, second, height: h, produced: produced) else { return false }
            let shift = code[previousStart + 1] & 31
            dropPrevious()
            emit(Op.i32ShlConstAdd, d: home(h), a: previousA, b: other, writesTop: true)
            emitWord(shift)
            return true
        }
        if (op == 0x6C && previousOp == 0x73) || (op == 0x7E && previousOp == 0x85) {
            // (a ^ b) * k
            guard second.isConstant, previousStart == code.count - 1, first.location == home(h), produced == first.location else { return false }
            dropPrevious()
            emit(op == 0x6C ? Op.i32XorMulConst : Op.i64XorMulConst, d: home(h), a: previousA, b: previousB, writesTop: true)
            emitWord(second.constant)
            return true
        }
        if op == 0x71 && previousOp == Op.withConst + UInt16(Op.fusableIndex(0x6A)!) {
            // (a + k1) & k2
            guard second.isConstant, previousStart == code.count - 2, first.location == home(h), produced == first.location else { return false }
            let steps = (code[previousStart + 1] & 0xFFFF_FFFF) | (second.constant & 0xFFFF_FFFF) << 32
            dropPrevious()
            emit(Op.i32AddConstAndConst, d: home(h), a: previousA, writesTop: true)
            emitWord(steps)
            return true
        }
        if op == 0x71 && previousOp == Op.withConst + UInt16(Op.fusableIndex(0x76)!) {
            // (a >> s) & k
            guard second.isConstant, previousStart == code.count - 2, first.location == home(h), produced == first.location else { return false }
            let shift = Int(code[previousStart + 1] & 31)
            dropPrevious()
            emit(Op.i32ShrUAndConst, d: home(h), a: previousA, b: shift, writesTop: true)
            emitWord(second.constant)
            return true
        }
        if op == 0x85 && previousOp == Op.withConst + UInt16(Op.fusableIndex(0x88)!) {
            // b ^ (a >> s), either operand order
            guard !second.isConstant, previousStart == code.count - 2,
                  let other = otherOperand(first, second, height: h, produced: produced) else { return false }
            let shift = code[previousStart + 1] & 63
            dropPrevious()
            emit(Op.i64XorShrUConst, d: home(h), a: previousA, b: other, writesTop: true)
            emitWord(shift)
            return true
        }
        return false
    }
}
