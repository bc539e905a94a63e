// Runtime objects: the store, memories, tables, globals, functions, and host functions.

/// A store: owns every function, memory, table and global of the instances created in it,
/// and the value and call stacks the interpreter runs on.
///
/// Lifetime: a store keeps all its instances alive (their functions can sit in other instances'
/// tables), and instances refer back to their store, so a store and everything in it stay
/// allocated until `release()` is called. Hosts that run one module after another in one
/// process (the seL4 runner) call it after each run; use one store per run, not one per call.
/// A store is not thread-safe; use it from one thread at a time.
public final class Store {
    public let configuration: Configuration
    var functions: [FunctionInstance] = []
    /// The same functions unretained, for the interpreter's indirect calls.
    var functionRefs: [FunctionRef] = []
    var instances: [Instance] = []
    var typeIDs: [FunctionType: Int] = [:]
    /// Metering (fuel or a time limit; see `Configuration.fuel`): the interpreter spends units
    /// from `fuel`, the current slice, and asks `refill` for the next one when it is empty;
    /// `fuelReserve` holds the rest. Slices are `unitsPerCheck` long under a time limit (the
    /// clock is read between them), else all the fuel at once. Without fuel, a time limit
    /// meters an endless supply. `fuel` is the machine's copy while code runs (synced around
    /// host calls).
    var fuel: UInt64
    var fuelReserve: UInt64
    let fuelEnabled: Bool
    /// Runs take the metered interpreter loop: fuel or a time limit is set.
    let metered: Bool
    let slice: UInt64
    /// The time limit's end on its clock.
    let deadline: UInt64
    /// One `meter` instruction: a branch that finds the slice empty continues here (branches
    /// cannot throw), and `meter` refills and goes on where the branch went (`MachineState`).
    let meterCode: UnsafeMutablePointer<UInt64>
    var released = false
    let stack: ExecutionStack
    /// The interpreter's handler tables (see `Handler`).
    let handlers = HandlerTables()

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        fuelEnabled = configuration.fuel != nil
        metered = fuelEnabled || configuration.timeLimit != nil
        let total = configuration.fuel ?? .max
        if let limit = configuration.timeLimit {
            slice = limit.unitsPerCheck
            let now = limit.clock()
            deadline = now.addingReportingOverflow(limit.nanoseconds).overflow ? .max : now + limit.nanoseconds
        } else {
            slice = .max
            deadline = .max
        }
        fuel = min(total, slice)
        fuelReserve = total - fuel
        meterCode = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
        meterCode.initialize(to: UInt64(Opcode.meter.rawValue))
        self.stack = ExecutionStack(valueSlots: max(configuration.valueStackSlots, 64),
                                    frames: max(configuration.maxCallDepth, 1))
    }

    deinit {
        meterCode.deallocate()
        handlers.deallocate()
    }

    /// Fuel left, or nil when fuel is not limited.
    public var fuelRemaining: UInt64? {
        guard fuelEnabled else { return nil }
        let (sum, overflow) = fuel.addingReportingOverflow(fuelReserve)
        return overflow ? .max : sum
    }

    /// Adds fuel (for hosts that meter in slices); no effect when fuel is unlimited.
    public func addFuel(_ amount: UInt64) {
        if fuelEnabled { fuelReserve = fuelReserve.addingReportingOverflow(amount).overflow ? .max : fuelReserve + amount }
    }


    /// The current slice is spent: starts the next one, or says why the run must stop (the fuel
    /// is used up, or the time limit has passed). Not inlined: once per slice.
    @inline(never)
    func refill() -> TrapReason? {
        fuel = 0
        if fuelReserve == 0 { return .outOfFuel }
        if let limit = configuration.timeLimit, limit.clock() >= deadline { return .timeLimitExceeded }
        fuel = min(fuelReserve, slice)
        fuelReserve -= fuel
        return nil
    }

    func typeID(_ type: FunctionType) -> Int {
        if let id = typeIDs[type] { return id }
        let id = typeIDs.count
        typeIDs[type] = id
        return id
    }

    func addFunction(_ function: FunctionInstance) -> UInt32 {
        functions.append(function)
        functionRefs.append(FunctionRef(function: function))
        return UInt32(functions.count - 1)
    }

    /// Frees what the store holds (instances, functions, their memories and tables) once the
    /// host lets go of its own references. The store and its instances cannot run code
    /// afterwards: a call traps with "the store was released".
    public func release() {
        released = true
        for instance in instances { instance.releaseObjects() }
        instances.removeAll()
        functions.removeAll()
        functionRefs.removeAll()
    }

    /// Calls a function of this store.
    public func invoke(_ function: Function, _ arguments: [Value]) throws(Trap) -> [Value] {
        try execute(address: function.address, arguments: arguments)
    }
}

/// The preallocated value stack and frame stack of a store.
final class ExecutionStack {
    let values: UnsafeMutablePointer<UInt64>
    let valueCapacity: Int
    let frames: UnsafeMutablePointer<Frame>
    let frameCapacity: Int
    /// Where a nested invocation (a host function calling back into wasm) starts.
    var valueBase = 0
    var frameBase = 0

    init(valueSlots: Int, frames: Int) {
        values = UnsafeMutablePointer<UInt64>.allocate(capacity: valueSlots)
        valueCapacity = valueSlots
        self.frames = UnsafeMutablePointer<Frame>.allocate(capacity: frames + 1)
        frameCapacity = frames
    }

    deinit {
        values.deallocate()
        frames.deallocate()
    }
}

/// One activation record of the interpreter's explicit call stack.
struct Frame {
    unowned(unsafe) var compiled: CompiledFunction
    unowned(unsafe) var instance: Instance
    var returnIP: UnsafeMutablePointer<UInt64>
    var framePointer: Int
}

/// An unretained function reference for the interpreter's call path (no ARC traffic).
struct FunctionRef {
    unowned(unsafe) var function: FunctionInstance
}

/// A function of a store: either wasm code of an instance, or a host function.
final class FunctionInstance {
    let type: FunctionType
    let typeID: Int
    let compiled: CompiledFunction?
    let host: HostFunction?
    let isHost: Bool
    /// The compiled code, unretained (host functions: an empty placeholder kept by `keeper`).
    unowned(unsafe) let target: CompiledFunction
    let keeper: CompiledFunction
    /// The defining instance (nil for host functions). Instances live as long as their store.
    unowned(unsafe) var instance: Instance?
    /// The defining instance's identity, for cheap comparisons (nil for host functions).
    let instanceID: UnsafeMutableRawPointer?

    init(type: FunctionType, typeID: Int, compiled: CompiledFunction, instance: Instance) {
        self.type = type
        self.typeID = typeID
        self.compiled = compiled
        self.host = nil
        self.isHost = false
        self.keeper = compiled
        self.target = compiled
        self.instance = instance
        self.instanceID = Unmanaged.passUnretained(instance).toOpaque()
    }

    init(type: FunctionType, typeID: Int, host: HostFunction) {
        self.type = type
        self.typeID = typeID
        self.compiled = nil
        self.host = host
        self.isHost = true
        let placeholder = CompiledFunction.placeholder
        self.keeper = placeholder
        self.target = placeholder
        self.instance = nil
        self.instanceID = nil
    }
}

/// A store function: invoke it through `Instance.invoke(_:_:)` or `Store.invoke(_:_:)`.
public struct Function {
    let store: Store
    let address: UInt32

    public var type: FunctionType { store.functions[Int(address)].type }

    /// The reference value for this function, for tables and `funcref` arguments.
    public var reference: Value { .funcRef(address) }
}

/// A function provided by the host.
public struct HostFunction {
    public var type: FunctionType
    let body: (inout Caller, [Value]) throws(Trap) -> [Value]

    public init(type: FunctionType, _ body: @escaping (inout Caller, [Value]) throws(Trap) -> [Value]) {
        self.type = type
        self.body = body
    }
}

/// The calling instance, given to host functions.
public struct Caller {
    /// The instance whose code made the call (nil when the host invoked the host function directly).
    public let instance: Instance?
    public let store: Store

    /// The caller's exported "memory" (or its memory 0).
    public var memory: Memory? {
        guard let instance else { return nil }
        return instance.callerMemory
    }
}

/// The C library's calloc (Linux, and musl on the seL4 runner): see `Memory.allocateZeroed`.
@_extern(c, "calloc")
func wasm_engine_calloc(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer?

/// A linear memory.
///
/// The bytes live in one block of `capacity` bytes, of which the first `byteCount` are the
/// memory; the rest is zero and untouched. Growing within the block only moves `byteCount`;
/// growing past it moves the memory into a block twice as large (capped at the maximum), so
/// growing page by page costs amortised O(1) per page. Blocks come from `calloc`, whose large
/// blocks are fresh zero pages on Linux and on the seL4 runner's heap: a memory declared or
/// grown to 4 GiB occupies only the pages the module touches. With a `MemoryReservation` (the
/// host's mmap) the block is the maximum's address space from the start, so growing never
/// copies. An allocation that fails is a failed `memory.grow` (-1), or an instantiation error,
/// never a crash.
public final class Memory {
    public let type: MemoryType
    /// The interpreter caches `data` and `byteCount` per call and re-reads them after a grow.
    var data: UnsafeMutableRawPointer?
    public private(set) var byteCount: Int
    /// Bytes allocated: at least `byteCount`, at most the maximum; beyond `byteCount` all zero.
    public private(set) var capacity: Int
    let limitPages: UInt32

    /// The reservation `data` came from (then `capacity` is the whole maximum), or nil (calloc).
    let reservation: MemoryReservation?

    /// Nil when the initial pages cannot be allocated. With a reservation, the maximum is
    /// reserved at once when the platform grants it, and calloc is the fallback.
    init?(type: MemoryType, limitPages: UInt32, reservation: MemoryReservation? = nil) {
        self.type = type
        self.limitPages = limitPages
        byteCount = Int(type.limits.min) * Self.pageSize
        capacity = byteCount
        let maximum = Int(Swift.min(type.limits.max ?? 65536, limitPages, 65536)) * Self.pageSize
        if let reservation, maximum > 0, let base = reservation.reserve(maximum) {
            self.reservation = reservation
            data = base
            capacity = maximum
            return
        }
        self.reservation = nil
        if byteCount > 0 {
            guard let data = Self.allocateZeroed(byteCount) else { return nil }
            self.data = data
        }
    }

    deinit {
        if let reservation, let data { reservation.release(data, capacity) } else { data?.deallocate() }
    }

    static let pageSize = 65536

    /// Zero-filled memory from the C library (`calloc`), nil when there is none left: the
    /// standard library's allocator would stop the process instead, and would touch every page.
    /// Blocks are freed with `deallocate()`, which calls `free` (swift_slowDealloc).
    static func allocateZeroed(_ byteCount: Int) -> UnsafeMutableRawPointer? {
        wasm_engine_calloc(1, byteCount)
    }

    /// A standalone memory for the host to export (e.g. the spec tests' `spectest.memory`).
    /// Nil when the initial pages cannot be allocated.
    public convenience init?(_ type: MemoryType) {
        self.init(type: type, limitPages: 65536)
    }

    /// Valid until the memory grows; host code must re-read it after calling back into wasm.
    public var buffer: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: data, count: byteCount)
    }

    public var pageCount: UInt32 { UInt32(byteCount / Self.pageSize) }

    /// The most pages this memory may have: the module's maximum, the host's, and 4 GiB.
    var maximumPages: UInt32 { Swift.min(type.limits.max ?? 65536, limitPages, 65536) }

    /// Grows by `delta` pages; returns the old page count, or nil when the maximum (the module's
    /// or the host's) would be exceeded or the memory cannot be allocated.
    public func grow(by delta: UInt32) -> UInt32? {
        let old = pageCount
        let (new, overflow) = old.addingReportingOverflow(delta)
        if overflow { return nil }
        if new > maximumPages { return nil }
        let newCount = Int(new) * Self.pageSize
        if newCount > capacity {
            // Double, within the maximum; if that much is not available, try exactly what is needed.
            let doubled = Swift.min(Swift.max(newCount, capacity * 2), Int(maximumPages) * Self.pageSize)
            var size = doubled
            var block = Self.allocateZeroed(size)
            if block == nil, doubled > newCount {
                size = newCount
                block = Self.allocateZeroed(size)
            }
            guard let block else { return nil }
            if let data {
                block.copyMemory(from: data, byteCount: byteCount)
                data.deallocate()
            }
            data = block
            capacity = size
        }
        byteCount = newCount
        return old
    }
}

/// A table of references.
public final class Table {
    public let type: TableType
    var elements: [UInt64]
    let limitElements: UInt32

    init(type: TableType, limitElements: UInt32, initial: UInt64 = 0) {
        self.type = type
        self.limitElements = limitElements
        elements = Array(repeating: initial, count: Int(type.limits.min))
    }

    /// A standalone table for the host to export (e.g. the spec tests' `spectest.table`).
    public convenience init(_ type: TableType) {
        self.init(type: type, limitElements: 10_000_000)
    }

    public var count: Int { elements.count }

    public subscript(index: Int) -> Value? {
        guard index >= 0, index < elements.count else { return nil }
        return Value(slot: elements[index], type: type.elementType)
    }

    /// Grows by `delta` elements set to `value`; returns the old size or nil when over the maximum.
    func grow(by delta: UInt32, fill value: UInt64) -> UInt32? {
        let old = UInt32(elements.count)
        let (new, overflow) = old.addingReportingOverflow(delta)
        if overflow { return nil }
        if let max = type.limits.max, new > max { return nil }
        if new > limitElements { return nil }
        elements.append(contentsOf: repeatElement(value, count: Int(delta)))
        return old
    }
}

/// A global variable.
public final class Global {
    public let type: GlobalType
    let storage: UnsafeMutablePointer<UInt64>

    init(type: GlobalType, slot: UInt64) {
        self.type = type
        storage = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
        storage.initialize(to: slot)
    }

    /// A standalone global for the host to export (e.g. the spec tests' `spectest.global_i32`).
    public convenience init(type: GlobalType, value: Value) {
        self.init(type: type, slot: value.slot)
    }

    deinit { storage.deallocate() }

    public var value: Value {
        get { Value(slot: storage.pointee, type: type.valueType) }
        set { storage.pointee = newValue.slot }
    }
}

/// Something an instance exports or imports.
public enum Extern {
    case function(Function)
    case memory(Memory)
    case table(Table)
    case global(Global)
}

/// What an instantiation can import, by module and name.
public struct Imports {
    enum Entry {
        case host(HostFunction)
        case extern(Extern)
    }
    var entries: [Name: [Name: Entry]] = [:]
    var registered: [Name: Instance] = [:]

    public init() {}

    public mutating func define(module: String, name: String, _ function: HostFunction) {
        entries[Name(module), default: [:]][Name(name)] = .host(function)
    }

    public mutating func define(module: String, name: String, _ extern: Extern) {
        entries[Name(module), default: [:]][Name(name)] = .extern(extern)
    }

    /// Makes every export of `instance` importable under `module` (the spec tests' `register`).
    public mutating func register(_ instance: Instance, as module: String) {
        registered[Name(module)] = instance
        entries[Name(module)] = nil
    }

    func lookup(module: String, name: String) -> Entry? {
        if let entry = entries[Name(module)]?[Name(name)] { return entry }
        if let instance = registered[Name(module)], let extern = instance.export(name) { return .extern(extern) }
        return nil
    }
}
