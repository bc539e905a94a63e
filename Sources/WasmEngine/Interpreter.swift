// The interpreter: one loop over the register-based internal code (see Compiler.swift), an
// explicit frame stack, values as 64-bit slots in the store's preallocated value stack. Each
// frame holds its locals, then the home slots of its operand stack; instructions name slots
// relative to the frame pointer. A call's arguments are the top home slots of the caller,
// which become the callee's first locals, and results come back in the same slots.

extension Store {
    /// Runs a store function with the given arguments and returns its results.
    func execute(address: UInt32, arguments: [Value]) throws(Trap) -> [Value] {
        guard Int(address) < functions.count else {
            throw Trap(.host(released ? "the store was released" : "unknown function address \(address)"))
        }
        let function = functions[Int(address)]
        let type = function.type
        guard arguments.count == type.parameters.count else {
            throw Trap(.host("wrong number of arguments: expected \(type.parameters.count), got \(arguments.count)"))
        }
        for (argument, parameter) in zip(arguments, type.parameters) where argument.type != parameter {
            throw Trap(.host("argument type mismatch: expected \(parameter.name), got \(argument.type.name)"))
        }
        if let host = function.host {
            var caller = Caller(instance: nil, store: self)
            return try host.body(&caller, arguments)
        }
        let base = stack.valueBase
        let frameBase = stack.frameBase
        defer {
            stack.valueBase = base
            stack.frameBase = frameBase
        }
        guard base + max(arguments.count, type.results.count) < stack.valueCapacity, frameBase < stack.frameCapacity else {
            throw Trap(.callStackExhausted)
        }
        for (i, argument) in arguments.enumerated() { stack.values[base + i] = argument.slot }
        if fuelEnabled {
            try run(MeteredFuel.self, entry: function, framePointer: base, frameBase: frameBase)
        } else {
            try run(UnmeteredFuel.self, entry: function, framePointer: base, frameBase: frameBase)
        }
        var results: [Value] = []
        results.reserveCapacity(type.results.count)
        for (i, resultType) in type.results.enumerated() {
            results.append(Value(slot: stack.values[base + i], type: resultType))
        }
        return results
    }

    @inline(never)
    func trap(_ reason: TrapReason, _ compiled: CompiledFunction, _ instance: Instance, _ pc: Int) -> Trap {
        var trap = Trap(reason)
        trap.functionIndex = compiled.index
        trap.functionName = instance.module.name(ofFunction: compiled.index)
        if pc >= 0 && pc < compiled.offsets.count { trap.offset = Int(compiled.offsets[pc]) }
        return trap
    }

    /// Calls a host function from wasm code: arguments are read from, and results written to,
    /// `slots`; a nested invocation from the host starts at value index `nestedBase`.
    @inline(never)
    func callHost(_ callee: FunctionInstance, _ slots: UnsafeMutablePointer<UInt64>, nestedBase: Int, depth: Int,
                  _ instance: Instance) throws(Trap) {
        let type = callee.type
        let n = type.parameters.count
        var arguments: [Value] = []
        arguments.reserveCapacity(n)
        for i in 0..<n { arguments.append(Value(slot: slots[i], type: type.parameters[i])) }
        let savedBase = stack.valueBase, savedFrames = stack.frameBase
        stack.valueBase = nestedBase
        stack.frameBase = depth
        defer {
            stack.valueBase = savedBase
            stack.frameBase = savedFrames
        }
        var caller = Caller(instance: instance, store: self)
        let results = try callee.host.unsafelyUnwrapped.body(&caller, arguments)
        guard results.count == type.results.count else {
            throw Trap(.host("host function returned \(results.count) values, expected \(type.results.count)"))
        }
        for (i, (result, expected)) in zip(results, type.results).enumerated() {
            guard result.type == expected else {
                throw Trap(.host("host function returned \(result.type.name), expected \(expected.name)"))
            }
            slots[i] = result.slot
        }
    }

    func run<F: FuelMode>(_ mode: F.Type, entry: FunctionInstance, framePointer: Int, frameBase: Int) throws(Trap) {
        unowned(unsafe) let compiled = entry.compiled.unsafelyUnwrapped
        unowned(unsafe) let instance = entry.instance.unsafelyUnwrapped
        guard framePointer + compiled.numLocals + compiled.maxHeight <= stack.valueCapacity else {
            throw trap(.callStackExhausted, compiled, instance, -1)
        }
        var machine = Machine<F>(store: self, compiled: compiled, instance: instance, framePointer: framePointer, frameBase: frameBase)
        defer { if F.metered { self.fuel = machine.fuel } }
        // `step` is inlined twice so that the dispatch switch's indirect jump exists twice: each
        // copy sees a more regular sequence of targets, which the branch predictor follows far
        // better than one shared jump (1.3-1.8x on CPU-bound modules, x86-64). Three and four
        // copies measured slower than two.
        while true {
            if try machine.step() { return }
            if try machine.step() { return }
        }
    }
}

/// The interpreter's state while it runs: the registers of the current frame and the state of
/// the current instance, kept in one local value so the optimizer holds them in machine registers.
struct Machine<F: FuelMode> {
    unowned(unsafe) let store: Store
    let values: UnsafeMutablePointer<UInt64>
    let frames: UnsafeMutablePointer<Frame>
    let valueLimit: Int
    let frameLimit: Int
    /// The frame depth of the entry function: returning from it ends the run.
    let frameBase: Int
    var depth: Int
    unowned(unsafe) var compiled: CompiledFunction
    unowned(unsafe) var instance: Instance
    var instanceID: UnsafeMutableRawPointer
    var codeBase: UnsafeMutablePointer<UInt64>
    var ip: UnsafeMutablePointer<UInt64>
    var fp: Int
    /// The current frame's slots (`values + fp`).
    var f: UnsafeMutablePointer<UInt64>
    var memory: UnsafeMutableRawPointer?
    var memorySize: UInt64
    var globals: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>>
    var fuel: UInt64

    /// Sets up the entry function's frame (its locals zeroed) at `framePointer`.
    init(store: Store, compiled: CompiledFunction, instance: Instance, framePointer: Int, frameBase: Int) {
        self.store = store
        values = store.stack.values
        frames = store.stack.frames
        valueLimit = store.stack.valueCapacity
        frameLimit = store.stack.frameCapacity
        self.frameBase = frameBase
        depth = frameBase
        self.compiled = compiled
        self.instance = instance
        instanceID = Unmanaged.passUnretained(instance).toOpaque()
        codeBase = compiled.code
        ip = codeBase
        fp = framePointer
        f = values + framePointer
        for i in compiled.numParams..<compiled.numLocals { f[i] = 0 }
        memory = nil
        memorySize = 0
        if let m = instance.memory { memory = m.data; memorySize = UInt64(m.byteCount) }
        globals = instance.globalSlots
        fuel = store.fuel
    }

    @inline(__always)
    func trap(_ reason: TrapReason, _ compiled: CompiledFunction, _ instance: Instance, _ pc: Int) -> Trap {
        store.trap(reason, compiled, instance, pc)
    }

    /// Executes one instruction; true when the entry function has returned. Transparent (inlined
    /// by the mandatory inliner, which has no size limit) because `run` needs two copies.
    @_transparent
    mutating func step() throws(Trap) -> Bool {
        // Handlers that trap set `fault` and leave the switch: one shared throw below keeps the
        // trap paths out of the hot code (the optimizer threads the check away for the others).
        var fault = Fault.none
        let start = ip
        let word = ip[0]
        ip += 1
        if F.metered {
            if fuel == 0 { throw trap(.outOfFuel, compiled, instance, codeBase.distance(to: start)) }
            fuel &-= 1
        }
        let d = Int(truncatingIfNeeded: (word >> 16) & 0xFFFF)
        let a = Int(truncatingIfNeeded: (word >> 32) & 0xFFFF)
        let b = Int(truncatingIfNeeded: word >> 48)
        let imm = UInt32(truncatingIfNeeded: word >> 32)
        let opcode = Opcode(word: word)
        switch opcode {
        case .unreachable:
            throw trap(.unreachable, compiled, instance, codeBase.distance(to: start))
        case .`return`:
            let n = compiled.numResults
            if d != 0 {
                for i in 0..<n { f[i] = f[d &+ i] }
            }
            if depth == frameBase { return true }
            depth &-= 1
            let frame = frames[depth]
            compiled = frame.compiled
            codeBase = compiled.code
            ip = frame.returnIP
            fp = frame.framePointer
            f = values + fp
            let callerID = Unmanaged.passUnretained(frame.instance).toOpaque()
            if callerID != instanceID {
                // (Also picks up growth of a memory the callee's instance shares with ours.)
                instance = frame.instance
                instanceID = callerID
                globals = instance.globalSlots
                if let m = instance.memory { memory = m.data; memorySize = UInt64(m.byteCount) } else { memory = nil; memorySize = 0 }
            }
        case .jump:
            ip = codeBase + Int(imm)
        case .jumpAdjust:
            let w = ip[0]
            let source = Int(truncatingIfNeeded: w & 0xFFFF), destination = Int(truncatingIfNeeded: (w >> 16) & 0xFFFF)
            let arity = Int(truncatingIfNeeded: w >> 32)
            for i in 0..<arity { f[destination &+ i] = f[source &+ i] }
            ip = codeBase + Int(imm)
        case .jumpIf:
            if u32(f[d]) != 0 { ip = codeBase + Int(imm) }
        case .jumpIfAdjust:
            if u32(f[d]) != 0 {
                let w = ip[0]
                let source = Int(truncatingIfNeeded: w & 0xFFFF), destination = Int(truncatingIfNeeded: (w >> 16) & 0xFFFF)
                let arity = Int(truncatingIfNeeded: w >> 32)
                for i in 0..<arity { f[destination &+ i] = f[source &+ i] }
                ip = codeBase + Int(imm)
            } else {
                ip += 1
            }
        case .jumpUnless:
            if u32(f[d]) == 0 { ip = codeBase + Int(imm) }
        case .jumpTable:
            let index = Int(min(u32(f[d]), imm))
            let entry = ip + 2 &* index
            let w = entry[1]
            let source = Int(truncatingIfNeeded: w & 0xFFFF), destination = Int(truncatingIfNeeded: (w >> 16) & 0xFFFF)
            let arity = Int(truncatingIfNeeded: w >> 32)
            if source != destination {
                for i in 0..<arity { f[destination &+ i] = f[source &+ i] }
            }
            ip = codeBase + Int(truncatingIfNeeded: entry[0])
        case .copy:
            f[d] = f[a]
        case .constant:
            f[d] = ip[0]
            ip += 1
        case .call, .callIndirect:
            unowned(unsafe) var callee: FunctionInstance
            if opcode == .call {
                callee = instance.functionTable[Int(imm)].function
            } else {
                let w = ip[0]
                ip += 1
                let table = instance.tables[Int(truncatingIfNeeded: w & 0xFFFF_FFFF)]
                let index = Int(u32(f[Int(truncatingIfNeeded: w >> 32)]))
                guard index < table.elements.count else { throw trap(.undefinedElement, compiled, instance, codeBase.distance(to: start)) }
                let reference = table.elements[index]
                guard reference != 0 else { throw trap(.uninitializedElement, compiled, instance, codeBase.distance(to: start)) }
                callee = store.functionRefs[Int(reference &- 1)].function
                guard callee.typeID == instance.typeIDs[Int(imm)] else {
                    throw trap(.indirectCallTypeMismatch, compiled, instance, codeBase.distance(to: start))
                }
            }
            if !callee.isHost {
                unowned(unsafe) let target = callee.target
                let newFP = fp &+ d
                guard depth &+ 1 < frameLimit, newFP &+ target.numLocals &+ target.maxHeight <= valueLimit else {
                    throw trap(.callStackExhausted, compiled, instance, codeBase.distance(to: start))
                }
                frames[depth] = Frame(compiled: compiled, instance: instance, returnIP: ip, framePointer: fp)
                depth &+= 1
                fp = newFP
                f = values + fp
                var i = target.numParams
                while i < target.numLocals { f[i] = 0; i &+= 1 }
                compiled = target
                codeBase = target.code
                ip = codeBase
                if callee.instanceID.unsafelyUnwrapped != instanceID {
                    instance = callee.instance.unsafelyUnwrapped
                    instanceID = callee.instanceID.unsafelyUnwrapped
                    globals = instance.globalSlots
                    if let m = instance.memory { memory = m.data; memorySize = UInt64(m.byteCount) } else { memory = nil; memorySize = 0 }
                }
            } else {
                if F.metered { store.fuel = fuel }
                do {
                    try store.callHost(callee, f + d, nestedBase: fp &+ compiled.numLocals &+ compiled.maxHeight, depth: depth, instance)
                } catch {
                    var failure = error
                    if failure.functionIndex == nil {
                        let located = trap(failure.reason, compiled, instance, codeBase.distance(to: start))
                        failure.functionIndex = located.functionIndex
                        failure.functionName = located.functionName
                        failure.offset = located.offset
                    }
                    throw failure
                }
                if F.metered { fuel = store.fuel }
                if let m = instance.memory { memory = m.data; memorySize = UInt64(m.byteCount) } else { memory = nil; memorySize = 0 }
            }
        case .select:
            let condition = Int(truncatingIfNeeded: ip[0])
            ip += 1
            f[d] = u32(f[condition]) != 0 ? f[a] : f[b]
        case .globalGet:
            f[d] = globals[Int(imm)].pointee
        case .globalSet:
            globals[Int(imm)].pointee = f[d]
        case .tableGet:
            let table = instance.tables[Int(truncatingIfNeeded: ip[0])]
            ip += 1
            let index = Int(u32(f[a]))
            guard index < table.elements.count else { fault = .tableOutOfBounds; break }
            f[d] = table.elements[index]
        case .tableSet:
            let table = instance.tables[Int(truncatingIfNeeded: ip[0])]
            ip += 1
            let index = Int(u32(f[d]))
            guard index < table.elements.count else { fault = .tableOutOfBounds; break }
            table.elements[index] = f[a]
        case .memorySize:
            f[d] = memorySize / 65536
        case .memoryGrow:
            let delta = u32(f[a])
            if let m = instance.memory, let old = m.grow(by: delta) {
                f[d] = UInt64(old)
                memory = m.data
                memorySize = UInt64(m.byteCount)
            } else {
                f[d] = 0xFFFF_FFFF
            }
        case .refFunc:
            f[d] = UInt64(instance.functionAddresses[Int(imm)]) &+ 1
        case .i32Eq:
            let a = u32(f[a]), b = u32(f[b]); f[d] = ((a == b) ? 1 : 0)
        case .i32EqConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((a == b) ? 1 : 0)
        case .i32Ne:
            let a = u32(f[a]), b = u32(f[b]); f[d] = ((a != b) ? 1 : 0)
        case .i32NeConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((a != b) ? 1 : 0)
        case .i32LtS:
            let a = u32(f[a]), b = u32(f[b]); f[d] = ((Int32(bitPattern: a) < Int32(bitPattern: b)) ? 1 : 0)
        case .i32LtSConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((Int32(bitPattern: a) < Int32(bitPattern: b)) ? 1 : 0)
        case .i32LtU:
            let a = u32(f[a]), b = u32(f[b]); f[d] = ((a < b) ? 1 : 0)
        case .i32LtUConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((a < b) ? 1 : 0)
        case .i32GtS:
            let a = u32(f[a]), b = u32(f[b]); f[d] = ((Int32(bitPattern: a) > Int32(bitPattern: b)) ? 1 : 0)
        case .i32GtSConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((Int32(bitPattern: a) > Int32(bitPattern: b)) ? 1 : 0)
        case .i32GtU:
            let a = u32(f[a]), b = u32(f[b]); f[d] = ((a > b) ? 1 : 0)
        case .i32GtUConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((a > b) ? 1 : 0)
        case .i32LeS:
            let a = u32(f[a]), b = u32(f[b]); f[d] = ((Int32(bitPattern: a) <= Int32(bitPattern: b)) ? 1 : 0)
        case .i32LeSConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((Int32(bitPattern: a) <= Int32(bitPattern: b)) ? 1 : 0)
        case .i32LeU:
            let a = u32(f[a]), b = u32(f[b]); f[d] = ((a <= b) ? 1 : 0)
        case .i32LeUConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((a <= b) ? 1 : 0)
        case .i32GeS:
            let a = u32(f[a]), b = u32(f[b]); f[d] = ((Int32(bitPattern: a) >= Int32(bitPattern: b)) ? 1 : 0)
        case .i32GeSConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((Int32(bitPattern: a) >= Int32(bitPattern: b)) ? 1 : 0)
        case .i32GeU:
            let a = u32(f[a]), b = u32(f[b]); f[d] = ((a >= b) ? 1 : 0)
        case .i32GeUConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((a >= b) ? 1 : 0)
        case .i32Add:
            let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a &+ b)
        case .i32AddConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a &+ b)
        case .i32Sub:
            let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a &- b)
        case .i32SubConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a &- b)
        case .i32Mul:
            let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a &* b)
        case .i32MulConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a &* b)
        case .i32DivS:
            let a = u32(f[a]), b = u32(f[b]); let x = Int32(bitPattern: a), y = Int32(bitPattern: b); if y == 0 { fault = .integerDivideByZero; break }; if x == .min && y == -1 { fault = .integerOverflow; break }; f[d] = UInt64(UInt32(bitPattern: x / y))
        case .i32DivSConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; let x = Int32(bitPattern: a), y = Int32(bitPattern: b); if y == 0 { fault = .integerDivideByZero; break }; if x == .min && y == -1 { fault = .integerOverflow; break }; f[d] = UInt64(UInt32(bitPattern: x / y))
        case .i32DivU:
            let a = u32(f[a]), b = u32(f[b]); if b == 0 { fault = .integerDivideByZero; break }; f[d] = UInt64(a / b)
        case .i32DivUConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; if b == 0 { fault = .integerDivideByZero; break }; f[d] = UInt64(a / b)
        case .i32RemS:
            let a = u32(f[a]), b = u32(f[b]); let x = Int32(bitPattern: a), y = Int32(bitPattern: b); if y == 0 { fault = .integerDivideByZero; break }; f[d] = y == -1 ? 0 : UInt64(UInt32(bitPattern: x % y))
        case .i32RemSConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; let x = Int32(bitPattern: a), y = Int32(bitPattern: b); if y == 0 { fault = .integerDivideByZero; break }; f[d] = y == -1 ? 0 : UInt64(UInt32(bitPattern: x % y))
        case .i32RemU:
            let a = u32(f[a]), b = u32(f[b]); if b == 0 { fault = .integerDivideByZero; break }; f[d] = UInt64(a % b)
        case .i32RemUConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; if b == 0 { fault = .integerDivideByZero; break }; f[d] = UInt64(a % b)
        case .i32And:
            let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a & b)
        case .i32AndConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a & b)
        case .i32Or:
            let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a | b)
        case .i32OrConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a | b)
        case .i32Xor:
            let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a ^ b)
        case .i32XorConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a ^ b)
        case .i32Shl:
            let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a &<< b)
        case .i32ShlConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a &<< b)
        case .i32ShrS:
            let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(UInt32(bitPattern: Int32(bitPattern: a) &>> Int32(bitPattern: b)))
        case .i32ShrSConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(UInt32(bitPattern: Int32(bitPattern: a) &>> Int32(bitPattern: b)))
        case .i32ShrU:
            let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a &>> b)
        case .i32ShrUConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a &>> b)
        case .i32Rotl:
            let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a &<< b | a &>> (32 &- b))
        case .i32RotlConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a &<< b | a &>> (32 &- b))
        case .i32Rotr:
            let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a &>> b | a &<< (32 &- b))
        case .i32RotrConst:
            let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a &>> b | a &<< (32 &- b))
        case .i64Eq:
            let a = f[a], b = f[b]; f[d] = ((a == b) ? 1 : 0)
        case .i64EqConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = ((a == b) ? 1 : 0)
        case .i64Ne:
            let a = f[a], b = f[b]; f[d] = ((a != b) ? 1 : 0)
        case .i64NeConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = ((a != b) ? 1 : 0)
        case .i64LtS:
            let a = f[a], b = f[b]; f[d] = ((Int64(bitPattern: a) < Int64(bitPattern: b)) ? 1 : 0)
        case .i64LtSConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = ((Int64(bitPattern: a) < Int64(bitPattern: b)) ? 1 : 0)
        case .i64LtU:
            let a = f[a], b = f[b]; f[d] = ((a < b) ? 1 : 0)
        case .i64LtUConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = ((a < b) ? 1 : 0)
        case .i64GtS:
            let a = f[a], b = f[b]; f[d] = ((Int64(bitPattern: a) > Int64(bitPattern: b)) ? 1 : 0)
        case .i64GtSConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = ((Int64(bitPattern: a) > Int64(bitPattern: b)) ? 1 : 0)
        case .i64GtU:
            let a = f[a], b = f[b]; f[d] = ((a > b) ? 1 : 0)
        case .i64GtUConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = ((a > b) ? 1 : 0)
        case .i64LeS:
            let a = f[a], b = f[b]; f[d] = ((Int64(bitPattern: a) <= Int64(bitPattern: b)) ? 1 : 0)
        case .i64LeSConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = ((Int64(bitPattern: a) <= Int64(bitPattern: b)) ? 1 : 0)
        case .i64LeU:
            let a = f[a], b = f[b]; f[d] = ((a <= b) ? 1 : 0)
        case .i64LeUConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = ((a <= b) ? 1 : 0)
        case .i64GeS:
            let a = f[a], b = f[b]; f[d] = ((Int64(bitPattern: a) >= Int64(bitPattern: b)) ? 1 : 0)
        case .i64GeSConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = ((Int64(bitPattern: a) >= Int64(bitPattern: b)) ? 1 : 0)
        case .i64GeU:
            let a = f[a], b = f[b]; f[d] = ((a >= b) ? 1 : 0)
        case .i64GeUConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = ((a >= b) ? 1 : 0)
        case .i64Add:
            let a = f[a], b = f[b]; f[d] = a &+ b
        case .i64AddConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = a &+ b
        case .i64Sub:
            let a = f[a], b = f[b]; f[d] = a &- b
        case .i64SubConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = a &- b
        case .i64Mul:
            let a = f[a], b = f[b]; f[d] = a &* b
        case .i64MulConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = a &* b
        case .i64DivS:
            let a = f[a], b = f[b]; let x = Int64(bitPattern: a), y = Int64(bitPattern: b); if y == 0 { fault = .integerDivideByZero; break }; if x == .min && y == -1 { fault = .integerOverflow; break }; f[d] = UInt64(bitPattern: x / y)
        case .i64DivSConst:
            let a = f[a], b = ip[0]; ip += 1; let x = Int64(bitPattern: a), y = Int64(bitPattern: b); if y == 0 { fault = .integerDivideByZero; break }; if x == .min && y == -1 { fault = .integerOverflow; break }; f[d] = UInt64(bitPattern: x / y)
        case .i64DivU:
            let a = f[a], b = f[b]; if b == 0 { fault = .integerDivideByZero; break }; f[d] = a / b
        case .i64DivUConst:
            let a = f[a], b = ip[0]; ip += 1; if b == 0 { fault = .integerDivideByZero; break }; f[d] = a / b
        case .i64RemS:
            let a = f[a], b = f[b]; let x = Int64(bitPattern: a), y = Int64(bitPattern: b); if y == 0 { fault = .integerDivideByZero; break }; f[d] = y == -1 ? 0 : UInt64(bitPattern: x % y)
        case .i64RemSConst:
            let a = f[a], b = ip[0]; ip += 1; let x = Int64(bitPattern: a), y = Int64(bitPattern: b); if y == 0 { fault = .integerDivideByZero; break }; f[d] = y == -1 ? 0 : UInt64(bitPattern: x % y)
        case .i64RemU:
            let a = f[a], b = f[b]; if b == 0 { fault = .integerDivideByZero; break }; f[d] = a % b
        case .i64RemUConst:
            let a = f[a], b = ip[0]; ip += 1; if b == 0 { fault = .integerDivideByZero; break }; f[d] = a % b
        case .i64And:
            let a = f[a], b = f[b]; f[d] = a & b
        case .i64AndConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = a & b
        case .i64Or:
            let a = f[a], b = f[b]; f[d] = a | b
        case .i64OrConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = a | b
        case .i64Xor:
            let a = f[a], b = f[b]; f[d] = a ^ b
        case .i64XorConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = a ^ b
        case .i64Shl:
            let a = f[a], b = f[b]; f[d] = a &<< b
        case .i64ShlConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = a &<< b
        case .i64ShrS:
            let a = f[a], b = f[b]; f[d] = UInt64(bitPattern: Int64(bitPattern: a) &>> Int64(bitPattern: b))
        case .i64ShrSConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = UInt64(bitPattern: Int64(bitPattern: a) &>> Int64(bitPattern: b))
        case .i64ShrU:
            let a = f[a], b = f[b]; f[d] = a &>> b
        case .i64ShrUConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = a &>> b
        case .i64Rotl:
            let a = f[a], b = f[b]; f[d] = a &<< b | a &>> (64 &- b)
        case .i64RotlConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = a &<< b | a &>> (64 &- b)
        case .i64Rotr:
            let a = f[a], b = f[b]; f[d] = a &>> b | a &<< (64 &- b)
        case .i64RotrConst:
            let a = f[a], b = ip[0]; ip += 1; f[d] = a &>> b | a &<< (64 &- b)
        case .f32Add:
            let a = f32(f[a]), b = f32(f[b]); f[d] = s32(a + b)
        case .f32AddConst:
            let a = f32(f[a]), b = f32(ip[0]); ip += 1; f[d] = s32(a + b)
        case .f32Sub:
            let a = f32(f[a]), b = f32(f[b]); f[d] = s32(a - b)
        case .f32SubConst:
            let a = f32(f[a]), b = f32(ip[0]); ip += 1; f[d] = s32(a - b)
        case .f32Mul:
            let a = f32(f[a]), b = f32(f[b]); f[d] = s32(a * b)
        case .f32MulConst:
            let a = f32(f[a]), b = f32(ip[0]); ip += 1; f[d] = s32(a * b)
        case .f32Div:
            let a = f32(f[a]), b = f32(f[b]); f[d] = s32(a / b)
        case .f32DivConst:
            let a = f32(f[a]), b = f32(ip[0]); ip += 1; f[d] = s32(a / b)
        case .f32Min:
            let a = f32(f[a]), b = f32(f[b]); f[d] = s32(wasmMin(a, b))
        case .f32MinConst:
            let a = f32(f[a]), b = f32(ip[0]); ip += 1; f[d] = s32(wasmMin(a, b))
        case .f32Max:
            let a = f32(f[a]), b = f32(f[b]); f[d] = s32(wasmMax(a, b))
        case .f32MaxConst:
            let a = f32(f[a]), b = f32(ip[0]); ip += 1; f[d] = s32(wasmMax(a, b))
        case .f64Add:
            let a = f64(f[a]), b = f64(f[b]); f[d] = s64(a + b)
        case .f64AddConst:
            let a = f64(f[a]), b = f64(ip[0]); ip += 1; f[d] = s64(a + b)
        case .f64Sub:
            let a = f64(f[a]), b = f64(f[b]); f[d] = s64(a - b)
        case .f64SubConst:
            let a = f64(f[a]), b = f64(ip[0]); ip += 1; f[d] = s64(a - b)
        case .f64Mul:
            let a = f64(f[a]), b = f64(f[b]); f[d] = s64(a * b)
        case .f64MulConst:
            let a = f64(f[a]), b = f64(ip[0]); ip += 1; f[d] = s64(a * b)
        case .f64Div:
            let a = f64(f[a]), b = f64(f[b]); f[d] = s64(a / b)
        case .f64DivConst:
            let a = f64(f[a]), b = f64(ip[0]); ip += 1; f[d] = s64(a / b)
        case .f64Min:
            let a = f64(f[a]), b = f64(f[b]); f[d] = s64(wasmMin(a, b))
        case .f64MinConst:
            let a = f64(f[a]), b = f64(ip[0]); ip += 1; f[d] = s64(wasmMin(a, b))
        case .f64Max:
            let a = f64(f[a]), b = f64(f[b]); f[d] = s64(wasmMax(a, b))
        case .f64MaxConst:
            let a = f64(f[a]), b = f64(ip[0]); ip += 1; f[d] = s64(wasmMax(a, b))
        case .brIfI32Eq:
            let a = u32(f[a]), b = u32(f[b]); if a == b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI32Eq:
            let a = u32(f[a]), b = u32(f[b]); if a == b { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32EqConst:
            let a = u32(f[a]), b = u32(ip[1]); if a == b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI32EqConst:
            let a = u32(f[a]), b = u32(ip[1]); if a == b { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32Ne:
            let a = u32(f[a]), b = u32(f[b]); if a != b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI32Ne:
            let a = u32(f[a]), b = u32(f[b]); if a != b { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32NeConst:
            let a = u32(f[a]), b = u32(ip[1]); if a != b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI32NeConst:
            let a = u32(f[a]), b = u32(ip[1]); if a != b { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32LtS:
            let a = u32(f[a]), b = u32(f[b]); if Int32(bitPattern: a) < Int32(bitPattern: b) { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI32LtS:
            let a = u32(f[a]), b = u32(f[b]); if Int32(bitPattern: a) < Int32(bitPattern: b) { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32LtSConst:
            let a = u32(f[a]), b = u32(ip[1]); if Int32(bitPattern: a) < Int32(bitPattern: b) { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI32LtSConst:
            let a = u32(f[a]), b = u32(ip[1]); if Int32(bitPattern: a) < Int32(bitPattern: b) { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32LtU:
            let a = u32(f[a]), b = u32(f[b]); if a < b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI32LtU:
            let a = u32(f[a]), b = u32(f[b]); if a < b { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32LtUConst:
            let a = u32(f[a]), b = u32(ip[1]); if a < b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI32LtUConst:
            let a = u32(f[a]), b = u32(ip[1]); if a < b { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32GtS:
            let a = u32(f[a]), b = u32(f[b]); if Int32(bitPattern: a) > Int32(bitPattern: b) { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI32GtS:
            let a = u32(f[a]), b = u32(f[b]); if Int32(bitPattern: a) > Int32(bitPattern: b) { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32GtSConst:
            let a = u32(f[a]), b = u32(ip[1]); if Int32(bitPattern: a) > Int32(bitPattern: b) { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI32GtSConst:
            let a = u32(f[a]), b = u32(ip[1]); if Int32(bitPattern: a) > Int32(bitPattern: b) { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32GtU:
            let a = u32(f[a]), b = u32(f[b]); if a > b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI32GtU:
            let a = u32(f[a]), b = u32(f[b]); if a > b { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32GtUConst:
            let a = u32(f[a]), b = u32(ip[1]); if a > b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI32GtUConst:
            let a = u32(f[a]), b = u32(ip[1]); if a > b { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32LeS:
            let a = u32(f[a]), b = u32(f[b]); if Int32(bitPattern: a) <= Int32(bitPattern: b) { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI32LeS:
            let a = u32(f[a]), b = u32(f[b]); if Int32(bitPattern: a) <= Int32(bitPattern: b) { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32LeSConst:
            let a = u32(f[a]), b = u32(ip[1]); if Int32(bitPattern: a) <= Int32(bitPattern: b) { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI32LeSConst:
            let a = u32(f[a]), b = u32(ip[1]); if Int32(bitPattern: a) <= Int32(bitPattern: b) { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32LeU:
            let a = u32(f[a]), b = u32(f[b]); if a <= b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI32LeU:
            let a = u32(f[a]), b = u32(f[b]); if a <= b { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32LeUConst:
            let a = u32(f[a]), b = u32(ip[1]); if a <= b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI32LeUConst:
            let a = u32(f[a]), b = u32(ip[1]); if a <= b { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32GeS:
            let a = u32(f[a]), b = u32(f[b]); if Int32(bitPattern: a) >= Int32(bitPattern: b) { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI32GeS:
            let a = u32(f[a]), b = u32(f[b]); if Int32(bitPattern: a) >= Int32(bitPattern: b) { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32GeSConst:
            let a = u32(f[a]), b = u32(ip[1]); if Int32(bitPattern: a) >= Int32(bitPattern: b) { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI32GeSConst:
            let a = u32(f[a]), b = u32(ip[1]); if Int32(bitPattern: a) >= Int32(bitPattern: b) { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32GeU:
            let a = u32(f[a]), b = u32(f[b]); if a >= b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI32GeU:
            let a = u32(f[a]), b = u32(f[b]); if a >= b { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI32GeUConst:
            let a = u32(f[a]), b = u32(ip[1]); if a >= b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI32GeUConst:
            let a = u32(f[a]), b = u32(ip[1]); if a >= b { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .i32Eqz:
            let a = f[a]; f[d] = u32(a) == 0 ? 1 : 0
        case .i64Eqz:
            let a = f[a]; f[d] = a == 0 ? 1 : 0
        case .f32Eq:
            let a = f32(f[a]), b = f32(f[b]); f[d] = (a == b) ? 1 : 0
        case .f32Ne:
            let a = f32(f[a]), b = f32(f[b]); f[d] = (a != b) ? 1 : 0
        case .f32Lt:
            let a = f32(f[a]), b = f32(f[b]); f[d] = (a < b) ? 1 : 0
        case .f32Gt:
            let a = f32(f[a]), b = f32(f[b]); f[d] = (a > b) ? 1 : 0
        case .f32Le:
            let a = f32(f[a]), b = f32(f[b]); f[d] = (a <= b) ? 1 : 0
        case .f32Ge:
            let a = f32(f[a]), b = f32(f[b]); f[d] = (a >= b) ? 1 : 0
        case .f64Eq:
            let a = f64(f[a]), b = f64(f[b]); f[d] = (a == b) ? 1 : 0
        case .f64Ne:
            let a = f64(f[a]), b = f64(f[b]); f[d] = (a != b) ? 1 : 0
        case .f64Lt:
            let a = f64(f[a]), b = f64(f[b]); f[d] = (a < b) ? 1 : 0
        case .f64Gt:
            let a = f64(f[a]), b = f64(f[b]); f[d] = (a > b) ? 1 : 0
        case .f64Le:
            let a = f64(f[a]), b = f64(f[b]); f[d] = (a <= b) ? 1 : 0
        case .f64Ge:
            let a = f64(f[a]), b = f64(f[b]); f[d] = (a >= b) ? 1 : 0
        case .i32Clz:
            let a = f[a]; f[d] = UInt64(u32(a).leadingZeroBitCount)
        case .i32Ctz:
            let a = f[a]; f[d] = UInt64(u32(a).trailingZeroBitCount)
        case .i32Popcnt:
            let a = f[a]; f[d] = UInt64(u32(a).nonzeroBitCount)
        case .i64Clz:
            let a = f[a]; f[d] = UInt64(a.leadingZeroBitCount)
        case .i64Ctz:
            let a = f[a]; f[d] = UInt64(a.trailingZeroBitCount)
        case .i64Popcnt:
            let a = f[a]; f[d] = UInt64(a.nonzeroBitCount)
        case .f32Abs:
            let a = f[a]; f[d] = a & 0x7FFF_FFFF
        case .f32Neg:
            let a = f[a]; f[d] = (a ^ 0x8000_0000) & 0xFFFF_FFFF
        case .f32Ceil:
            let a = f[a]; f[d] = s32(f32(a).rounded(.up))
        case .f32Floor:
            let a = f[a]; f[d] = s32(f32(a).rounded(.down))
        case .f32Trunc:
            let a = f[a]; f[d] = s32(f32(a).rounded(.towardZero))
        case .f32Nearest:
            let a = f[a]; f[d] = s32(f32(a).rounded(.toNearestOrEven))
        case .f32Sqrt:
            let a = f[a]; f[d] = s32(f32(a).squareRoot())
        case .f32Copysign:
            f[d] = (f[a] & 0x7FFF_FFFF) | (f[b] & 0x8000_0000)
        case .f64Abs:
            let a = f[a]; f[d] = a & 0x7FFF_FFFF_FFFF_FFFF
        case .f64Neg:
            let a = f[a]; f[d] = a ^ 0x8000_0000_0000_0000
        case .f64Ceil:
            let a = f[a]; f[d] = s64(f64(a).rounded(.up))
        case .f64Floor:
            let a = f[a]; f[d] = s64(f64(a).rounded(.down))
        case .f64Trunc:
            let a = f[a]; f[d] = s64(f64(a).rounded(.towardZero))
        case .f64Nearest:
            let a = f[a]; f[d] = s64(f64(a).rounded(.toNearestOrEven))
        case .f64Sqrt:
            let a = f[a]; f[d] = s64(f64(a).squareRoot())
        case .f64Copysign:
            f[d] = (f[a] & 0x7FFF_FFFF_FFFF_FFFF) | (f[b] & 0x8000_0000_0000_0000)
        case .i32WrapI64:
            let a = f[a]; f[d] = a & 0xFFFF_FFFF
        case .i32TruncF32S:
            let x = f32(f[a]); guard let r = truncateS32(x) else { fault = x.isNaN ? .invalidConversionToInteger : .integerOverflow; break }; f[d] = r
        case .i32TruncF32U:
            let x = f32(f[a]); guard let r = truncateU32(x) else { fault = x.isNaN ? .invalidConversionToInteger : .integerOverflow; break }; f[d] = r
        case .i32TruncF64S:
            let x = f64(f[a]); guard let r = truncateS32(x) else { fault = x.isNaN ? .invalidConversionToInteger : .integerOverflow; break }; f[d] = r
        case .i32TruncF64U:
            let x = f64(f[a]); guard let r = truncateU32(x) else { fault = x.isNaN ? .invalidConversionToInteger : .integerOverflow; break }; f[d] = r
        case .i64ExtendI32S:
            let a = f[a]; f[d] = UInt64(bitPattern: Int64(Int32(bitPattern: u32(a))))
        case .i64ExtendI32U:
            let a = f[a]; f[d] = a & 0xFFFF_FFFF
        case .i64TruncF32S:
            let x = f32(f[a]); guard let r = truncateS64(x) else { fault = x.isNaN ? .invalidConversionToInteger : .integerOverflow; break }; f[d] = r
        case .i64TruncF32U:
            let x = f32(f[a]); guard let r = truncateU64(x) else { fault = x.isNaN ? .invalidConversionToInteger : .integerOverflow; break }; f[d] = r
        case .i64TruncF64S:
            let x = f64(f[a]); guard let r = truncateS64(x) else { fault = x.isNaN ? .invalidConversionToInteger : .integerOverflow; break }; f[d] = r
        case .i64TruncF64U:
            let x = f64(f[a]); guard let r = truncateU64(x) else { fault = x.isNaN ? .invalidConversionToInteger : .integerOverflow; break }; f[d] = r
        case .f32ConvertI32S:
            let a = f[a]; f[d] = s32(Float(Int32(bitPattern: u32(a))))
        case .f32ConvertI32U:
            let a = f[a]; f[d] = s32(Float(u32(a)))
        case .f32ConvertI64S:
            let a = f[a]; f[d] = s32(Float(Int64(bitPattern: a)))
        case .f32ConvertI64U:
            let a = f[a]; f[d] = s32(Float(a))
        case .f32DemoteF64:
            let a = f[a]; f[d] = s32(Float(f64(a)))
        case .f64ConvertI32S:
            let a = f[a]; f[d] = s64(Double(Int32(bitPattern: u32(a))))
        case .f64ConvertI32U:
            let a = f[a]; f[d] = s64(Double(u32(a)))
        case .f64ConvertI64S:
            let a = f[a]; f[d] = s64(Double(Int64(bitPattern: a)))
        case .f64ConvertI64U:
            let a = f[a]; f[d] = s64(Double(a))
        case .f64PromoteF32:
            let a = f[a]; f[d] = s64(Double(f32(a)))
        case .i32ReinterpretF32:
            f[d] = f[a]
        case .i64ReinterpretF64:
            f[d] = f[a]
        case .f32ReinterpretI32:
            f[d] = f[a]
        case .f64ReinterpretI64:
            f[d] = f[a]
        case .i32Extend8S:
            let a = f[a]; f[d] = UInt64(UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: a))))
        case .i32Extend16S:
            let a = f[a]; f[d] = UInt64(UInt32(bitPattern: Int32(Int16(truncatingIfNeeded: a))))
        case .i64Extend8S:
            let a = f[a]; f[d] = UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: a)))
        case .i64Extend16S:
            let a = f[a]; f[d] = UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: a)))
        case .i64Extend32S:
            let a = f[a]; f[d] = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: a)))
        case .i32TruncSatF32S:
            f[d] = saturateS32(f32(f[a]))
        case .i32TruncSatF32U:
            f[d] = saturateU32(f32(f[a]))
        case .i32TruncSatF64S:
            f[d] = saturateS32(f64(f[a]))
        case .i32TruncSatF64U:
            f[d] = saturateU32(f64(f[a]))
        case .i64TruncSatF32S:
            f[d] = saturateS64(f32(f[a]))
        case .i64TruncSatF32U:
            f[d] = saturateU64(f32(f[a]))
        case .i64TruncSatF64S:
            f[d] = saturateS64(f64(f[a]))
        case .i64TruncSatF64U:
            f[d] = saturateU64(f64(f[a]))
        case .i32Load:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)
        case .i64Load:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 8 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian
        case .f32Load:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)
        case .f64Load:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 8 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian
        case .i32Load8S:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(UInt32(bitPattern: Int32(Int8(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)))))
        case .i32Load8U:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self))
        case .i32Load16S:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(UInt32(bitPattern: Int32(Int16(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian))))
        case .i32Load16U:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian)
        case .i64Load8S:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(bitPattern: Int64(Int8(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self))))
        case .i64Load8U:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self))
        case .i64Load16S:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(bitPattern: Int64(Int16(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian)))
        case .i64Load16U:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian)
        case .i64Load32S:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(bitPattern: Int64(Int32(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)))
        case .i64Load32U:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)
        case .i32Store:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        case .i64Store:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 8 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: f[d].littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self)
        case .f32Store:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        case .f64Store:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 8 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: f[d].littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self)
        case .i32Store8:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt8(truncatingIfNeeded: f[d]), toByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)
        case .i32Store16:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt16(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self)
        case .i64Store8:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt8(truncatingIfNeeded: f[d]), toByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)
        case .i64Store16:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt16(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self)
        case .i64Store32:
            let address = effectiveAddress(f[a], ip[0]); ip += 1; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)

        case .memoryInit:
            let destination = UInt64(u32(f[d])), s = UInt64(u32(f[d &+ 1])), n = UInt64(u32(f[d &+ 2]))
            let segment = instance.dataSegments[Int(imm)]
            guard s + n <= UInt64(segment.count), destination + n <= memorySize else { fault = .memoryOutOfBounds; break }
            if n > 0 {
                segment.withUnsafeBytes { bytes in
                    (memory.unsafelyUnwrapped + Int(destination)).copyMemory(from: bytes.baseAddress.unsafelyUnwrapped + Int(s), byteCount: Int(n))
                }
            }
        case .dataDrop:
            instance.dataSegments[Int(imm)] = []
        case .memoryCopy:
            let destination = UInt64(u32(f[d])), s = UInt64(u32(f[d &+ 1])), n = UInt64(u32(f[d &+ 2]))
            guard s + n <= memorySize, destination + n <= memorySize else { fault = .memoryOutOfBounds; break }
            if n > 0 { (memory.unsafelyUnwrapped + Int(destination)).copyMemory(from: memory.unsafelyUnwrapped + Int(s), byteCount: Int(n)) }
        case .memoryFill:
            let destination = UInt64(u32(f[d])), v = UInt8(truncatingIfNeeded: f[d &+ 1]), n = UInt64(u32(f[d &+ 2]))
            guard destination + n <= memorySize else { fault = .memoryOutOfBounds; break }
            if n > 0 { (memory.unsafelyUnwrapped + Int(destination)).initializeMemory(as: UInt8.self, repeating: v, count: Int(n)) }
        case .tableInit:
            let table = instance.tables[Int(truncatingIfNeeded: ip[0])]
            ip += 1
            let destination = Int(u32(f[d])), s = Int(u32(f[d &+ 1])), n = Int(u32(f[d &+ 2]))
            let segment = instance.elementSegments[Int(imm)]
            guard s + n <= segment.count, destination + n <= table.elements.count else { fault = .tableOutOfBounds; break }
            for i in 0..<n { table.elements[destination + i] = segment[s + i] }
        case .elemDrop:
            instance.elementSegments[Int(imm)] = []
        case .tableCopy:
            let source = instance.tables[Int(truncatingIfNeeded: ip[0])]
            ip += 1
            let target = instance.tables[Int(imm)]
            let destination = Int(u32(f[d])), s = Int(u32(f[d &+ 1])), n = Int(u32(f[d &+ 2]))
            guard s + n <= source.elements.count, destination + n <= target.elements.count else { fault = .tableOutOfBounds; break }
            if n > 0 {
                if source === target && destination > s {
                    var i = n - 1
                    while i >= 0 { target.elements[destination + i] = target.elements[s + i]; i -= 1 }
                } else {
                    for i in 0..<n { target.elements[destination + i] = source.elements[s + i] }
                }
            }
        case .tableGrow:
            let table = instance.tables[Int(imm)]
            f[d] = UInt64(table.grow(by: u32(f[d &+ 1]), fill: f[d]) ?? 0xFFFF_FFFF)
        case .tableSize:
            f[d] = UInt64(instance.tables[Int(imm)].elements.count)
        case .tableFill:
            let table = instance.tables[Int(imm)]
            let destination = Int(u32(f[d])), v = f[d &+ 1], n = Int(u32(f[d &+ 2]))
            guard destination + n <= table.elements.count else { fault = .tableOutOfBounds; break }
            for i in 0..<n { table.elements[destination + i] = v }
        case .i32StoreConst:
            let address = effectiveAddress(f[a], ip[0]); let value = ip[1]; ip += 2; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        case .i64StoreConst:
            let address = effectiveAddress(f[a], ip[0]); let value = ip[1]; ip += 2; if address &+ 8 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: value.littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self)
        case .f32StoreConst:
            let address = effectiveAddress(f[a], ip[0]); let value = ip[1]; ip += 2; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        case .f64StoreConst:
            let address = effectiveAddress(f[a], ip[0]); let value = ip[1]; ip += 2; if address &+ 8 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: value.littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self)
        case .i32Store8Const:
            let address = effectiveAddress(f[a], ip[0]); let value = ip[1]; ip += 2; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)
        case .i32Store16Const:
            let address = effectiveAddress(f[a], ip[0]); let value = ip[1]; ip += 2; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self)
        case .i64Store8Const:
            let address = effectiveAddress(f[a], ip[0]); let value = ip[1]; ip += 2; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)
        case .i64Store16Const:
            let address = effectiveAddress(f[a], ip[0]); let value = ip[1]; ip += 2; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self)
        case .i64Store32Const:
            let address = effectiveAddress(f[a], ip[0]); let value = ip[1]; ip += 2; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        case .i32LoadAbsolute:
            let address = ip[0]; ip += 1; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)
        case .i64LoadAbsolute:
            let address = ip[0]; ip += 1; if address &+ 8 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian
        case .f32LoadAbsolute:
            let address = ip[0]; ip += 1; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)
        case .f64LoadAbsolute:
            let address = ip[0]; ip += 1; if address &+ 8 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian
        case .i32Load8SAbsolute:
            let address = ip[0]; ip += 1; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(UInt32(bitPattern: Int32(Int8(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)))))
        case .i32Load8UAbsolute:
            let address = ip[0]; ip += 1; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self))
        case .i32Load16SAbsolute:
            let address = ip[0]; ip += 1; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(UInt32(bitPattern: Int32(Int16(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian))))
        case .i32Load16UAbsolute:
            let address = ip[0]; ip += 1; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian)
        case .i64Load8SAbsolute:
            let address = ip[0]; ip += 1; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(bitPattern: Int64(Int8(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self))))
        case .i64Load8UAbsolute:
            let address = ip[0]; ip += 1; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self))
        case .i64Load16SAbsolute:
            let address = ip[0]; ip += 1; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(bitPattern: Int64(Int16(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian)))
        case .i64Load16UAbsolute:
            let address = ip[0]; ip += 1; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian)
        case .i64Load32SAbsolute:
            let address = ip[0]; ip += 1; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(bitPattern: Int64(Int32(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)))
        case .i64Load32UAbsolute:
            let address = ip[0]; ip += 1; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)
        case .jumpIfI64:
            if f[d] != 0 { ip = codeBase + Int(imm) }
        case .jumpUnlessI64:
            if f[d] == 0 { ip = codeBase + Int(imm) }
        case .brIfI64Eq:
            let a = f[a], b = f[b]; if a == b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI64Eq:
            let a = f[a], b = f[b]; if a == b { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64EqConst:
            let a = f[a], b = ip[1]; if a == b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI64EqConst:
            let a = f[a], b = ip[1]; if a == b { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64Ne:
            let a = f[a], b = f[b]; if a != b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI64Ne:
            let a = f[a], b = f[b]; if a != b { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64NeConst:
            let a = f[a], b = ip[1]; if a != b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI64NeConst:
            let a = f[a], b = ip[1]; if a != b { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64LtS:
            let a = f[a], b = f[b]; if Int64(bitPattern: a) < Int64(bitPattern: b) { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI64LtS:
            let a = f[a], b = f[b]; if Int64(bitPattern: a) < Int64(bitPattern: b) { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64LtSConst:
            let a = f[a], b = ip[1]; if Int64(bitPattern: a) < Int64(bitPattern: b) { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI64LtSConst:
            let a = f[a], b = ip[1]; if Int64(bitPattern: a) < Int64(bitPattern: b) { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64LtU:
            let a = f[a], b = f[b]; if a < b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI64LtU:
            let a = f[a], b = f[b]; if a < b { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64LtUConst:
            let a = f[a], b = ip[1]; if a < b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI64LtUConst:
            let a = f[a], b = ip[1]; if a < b { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64GtS:
            let a = f[a], b = f[b]; if Int64(bitPattern: a) > Int64(bitPattern: b) { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI64GtS:
            let a = f[a], b = f[b]; if Int64(bitPattern: a) > Int64(bitPattern: b) { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64GtSConst:
            let a = f[a], b = ip[1]; if Int64(bitPattern: a) > Int64(bitPattern: b) { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI64GtSConst:
            let a = f[a], b = ip[1]; if Int64(bitPattern: a) > Int64(bitPattern: b) { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64GtU:
            let a = f[a], b = f[b]; if a > b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI64GtU:
            let a = f[a], b = f[b]; if a > b { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64GtUConst:
            let a = f[a], b = ip[1]; if a > b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI64GtUConst:
            let a = f[a], b = ip[1]; if a > b { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64LeS:
            let a = f[a], b = f[b]; if Int64(bitPattern: a) <= Int64(bitPattern: b) { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI64LeS:
            let a = f[a], b = f[b]; if Int64(bitPattern: a) <= Int64(bitPattern: b) { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64LeSConst:
            let a = f[a], b = ip[1]; if Int64(bitPattern: a) <= Int64(bitPattern: b) { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI64LeSConst:
            let a = f[a], b = ip[1]; if Int64(bitPattern: a) <= Int64(bitPattern: b) { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64LeU:
            let a = f[a], b = f[b]; if a <= b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI64LeU:
            let a = f[a], b = f[b]; if a <= b { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64LeUConst:
            let a = f[a], b = ip[1]; if a <= b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI64LeUConst:
            let a = f[a], b = ip[1]; if a <= b { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64GeS:
            let a = f[a], b = f[b]; if Int64(bitPattern: a) >= Int64(bitPattern: b) { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI64GeS:
            let a = f[a], b = f[b]; if Int64(bitPattern: a) >= Int64(bitPattern: b) { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64GeSConst:
            let a = f[a], b = ip[1]; if Int64(bitPattern: a) >= Int64(bitPattern: b) { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI64GeSConst:
            let a = f[a], b = ip[1]; if Int64(bitPattern: a) >= Int64(bitPattern: b) { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64GeU:
            let a = f[a], b = f[b]; if a >= b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 1 }
        case .brUnlessI64GeU:
            let a = f[a], b = f[b]; if a >= b { ip += 1 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .brIfI64GeUConst:
            let a = f[a], b = ip[1]; if a >= b { ip = codeBase + Int(truncatingIfNeeded: ip[0]) } else { ip += 2 }
        case .brUnlessI64GeUConst:
            let a = f[a], b = ip[1]; if a >= b { ip += 2 } else { ip = codeBase + Int(truncatingIfNeeded: ip[0]) }
        case .i32LoadIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)
        case .i64LoadIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 8 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian
        case .f32LoadIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)
        case .f64LoadIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 8 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian
        case .i32Load8SIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(UInt32(bitPattern: Int32(Int8(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)))))
        case .i32Load8UIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self))
        case .i32Load16SIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(UInt32(bitPattern: Int32(Int16(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian))))
        case .i32Load16UIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian)
        case .i64Load8SIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(bitPattern: Int64(Int8(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self))))
        case .i64Load8UIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self))
        case .i64Load16SIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(bitPattern: Int64(Int16(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian)))
        case .i64Load16UIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self).littleEndian)
        case .i64Load32SIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(bitPattern: Int64(Int32(bitPattern: memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)))
        case .i64Load32UIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; f[d] = UInt64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self).littleEndian)
        case .i32StoreIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        case .i64StoreIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 8 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: f[d].littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self)
        case .f32StoreIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        case .f64StoreIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 8 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: f[d].littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self)
        case .i32Store8Indexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt8(truncatingIfNeeded: f[d]), toByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)
        case .i32Store16Indexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt16(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self)
        case .i64Store8Indexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt8(truncatingIfNeeded: f[d]), toByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)
        case .i64Store16Indexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt16(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self)
        case .i64Store32Indexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); ip += 1; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: f[d]).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        case .i32StoreConstIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); let value = ip[1]; ip += 2; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        case .i64StoreConstIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); let value = ip[1]; ip += 2; if address &+ 8 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: value.littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self)
        case .f32StoreConstIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); let value = ip[1]; ip += 2; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        case .f64StoreConstIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); let value = ip[1]; ip += 2; if address &+ 8 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: value.littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self)
        case .i32Store8ConstIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); let value = ip[1]; ip += 2; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)
        case .i32Store16ConstIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); let value = ip[1]; ip += 2; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self)
        case .i64Store8ConstIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); let value = ip[1]; ip += 2; if address &+ 1 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt8(truncatingIfNeeded: value), toByteOffset: Int(truncatingIfNeeded: address), as: UInt8.self)
        case .i64Store16ConstIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); let value = ip[1]; ip += 2; if address &+ 2 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt16(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt16.self)
        case .i64Store32ConstIndexed:
            let address = effectiveAddress(f[a] &+ f[b], ip[0]); let value = ip[1]; ip += 2; if address &+ 4 > memorySize { fault = .memoryOutOfBounds; break }; memory.unsafelyUnwrapped.storeBytes(of: UInt32(truncatingIfNeeded: value).littleEndian, toByteOffset: Int(truncatingIfNeeded: address), as: UInt32.self)
        case .f64AddLoad:
            let address = effectiveAddress(f[b], ip[0]); ip += 1; if address &+ 8 > memorySize { fault = .memoryOutOfBounds; break }
            let y = f64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian); f[d] = s64(f64(f[a]) + y)
        case .f64SubLoad:
            let address = effectiveAddress(f[b], ip[0]); ip += 1; if address &+ 8 > memorySize { fault = .memoryOutOfBounds; break }
            let y = f64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian); f[d] = s64(f64(f[a]) - y)
        case .f64MulLoad:
            let address = effectiveAddress(f[b], ip[0]); ip += 1; if address &+ 8 > memorySize { fault = .memoryOutOfBounds; break }
            let y = f64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian); f[d] = s64(f64(f[a]) * y)
        case .f64LoadSub:
            let address = effectiveAddress(f[b], ip[0]); ip += 1; if address &+ 8 > memorySize { fault = .memoryOutOfBounds; break }
            let y = f64(memory.unsafelyUnwrapped.loadUnaligned(fromByteOffset: Int(truncatingIfNeeded: address), as: UInt64.self).littleEndian); f[d] = s64(y - f64(f[a]))
        case .unused01, .unused02, .unused03, .unused04, .unused05, .unused06, .unused07, .unused08, .unused09, .unused0A, .unused0B, .unused0C, .unused0D, .unused0E, .unused12, .unused13, .unused14, .unused15, .unused16, .unused17, .unused18, .unused19, .unused1A, .unused1C, .unused1D, .unused1E, .unused1F, .unused20, .unused21, .unused22, .unused27, .unused41, .unused42, .unused43, .unused44, .unusedC5, .unusedC6, .unusedC7, .unusedC8, .unusedC9, .unusedCA, .unusedCB, .unusedCC, .unusedCD, .unusedCE, .unusedCF, .unusedD0, .unusedD1, .unusedED, .unusedEE, .unusedEF, .unusedF0, .unusedF1, .unusedF2, .unusedF3, .unusedF4, .unusedF5, .unusedF6, .unusedF7, .unusedF8, .unusedF9, .unusedFA, .unusedFB, .unusedFC, .unusedFD, .unusedFE, .unusedFF, .unused13E, .unused13F:
            throw trap(.host("internal error: bad instruction \(word & 0xFFFF)"), compiled, instance, codeBase.distance(to: start))
        }
        if fault != .none { throw trap(fault.reason, compiled, instance, codeBase.distance(to: start)) }
        return false
    }
}

/// The traps of the interpreter's ordinary instructions (see `Machine.step`).
enum Fault: UInt8 {
    case none, memoryOutOfBounds, tableOutOfBounds, integerDivideByZero, integerOverflow, invalidConversionToInteger

    var reason: TrapReason {
        switch self {
        case .none, .memoryOutOfBounds: return .memoryOutOfBounds
        case .tableOutOfBounds: return .tableOutOfBounds
        case .integerDivideByZero: return .integerDivideByZero
        case .integerOverflow: return .integerOverflow
        case .invalidConversionToInteger: return .invalidConversionToInteger
        }
    }
}

/// The effective address of a load or store with a register address: the operand plus an i32
/// addend folded in by the compiler (wrapping at 32 bits, as the `i32.add` it replaces), plus the
/// static offset. `word` holds the offset in its low and the addend in its high 32 bits; the
/// result is below 2^33, so bounds checks on it cannot wrap.
@inline(__always)
func effectiveAddress(_ operand: UInt64, _ word: UInt64) -> UInt64 {
    UInt64(u32(operand) &+ UInt32(truncatingIfNeeded: word >> 32)) &+ (word & 0xFFFF_FFFF)
}
