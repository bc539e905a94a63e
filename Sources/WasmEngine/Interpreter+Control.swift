// The interpreter's control instructions: returns, jumps and fused compare-and-branch forms,
// calls, and the slot moves (copy, constant, select, globals, ref.func). Each handler is inlined
// into its instruction's threaded-code function (Interpreter+Dispatch.swift, generated from
// scripts/wasm-instructions.json); d, a, b are the slot fields of the instruction word and imm
// its 32-bit immediate (see Compiler.swift).

extension Machine {
    @inline(__always)
    mutating func unreachable(_ opcode: Opcode, _ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, _ start: UnsafeMutablePointer<UInt64>) throws(Trap) {
        throw trap(.unreachable, compiled, instance, codeBase.distance(to: start))
    }

    @inline(__always)
    mutating func returnToCaller(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let n = compiled.numResults
        if d != 0 {
            for i in 0..<n { f[i] = f[d &+ i] }
        }
        if depth == frameBase { return .returned }
        depth &-= 1
        let frame = frames[depth]
        compiled = frame.compiled
        codeBase = frame.compiled.code
        ip = frame.returnIP
        fp = frame.framePointer
        f = values + fp
        let callerID = Unmanaged.passUnretained(frame.instance).toOpaque()
        if callerID != instanceID {
            // (Also picks up growth of a memory the callee's instance shares with ours.)
            (memory, memorySize) = s.pointee.enter(instance: callerID)
        }
        return .none
    }

    @inline(__always)
    mutating func call(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        if F.metered {
            let fault = spendCallFuel()
            if fault != .none { return fault }
        }
        return enter(s.pointee.functionTable[Int(imm)], arguments: d)
    }

    @inline(__always)
    mutating func callIndirect(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        if F.metered {
            let fault = spendCallFuel()
            if fault != .none { return fault }
        }
        let w = ip[0]
        ip += 1
        let table = instance.tables[Int(truncatingIfNeeded: w & 0xFFFF_FFFF)]
        let index = Int(u32(f[Int(truncatingIfNeeded: w >> 32)]))
        guard index < table.elements.count else { return .undefinedElement }
        let reference = table.elements[index]
        guard reference != 0 else { return .uninitializedElement }
        let callee = store.functionRefs[Int(reference &- 1)]
        guard callee.function.typeID == instance.typeIDs[Int(imm)] else { return .indirectCallTypeMismatch }
        return enter(callee, arguments: d)
    }

    /// Calls `callee` with the arguments in the slots from `d` on: a wasm function gets a frame
    /// and runs next; a host function runs now (out of line: see `MachineState.callHost`).
    @inline(__always)
    mutating func enter(_ reference: FunctionRef, arguments d: Int) -> Fault {
        unowned(unsafe) let callee = reference.function
        if !callee.isHost {
            unowned(unsafe) let target = callee.target
            let newFP = fp &+ d
            guard depth &+ 1 < frameLimit, newFP &+ target.numLocals &+ target.maxHeight <= valueLimit else {
                return .callStackExhausted
            }
            frames[depth] = Frame(compiled: s.pointee.compiled, instance: s.pointee.instance, returnIP: ip, framePointer: fp)
            depth &+= 1
            fp = newFP
            f = values + newFP
            var i = target.numParams
            while i < target.numLocals { f[i] = 0; i &+= 1 }
            compiled = target
            codeBase = target.code
            ip = target.code
            let calleeID = callee.instanceID.unsafelyUnwrapped
            if calleeID != instanceID {
                (memory, memorySize) = s.pointee.enter(instance: calleeID)
            }
            return .none
        }
        let (called, newMemory, newSize) = s.pointee.callHost(Unmanaged.passUnretained(callee).toOpaque(), f + d, at: ip - 1,
                                                              metered: F.metered)
        memory = newMemory
        memorySize = newSize
        return called ? .none : .trapped
    }

    /// Spends a unit of fuel for a call: `.none`, or the fault that stops the run.
    @inline(__always)
    mutating func spendCallFuel() -> Fault {
        if fuel != 0 {
            fuel &-= 1
            return .none
        }
        return s.pointee.refill()
    }

    /// The `meter` instruction (only ever at `store.meterCode`): a backward branch found the slice
    /// empty; refill, then go on at its target.
    @inline(__always)
    mutating func meter(_ opcode: Opcode, _ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, _ start: UnsafeMutablePointer<UInt64>) throws(Trap) {
        let destination = s.pointee.meterResume
        let fault = s.pointee.refill()
        if fault != .none { throw trap(fault.reason, compiled, instance, codeBase.distance(to: destination)) }
        ip = destination
    }

    @inline(__always)
    mutating func select(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let condition = Int(truncatingIfNeeded: ip[0])
        ip += 1
        f[d] = u32(f[condition]) != 0 ? f[a] : f[b]
    }

    @inline(__always)
    mutating func selectConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let k = ip[0]
        ip += 1
        f[d] = u32(f[b]) != 0 ? f[a] : k
    }

    @inline(__always)
    mutating func constSelect(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let k = ip[0]
        ip += 1
        f[d] = u32(f[b]) != 0 ? k : f[a]
    }

    @inline(__always)
    mutating func globalGet(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = globals[Int(imm)].pointee
    }

    @inline(__always)
    mutating func globalSet(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        globals[Int(imm)].pointee = f[d]
    }

    @inline(__always)
    mutating func refFunc(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = UInt64(instance.functionAddresses[Int(imm)]) &+ 1
    }

    @inline(__always)
    mutating func jump(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        branch(by: imm)
    }

    @inline(__always)
    mutating func jumpAdjust(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let w = ip[0]
        let source = Int(truncatingIfNeeded: w & 0xFFFF), destination = Int(truncatingIfNeeded: (w >> 16) & 0xFFFF)
        let arity = Int(truncatingIfNeeded: w >> 32)
        for i in 0..<arity { f[destination &+ i] = f[source &+ i] }
        branch(by: imm)
    }

    @inline(__always)
    mutating func jumpIf(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        if u32(f[d]) != 0 { branch(by: imm) }
    }

    @inline(__always)
    mutating func jumpIfAdjust(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        if u32(f[d]) != 0 {
            let w = ip[0]
            let source = Int(truncatingIfNeeded: w & 0xFFFF), destination = Int(truncatingIfNeeded: (w >> 16) & 0xFFFF)
            let arity = Int(truncatingIfNeeded: w >> 32)
            for i in 0..<arity { f[destination &+ i] = f[source &+ i] }
            branch(by: imm)
        } else {
            ip += 1
        }
    }

    @inline(__always)
    mutating func jumpUnless(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        if u32(f[d]) == 0 { branch(by: imm) }
    }

    @inline(__always)
    mutating func jumpTable(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let index = Int(min(u32(f[d]), imm))
        let entry = ip + 2 &* index
        let w = entry[1]
        let source = Int(truncatingIfNeeded: w & 0xFFFF), destination = Int(truncatingIfNeeded: (w >> 16) & 0xFFFF)
        let arity = Int(truncatingIfNeeded: w >> 32)
        if source != destination {
            for i in 0..<arity { f[destination &+ i] = f[source &+ i] }
        }
        branch(by: entry[0])
    }

    @inline(__always)
    mutating func jumpTableNoValues(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let index = Int(min(u32(f[d]), imm))
        branch(by: ip[2 &* index])
    }

    @inline(__always)
    mutating func copy(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = f[a]
    }

    @inline(__always)
    mutating func constant(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = ip[0]
        ip += 1
    }

    /// Two copies in order (the second may read the first's destination).
    @inline(__always)
    mutating func copyPair(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = f[a]
        f[b] = f[Int(truncatingIfNeeded: ip[0])]
        ip += 1
    }

    @inline(__always)
    mutating func constantJump(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = ip[0]
        branch(by: imm)
    }

    @inline(__always)
    mutating func brIfI32Eq(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if a == b { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brIfI32Ne(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if a != b { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brIfI32LtS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if Int32(bitPattern: a) < Int32(bitPattern: b) { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brIfI32LtU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if a < b { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brIfI32GtS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if Int32(bitPattern: a) > Int32(bitPattern: b) { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brIfI32GtU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if a > b { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brIfI32LeS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if Int32(bitPattern: a) <= Int32(bitPattern: b) { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brIfI32LeU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if a <= b { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brIfI32GeS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if Int32(bitPattern: a) >= Int32(bitPattern: b) { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brIfI32GeU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if a >= b { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brUnlessI32Eq(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if a == b { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI32Ne(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if a != b { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI32LtS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if Int32(bitPattern: a) < Int32(bitPattern: b) { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI32LtU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if a < b { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI32GtS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if Int32(bitPattern: a) > Int32(bitPattern: b) { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI32GtU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if a > b { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI32LeS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if Int32(bitPattern: a) <= Int32(bitPattern: b) { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI32LeU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if a <= b { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI32GeS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if Int32(bitPattern: a) >= Int32(bitPattern: b) { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI32GeU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); if a >= b { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func i32AddConstBrIf(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let sum = u32(f[a]) &+ u32(ip[0]); f[d] = UInt64(sum)
        if sum != 0 { branch(by: ip[1]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func i32AddConstBrIfNe(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let sum = u32(f[a]) &+ u32(ip[0]); f[d] = UInt64(sum)
        if sum != u32(f[b]) { branch(by: ip[1]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func i64AddConstBrIfNe(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let sum = f[a] &+ ip[0]; f[d] = sum
        if sum != f[b] { branch(by: ip[1]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func i32AndConstBrIfEqConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let w = ip[0], masked = u32(f[a]) & UInt32(truncatingIfNeeded: w); f[d] = UInt64(masked)
        if masked == UInt32(truncatingIfNeeded: w >> 32) { branch(by: ip[1]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func i32AndConstBrIfNe(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let masked = u32(f[a]) & u32(ip[0]); f[d] = UInt64(masked)
        if masked != u32(f[b]) { branch(by: ip[1]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func i32AddConstBrUnless(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let sum = u32(f[a]) &+ u32(ip[0]); f[d] = UInt64(sum)
        if sum == 0 { branch(by: ip[1]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI32AndConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if a & b != 0 { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brUnlessI32AndConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if a & b == 0 { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI32EqConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if a == b { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI32NeConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if a != b { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI32LtSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if Int32(bitPattern: a) < Int32(bitPattern: b) { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI32LtUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if a < b { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI32GtSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if Int32(bitPattern: a) > Int32(bitPattern: b) { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI32GtUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if a > b { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI32LeSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if Int32(bitPattern: a) <= Int32(bitPattern: b) { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI32LeUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if a <= b { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI32GeSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if Int32(bitPattern: a) >= Int32(bitPattern: b) { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI32GeUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if a >= b { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brUnlessI32EqConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if a == b { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI32NeConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if a != b { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI32LtSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if Int32(bitPattern: a) < Int32(bitPattern: b) { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI32LtUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if a < b { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI32GtSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if Int32(bitPattern: a) > Int32(bitPattern: b) { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI32GtUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if a > b { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI32LeSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if Int32(bitPattern: a) <= Int32(bitPattern: b) { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI32LeUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if a <= b { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI32GeSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if Int32(bitPattern: a) >= Int32(bitPattern: b) { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI32GeUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[1]); if a >= b { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func jumpIfI64(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        if f[d] != 0 { branch(by: imm) }
    }

    @inline(__always)
    mutating func jumpUnlessI64(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        if f[d] == 0 { branch(by: imm) }
    }

    @inline(__always)
    mutating func brIfI64Eq(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if a == b { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brIfI64Ne(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if a != b { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brIfI64LtS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if Int64(bitPattern: a) < Int64(bitPattern: b) { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brIfI64LtU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if a < b { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brIfI64GtS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if Int64(bitPattern: a) > Int64(bitPattern: b) { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brIfI64GtU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if a > b { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brIfI64LeS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if Int64(bitPattern: a) <= Int64(bitPattern: b) { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brIfI64LeU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if a <= b { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brIfI64GeS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if Int64(bitPattern: a) >= Int64(bitPattern: b) { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brIfI64GeU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if a >= b { branch(by: ip[0]) } else { ip += 1 }
    }

    @inline(__always)
    mutating func brUnlessI64Eq(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if a == b { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI64Ne(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if a != b { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI64LtS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if Int64(bitPattern: a) < Int64(bitPattern: b) { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI64LtU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if a < b { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI64GtS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if Int64(bitPattern: a) > Int64(bitPattern: b) { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI64GtU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if a > b { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI64LeS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if Int64(bitPattern: a) <= Int64(bitPattern: b) { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI64LeU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if a <= b { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI64GeS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if Int64(bitPattern: a) >= Int64(bitPattern: b) { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI64GeU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; if a >= b { ip += 1 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brIfI64EqConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if a == b { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI64NeConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if a != b { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI64LtSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if Int64(bitPattern: a) < Int64(bitPattern: b) { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI64LtUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if a < b { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI64GtSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if Int64(bitPattern: a) > Int64(bitPattern: b) { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI64GtUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if a > b { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI64LeSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if Int64(bitPattern: a) <= Int64(bitPattern: b) { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI64LeUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if a <= b { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI64GeSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if Int64(bitPattern: a) >= Int64(bitPattern: b) { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brIfI64GeUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if a >= b { branch(by: ip[0]) } else { ip += 2 }
    }

    @inline(__always)
    mutating func brUnlessI64EqConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if a == b { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI64NeConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if a != b { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI64LtSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if Int64(bitPattern: a) < Int64(bitPattern: b) { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI64LtUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if a < b { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI64GtSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if Int64(bitPattern: a) > Int64(bitPattern: b) { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI64GtUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if a > b { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI64LeSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if Int64(bitPattern: a) <= Int64(bitPattern: b) { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI64LeUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if a <= b { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI64GeSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if Int64(bitPattern: a) >= Int64(bitPattern: b) { ip += 2 } else { branch(by: ip[0]) }
    }

    @inline(__always)
    mutating func brUnlessI64GeUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[1]; if a >= b { ip += 2 } else { branch(by: ip[0]) }
    }

    /// A number with no instruction: the compiler never emits one.
    @inline(never)
    func badInstruction(_ opcode: Opcode, _ d: Int, _ a: Int, _ b: Int, _ imm: UInt32, _ start: UnsafeMutablePointer<UInt64>) throws(Trap) {
        throw trap(.host("internal error: bad instruction \(opcode.rawValue)"), compiled, instance, codeBase.distance(to: start))
    }
}
