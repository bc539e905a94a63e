// The plain data types of the engine's public API: values, types, errors, traps, configuration.
//
// WasmEngine: a WebAssembly decoder, validator, compiler to register-based internal code, and
// interpreter. Supported: WebAssembly 1.0 plus sign-extension ops, non-trapping float-to-int
// conversions, multi-value, bulk memory, mutable-global import/export and reference types
// (the Wasm 2.0 feature set without SIMD). Not supported: SIMD, threads, memory64, GC,
// exceptions, tail calls, function references, multi-memory.
//
// Layout: Reader (LEB128, names) → Decoder (sections, module-level validation) →
// Compiler (+Instructions) (validating compiler per function body) → Instance (linking,
// instantiation) → Interpreter (+ Numerics) (execution); Runtime holds the store objects.
//
// Everything uses only the Swift standard library and follows the Embedded Swift rules (no
// existentials, typed throws only, no reflection), so the same sources build for Linux and for
// the seL4 runner (aarch64-none-none-elf; scripts/check-embedded.sh).

/// A WebAssembly value type (number and reference types; no `v128`: SIMD is not supported).
public enum ValueType: UInt8, Equatable, Sendable {
    case i32, i64, f32, f64, funcRef, externRef

    /// The text-format name (`i32`, `funcref`, ...), used in error messages.
    public var name: String {
        switch self {
        case .i32: return "i32"
        case .i64: return "i64"
        case .f32: return "f32"
        case .f64: return "f64"
        case .funcRef: return "funcref"
        case .externRef: return "externref"
        }
    }

    var isReference: Bool { self == .funcRef || self == .externRef }
}

/// A WebAssembly value. Floats are carried as bit patterns so NaN payloads survive.
public enum Value: Equatable, Sendable {
    case i32(UInt32), i64(UInt64), f32(UInt32), f64(UInt64)
    /// nil = `ref.null func`; otherwise an opaque store address.
    case funcRef(UInt32?)
    /// nil = `ref.null extern`; otherwise a host-chosen number.
    case externRef(UInt32?)

    public var type: ValueType {
        switch self {
        case .i32: return .i32
        case .i64: return .i64
        case .f32: return .f32
        case .f64: return .f64
        case .funcRef: return .funcRef
        case .externRef: return .externRef
        }
    }

    /// The zero value of a type (0 or a null reference), as locals and tables start.
    public static func zero(_ type: ValueType) -> Value {
        switch type {
        case .i32: return .i32(0)
        case .i64: return .i64(0)
        case .f32: return .f32(0)
        case .f64: return .f64(0)
        case .funcRef: return .funcRef(nil)
        case .externRef: return .externRef(nil)
        }
    }

    /// The 64-bit slot encoding used on the value stack: numbers zero-extended,
    /// references as address + 1 with 0 meaning null.
    var slot: UInt64 {
        switch self {
        case .i32(let v): return UInt64(v)
        case .i64(let v): return v
        case .f32(let v): return UInt64(v)
        case .f64(let v): return v
        case .funcRef(let r), .externRef(let r):
            if let r { return UInt64(r) &+ 1 }
            return 0
        }
    }

    init(slot: UInt64, type: ValueType) {
        switch type {
        case .i32: self = .i32(UInt32(truncatingIfNeeded: slot))
        case .i64: self = .i64(slot)
        case .f32: self = .f32(UInt32(truncatingIfNeeded: slot))
        case .f64: self = .f64(slot)
        case .funcRef: self = .funcRef(slot == 0 ? nil : UInt32(truncatingIfNeeded: slot &- 1))
        case .externRef: self = .externRef(slot == 0 ? nil : UInt32(truncatingIfNeeded: slot &- 1))
        }
    }
}

/// A function signature.
public struct FunctionType: Equatable, Hashable, Sendable {
    public var parameters: [ValueType]
    public var results: [ValueType]
    public init(parameters: [ValueType], results: [ValueType]) {
        self.parameters = parameters
        self.results = results
    }

    /// `[i32 i32] -> [i64]`, the notation of the spec's validation algorithm.
    public var description: String {
        "[" + parameters.map { $0.name }.joined(separator: " ") + "] -> ["
            + results.map { $0.name }.joined(separator: " ") + "]"
    }
}

/// Errors before execution: decoding (malformed), validation (invalid), an implementation
/// limit (`ImplementationLimit`), linking (unlinkable).
public struct WasmError: Error, Sendable {
    public enum Kind: Equatable, Sendable { case malformed, invalid, limit, unlinkable }
    public var kind: Kind
    /// What is wrong, e.g. "type mismatch: expected i32, found i64".
    public var message: String
    /// Byte offset in the module binary, when the error has a place.
    public var offset: Int?

    public init(_ kind: Kind, _ message: String, offset: Int? = nil) {
        self.kind = kind
        self.message = message
        self.offset = offset
    }

    /// "invalid module at offset 0x1f: type mismatch ...".
    public var description: String {
        let what: String
        switch kind {
        case .malformed: what = "malformed module"
        case .invalid: what = "invalid module"
        case .limit: what = "module beyond an implementation limit"
        case .unlinkable: what = "unlinkable module"
        }
        if let offset { return "\(what) at offset 0x\(String(offset, radix: 16)): \(message)" }
        return "\(what): \(message)"
    }
}

/// The implementation limits of the WebAssembly JS API (webassembly.github.io/spec/js-api/#limits),
/// which V8, SpiderMonkey, JavaScriptCore and wasmtime share: the decoder rejects a module
/// beyond one (WasmError kind `.limit`, naming the limit and the offset), so what loads here
/// loads there. Memory pages (65536) and the single memory are validation rules already; a
/// table's size (10,000,000 elements) is also the store's default `maxTableElements`.
public enum ImplementationLimit: Sendable, CaseIterable {
    case moduleSize, types, functions, imports, exports, globals, dataSegments, tables, tableSize,
         elementSegmentItems, parameters, results, functionBodySize, locals

    public var value: Int {
        switch self {
        case .moduleSize: return 1_073_741_824
        case .types, .functions, .globals: return 1_000_000
        case .imports, .exports, .dataSegments, .tables: return 100_000
        case .tableSize, .elementSegmentItems: return 10_000_000
        case .parameters, .results: return 1000
        case .functionBodySize: return 7_654_321
        case .locals: return 50_000
        }
    }

    /// What is counted, for messages: "more than 1000 parameters in a function type".
    public var counted: String {
        switch self {
        case .moduleSize: return "bytes in a module"
        case .types: return "types in a module"
        case .functions: return "functions defined in a module"
        case .imports: return "imports in a module"
        case .exports: return "exports in a module"
        case .globals: return "globals defined in a module"
        case .dataSegments: return "data segments in a module"
        case .tables: return "tables in a module (imported ones included)"
        case .tableSize: return "elements in a table's initial size"
        case .elementSegmentItems: return "elements in an element segment"
        case .parameters: return "parameters in a function type"
        case .results: return "results in a function type"
        case .functionBodySize: return "bytes in a function body (locals included)"
        case .locals: return "locals in a function (parameters included)"
        }
    }

    /// "more than 7654321 bytes in a function body (locals included): 7654322".
    func error(found: Int? = nil, at offset: Int?) -> WasmError {
        WasmError(.limit, "more than \(value) \(counted)" + (found.map { ": \($0)" } ?? ""), offset: offset)
    }
}

/// Why execution stopped abnormally.
public enum TrapReason: Equatable, Sendable {
    case unreachable, memoryOutOfBounds, tableOutOfBounds, integerDivideByZero, integerOverflow,
         invalidConversionToInteger, indirectCallTypeMismatch, uninitializedElement,
         undefinedElement, callStackExhausted, outOfFuel
    /// The store's time limit (`Configuration.timeLimit`) passed: not a trap of the module's making.
    case timeLimitExceeded
    /// A host function failed.
    case host(String)
    /// WASI proc_exit: not an error, a way out of the interpreter.
    case exit(Int32)

    /// The spec test suite's wording ("integer divide by zero", "out of bounds memory access", ...).
    public var message: String {
        switch self {
        case .unreachable: return "unreachable"
        case .memoryOutOfBounds: return "out of bounds memory access"
        case .tableOutOfBounds: return "out of bounds table access"
        case .integerDivideByZero: return "integer divide by zero"
        case .integerOverflow: return "integer overflow"
        case .invalidConversionToInteger: return "invalid conversion to integer"
        case .indirectCallTypeMismatch: return "indirect call type mismatch"
        case .uninitializedElement: return "uninitialized element"
        case .undefinedElement: return "undefined element"
        case .callStackExhausted: return "call stack exhausted"
        case .outOfFuel: return "out of fuel"
        case .timeLimitExceeded: return "time limit exceeded"
        case .host(let message): return message
        case .exit(let code): return "exit with code \(code)"
        }
    }

    /// The interpreter's reason for a trap of code translated by wabt's wasm2c: its
    /// `wasm_rt_trap_t` (1 out of bounds ... 10 call stack exhausted), refined by the detail the
    /// translated checks record (sel4img rewrites them: for call_indirect 1 an index past the
    /// table, 2 a null entry, 3 a type mismatch; 4 an out-of-bounds table access). The ahead-of-time
    /// tier on the host (`wasm run --aot`) and in the seL4 runner both report traps through this.
    public init(wasm2cTrap trap: Int32, detail: Int32) {
        switch trap {
        case 1: self = detail == 4 ? .tableOutOfBounds : .memoryOutOfBounds
        case 2: self = .integerOverflow
        case 3: self = .integerDivideByZero
        case 4: self = .invalidConversionToInteger
        case 5: self = .unreachable
        case 6: self = detail == 1 ? .undefinedElement : detail == 2 ? .uninitializedElement : .indirectCallTypeMismatch
        case 7: self = .host("null reference")
        case 8: self = .host("uncaught exception")
        case 9: self = .host("unaligned atomic access")
        case 10: self = .callStackExhausted
        default: self = .host("trap \(trap)")
        }
    }
}

/// A trap: execution stopped. Carries where it happened when the trap came from wasm code.
public struct Trap: Error, Sendable {
    public var reason: TrapReason
    /// Wasm function index (in the module's function index space) where it happened.
    public var functionIndex: UInt32?
    /// From the name section or an export, when known.
    public var functionName: String?
    /// Byte offset of the trapping instruction in the module binary.
    public var offset: Int?

    /// For host functions: the engine adds the place when it knows it.
    public init(_ reason: TrapReason) {
        self.reason = reason
    }

    /// "integer divide by zero in function 3 ($div) at offset 0x4a".
    public var description: String { reason.message + place }

    /// Where it happened: " in function 3 ($div) at offset 0x4a", or "" when not known.
    public var place: String {
        var text = ""
        if let functionIndex {
            text += " in function \(functionIndex)"
            if let functionName { text += " ($\(functionName))" }
        }
        if let offset { text += " at offset 0x\(String(offset, radix: 16))" }
        return text
    }

    /// True when the store's bound stopped the run (fuel or time limit), not the module's code.
    public var isBoundExceeded: Bool { reason == .outOfFuel || reason == .timeLimitExceeded }

    /// What hosts report when a bound of `configuration` stopped the run, nil for other traps:
    /// "fuel exhausted after 1000 units in function 0 ($spin) at offset 0x2a", "time limit of
    /// 50 ms exceeded in function 0 ($spin) at offset 0x2a". `sel4img wasm run` and the seL4
    /// runner both use it, so the two say the same.
    public func boundMessage(_ configuration: Configuration) -> String? {
        switch reason {
        case .outOfFuel:
            return "fuel exhausted after \(configuration.fuel ?? 0) units" + place
        case .timeLimitExceeded:
            let nanoseconds = configuration.timeLimit?.nanoseconds ?? 0
            let limit = nanoseconds % 1_000_000 == 0 ? "\(nanoseconds / 1_000_000) ms" : "\(nanoseconds) ns"
            return "time limit of \(limit) exceeded" + place
        default:
            return nil
        }
    }
}

/// Instantiation failed: either linking (imports, limits) or the start function / segment
/// initialisation trapped.
public enum InstantiationError: Error, Sendable {
    case link(WasmError)
    case trap(Trap)

    public var description: String {
        switch self {
        case .link(let error): return error.description
        case .trap(let trap): return trap.description
        }
    }
}

/// Limits of one store.
public struct Configuration: Sendable {
    /// Fuel: a bound on the work the store's code may do (nil = unlimited); running out stops the
    /// run with `.outOfFuel`. One unit is spent at each point where execution can go on without
    /// bound, and nowhere else:
    /// - each call made by wasm code (`call`, `call_indirect`, to a wasm or a host function;
    ///   the host's own call into the store is free);
    /// - each taken branch back to the start of a `loop` (`br`, `br_if`, `br_table` to a loop
    ///   label): a loop body's first run is free, each repetition costs one unit.
    /// So a loop that runs its body k times costs k - 1 units, and a run with fuel N stops at the
    /// (N + 1)th unit, before that call or repetition starts. Straight-line code, including bulk
    /// memory instructions (at most 4 GiB each), costs nothing. The unit does not depend on how
    /// the interpreter compiles instructions, so the same module and fuel stop at the same place
    /// on the host and on the seL4 runner.
    public var fuel: UInt64?
    /// A time limit for the store (nil = none): code still running `nanoseconds` after the store
    /// was created stops with `.timeLimitExceeded`. The interpreter reads the clock at the fuel
    /// points above, once every `TimeLimit.unitsPerCheck` units, so the check costs little.
    public var timeLimit: TimeLimit?
    /// Exceeding it traps with `.callStackExhausted`.
    public var maxCallDepth: Int
    /// Size of the value stack (locals and operands of all active frames), in 64-bit slots.
    /// Exhausting it also traps with `.callStackExhausted`.
    public var valueStackSlots: Int
    /// Upper bound for any memory in pages (64 KiB), on top of the module's own maximum.
    public var maxMemoryPages: UInt32
    /// Upper bound for any table's element count, on top of the module's own maximum.
    public var maxTableElements: UInt32
    /// Where linear memories get their bytes: nil for the C library's calloc (see `Memory`).
    public var memoryReservation: MemoryReservation?

    public init(fuel: UInt64? = nil, timeLimit: TimeLimit? = nil, maxCallDepth: Int = 4096, valueStackSlots: Int = 1 << 18,
                maxMemoryPages: UInt32 = 65536, maxTableElements: UInt32 = 10_000_000,
                memoryReservation: MemoryReservation? = nil) {
        self.fuel = fuel
        self.timeLimit = timeLimit
        self.maxCallDepth = maxCallDepth
        self.valueStackSlots = valueStackSlots
        self.maxMemoryPages = maxMemoryPages
        self.maxTableElements = maxTableElements
        self.memoryReservation = memoryReservation
    }
}

/// Address space for linear memories that grow in place, from a platform that has it (Linux:
/// an anonymous `mmap`, WasmHost's `HostPlatform.memoryReservation`). `reserve(n)` returns `n`
/// bytes of address space whose pages read as zero and take memory only once written, or nil
/// when it cannot; `release(base, n)` gives them back. A memory then reserves its maximum at
/// once and grows by moving its bound: nothing is copied or zero-filled. Without one (the
/// seL4 runner), memories come from calloc and move into a larger block when they outgrow theirs.
public struct MemoryReservation: Sendable {
    public var reserve: @Sendable (_ byteCount: Int) -> UnsafeMutableRawPointer?
    public var release: @Sendable (_ base: UnsafeMutableRawPointer, _ byteCount: Int) -> Void

    public init(reserve: @escaping @Sendable (_ byteCount: Int) -> UnsafeMutableRawPointer?,
                release: @escaping @Sendable (_ base: UnsafeMutableRawPointer, _ byteCount: Int) -> Void) {
        self.reserve = reserve
        self.release = release
    }
}

/// A time limit and the monotonic clock it is measured on (the engine has no clock of its own:
/// the host gives one, CLOCK_MONOTONIC on Linux, the generic timer on seL4).
public struct TimeLimit: Sendable {
    /// How long the store's code may run, from the store's creation.
    public var nanoseconds: UInt64
    /// Nanoseconds on a monotonic clock.
    public var clock: @Sendable () -> UInt64
    /// Fuel units between two readings of the clock (see `Configuration.fuel`): a tight loop
    /// (a unit every few nanoseconds) reads it about every 10 microseconds.
    public var unitsPerCheck: UInt64

    public init(nanoseconds: UInt64, unitsPerCheck: UInt64 = 1024, clock: @escaping @Sendable () -> UInt64) {
        self.nanoseconds = nanoseconds
        self.clock = clock
        self.unitsPerCheck = max(unitsPerCheck, 1)
    }
}
