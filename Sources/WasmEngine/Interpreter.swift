// The interpreter: threaded code over the register-based internal code (see Compiler.swift and
// Interpreter+Dispatch.swift), an explicit frame stack, values as 64-bit slots in the store's
// preallocated value stack. Each frame holds its locals, then the home slots of its operand
// stack; instructions name slots relative to the frame pointer. A call's arguments are the top
// home slots of the caller, which become the callee's first locals, and results come back in the
// same slots.

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
        var state = MachineState(store: self, compiled: compiled, instance: instance, framePointer: framePointer, frameBase: frameBase)
        let f = stack.values + framePointer
        for i in compiled.numParams..<compiled.numLocals { f[i] = 0 }
        var memory: UnsafeMutableRawPointer? = nil
        var memorySize: UInt64 = 0
        if let m = instance.memory { memory = m.data; memorySize = UInt64(m.byteCount) }
        // Threaded code: each instruction's handler ends by calling the next one's in tail
        // position (a jump), with the machine's registers as arguments, so the run is one chain of
        // jumps that ends when a handler returns (see `Machine.next` and Interpreter+Dispatch.swift).
        // The state goes in the slot before the table (see `HandlerTables`), where a handler that
        // needs it finds it; a nested run (a host function's call back into wasm) puts back the
        // outer run's.
        let table = UnsafePointer(F.metered ? handlers.metered : handlers.unmetered)
        let stateSlot = UnsafeMutableRawPointer(mutating: table) - MemoryLayout<UnsafeMutableRawPointer>.stride
        let outer = stateSlot.load(as: UnsafeMutableRawPointer?.self)
        withUnsafeMutablePointer(to: &state) { s in
            stateSlot.storeBytes(of: UnsafeMutableRawPointer(s), as: UnsafeMutableRawPointer.self)
            let code = compiled.code
            table[Int(truncatingIfNeeded: wordField(code, 0, as: UInt16.self))].run(code, f, memory, memorySize, table)
            #if DEBUG
            while let ip = s.pointee.resume.ip {
                let r = s.pointee.resume
                s.pointee.resume.ip = nil
                table[Int(truncatingIfNeeded: wordField(ip, 0, as: UInt16.self))].run(ip, r.f, r.memory, r.memorySize, table)
            }
            #endif
        }
        stateSlot.storeBytes(of: outer, as: UnsafeMutableRawPointer?.self)
        if F.metered { self.fuel = state.fuel }
        if let trap = state.trap { throw trap }
    }
}

/// A handler of the threaded code (generated in Interpreter+Dispatch.swift): it executes the
/// instruction at `ip` and then, in tail position, the next instruction's handler from `table`,
/// passing on the registers: the code pointer, the frame's slots, the memory's base and size.
/// Everything else the machine needs is in the `MachineState` whose address is in the word before
/// the table (see `HandlerTables`): five arguments leave a handler one more scratch register than
/// six, which spares most three-operand handlers a register save.
/// C's calling convention (the table as a raw pointer): Swift 6 cannot yet form thin Swift
/// function references, and C's passes the five arguments in registers too.
struct Handler {
    let run: @convention(c) (_ ip: UnsafeMutablePointer<UInt64>, _ f: UnsafeMutablePointer<UInt64>,
                             _ memory: UnsafeMutableRawPointer?, _ memorySize: UInt64,
                             _ table: UnsafeRawPointer) -> Void
}

/// The two handler tables, indexed by opcode: the unmetered run's, and the metered one's (which
/// count fuel on calls and backward branches). Each is preceded by one word, the address of the
/// running `MachineState` (`Store.run` sets it), so that handlers need no argument for it.
struct HandlerTables {
    let unmetered: UnsafeMutablePointer<Handler>
    let metered: UnsafeMutablePointer<Handler>

    init() {
        unmetered = Self.allocate()
        metered = Self.allocate()
        fillHandlerTables(unmetered: unmetered, metered: metered)
    }

    private static func allocate() -> UnsafeMutablePointer<Handler> {
        let words = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: Int(Opcode.count) + 1)
        words.initialize(to: nil)
        return UnsafeMutableRawPointer(words + 1).bindMemory(to: Handler.self, capacity: Int(Opcode.count))
    }

    func deallocate() {
        (UnsafeMutableRawPointer(unmetered) - MemoryLayout<UnsafeMutableRawPointer>.stride).deallocate()
        (UnsafeMutableRawPointer(metered) - MemoryLayout<UnsafeMutableRawPointer>.stride).deallocate()
    }
}

/// What the work of an out-of-line handler returns (Interpreter+Dispatch.swift): the registers to
/// go on with, in four machine registers, or no `ip` when the run stopped.
struct Registers {
    var ip: UnsafeMutablePointer<UInt64>?
    var f: UnsafeMutablePointer<UInt64>
    var memory: UnsafeMutableRawPointer?
    var memorySize: UInt64

    static var stop: Registers {
        @inline(__always) get { Registers(ip: nil, f: UnsafeMutablePointer(bitPattern: 8).unsafelyUnwrapped, memory: nil, memorySize: 0) }
    }
}

/// The interpreter's state that is not in a handler's registers, and how the run ended.
struct MachineState {
    unowned(unsafe) let store: Store
    let values: UnsafeMutablePointer<UInt64>
    let frames: UnsafeMutablePointer<Frame>
    let valueLimit: Int
    let frameLimit: Int
    /// The frame depth of the entry function: returning from it ends the run.
    let frameBase: Int
    /// Where a branch that finds the fuel slice empty goes on (the store's `meter` instruction),
    /// and where `meter` then resumes.
    let meterCode: UnsafeMutablePointer<UInt64>
    var meterResume: UnsafeMutablePointer<UInt64>
    var depth: Int
    unowned(unsafe) var compiled: CompiledFunction
    unowned(unsafe) var instance: Instance
    var instanceID: UnsafeMutableRawPointer
    var codeBase: UnsafeMutablePointer<UInt64>
    var fp: Int
    var globals: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>>
    /// The current instance's functions, by index (`call`'s immediate).
    var functionTable: UnsafeMutablePointer<FunctionRef>
    var fuel: UInt64
    /// Set when the run stopped with a trap.
    var trap: Trap?
    #if DEBUG
    /// Where the run goes on (see `Machine.next`); no `ip` once it has stopped.
    var resume = Registers.stop
    #endif

    init(store: Store, compiled: CompiledFunction, instance: Instance, framePointer: Int, frameBase: Int) {
        self.store = store
        values = store.stack.values
        frames = store.stack.frames
        valueLimit = store.stack.valueCapacity
        frameLimit = store.stack.frameCapacity
        self.frameBase = frameBase
        meterCode = store.meterCode
        meterResume = store.meterCode
        depth = frameBase
        self.compiled = compiled
        self.instance = instance
        instanceID = Unmanaged.passUnretained(instance).toOpaque()
        codeBase = compiled.code
        fp = framePointer
        globals = instance.globalSlots
        functionTable = instance.functionTable
        fuel = store.fuel
    }

    /// The instance whose code runs now changed (a call or return between instances): its
    /// globals, functions and memory. Not inlined: its reference counting would otherwise keep the
    /// handler's call of the next one from being a jump.
    @inline(never)
    mutating func enter(instance id: UnsafeMutableRawPointer) -> (UnsafeMutableRawPointer?, UInt64) {
        let entered = Unmanaged<Instance>.fromOpaque(id).takeUnretainedValue()
        instance = entered
        instanceID = id
        globals = entered.globalSlots
        functionTable = entered.functionTable
        if let m = entered.memory { return (m.data, UInt64(m.byteCount)) }
        return (nil, 0)
    }

    /// Calls the host function `callee` with its arguments (and results) at `slots`, from the
    /// instruction at `place`; returns whether it returned (else the run stops: `trap` is set)
    /// and the current instance's memory (which the host may have grown). Not inlined, for the
    /// same reason as `enter`.
    @inline(never)
    mutating func callHost(_ callee: UnsafeMutableRawPointer, _ slots: UnsafeMutablePointer<UInt64>,
                           at place: UnsafeMutablePointer<UInt64>, metered: Bool) -> (Bool, UnsafeMutableRawPointer?, UInt64) {
        let function = Unmanaged<FunctionInstance>.fromOpaque(callee).takeUnretainedValue()
        if metered { store.fuel = fuel }
        defer { if metered { fuel = store.fuel } }
        do {
            try store.callHost(function, slots, nestedBase: fp &+ compiled.numLocals &+ compiled.maxHeight, depth: depth, instance)
        } catch {
            var failure = error
            if failure.functionIndex == nil {
                let located = located(failure.reason, at: place)
                failure.functionIndex = located.functionIndex
                failure.functionName = located.functionName
                failure.offset = located.offset
            }
            trap = failure
            return (false, nil, 0)
        }
        if let m = instance.memory { return (true, m.data, UInt64(m.byteCount)) }
        return (true, nil, 0)
    }

    /// The fuel slice is empty (at a call, or at `meter`): the store starts the next one (and a
    /// unit of it is spent), or says why the run stops. Not inlined, for the same reason as `enter`.
    @inline(never)
    mutating func refill() -> Fault {
        if let reason = store.refill() { return reason == .outOfFuel ? .outOfFuel : .timeLimitExceeded }
        fuel = store.fuel &- 1
        return .none
    }

    /// The trap `reason` at the instruction at `place`.
    @inline(never)
    mutating func located(_ reason: TrapReason, at place: UnsafeMutablePointer<UInt64>) -> Trap {
        store.trap(reason, compiled, instance, codeBase.distance(to: place))
    }

    /// The run stops because the instruction at `place` ended with `fault`. Not inlined, and
    /// static: a handler's only code for it is then a jump here, and it needs no stack frame.
    @inline(never)
    static func stop(_ s: UnsafeMutablePointer<MachineState>, _ fault: Fault, at place: UnsafeMutablePointer<UInt64>) {
        if fault != .returned && fault != .trapped { s.pointee.fail(fault.reason, at: place) }
    }

    /// The run stops with `reason` at the instruction at `place`. Not inlined: traps are rare.
    @inline(never)
    mutating func fail(_ reason: TrapReason, at place: UnsafeMutablePointer<UInt64>) {
        trap = store.trap(reason, compiled, instance, codeBase.distance(to: place))
    }

    /// The run stops with `trap` (thrown by a handler).
    @inline(never)
    mutating func fail(_ trap: Trap) {
        self.trap = trap
    }
}

/// The interpreter's registers while one handler runs: the code pointer, the current frame's
/// slots and the current memory, which handlers pass on to each other as arguments (so they stay
/// in machine registers), the handler table, and the rest of the state through `s`.
struct Machine<F: FuelMode> {
    var ip: UnsafeMutablePointer<UInt64>
    /// The current frame's slots (`values + fp`).
    var f: UnsafeMutablePointer<UInt64>
    var memory: UnsafeMutableRawPointer?
    var memorySize: UInt64
    let table: UnsafeRawPointer
    /// The running state, from the word before the table (see `HandlerTables`).
    let s: UnsafeMutablePointer<MachineState>

    @inline(__always)
    init(_ ip: UnsafeMutablePointer<UInt64>, _ f: UnsafeMutablePointer<UInt64>, _ memory: UnsafeMutableRawPointer?,
         _ memorySize: UInt64, _ table: UnsafeRawPointer) {
        self.ip = ip
        self.f = f
        self.memory = memory
        self.memorySize = memorySize
        self.table = table
        s = table.load(fromByteOffset: -MemoryLayout<UnsafeMutableRawPointer>.stride, as: UnsafeMutablePointer<MachineState>.self)
    }

    var store: Store { @inline(__always) get { s.pointee.store } }
    var values: UnsafeMutablePointer<UInt64> { @inline(__always) get { s.pointee.values } }
    var frames: UnsafeMutablePointer<Frame> { @inline(__always) get { s.pointee.frames } }
    var valueLimit: Int { @inline(__always) get { s.pointee.valueLimit } }
    var frameLimit: Int { @inline(__always) get { s.pointee.frameLimit } }
    var frameBase: Int { @inline(__always) get { s.pointee.frameBase } }
    var depth: Int {
        @inline(__always) get { s.pointee.depth }
        @inline(__always) nonmutating set { s.pointee.depth = newValue }
    }
    var compiled: CompiledFunction {
        @inline(__always) get { s.pointee.compiled }
        @inline(__always) nonmutating set { s.pointee.compiled = newValue }
    }
    var instance: Instance {
        @inline(__always) get { s.pointee.instance }
        @inline(__always) nonmutating set { s.pointee.instance = newValue }
    }
    var instanceID: UnsafeMutableRawPointer {
        @inline(__always) get { s.pointee.instanceID }
        @inline(__always) nonmutating set { s.pointee.instanceID = newValue }
    }
    var codeBase: UnsafeMutablePointer<UInt64> {
        @inline(__always) get { s.pointee.codeBase }
        @inline(__always) nonmutating set { s.pointee.codeBase = newValue }
    }
    var fp: Int {
        @inline(__always) get { s.pointee.fp }
        @inline(__always) nonmutating set { s.pointee.fp = newValue }
    }
    var globals: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>> {
        @inline(__always) get { s.pointee.globals }
        @inline(__always) nonmutating set { s.pointee.globals = newValue }
    }
    var fuel: UInt64 {
        @inline(__always) get { s.pointee.fuel }
        @inline(__always) nonmutating set { s.pointee.fuel = newValue }
    }

    @inline(__always)
    func trap(_ reason: TrapReason, _ compiled: CompiledFunction, _ instance: Instance, _ pc: Int) -> Trap {
        store.trap(reason, compiled, instance, pc)
    }

    /// Goes on with the instruction at `ip`: a call in tail position, which the optimizer makes a
    /// jump (scripts/check-threaded.sh checks that every handler's is).
    /// Unoptimized (debug) builds make no call a jump, so there each handler returns the
    /// registers in `s.pointee.resume` instead and `Store.run` calls the next handler.
    @inline(__always)
    func next() {
        #if DEBUG
        s.pointee.resume = registers
        #else
        table.assumingMemoryBound(to: Handler.self)[Int(truncatingIfNeeded: wordField(ip, 0, as: UInt16.self))]
            .run(ip, f, memory, memorySize, table)
        #endif
    }

    /// The registers, for an out-of-line handler's work to return (see `Registers`).
    var registers: Registers {
        @inline(__always) get { Registers(ip: ip, f: f, memory: memory, memorySize: memorySize) }
    }

    /// The handler's instruction ended the run: the entry function returned, or it trapped.
    @inline(__always)
    func stop(_ fault: Fault, at start: UnsafeMutablePointer<UInt64>) {
        MachineState.stop(s, fault, at: start)
    }
}

// Fuel and the time limit (see `Configuration.fuel`): the metered loop spends one unit per call
// (`call` and `call_indirect` call `spendCallFuel`) and per taken backward branch (every branch
// handler sets `ip` through `branch(by:)`). The unmetered loop has none of this code: `F.metered`
// is a constant of the specialisation.
extension Machine {
    /// A taken branch by `distance` words from the branch instruction's first word, read from
    /// one of its code words (see `FunctionCompiler.patchTarget`), so no handler needs the
    /// function's code base. Every handler that branches has `ip` one word past that first word.
    @inline(__always)
    mutating func branch(by distance: UInt64) {
        branch(to: ip + (Int(truncatingIfNeeded: Int64(bitPattern: distance)) &- 1))
    }

    /// A taken branch by the instruction word's 32-bit immediate (see `branch(by:)` above).
    @inline(__always)
    mutating func branch(by distance: UInt32) {
        branch(to: ip + (Int(Int32(bitPattern: distance)) &- 1))
    }

    /// A taken branch to `destination`. Metered: a branch back (to a loop's start; forward
    /// targets lie past the branch's own words, so past `ip`) spends a unit; when the slice is
    /// empty, it goes on at the store's `meter` instruction, which refills or stops the run.
    @inline(__always)
    mutating func branch(to destination: UnsafeMutablePointer<UInt64>) {
        if F.metered && destination < ip {
            if fuel == 0 {
                s.pointee.meterResume = destination
                ip = s.pointee.meterCode
                return
            }
            fuel &-= 1
        }
        ip = destination
    }
}

/// How an instruction ended other than by going on (see `Machine.stop`): the entry function
/// returned, or a trap (of an ordinary instruction or a call).
enum Fault: UInt8 {
    case none, returned, memoryOutOfBounds, tableOutOfBounds, integerDivideByZero, integerOverflow, invalidConversionToInteger
    // Calls.
    case callStackExhausted, undefinedElement, uninitializedElement, indirectCallTypeMismatch, outOfFuel, timeLimitExceeded
    /// The run stopped with a trap already in `MachineState.trap` (a host function's).
    case trapped

    var reason: TrapReason {
        switch self {
        case .none, .returned, .trapped, .memoryOutOfBounds: return .memoryOutOfBounds
        case .tableOutOfBounds: return .tableOutOfBounds
        case .integerDivideByZero: return .integerDivideByZero
        case .integerOverflow: return .integerOverflow
        case .invalidConversionToInteger: return .invalidConversionToInteger
        case .callStackExhausted: return .callStackExhausted
        case .undefinedElement: return .undefinedElement
        case .uninitializedElement: return .uninitializedElement
        case .indirectCallTypeMismatch: return .indirectCallTypeMismatch
        case .outOfFuel: return .outOfFuel
        case .timeLimitExceeded: return .timeLimitExceeded
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

/// The effective address of a plain load or store of `width` bytes, whose `word` is the offset
/// plus `width` (the compiler gives a folded addend its own opcodes, `Op.loadAddend` and
/// `Op.storeAddend`, and adds the width: see `FunctionCompiler.plainOffset`). A handler's bounds
/// check `address + width > memorySize` is then one add of the word, and the access takes
/// `-width` as its displacement: three instructions fewer than `effectiveAddress`.
@inline(__always)
func plainAddress(_ operand: UInt64, _ word: UInt64, width: UInt64) -> UInt64 {
    (UInt64(u32(operand)) &+ word) &- width
}

/// The effective address of a load or store of `width` bytes: with a folded addend
/// (`effectiveAddress`) or without (`plainAddress`); `addend` is a constant of each handler.
@inline(__always)
func memoryAddress(_ operand: UInt64, _ word: UInt64, width: UInt64, addend: Bool) -> UInt64 {
    addend ? effectiveAddress(operand, word) : plainAddress(operand, word, width: width)
}
