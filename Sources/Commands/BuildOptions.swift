import ArgumentParser
import Boards
import Foundation
import ImageBuild
import Support
import Workspace

/// The options `build` and `test` share: board and app, memory size, modules,
/// mirror, lock and sync. `pipeline` derives the library's build from them.
struct BuildOptions: ParsableArguments {
    @OptionGroup var target: TargetOptions
    @OptionGroup var mirrorOptions: MirrorOptions
    @OptionGroup var wasmOptions: WasmOptions

    @Flag(help: "Refuse to build unless sel4img.lock matches the manifest.")
    var locked = false

    @Flag(help: "Build the tree as it is: no sync, no patches.")
    var noSync = false

    @Option(help: ArgumentHelp("Memory size for boards sold in several (rpi4: 1G, 2G, 4G, 8G).", valueName: "size"))
    var memory: String?

    @Flag(help: "Build for the board's QEMU machine ('sel4img qemu'): rpi4 for raspi4b, with its 2G of memory and seL4's SIMULATION=TRUE, which leaves out sel4test's tests that need the platform timer's interrupt (QEMU does not route it to the GIC); for wasm-vm also the guest device tree's emulated overlay (rpi4: the mini UART clock QEMU's UART model needs). Such an image is for QEMU, not for the board.")
    var emulated = false

    @Option(help: ArgumentHelp("Compile through ccache with a cache that workspaces (and machines) share: a directory, or redis://HOST:PORT. musllibc's whole build is reused from DIR/seL4-memoize (with Redis: ~/.cache/sel4img/seL4-memoize or $SEL4IMG_MEMOIZE_CACHE). Default: $SEL4IMG_CACHE.",
                               valueName: "dir|redis://host:port"))
    var cache: String?

    @Flag(help: "Build without a compiler cache, even when SEL4IMG_CACHE is set.")
    var noCache = false

    @Option(help: ArgumentHelp("CPU cores for apps written for a choice (wasm-vm: 2, the default, gives the Wasm runner core 1 and the guest's vCPU core 0; 1 shares one core round-robin). 'sel4img qemu' boots the build with as many (-smp).",
                               valueName: "n"),
            transform: { text in
                guard let count = Int(text), count > 0 else { throw ValidationError("give a whole number of CPU cores, like 1 or 2") }
                return count
            })
    var cores: Int?

    func validate() throws {
        if cache != nil, noCache { throw ValidationError("--cache and --no-cache contradict each other; give one") }
        if let memory, Quantity.size(memory) == nil {
            throw ValidationError("--memory must be a size like 4G or 4096M; got '\(memory)'")
        }
    }

    /// The build these options describe, with the board and app from `catalogs`.
    func pipeline(catalogs: DataCatalogs, workspace: URL, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> BuildPipeline {
        let (board, app) = try target.resolve(catalogs)
        var options = BuildPipeline.Options(mirror: mirrorOptions.mirrorURL.map(Mirror.init), locked: locked, noSync: noSync,
                                            memorySize: memory.flatMap(Quantity.size), wasm: try wasmOptions.bundle(), emulated: emulated)
        options.compilerCache = try compilerCache(environment: environment)
        options.cores = cores
        return BuildPipeline(dataDirectory: catalogs.directory, workspaceRoot: workspace, board: board, app: app, options: options)
    }

    /// `--cache`, else SEL4IMG_CACHE (unless --no-cache or it is empty).
    func compilerCache(environment: [String: String]) throws -> CompilerCache? {
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        if let cache { return try CompilerCache.parse(cache, setting: "--cache", currentDirectory: cwd, environment: environment) }
        guard !noCache, let value = environment["SEL4IMG_CACHE"], !value.isEmpty else { return nil }
        return try CompilerCache.parse(value, setting: "SEL4IMG_CACHE", currentDirectory: cwd, environment: environment)
    }
}

/// `--wasm` and `--args`, for apps that run WebAssembly modules (wasm-runner).
struct WasmOptions: ParsableArguments {
    @Option(help: ArgumentHelp("WebAssembly modules to run, in order: comma-separated, or repeat the option (apps like wasm-runner).", valueName: "file.wasm"))
    var wasm: [String] = []

    @Option(help: ArgumentHelp("Arguments every module gets after its name, split like a shell would (quotes allowed).", valueName: "words"))
    var args: String?

    @Option(help: ArgumentHelp("""
        Which tier runs the modules on seL4 (wasm-runner): 'aot' translates each with wabt's wasm2c at build time and runs it \
        natively (a module wasm2c cannot translate runs on the interpreter), 'interpreter' translates nothing, 'both' runs each \
        translated module ahead of time and then on the interpreter in the same boot and prints the time ratio.
        """, valueName: "tier"))
    var wasmTier: WasmBundle.Tier = .aot

    /// The modules and arguments given, or nil when no --wasm was given.
    func bundle() throws -> WasmBundle? {
        let files = wasm.flatMap { $0.split(separator: ",").map(String.init) }.filter { !$0.isEmpty }
        if files.isEmpty {
            if args != nil { throw ValidationError("--args gives arguments to WebAssembly modules; pass the modules with --wasm too") }
            if wasmTier != .aot { throw ValidationError("--wasm-tier chooses how WebAssembly modules run; pass the modules with --wasm too") }
            return nil
        }
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let urls = files.map { URL(fileURLWithPath: $0, relativeTo: cwd).standardizedFileURL }
        return WasmBundle(modules: urls, arguments: try args.map(WasmBundle.splitArguments) ?? [], tier: wasmTier)
    }
}

/// The one-screen summary of a finished build.
func buildSummary(_ result: BuildResult, paths: BuildPaths) -> String {
    var lines: [String] = []
    if let reason = result.configureReason { lines.append("Configured (\(reason)).") }
    lines.append(result.ninjaDidWork
        ? String(format: "Built %@ in %.1f s (%d Ninja steps).", paths.label, result.seconds, result.ninjaSteps)
        : String(format: "%@ is up to date: Ninja had no work to do (%.2f s).", paths.label, result.seconds))
    if let cache = result.compilerCache { lines.append(cache.summary) }
    lines.append("Artifacts in \(paths.artifactsDirectory.path):")
    lines += TextColumns(indent: "  ", result.artifacts.map { [$0.role, "\($0.file) (\($0.size) bytes)"] }).lines
    return lines.joined(separator: "\n")
}

extension WasmBundle.Tier: ExpressibleByArgument {}
