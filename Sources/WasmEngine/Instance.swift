// Instantiation: linking imports, creating the instance's objects, initialising segments,
// running the start function.

/// A module instantiated in a store.
public final class Instance {
    public let module: Module
    public let store: Store
    /// By the module's function index space (imports first).
    var functions: [FunctionInstance] = []
    var functionAddresses: [UInt32] = []
    var tables: [Table] = []
    var globals: [Global] = []
    /// Pointers to the globals' storage, by global index, for the interpreter.
    var globalSlots: UnsafeMutablePointer<UnsafeMutablePointer<UInt64>>
    /// The functions again, unretained, for calls from the interpreter without ARC traffic.
    var functionTable: UnsafeMutablePointer<FunctionRef>
    /// Memory 0, if the module has (or imports) one.
    public private(set) var memory: Memory?
    /// The store's type id for each of the module's type indices.
    var typeIDs: [Int] = []
    /// Per-instance segments: dropped ones become empty.
    var elementSegments: [[UInt64]] = []
    var dataSegments: [[UInt8]] = []
    var exportMap: [Name: Extern] = [:]
    /// What host functions see as the caller's memory: the export "memory", else memory 0.
    var callerMemory: Memory?

    init(module: Module, store: Store) {
        self.module = module
        self.store = store
        globalSlots = UnsafeMutablePointer<UnsafeMutablePointer<UInt64>>.allocate(capacity: max(module.globals.count, 1))
        functionTable = UnsafeMutablePointer<FunctionRef>.allocate(capacity: max(module.functionTypes.count, 1))
    }

    deinit {
        globalSlots.deallocate()
        functionTable.deallocate()
    }

    /// Drops this instance's references to store objects (Store.release).
    func releaseObjects() {
        functions.removeAll()
        functionAddresses.removeAll()
        tables.removeAll()
        exportMap.removeAll()
        memory = nil
        callerMemory = nil
    }

    /// An export by name.
    public func export(_ name: String) -> Extern? { exportMap[Name(name)] }

    /// Names of all exports, in module order.
    public var exportNames: [String] { module.exports.map { $0.name } }

    /// Calls an exported function. Traps carry the function index and offset where they happened.
    public func invoke(_ name: String, _ arguments: [Value]) throws(Trap) -> [Value] {
        guard case .function(let function)? = exportMap[Name(name)] else {
            throw Trap(.host("no exported function named \"\(name)\""))
        }
        return try store.execute(address: function.address, arguments: arguments)
    }

    public func invoke(_ function: Function, _ arguments: [Value]) throws(Trap) -> [Value] {
        try store.execute(address: function.address, arguments: arguments)
    }

    static func unlinkable(_ message: String) -> InstantiationError {
        .link(WasmError(.unlinkable, message))
    }

    /// Links `module` against `imports`, creates its objects in `store`, initialises element and
    /// data segments, and runs the start function.
    public static func instantiate(_ module: Module, imports: Imports, store: Store) throws(InstantiationError) -> Instance {
        let instance = Instance(module: module, store: store)
        // The store owns its instances: their functions may sit in other instances' tables and
        // imports. (Store and instance reference each other, so a store lives until the process ends.)
        store.instances.append(instance)
        let configuration = store.configuration
        instance.typeIDs = module.types.map { store.typeID($0) }

        // Imports.
        for item in module.imports {
            guard let entry = imports.lookup(module: item.module, name: item.name) else {
                throw unlinkable("unknown import \"\(item.module)\" \"\(item.name)\"")
            }
            let incompatible = unlinkable("incompatible import type for \"\(item.module)\" \"\(item.name)\"")
            switch (item.kind, entry) {
            case (.function(let type), .host(let host)):
                guard host.type == type else { throw incompatible }
                let function = FunctionInstance(type: type, typeID: store.typeID(type), host: host)
                instance.functions.append(function)
                instance.functionAddresses.append(store.addFunction(function))
            case (.function(let type), .extern(.function(let function))):
                guard function.store === store else { throw unlinkable("import \"\(item.module)\" \"\(item.name)\" belongs to another store") }
                let existing = store.functions[Int(function.address)]
                guard existing.type == type else { throw incompatible }
                instance.functions.append(existing)
                instance.functionAddresses.append(function.address)
            case (.table(let type), .extern(.table(let table))):
                guard table.type.elementType == type.elementType,
                      limitsMatch(actualMin: UInt32(table.count), actualMax: table.type.limits.max, type.limits)
                else { throw incompatible }
                instance.tables.append(table)
            case (.memory(let type), .extern(.memory(let memory))):
                guard limitsMatch(actualMin: memory.pageCount, actualMax: memory.type.limits.max, type.limits)
                else { throw incompatible }
                instance.memory = instance.memory ?? memory
            case (.global(let type), .extern(.global(let global))):
                guard global.type == type else { throw incompatible }
                instance.globals.append(global)
            default:
                throw incompatible
            }
        }

        // Defined functions.
        for (i, compiled) in module.code.enumerated() {
            let index = module.importedFunctionCount + i
            let type = module.functionType(UInt32(index))
            let function = FunctionInstance(type: type, typeID: store.typeID(type), compiled: compiled, instance: instance)
            instance.functions.append(function)
            instance.functionAddresses.append(store.addFunction(function))
        }

        for (i, function) in instance.functions.enumerated() {
            instance.functionTable[i] = FunctionRef(function: function)
        }

        // Defined globals (initialisers may read earlier globals and take function references).
        for definition in module.globalDefinitions {
            let slot = instance.evaluate(definition.initializer)
            instance.globals.append(Global(type: definition.type, slot: slot))
        }
        for (i, global) in instance.globals.enumerated() {
            instance.globalSlots[i] = global.storage
        }

        // Defined tables and memories.
        for type in module.tables[module.importedTableCount...] {
            if type.limits.min > configuration.maxTableElements {
                throw unlinkable("table of \(type.limits.min) elements exceeds the host limit of \(configuration.maxTableElements) elements")
            }
            instance.tables.append(Table(type: type, limitElements: configuration.maxTableElements))
        }
        for type in module.memories[module.importedMemoryCount...] {
            if type.limits.min > configuration.maxMemoryPages {
                throw unlinkable("memory of \(type.limits.min) pages exceeds the host limit of \(configuration.maxMemoryPages) pages")
            }
            guard let memory = Memory(type: type, limitPages: configuration.maxMemoryPages,
                                      reservation: configuration.memoryReservation) else {
                throw unlinkable("memory of \(type.limits.min) pages (\(UInt64(type.limits.min) * 64) KiB) cannot be allocated: out of memory")
            }
            instance.memory = instance.memory ?? memory
        }

        // Exports.
        for export in module.exports {
            switch export.kind {
            case .function(let index):
                instance.exportMap[Name(export.name)] = .function(Function(store: store, address: instance.functionAddresses[Int(index)]))
            case .table(let index):
                instance.exportMap[Name(export.name)] = .table(instance.tables[Int(index)])
            case .memory:
                if let memory = instance.memory { instance.exportMap[Name(export.name)] = .memory(memory) }
            case .global(let index):
                instance.exportMap[Name(export.name)] = .global(instance.globals[Int(index)])
            }
        }

        if case .memory(let exported)? = instance.exportMap[Name("memory")] {
            instance.callerMemory = exported
        } else {
            instance.callerMemory = instance.memory
        }

        // Segments: evaluate element items, then run active segments in order.
        instance.elementSegments = module.elements.map { segment in
            segment.items.map { instance.evaluate($0) }
        }
        instance.dataSegments = module.data.map { $0.bytes }
        for (i, segment) in module.elements.enumerated() {
            switch segment.mode {
            case .active(let table, let offsetExpr):
                let offset = UInt32(truncatingIfNeeded: instance.evaluate(offsetExpr))
                let items = instance.elementSegments[i]
                let target = instance.tables[Int(table)]
                guard UInt64(offset) + UInt64(items.count) <= UInt64(target.elements.count) else {
                    throw .trap(Trap(.tableOutOfBounds))
                }
                for (j, item) in items.enumerated() { target.elements[Int(offset) + j] = item }
                instance.elementSegments[i] = []
            case .declarative:
                instance.elementSegments[i] = []
            case .passive:
                break
            }
        }
        for (i, segment) in module.data.enumerated() {
            guard case .active(_, let offsetExpr) = segment.mode else { continue }
            let offset = UInt32(truncatingIfNeeded: instance.evaluate(offsetExpr))
            let bytes = segment.bytes
            guard let memory = instance.memory,
                  UInt64(offset) + UInt64(bytes.count) <= UInt64(memory.byteCount) else {
                throw .trap(Trap(.memoryOutOfBounds))
            }
            if !bytes.isEmpty, let data = memory.data {
                bytes.withUnsafeBytes { source in
                    (data + Int(offset)).copyMemory(from: source.baseAddress!, byteCount: bytes.count)
                }
            }
            instance.dataSegments[i] = []
        }

        if let start = module.start {
            do {
                _ = try store.execute(address: instance.functionAddresses[Int(start)], arguments: [])
            } catch {
                throw .trap(error)
            }
        }
        return instance
    }

    static func limitsMatch(actualMin: UInt32, actualMax: UInt32?, _ expected: Limits) -> Bool {
        if actualMin < expected.min { return false }
        if let expectedMax = expected.max {
            guard let actualMax, actualMax <= expectedMax else { return false }
        }
        return true
    }

    func evaluate(_ expression: ConstExpr) -> UInt64 {
        switch expression {
        case .value(let slot, _): return slot
        case .refNull: return 0
        case .globalGet(let index): return globals[Int(index)].storage.pointee
        case .refFunc(let index): return UInt64(functionAddresses[Int(index)]) + 1
        }
    }
}
