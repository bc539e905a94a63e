import Foundation
import WASI
import WasmEngine

/// Runs a WASI command module on the host: load the file, decode and
/// validate it, instantiate it with WASI, run `_start`, return the exit code.
/// Every error names the file (`hello.wasm: invalid module at offset 0x1f: …`,
/// `hello.wasm: trap: integer divide by zero in function 3 ($div) at offset 0x4a`).
public struct WasmRunner {
    /// A host directory preopened read-only at a guest path.
    public struct Preopen: Equatable, Sendable {
        public var hostDirectory: URL
        public var guestPath: String

        public init(hostDirectory: URL, guestPath: String) {
            self.hostDirectory = hostDirectory
            self.guestPath = guestPath
        }

        /// `HOSTDIR` (seen as HOSTDIR) or `HOSTDIR::GUESTDIR`, like wasmtime's --dir.
        public init(parsing spec: String) {
            if let range = spec.range(of: "::") {
                self.init(hostDirectory: URL(fileURLWithPath: String(spec[..<range.lowerBound])),
                          guestPath: String(spec[range.upperBound...]))
            } else {
                self.init(hostDirectory: URL(fileURLWithPath: spec), guestPath: spec)
            }
        }
    }

    /// The module file; also argv[0].
    public var file: String
    /// How messages name the module (default: `file` as given).
    public var displayName: String
    /// Arguments after the program name (argv[0] is `file`).
    public var arguments: [String]
    /// `KEY=VALUE` strings.
    public var environment: [String]
    public var preopens: [Preopen]
    /// Fuel units the module may spend (nil = no limit; a unit is a call or a repetition of a
    /// loop, see `Configuration.fuel`); running out stops it (exit status 152).
    public var fuel: UInt64?
    /// Milliseconds the module may run, from the start of instantiation (nil = no limit); passing it stops
    /// the module (exit status 152).
    public var timeLimit: UInt64?
    public var limits: FileTreeLimits

    /// Why a fuel or time limit keeps a module off the ahead-of-time tier: compiled code has no
    /// count, and stopping a thread inside it from outside would leave its memory and the WASI
    /// state it shares with sel4img half-updated.
    public static let aotBoundsNote = "--fuel and --time-limit are counted by the interpreter only; compiled code (--aot) has no count to stop it by"

    /// The largest time limit in milliseconds: in nanoseconds it must fit 64 bits.
    public static let maximumTimeLimit: UInt64 = UInt64.max / 1_000_000

    public init(file: String, arguments: [String] = [], environment: [String] = [], preopens: [Preopen] = [],
                fuel: UInt64? = nil, timeLimit: UInt64? = nil, limits: FileTreeLimits = FileTreeLimits()) {
        self.file = file
        self.displayName = file
        self.arguments = arguments
        self.environment = environment
        self.preopens = preopens
        self.fuel = fuel
        self.timeLimit = timeLimit
        self.limits = limits
    }

    /// The store's bounds: fuel, and the time limit on CLOCK_MONOTONIC.
    public var configuration: Configuration {
        Configuration(fuel: fuel, timeLimit: timeLimit.map { milliseconds in
            TimeLimit(nanoseconds: min(milliseconds, Self.maximumTimeLimit) * 1_000_000) { HostPlatform().clock(1) ?? 0 }
        }, memoryReservation: HostPlatform.memoryReservation)
    }

    /// Decodes and validates the module (no directories read, nothing run).
    public func load() throws -> Module {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            let reason = FileManager.default.fileExists(atPath: file) ? "permission denied or not a file" : "no such file"
            throw WasmHostError.unreadable(displayName, reason)
        }
        do {
            return try Module.decode([UInt8](data))
        } catch {
            throw WasmHostError.invalid(displayName, error)
        }
    }

    /// Runs the module on the real stdio and returns its exit code (0-125; see
    /// `WasmExitStatus`: other codes, traps and failures throw WasmHostError).
    public func run() throws -> Int32 {
        try run(platform: HostPlatform()).status
    }

    /// Runs the module on `platform`; returns the exit code (0-125) and the
    /// platform afterwards (tests read captured output from it). Throws
    /// WasmHostError: a trap is `.trap` (exit status 134), an exit code outside
    /// 0-125 `.exitCodeOutOfRange` (255).
    public func run<Platform: WASIPlatform>(platform: Platform) throws -> (status: Int32, platform: Platform) {
        let (module, wasi) = try prepare(platform: platform)
        var imports = Imports()
        wasi.define(into: &imports)
        let configuration = self.configuration
        let store = Store(configuration: configuration)
        let instance: Instance
        do {
            instance = try Instance.instantiate(module, imports: imports, store: store)
        } catch {
            switch error {
            case .link(let link):
                throw WasmHostError.unlinkable(displayName, link.description, hint: wasiImportsHint)
            case .trap(let trap):
                if case .exit(let code) = trap.reason { return (try checked(code), wasi.platform) }
                throw WasmHostError.trap(displayName, trap, configuration)
            }
        }
        do {
            let status = try wasi.run(instance)
            return (try checked(status), wasi.platform)
        } catch let trap as Trap {
            throw WasmHostError.trap(displayName, trap, configuration)
        }
    }

    /// What every tier does before running: decode and validate the module, check that it is a
    /// WASI command, read the preopened directories, and make its WASI.
    func prepare<Platform: WASIPlatform>(platform: Platform) throws -> (Module, WASI<Platform>) {
        let module = try load()
        for item in module.imports where item.module != "wasi_snapshot_preview1" {
            throw WasmHostError.unlinkable(displayName, "imports \(item.module).\(item.name), which WASI does not provide",
                                           hint: "only modules built for WASI preview1 (wasm32-wasip1, wasm32-wasi) run here")
        }
        guard module.exports.contains(where: { $0.name == "_start" }) else {
            throw WasmHostError.unlinkable(displayName, "exports no _start function, so it is not a WASI command",
                                           hint: "build an executable, not a library (reactor)")
        }
        return (module, try makeWASI(platform: platform))
    }

    /// The module's WASI: its arguments, environment and the preopened directories, read now.
    func makeWASI<Platform: WASIPlatform>(platform: Platform) throws -> WASI<Platform> {
        var trees: [(guestPath: String, tree: WASIFileTree)] = []
        for preopen in preopens {
            trees.append((preopen.guestPath, try WASIFileTree.load(directory: preopen.hostDirectory, limits: limits)))
        }
        return WASI(arguments: [file] + arguments, environment: environment, preopens: trees, platform: platform)
    }

    /// The hint for an import WASI does not provide with that type.
    var wasiImportsHint: String {
        "sel4img provides the 46 functions of wasi_snapshot_preview1 with their witx signatures; see 'wasm-objdump -x -j Import \(displayName)'"
    }

    /// The module's exit code if it can be the process's exit status unchanged.
    func checked(_ code: Int32) throws -> Int32 {
        guard WasmExitStatus.moduleCodes.contains(code) else { throw WasmHostError.exitCodeOutOfRange(displayName, code) }
        return code
    }
}
