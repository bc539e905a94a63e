import Foundation
import Support
import WasmEngine

/// Exit statuses of `sel4img wasm run` (README "Running WebAssembly on the
/// host", `wasm run --help`; the guest's `emit` uses the same). A module's own
/// exit code passes through only in 0-125, so every status says who ended the
/// run: 0-125 the module; 126 sel4img, because the module cannot run (like a
/// shell's "cannot execute"); 134 a trap (128 + SIGABRT, as a shell reports an
/// abort); 152 the run was stopped by its bound, --fuel or --time-limit (128 +
/// SIGXCPU, as a shell reports a process over its CPU-time limit): not a trap
/// of the module's making; 255 the module exited with a code outside 0-125 (126
/// up to 4294967295, which a process status cannot carry, or would read as a
/// trap or a signal). Each of 126, 134, 152 and 255 comes with an `error:` line
/// naming the module on stderr. (64 is a usage error: a bad option.)
public enum WasmExitStatus {
    public static let cannotRun: Int32 = 126
    public static let trap: Int32 = 134
    public static let boundExceeded: Int32 = 152
    public static let exitCodeOutOfRange: Int32 = 255
    /// The module exit codes that are passed through unchanged.
    public static let moduleCodes: ClosedRange<Int32> = 0...125
}

/// Everything that stops `sel4img wasm run`, naming the module or directory
/// involved, with the exit status `WasmExitStatus` gives it. Names from the
/// command line or the module (file, import, export and function names) have
/// their control characters escaped, so a message is always one printable line.
public typealias WasmHostError = ModuleError<WasmHostErrorKind>

public enum WasmHostErrorKind: ErrorKind {
    /// The module file could not be read.
    case unreadable
    /// Decoding or validation failed (`malformed module …`, `invalid module …`).
    case invalidModule
    /// An import that WASI does not provide, or not a WASI command.
    case unlinkable
    /// A `--dir` that cannot be preopened (missing, escaping symlink, too large).
    case directory
    /// The module trapped while running.
    case trap
    /// The run used up its fuel or passed its time limit.
    case boundExceeded
    /// The module exited (proc_exit) with a code outside 0-125.
    case exitCodeOutOfRange

    public var exitCode: Int32 {
        switch self {
        case .trap: return WasmExitStatus.trap
        case .boundExceeded: return WasmExitStatus.boundExceeded
        case .exitCodeOutOfRange: return WasmExitStatus.exitCodeOutOfRange
        default: return WasmExitStatus.cannotRun
        }
    }

    public static var escapesControlCharacters: Bool { true }
}

extension WasmHostError {
    static func unreadable(_ file: String, _ reason: String) -> WasmHostError {
        WasmHostError(kind: .unreadable, message: "cannot read \(file): \(reason)")
    }

    /// `hello.wasm: invalid module at offset 0x1f: …`
    static func invalid(_ file: String, _ error: WasmError) -> WasmHostError {
        WasmHostError(kind: .invalidModule, message: "\(file): \(error.description)",
                      hint: error.kind == .malformed
                          ? "check that \(file) is a complete WebAssembly binary ('wasm-tools validate \(file)' explains more)"
                          : error.kind == .limit
                          ? "WebAssembly engines (wasmtime, browsers) refuse modules beyond the JS API's implementation limits too; split the module or its functions"
                          : "the module does not validate; rebuild it, or see 'wasm-tools validate \(file)'")
    }

    /// `big.wasm: exit code 1000 is outside 0-125; exit status 255`
    static func exitCodeOutOfRange(_ file: String, _ code: Int32) -> WasmHostError {
        WasmHostError(kind: .exitCodeOutOfRange,
                      message: "\(file): exit code \(UInt32(bitPattern: code)) is outside 0-125; exit status \(WasmExitStatus.exitCodeOutOfRange)",
                      hint: "exit codes 126-255 mean 'cannot run', 'not found' and signals to a shell, and larger ones do not fit a process status: exit with 0-125")
    }

    static func unlinkable(_ file: String, _ detail: String, hint: String? = nil) -> WasmHostError {
        WasmHostError(kind: .unlinkable, message: "\(file): \(detail)", hint: hint)
    }

    /// `hello.wasm: trap: integer divide by zero in function 3 ($div) at offset 0x4a`; or, when
    /// the bounds in `configuration` stopped the run (exit status 152),
    /// `spin.wasm: fuel exhausted after 1000 units in function 0 ($spin) at offset 0x2a` or
    /// `spin.wasm: time limit of 50 ms exceeded in function 0 ($spin) at offset 0x2a`.
    static func trap(_ file: String, _ trap: Trap, _ configuration: Configuration) -> WasmHostError {
        if let message = trap.boundMessage(configuration) {
            return WasmHostError(kind: .boundExceeded, message: "\(file): \(message)",
                                 hint: trap.reason == .outOfFuel
                                     ? "raise --fuel, or leave it out for no limit (a unit is a call or a repetition of a loop)"
                                     : "raise --time-limit, or leave it out for no limit")
        }
        return WasmHostError(kind: .trap, message: "\(file): trap: \(trap.description)")
    }

    static func directory(_ message: String, hint: String? = nil) -> WasmHostError {
        WasmHostError(kind: .directory, message: message, hint: hint)
    }
}
