// A decoded and validated module: its types, imports, exports, and compiled function bodies.

/// Size limits of a memory (in 64 KiB pages) or a table (in elements).
public struct Limits: Equatable, Sendable {
    public var min: UInt32
    public var max: UInt32?
    public init(min: UInt32, max: UInt32? = nil) {
        self.min = min
        self.max = max
    }
}

public struct TableType: Equatable, Sendable {
    public var elementType: ValueType
    public var limits: Limits
    public init(elementType: ValueType, limits: Limits) {
        self.elementType = elementType
        self.limits = limits
    }
}

public struct MemoryType: Equatable, Sendable {
    public var limits: Limits
    public init(limits: Limits) { self.limits = limits }
}

public struct GlobalType: Equatable, Sendable {
    public var valueType: ValueType
    public var mutable: Bool
    public init(valueType: ValueType, mutable: Bool) {
        self.valueType = valueType
        self.mutable = mutable
    }
}

/// What a module imports.
public struct Import: Sendable {
    public enum Kind: Sendable {
        case function(FunctionType)
        case table(TableType)
        case memory(MemoryType)
        case global(GlobalType)
    }
    public var module: String
    public var name: String
    public var kind: Kind
}

/// What a module exports; the index is in the module's own index space of that kind.
public struct Export: Sendable {
    public enum Kind: Equatable, Sendable {
        case function(UInt32)
        case table(UInt32)
        case memory(UInt32)
        case global(UInt32)
    }
    public var name: String
    public var kind: Kind
}

/// A constant expression (global initialisers, segment offsets, element items).
enum ConstExpr {
    case value(UInt64, ValueType)
    case refNull(ValueType)
    case globalGet(UInt32)
    case refFunc(UInt32)
}

struct GlobalDefinition {
    var type: GlobalType
    var initializer: ConstExpr
}

struct ElementSegment {
    enum Mode {
        case passive
        case active(table: UInt32, offset: ConstExpr)
        case declarative
    }
    var mode: Mode
    var type: ValueType
    var items: [ConstExpr]
}

struct DataSegment {
    enum Mode {
        case passive
        case active(memory: UInt32, offset: ConstExpr)
    }
    var mode: Mode
    var bytes: [UInt8]
}

/// A decoded, validated WebAssembly module. Immutable; instantiate it any number of times.
public final class Module {
    public internal(set) var imports: [Import] = []
    public internal(set) var exports: [Export] = []

    var types: [FunctionType] = []
    /// Type index of every function (imported first, then defined).
    var functionTypes: [UInt32] = []
    var importedFunctionCount = 0
    var tables: [TableType] = []          // imported first
    var importedTableCount = 0
    var memories: [MemoryType] = []       // imported first
    var importedMemoryCount = 0
    var globals: [GlobalType] = []        // imported first
    var importedGlobalCount = 0
    var globalDefinitions: [GlobalDefinition] = []
    var elements: [ElementSegment] = []
    var data: [DataSegment] = []
    var dataCount: UInt32?
    var start: UInt32?
    /// Compiled bodies of the defined functions.
    var code: [CompiledFunction] = []
    /// Function names from the name section (function index -> name).
    var functionNames: [UInt32: String] = [:]

    init() {}

    /// Decodes AND validates a binary module. Never crashes on any input.
    public static func decode(_ bytes: [UInt8]) throws(WasmError) -> Module {
        var decoder = ModuleDecoder(bytes: bytes)
        return try decoder.decodeModule()
    }

    /// The type of a function in the module's function index space.
    func functionType(_ index: UInt32) -> FunctionType {
        types[Int(functionTypes[Int(index)])]
    }

    /// The name to show for a function in traps: name section first, then an export name.
    func name(ofFunction index: UInt32) -> String? {
        if let name = functionNames[index] { return name }
        for export in exports where export.kind == .function(index) {
            return export.name
        }
        return nil
    }
}

/// A name compared byte for byte. Swift's `String` equality uses Unicode canonical
/// equivalence, but wasm names that differ in their UTF-8 bytes are different names.
struct Name: Hashable {
    let bytes: [UInt8]
    init(_ string: String) { bytes = Array(string.utf8) }
}
