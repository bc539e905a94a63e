import ArgumentParser
import Boards
import Foundation
import Support
import WasmHost

struct WasmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wasm",
        abstract: "Run WebAssembly (WASI preview1) programs with sel4img's own engine, the one the seL4 wasm-runner uses.",
        discussion: """
            Try a module on Linux before booting it on seL4: same decoder, validator, interpreter and WASI, so a program that runs here runs there.
              sel4img wasm run hello.wasm
            """,
        subcommands: [Run.self]
    )

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run a WASI command module with arguments, environment and read-only directories.",
            discussion: """
                The module gets sel4img's own stdin, stdout and stderr, its arguments (argv[0] is FILE as given), only the environment given with --env, and only the directories given with --dir, read-only (writes fail with EROFS).
                  sel4img wasm run hello.wasm
                  sel4img wasm run cat.wasm data/input.txt --dir data --env LANG=C
                  sel4img wasm run tool.wasm --dir build/assets::/assets -- --verbose
                Arguments after '--' all go to the module, even ones that look like sel4img options.

                Exit status: 0-125 is the module's exit code (its proc_exit code, 0 when _start returns); the others are sel4img's, each with an error line on stderr: 126 when the module cannot run (unreadable, invalid, an import WASI does not provide); 134 when it traps (like a process killed by SIGABRT, 128 + 6); 152 when --fuel or --time-limit stopped it (like a process over its CPU-time limit, 128 + SIGXCPU); 255 when it exits with a code outside 0-125 (proc_exit(1000)). So a module cannot pass for a trap by exiting 134. For example:
                  $ sel4img wasm run d.wasm; echo $?
                  error: d.wasm: trap: integer divide by zero in function 0 ($f) at offset 0x3c
                  134

                With --aot the module runs ahead of time instead: wabt's wasm2c translates it to C, the host's C compiler (cc -O2, or $CC) builds that into a shared object, cached under ~/.cache/sel4img/aot ($XDG_CACHE_HOME, or $SEL4IMG_AOT_CACHE) by the module's SHA-256 and the toolchain, so only the first run compiles. Output, exit status and trap messages are the interpreter's (trap messages without the function and offset). A module wasm2c or the compiler cannot handle runs on the interpreter after a one-line note saying why; so does every module when --fuel or --time-limit is given, as only the interpreter counts them.
                  sel4img wasm run --aot nbody.wasm 2000000

                Where modules come from: anything built for wasm32-wasip1 (wasm32-wasi):
                  python3 -m ziglang cc -target wasm32-wasi -O2 hello.c -o hello.wasm
                  cargo build --target wasm32-wasip1 --release
                  wat2wasm hello.wat -o hello.wasm    (imports from wasi_snapshot_preview1)
                """)

        @Argument(help: ArgumentHelp("The module to run (.wasm binary).", valueName: "file.wasm"))
        var file: String

        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Arguments for the module (argv[1]…).", valueName: "args"))
        var arguments: [String] = []

        @Option(name: .customLong("dir"), help: ArgumentHelp("Preopen a host directory read-only, at the same path or at GUESTDIR (e.g. data::/data). Repeatable.", valueName: "hostdir[::guestdir]"))
        var directories: [String] = []

        @Option(name: .customLong("env"), help: ArgumentHelp("Set an environment variable for the module. Repeatable.", valueName: "key=value"))
        var environment: [String] = []

        @Option(parsing: .unconditional,
                help: ArgumentHelp("Stop the module (exit status 152) when it has spent N units of fuel: one per call and one per repetition of a loop (default: no limit).", valueName: "n"),
                transform: { try Run.wholeNumber($0, unit: "units", maximum: .max) })
        var fuel: UInt64?

        @Flag(help: "Compile the module ahead of time with wasm2c and the host's C compiler (cached), then run it natively (with --fuel or --time-limit: on the interpreter, after a note).")
        var aot = false

        @Option(name: .customLong("time-limit"), parsing: .unconditional,
                help: ArgumentHelp("Stop the module (exit status 152) when it is still running MS milliseconds after it started, instantiation included (default: no limit).", valueName: "ms"),
                transform: { try Run.wholeNumber($0, unit: "milliseconds", maximum: WasmRunner.maximumTimeLimit) })
        var timeLimit: UInt64?

        /// A bound's value: digits only (no sign, no fraction), within 64 bits; the range is
        /// checked in `validate()`.
        static func wholeNumber(_ text: String, unit: String, maximum: UInt64) throws -> UInt64 {
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = UInt64(text) else {
                throw ValidationError("give a whole number of \(unit) from 1 to \(maximum)")
            }
            return value
        }

        func validate() throws {
            for pair in environment where !pair.contains("=") || pair.hasPrefix("=") {
                throw ValidationError("--env \(pair.escapingControlCharacters): give KEY=VALUE")
            }
            for spec in directories {
                let preopen = WasmRunner.Preopen(parsing: spec)
                if preopen.guestPath.isEmpty || preopen.hostDirectory.path.isEmpty {
                    throw ValidationError("--dir \(spec.escapingControlCharacters): give HOSTDIR or HOSTDIR::GUESTDIR")
                }
                if !FileManager.default.isDirectory(preopen.hostDirectory) {
                    throw ValidationError("--dir \(spec.escapingControlCharacters): \(preopen.hostDirectory.path.escapingControlCharacters) is not a directory")
                }
            }
            if fuel == 0 { throw ValidationError("--fuel must be at least 1") }
            if timeLimit == 0 { throw ValidationError("--time-limit must be at least 1 (milliseconds)") }
            if let timeLimit, timeLimit > WasmRunner.maximumTimeLimit {
                throw ValidationError("--time-limit must be at most \(WasmRunner.maximumTimeLimit) (milliseconds)")
            }
        }

        /// The runner the options describe (tests check it without running).
        var runner: WasmRunner {
            // The first "--" only separates; everything after it was left to the module.
            var moduleArguments = arguments
            if let separator = moduleArguments.firstIndex(of: "--") { moduleArguments.remove(at: separator) }
            return WasmRunner(file: file, arguments: moduleArguments, environment: environment,
                              preopens: directories.map(WasmRunner.Preopen.init(parsing:)), fuel: fuel, timeLimit: timeLimit)
        }

        /// The ahead-of-time tier --aot asks for: the glue from sel4img's data directory, the
        /// cache from the environment.
        var aotTier: AOTTier? {
            guard aot else { return nil }
            let data = DataDirectory.locate() ?? URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            return AOTTier(glue: data.appendingPathComponent(AOTTier.gluePath), cacheDirectory: AOTTier.defaultCacheDirectory())
        }

        func run() throws {
            let status: Int32
            if let tier = aotTier {
                status = try runner.run(aot: tier, platform: HostPlatform()) { note in
                    FileHandle.standardError.write(Data("note: \(note)\n".utf8))
                }.status
            } else {
                status = try runner.run()
            }
            if status != 0 { throw ExitCode(status) }
        }
    }
}
