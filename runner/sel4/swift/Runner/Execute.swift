import CRunner
import WASI
import WasmEngine

/// How one module's run ended.
enum ModuleOutcome {
    /// Its exit code: proc_exit's, or 0 when _start returned.
    case exited(Int32)
    case trapped(String)
    /// Its fuel or time limit stopped it (not a trap of its making): "fuel exhausted after N
    /// units in function …", "time limit of MS ms exceeded in function …".
    case stopped(String)
    /// Malformed or invalid: decoding failed.
    case failedToLoad(String)
    /// Linking or the start function failed.
    case failedToInstantiate(String)
}

/// What one run used, for the runner's report.
struct ModuleUsage {
    /// Peak heap beyond the module's linear memory, in bytes.
    var peakHeap = 0
    var linearMemory = 0
}

/// Decodes, instantiates with WASI and runs one module, as `sel4img wasm
/// run` does on a host: proc_exit from a start function is an exit, not a
/// failure. Each module gets its own store, released before returning so
/// the next one starts with the heap this one used. `fuel` and
/// `timeLimitMilliseconds` (from the start of instantiation, on the generic timer) bound
/// the run; nil is no bound. `aheadOfTime`, the index of the module's translated code
/// (`aotIndex(of:)`), runs it through the ahead-of-time tier instead (which has no bounds).
func execute<Platform: WASIPlatform>(
    _ bytes: [UInt8], arguments: [String], preopens: [(guestPath: String, tree: WASIFileTree)],
    platform: Platform, usage: inout ModuleUsage, fuel: UInt64? = nil, timeLimitMilliseconds: UInt64? = nil,
    aheadOfTime: Int32? = nil
) -> (ModuleOutcome, Platform) {
    if let aheadOfTime, fuel == nil, timeLimitMilliseconds == nil {
        return executeAheadOfTime(aheadOfTime, arguments: arguments, preopens: preopens, platform: platform, usage: &usage)
    }
    wasm_runner_heap_reset_peak()
    let baseline = wasm_runner_heap_live()
    // Growth needs the old and the new memory at once: cap memories at half
    // of what the heap has left, so memory.grow fails (-1) before malloc does.
    let available = Int(wasm_runner_heap_available())
    let maxPages = UInt32(max(1, min(65536, (available / 2 - (2 << 20)) / 65536)))
    let result: (ModuleOutcome, Platform)
    var linearMemory = 0
    do {
        let module: Module
        do throws(WasmError) {
            module = try Module.decode(bytes)
        } catch {
            return (.failedToLoad(error.description), platform)
        }
        let wasi = WASI(arguments: arguments, environment: [], preopens: preopens, platform: platform)
        var imports = Imports()
        wasi.define(into: &imports)
        // 1 MiB of value stack (the engine's default is 2 MiB): the runner's
        // target is under 2 MiB of heap per module beyond linear memory.
        let timeLimit = timeLimitMilliseconds.map { milliseconds in
            TimeLimit(nanoseconds: min(milliseconds, UInt64.max / 1_000_000) * 1_000_000) { SeL4Platform.uptime() }
        }
        let configuration = Configuration(fuel: fuel, timeLimit: timeLimit, valueStackSlots: 1 << 17, maxMemoryPages: maxPages)
        let store = Store(configuration: configuration)
        // Store and instances reference each other: release frees the module's memory for the next one.
        defer { store.release() }
        do throws(InstantiationError) {
            let instance = try Instance.instantiate(module, imports: imports, store: store)
            do throws(Trap) {
                result = (.exited(try wasi.run(instance)), wasi.platform)
            } catch {
                if let message = error.boundMessage(configuration) {
                    result = (.stopped(message), wasi.platform)
                } else {
                    result = (.trapped(error.description), wasi.platform)
                }
            }
            // What the heap holds for it: the block, which may be larger than the memory.
            linearMemory = instance.memory?.capacity ?? 0
        } catch {
            if case .trap(let trap) = error, case .exit(let code) = trap.reason {
                result = (.exited(code), wasi.platform)
            } else if case .trap(let trap) = error, let message = trap.boundMessage(configuration) {
                result = (.stopped(message), wasi.platform)
            } else {
                result = (.failedToInstantiate(error.description), wasi.platform)
            }
        }
    }
    let peak = Int(wasm_runner_heap_peak()) - Int(baseline)
    usage = ModuleUsage(peakHeap: max(0, peak - linearMemory), linearMemory: linearMemory)
    return result
}
