import Foundation
import Support
import WasmEngine

/// Everything that stops `sel4img wasm run`, naming the module or directory
/// involved. A trap exits 134 (what a shell reports for a process killed by
/// SIGABRT, 128 + 6); every other failure exits 1.
public struct WasmHostError: UserFacingError, Equatable {
    public enum Kind: Sendable, Equatable {
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
    }

    public var kind: Kind
    public var message: String
    public var hint: String?

    public init(kind: Kind, message: String, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
    }

    public var description: String { message }
    public var exitCode: Int32 { kind == .trap ? 134 : 1 }

    static func unreadable(_ file: String, _ reason: String) -> WasmHostError {
        WasmHostError(kind: .unreadable, message: "cannot read \(file): \(reason)")
    }

    /// `hello.wasm: invalid module at offset 0x1f: …`
    static func invalid(_ file: String, _ error: WasmError) -> WasmHostError {
        WasmHostError(kind: .invalidModule, message: "\(file): \(error.description)",
                      hint: error.kind == .malformed
                          ? "check that \(file) is a complete WebAssembly binary ('wasm-tools validate \(file)' explains more)"
                          : "the module does not validate; rebuild it, or see 'wasm-tools validate \(file)'")
    }

    static func unlinkable(_ file: String, _ detail: String, hint: String? = nil) -> WasmHostError {
        WasmHostError(kind: .unlinkable, message: "\(file): \(detail)", hint: hint)
    }

    /// `hello.wasm: trap: integer divide by zero in function 3 ($div) at offset 0x4a`
    static func trap(_ file: String, _ trap: Trap) -> WasmHostError {
        WasmHostError(kind: .trap, message: "\(file): trap: \(trap.description)",
                      hint: trap.reason == .outOfFuel ? "raise --fuel, or leave it out for no limit" : nil)
    }

    static func directory(_ message: String, hint: String? = nil) -> WasmHostError {
        WasmHostError(kind: .directory, message: message, hint: hint)
    }
}
