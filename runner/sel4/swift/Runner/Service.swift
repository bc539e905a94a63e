import CRunner
import WASI

/// WASI's machine for a module the guest sent: its stdout and stderr go,
/// in the order written, into the reply area of the shared buffer (what
/// does not fit is counted and dropped); clocks and randomness as on the
/// root task, with the realtime clock starting at the guest's time.
struct ChannelPlatform: WASIPlatform {
    var machine: SeL4Platform
    let output: UnsafeMutableRawBufferPointer
    var written = 0
    var dropped = 0
    /// The guest's realtime clock when it sent the request, and the uptime then.
    let guestRealtime: UInt64
    let startUptime: UInt64

    mutating func write(fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        let fits = min(bytes.count, output.count - written)
        if fits > 0, let source = bytes.baseAddress, let target = output.baseAddress {
            (target + written).copyMemory(from: source, byteCount: fits)
            written += fits
        }
        dropped += bytes.count - fits
        return bytes.count
    }

    mutating func read(fd: Int32, into: UnsafeMutableRawBufferPointer) -> Int { 0 }

    func clock(_ id: UInt32) -> UInt64? {
        if id == 0 { return guestRealtime &+ (SeL4Platform.uptime() &- startUptime) }
        return machine.clock(id)
    }

    func clockResolution(_ id: UInt32) -> UInt64? { machine.clockResolution(id) }

    mutating func random(into buffer: UnsafeMutableRawBufferPointer) { machine.random(into: buffer) }
}

/// Runs one module for the guest (called by the CAmkES component's C code,
/// components/Runner/runner.c, with a request already copied out of the
/// shared buffer). `arguments` holds NUL-terminated strings, argv[0] first.
/// `fuel` and `timeLimitMilliseconds` bound the run (0: no bound; emit's
/// --fuel and --time-limit): a run they stop is result 4 (STOPPED), and the
/// runner goes on serving.
/// Writes the module's output to `output`, and the reply's fields through
/// the pointers; returns the result (enum wasm_channel_result).
@_cdecl("wasm_runner_serve")
public func wasmRunnerServe(
    _ module: UnsafePointer<UInt8>, _ moduleLength: Int,
    _ arguments: UnsafePointer<UInt8>, _ argumentsLength: Int,
    _ realtimeNanoseconds: UInt64,
    _ fuel: UInt64, _ timeLimitMilliseconds: UInt64,
    _ output: UnsafeMutablePointer<UInt8>, _ outputCapacity: Int,
    _ reply: UnsafeMutablePointer<wasm_runner_reply>
) -> UInt32 {
    func finish(_ result: UInt32, status: Int32 = 0, message: String = "") -> UInt32 {
        reply.pointee.exit_status = status
        var text = message
        text.withUTF8 { bytes in
            let count = min(bytes.count, Int(WASM_RUNNER_MESSAGE_BYTES) - 1)
            withUnsafeMutableBytes(of: &reply.pointee.message) { target in
                if count > 0 { target.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: count) }
                target[count] = 0
            }
        }
        return result
    }
    reply.pointee.output_bytes = 0
    reply.pointee.output_dropped = 0

    // argv: NUL-terminated strings, at least argv[0].
    let argumentBytes = UnsafeBufferPointer(start: arguments, count: argumentsLength)
    guard argumentsLength > 0, argumentBytes[argumentsLength - 1] == 0 else {
        return finish(3, message: "the arguments must be NUL-terminated strings, the module's name first")
    }
    var argv: [String] = []
    var start = 0
    for index in 0..<argumentsLength where argumentBytes[index] == 0 {
        argv.append(String(decoding: UnsafeBufferPointer(rebasing: argumentBytes[start..<index]), as: UTF8.self))
        start = index + 1
    }
    let name = argv[0]

    let began = SeL4Platform.uptime()
    let platform = ChannelPlatform(
        machine: SeL4Platform(epochSeconds: realtimeNanoseconds / 1_000_000_000),
        output: UnsafeMutableRawBufferPointer(start: output, count: outputCapacity),
        guestRealtime: realtimeNanoseconds, startUptime: began)
    var usage = ModuleUsage()
    let (outcome, used) = execute(Array(UnsafeBufferPointer(start: module, count: moduleLength)), arguments: argv,
                                  preopens: [], platform: platform, usage: &usage,
                                  fuel: fuel == 0 ? nil : fuel, timeLimitMilliseconds: timeLimitMilliseconds == 0 ? nil : timeLimitMilliseconds)
    reply.pointee.output_bytes = UInt(used.written)
    reply.pointee.output_dropped = UInt(used.dropped)
    let milliseconds = (SeL4Platform.uptime() &- began) / 1_000_000
    let summary = "\(used.written) bytes of output, \(milliseconds) ms, peak heap \(usage.peakHeap) bytes beyond linear memory \(usage.linearMemory)"
    switch outcome {
    case .exited(let status):
        Console.line("wasm-runner: \(name) exited with status \(status) (\(summary))")
        return finish(0, status: status)
    case .trapped(let description):
        Console.line("wasm-runner: \(name) trapped: \(description) (\(summary))")
        return finish(1, message: description)
    case .stopped(let description):
        Console.line("wasm-runner: \(name) stopped: \(description) (\(summary))")
        return finish(4, message: description)
    case .failedToLoad(let description):
        Console.line("wasm-runner: \(name) failed to load: \(description)")
        return finish(2, message: description)
    case .failedToInstantiate(let description):
        Console.line("wasm-runner: \(name) failed to instantiate: \(description)")
        return finish(2, message: "failed to instantiate: " + description)
    }
}
