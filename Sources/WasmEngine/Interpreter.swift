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
        if metered {
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
        // copies measured slower than two. The host build also has LLVM copy the jump into the
        // end of every handler (Package.swift's tail-duplication flags: 1,025 indirect jumps);
        // with that, one copy of `step` measured 4-10% slower on nbody, sieve, hash and zlib
        // and 7% faster on CoreMark, so both stay.
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
        // Handlers that trap return a `Fault`: one shared throw below keeps the trap paths out of
        // the hot code (the optimizer threads the check away for the others).
        let start = ip
        // Only the opcode (see `fieldD`): had the whole word been loaded here, the optimizer would
        // take every field from it and decode them all before the jump.
        let opcode = Opcode(rawBits: wordField(start, 0, as: UInt16.self))
        ip += 1
        let fault = try dispatch(opcode, start)
        if fault != .none {
            if fault == .returned { return true }
            throw trap(fault.reason, compiled, instance, codeBase.distance(to: start))
        }
        return false
    }
}

// Fuel and the time limit (see `Configuration.fuel`): the metered loop spends one unit per call
// (`call`, which throws, calls `spendFuel`) and per taken backward branch (every branch handler
// sets `ip` through `branch(to:)`). The unmetered loop has none of this code: `F.metered` is a
// constant of the specialisation.
extension Machine {
    /// A taken branch to code index `target`. Metered: a branch back (to a loop's start; forward
    /// targets lie past the branch's own words, so past `ip`) spends a unit; when the slice is
    /// empty, it goes on at the store's `meter` instruction, which refills or stops the run.
    @inline(__always)
    mutating func branch(to target: Int) {
        let destination = codeBase + target
        if F.metered && destination < ip {
            if fuel == 0 {
                ip = store.meter(resumingAt: destination)
                return
            }
            fuel &-= 1
        }
        ip = destination
    }

    /// Spends one unit for the instruction at `place` (a call), refilling or stopping the run when
    /// the slice is empty.
    @inline(__always)
    mutating func spendFuel(at place: UnsafeMutablePointer<UInt64>) throws(Trap) {
        if fuel != 0 { fuel &-= 1 } else { try refuel(at: place) }
    }

    /// The slice is empty: the store starts the next one (and the unit is spent from it), or the
    /// run stops with `.outOfFuel` or `.timeLimitExceeded` at `place`. Inlined: the work is in
    /// `Store.refill`; a non-inlined mutating method would take the machine's address, and the
    /// optimizer would then keep its registers in memory in the whole loop (1.8x slower).
    @inline(__always)
    mutating func refuel(at place: UnsafeMutablePointer<UInt64>) throws(Trap) {
        if let reason = store.refill() { throw trap(reason, compiled, instance, codeBase.distance(to: place)) }
        fuel = store.fuel &- 1
    }
}

/// How an instruction ended other than by going on (see `Machine.step`): the entry function
/// returned, or one of the traps of the interpreter's ordinary instructions.
enum Fault: UInt8 {
    case none, returned, memoryOutOfBounds, tableOutOfBounds, integerDivideByZero, integerOverflow, invalidConversionToInteger

    var reason: TrapReason {
        switch self {
        case .none, .returned, .memoryOutOfBounds: return .memoryOutOfBounds
        case .tableOutOfBounds: return .tableOutOfBounds
        case .integerDivideByZero: return .integerDivideByZero
        case .integerOverflow: return .integerOverflow
        case .invalidConversionToInteger: return .invalidConversionToInteger
        }
    }
}

/// The fields of the instruction word at `start` (see Compiler.swift): slots d, a, b and the
/// immediate. Each is read from the code with one narrow load, which is shorter than shifting and
/// masking the word in a register. Fields are little-endian within the word.
@inline(__always) func fieldD(_ start: UnsafeMutablePointer<UInt64>) -> Int {
    Int(truncatingIfNeeded: wordField(start, 2, as: UInt16.self))
}
@inline(__always) func fieldA(_ start: UnsafeMutablePointer<UInt64>) -> Int {
    Int(truncatingIfNeeded: wordField(start, 4, as: UInt16.self))
}
@inline(__always) func fieldB(_ start: UnsafeMutablePointer<UInt64>) -> Int {
    Int(truncatingIfNeeded: wordField(start, 6, as: UInt16.self))
}
@inline(__always) func fieldImm(_ start: UnsafeMutablePointer<UInt64>) -> UInt32 { wordField(start, 4, as: UInt32.self) }

@inline(__always)
func wordField<T: FixedWidthInteger>(_ start: UnsafeMutablePointer<UInt64>, _ byte: Int, as type: T.Type) -> T {
    #if _endian(little)
    return UnsafeRawPointer(start).load(fromByteOffset: byte, as: T.self)
    #else
    return T(truncatingIfNeeded: start.pointee >> UInt64(byte * 8))
    #endif
}

/// The effective address of a load or store with a register address: the operand plus an i32
/// addend folded in by the compiler (wrapping at 32 bits, as the `i32.add` it replaces), plus the
/// static offset. `word` holds the offset in its low and the addend in its high 32 bits; the
/// result is below 2^33, so bounds checks on it cannot wrap.
@inline(__always)
func effectiveAddress(_ operand: UInt64, _ word: UInt64) -> UInt64 {
    UInt64(u32(operand) &+ UInt32(truncatingIfNeeded: word >> 32)) &+ (word & 0xFFFF_FFFF)
}
