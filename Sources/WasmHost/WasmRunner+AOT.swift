#if canImport(Glibc)
import Glibc
#endif
import Foundation
import WASI
import WasmEngine

extension WasmRunner {
    /// Runs the module ahead of time (see `AOTTier`) with the same WASI, exit codes and trap
    /// messages as `run(platform:)`. A module the tier cannot build runs on the interpreter,
    /// after `note` has been given the one-line reason; so does every module when a fuel or time
    /// limit is set (`aotBoundsNote`), as only the interpreter counts them.
    public func run<Platform: WASIPlatform>(aot tier: AOTTier, platform: Platform,
                                            note: (String) -> Void) throws -> (status: Int32, platform: Platform) {
        if fuel != nil || timeLimit != nil {
            note("\(displayName): running on the interpreter: \(Self.aotBoundsNote)")
            return try run(platform: platform)
        }
        // A module compiled before runs without being decoded for the interpreter again: its cache
        // entry exists only because it decoded, validated and linked when it was built, and the
        // key covers its bytes, the tools, the glue and the WASI list.
        if let bytes = try? Data(contentsOf: URL(fileURLWithPath: file)), let loaded = AOTLoadedModule.cached(bytes, tier: tier) {
            defer { loaded.close() }
            let wasi = try makeWASI(platform: platform)
            return try finish(loaded, wasi: wasi, functions: Dictionary(wasi.functions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first }))
        }
        let (module, wasi) = try prepare(platform: platform)
        // The interpreter links the imports when it instantiates; here that happens before any
        // translation, with its messages.
        let functions = Dictionary(wasi.functions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for item in module.imports {
            guard let function = functions[item.name] else {
                throw WasmHostError.unlinkable(displayName, WasmError(.unlinkable, "unknown import \"\(item.module)\" \"\(item.name)\"").description,
                                               hint: wasiImportsHint)
            }
            guard case .function(let type) = item.kind, type == function.type else {
                throw WasmHostError.unlinkable(displayName, WasmError(.unlinkable, "incompatible import type for \"\(item.module)\" \"\(item.name)\"").description,
                                               hint: wasiImportsHint)
            }
        }
        let loaded: AOTLoadedModule
        do {
            loaded = try AOTLoadedModule.load(file: file, module: module, tier: tier, note: note)
        } catch {
            note("\(displayName): running on the interpreter: \(error.reason)")
            return try run(platform: platform)
        }
        defer { loaded.close() }
        return try finish(loaded, wasi: wasi, functions: functions)
    }

    /// Runs a loaded module and turns its ending into the interpreter's status or error.
    private func finish<Platform: WASIPlatform>(_ loaded: AOTLoadedModule, wasi: WASI<Platform>,
                                                functions: [String: WASIFunction]) throws -> (status: Int32, platform: Platform) {
        let ending = loaded.run(functions: functions)
        switch ending {
        case .returned:
            return (try checked(0), wasi.platform)
        case .exited(let code):
            return (try checked(code), wasi.platform)
        case .trapped(let trap):
            throw WasmHostError.trap(displayName, trap, configuration)
        case .noThread:
            throw WasmHostError(kind: .unlinkable, message: "\(displayName): cannot start a thread to run the compiled module",
                                hint: "the ahead-of-time tier runs modules on a thread with a \(AOTLoadedModule.stackBytes >> 20) MiB stack; run without --aot")
        }
    }
}

/// A compiled module loaded with dlopen: sel4img_aot_run and the glue's table of WASI names.
final class AOTLoadedModule {
    typealias RunFunction = @convention(c) (UnsafeRawPointer, UnsafeMutableRawPointer, UInt64) -> Void
    typealias CallFunction = @convention(c) (UnsafeMutableRawPointer?, UInt32, UnsafePointer<UInt64>?,
                                             UnsafeMutablePointer<UInt8>?, UInt64, UnsafeMutablePointer<Int32>?) -> UInt32

    /// The stack of the thread a module runs on: room for wasm2c's 4096 frames.
    static let stackBytes: UInt64 = 256 << 20

    let handle: UnsafeMutableRawPointer
    let runFunction: RunFunction
    let names: [String]

    private init(handle: UnsafeMutableRawPointer, runFunction: RunFunction, names: [String]) {
        self.handle = handle
        self.runFunction = runFunction
        self.names = names
    }

    func close() { dlclose(handle) }

    /// The cached object for `bytes` when it is there and loads; nil otherwise (`load` then says
    /// why, or builds it), quietly.
    static func cached(_ bytes: Data, tier: AOTTier) -> AOTLoadedModule? {
        guard FileManager.default.fileExists(atPath: tier.glue.path),
              let toolchain = try? AOTToolchain.locate(environment: tier.environment,
                                                       remembered: tier.cacheDirectory.appendingPathComponent("toolchain")),
              let key = try? tier.key(for: bytes, toolchain: toolchain) else { return nil }
        let object = tier.cachedObject(key: key)
        guard FileManager.default.fileExists(atPath: object.path) else { return nil }
        return try? open(object, key: key)
    }

    /// The cached object for `file`'s bytes, or a new one; a cached object that does not load
    /// is rebuilt (with a note).
    static func load(file: String, module: Module, tier: AOTTier, note: (String) -> Void) throws(AOTUnavailable) -> AOTLoadedModule {
        let bytes: Data
        do { bytes = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            throw AOTUnavailable("cannot read \(file.escapingControlCharacters)")
        }
        guard FileManager.default.fileExists(atPath: tier.glue.path) else {
            throw AOTUnavailable("sel4img's glue \(tier.glue.path) is missing (is sel4img's data directory complete?)")
        }
        let toolchain = try AOTToolchain.locate(environment: tier.environment,
                                                remembered: tier.cacheDirectory.appendingPathComponent("toolchain"))
        let key = try tier.key(for: bytes, toolchain: toolchain)
        let cached = tier.cachedObject(key: key)
        if FileManager.default.fileExists(atPath: cached.path) {
            do {
                return try open(cached, key: key)
            } catch {
                note("AOT cache entry \(cached.path) is damaged (\(error.reason)); rebuilding it")
                try? FileManager.default.removeItem(at: cached)
            }
        }
        let object = try tier.build(bytes, module: module, key: key, toolchain: toolchain, note: note)
        defer { if let directory = object.temporaryDirectory { try? FileManager.default.removeItem(at: directory) } }
        return try open(object.url, key: key)
    }

    /// dlopen, then check that the object is the one `key` names and has the glue's entry points.
    static func open(_ url: URL, key: String) throws(AOTUnavailable) -> AOTLoadedModule {
        guard let handle = dlopen(url.path, RTLD_NOW | RTLD_LOCAL) else {
            let message = dlerror().map { String(cString: $0) } ?? "unknown error"
            // dlerror starts with the path; the note names it already.
            let prefix = url.path + ": "
            throw AOTUnavailable(message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message)
        }
        guard let keySymbol = dlsym(handle, "sel4img_aot_key"), let runSymbol = dlsym(handle, "sel4img_aot_run"),
              let namesSymbol = dlsym(handle, "sel4img_aot_function_names") else {
            dlclose(handle)
            throw AOTUnavailable("it lacks sel4img's glue functions")
        }
        typealias KeyFunction = @convention(c) () -> UnsafePointer<CChar>
        let objectKey = String(cString: unsafeBitCast(keySymbol, to: KeyFunction.self)())
        guard objectKey == key else {
            dlclose(handle)
            throw AOTUnavailable("it was built for key \(objectKey.escapingControlCharacters.prefix(64)), not \(key)")
        }
        // Pinned (RTLD_NODELETE) only now: the object's SIGSEGV handler (guard pages, see
        // AOTToolchain.hostDefines) stays installed for the process once it ran, so its code must
        // stay mapped; a rejected object is closed, or dlopen would return it again by its path.
        _ = dlopen(url.path, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD | RTLD_NODELETE)
        var names: [String] = []
        let table = namesSymbol.assumingMemoryBound(to: UnsafePointer<CChar>?.self)
        while let name = table[names.count] { names.append(String(cString: name)) }
        return AOTLoadedModule(handle: handle, runFunction: unsafeBitCast(runSymbol, to: RunFunction.self), names: names)
    }

    enum Ending {
        case returned
        case exited(Int32)
        case trapped(Trap)
        case noThread
    }

    /// What the C callback reaches through its context pointer.
    final class Bridge {
        let functions: [WASIFunction?]
        var exitCode: Int32?
        var trap: Trap?
        init(functions: [WASIFunction?]) { self.functions = functions }
    }

    /// Runs the start function and `_start`, with every WASI call going to `functions`.
    func run(functions: [String: WASIFunction]) -> Ending {
        let bridge = Bridge(functions: names.map { functions[$0] })
        let call: CallFunction = { context, index, arguments, memory, size, stop in
            let bridge = Unmanaged<Bridge>.fromOpaque(context!).takeUnretainedValue()
            guard Int(index) < bridge.functions.count, let function = bridge.functions[Int(index)], let arguments else {
                bridge.trap = Trap(.host("the compiled module called WASI function \(index), which sel4img does not know"))
                stop?.pointee = 1
                return 0
            }
            var values: [Value] = []
            values.reserveCapacity(function.type.parameters.count)
            for (position, type) in function.type.parameters.enumerated() {
                values.append(type == .i64 ? .i64(arguments[position]) : .i32(UInt32(truncatingIfNeeded: arguments[position])))
            }
            let buffer = memory.map { UnsafeMutableRawBufferPointer(start: $0, count: Int(size)) }
            do throws(Trap) {
                let results = try function.call(memory: buffer, values)
                if case .i32(let value)? = results.first { return value }
                return 0
            } catch {
                if case .exit(let code) = error.reason { bridge.exitCode = code } else { bridge.trap = error }
                stop?.pointee = 1
                return 0
            }
        }
        let context = Unmanaged.passRetained(bridge)
        defer { context.release() }
        let host = UnsafeMutableRawPointer.allocate(byteCount: 2 * MemoryLayout<UnsafeRawPointer>.size,
                                                    alignment: MemoryLayout<UnsafeRawPointer>.alignment)
        defer { host.deallocate() }
        host.storeBytes(of: context.toOpaque(), as: UnsafeMutableRawPointer.self)
        host.storeBytes(of: unsafeBitCast(call, to: UnsafeRawPointer.self), toByteOffset: MemoryLayout<UnsafeRawPointer>.size,
                        as: UnsafeRawPointer.self)
        var result: (Int32, Int32, Int32) = (0, 0, 0)
        withUnsafeMutableBytes(of: &result) { runFunction(UnsafeRawPointer(host), $0.baseAddress!, Self.stackBytes) }
        let (ending, trap, detail) = result
        switch ending {
        case 0: return .returned
        case 1:
            if let code = bridge.exitCode { return .exited(code) }
            return .trapped(bridge.trap ?? Trap(.host("the compiled module stopped without a reason")))
        case 2: return .trapped(Trap(Self.reason(trap: trap, detail: detail)))
        default: return .noThread
        }
    }

    /// The interpreter's reason for wasm2c's wasm_rt_trap_t (values checked by the glue).
    static func reason(trap: Int32, detail: Int32) -> TrapReason {
        TrapReason(wasm2cTrap: trap, detail: detail)
    }
}
