import CRunner
import WASI
import WasmEngine

/// The module the ahead-of-time tier is running: its WASI functions in the order of the C
/// glue's indexes (wasm_runner_aot_function_name), and how a WASI call ended the run.
final class AOTRun {
    let functions: [WASIFunction?]
    var exitCode: Int32?
    var trap: Trap?

    init(functions: [WASIFunction?]) { self.functions = functions }

    /// The one run in progress (the runner runs one module at a time).
    nonisolated(unsafe) static var current: AOTRun?
}

/// Every WASI call of a module translated ahead of time comes here (src/aot-wasi.c), to the
/// same WASI implementation the interpreter calls, over the module's memory as it is now.
@_cdecl("wasm_runner_aot_wasi")
public func wasmRunnerAOTWASI(_ function: UInt32, _ arguments: UnsafePointer<UInt64>?, _ memory: UnsafeMutablePointer<UInt8>?,
                              _ size: UInt64, _ stop: UnsafeMutablePointer<Int32>?) -> UInt32 {
    guard let run = AOTRun.current, Int(function) < run.functions.count, let callee = run.functions[Int(function)],
          let arguments else {
        AOTRun.current?.trap = Trap(.host("the compiled module called WASI function \(function), which the runner does not know"))
        stop?.pointee = 1
        return 0
    }
    var values: [Value] = []
    values.reserveCapacity(callee.type.parameters.count)
    for (position, type) in callee.type.parameters.enumerated() {
        values.append(type == .i64 ? .i64(arguments[position]) : .i32(UInt32(truncatingIfNeeded: arguments[position])))
    }
    let buffer = memory.map { UnsafeMutableRawBufferPointer(start: $0, count: Int(size)) }
    do throws(Trap) {
        let results = try callee.call(memory: buffer, values)
        if case .i32(let value)? = results.first { return value }
        return 0
    } catch {
        if case .exit(let code) = error.reason { run.exitCode = code } else { run.trap = error }
        stop?.pointee = 1
        return 0
    }
}

/// The index of `name`'s translated code, or nil when the module runs on the interpreter.
func aotIndex(of name: String) -> Int32? {
    var name = name
    let index = name.withUTF8 { wasm_runner_aot_find($0.baseAddress, UInt($0.count)) }
    return index >= 0 ? index : nil
}

/// Runs module `index` ahead of time with WASI, as `execute` runs it on the interpreter: the
/// same exit codes, the same trap reasons (wasm2c does not say in which function).
func executeAheadOfTime<Platform: WASIPlatform>(
    _ index: Int32, arguments: [String], preopens: [(guestPath: String, tree: WASIFileTree)],
    platform: Platform, usage: inout ModuleUsage
) -> (ModuleOutcome, Platform) {
    // The tier's stack is the runner's from the first run on, not this module's heap.
    guard wasm_runner_aot_prepare() != 0 else {
        return (.failedToInstantiate("not enough heap for the ahead-of-time tier's stack (\(wasm_runner_aot_stack_bytes()) bytes)"), platform)
    }
    wasm_runner_heap_reset_peak()
    let baseline = wasm_runner_heap_live()
    // The build decoded and validated the module and checked that every import is a WASI
    // function of the interpreter's type (AOTTranslation): decoding again would cost as much
    // as the interpreter's start-up.
    let wasi = WASI(arguments: arguments, environment: [], preopens: preopens, platform: platform)
    let all = wasi.functions
    var functions: [WASIFunction?] = []
    var position: UInt32 = 0
    while let name = wasm_runner_aot_function_name(position) {
        let bytes = UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self)
        var length = 0
        while bytes[length] != 0 { length += 1 }
        let text = String(decoding: UnsafeBufferPointer(start: bytes, count: length), as: UTF8.self)
        let found = all.first { $0.name == text }
        functions.append(found)
        position += 1
    }
    let run = AOTRun(functions: functions)
    AOTRun.current = run
    var result = wasm_runner_aot_result()
    wasm_runner_aot_run(index, &result)
    AOTRun.current = nil
    let outcome: ModuleOutcome
    switch result.ending {
    case WASM_RUNNER_AOT_RETURNED:
        outcome = .exited(0)
    case WASM_RUNNER_AOT_STOPPED:
        if let code = run.exitCode {
            outcome = .exited(code)
        } else {
            outcome = .trapped((run.trap ?? Trap(.host("the compiled module stopped without a reason"))).description)
        }
    case WASM_RUNNER_AOT_TRAPPED:
        outcome = .trapped(Trap(TrapReason(wasm2cTrap: result.trap, detail: result.detail)).description)
    default:
        outcome = .failedToInstantiate("not enough heap for the module's instance")
    }
    let linearMemory = Int(result.memory_bytes)
    let peak = Int(wasm_runner_heap_peak()) - Int(baseline)
    usage = ModuleUsage(peakHeap: max(0, peak - linearMemory), linearMemory: linearMemory)
    return (outcome, wasi.platform)
}
