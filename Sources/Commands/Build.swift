import ArgumentParser
import Boards
import Doctor
import Foundation
import ImageBuild
import Support
import Workspace

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build an app for a board: sync, patch, configure seL4's CMake, run Ninja, collect artifacts.",
        discussion: """
            In a new or empty directory this starts a workspace from the app's pinned manifest; any other directory that is not a workspace yet is refused, so the checkouts never mix with your files (pass -w DIR, or run 'sel4img init' there first). The build directory is build/BOARD-APP and the outputs (seL4 image, kernel, DTB, root task, SHA256SUMS) land in artifacts/BOARD-APP. A second build with nothing changed only asks Ninja, and says so. The full log is build/BOARD-APP/sel4img-build.log.

            Example, offline from a mirror:
              sel4img build --board qemu-virt --app sel4test -w ~/sel4 --mirror /srv/mirror

            The wasm-runner app runs WebAssembly modules (WASI preview1) as the root task; each is decoded and validated before the build starts:
              sel4img build --app wasm-runner --wasm hello.wasm,args.wasm --args "one two"
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var mirrorOptions: MirrorOptions
    @OptionGroup var target: TargetOptions
    @OptionGroup var wasmOptions: WasmOptions

    @Flag(help: "Refuse to build unless sel4img.lock matches the manifest.")
    var locked = false

    @Flag(help: "Build the tree as it is: no sync, no patches.")
    var noSync = false

    @Option(help: ArgumentHelp("Memory size for boards sold in several (rpi4: 1G, 2G, 4G, 8G).", valueName: "size"))
    var memory: String?

    @Flag(help: "Print the result as JSON on stdout.")
    var json = false

    func run() throws {
        let result = try Self.runBuild(global: global, mirror: mirrorOptions, target: target, locked: locked, noSync: noSync, memory: memory,
                                       wasm: wasmOptions)
        if json { return try printJSON(result.result) }
        print(result.summary)
    }

    struct Outcome {
        var result: BuildResult
        var summary: String
        var paths: BuildPaths
    }

    /// Shared with `sel4img test`.
    static func runBuild(global: GlobalOptions, mirror: MirrorOptions, target: TargetOptions, locked: Bool, noSync: Bool, memory: String?,
                         wasm: WasmOptions = WasmOptions()) throws -> Outcome {
        let catalogs = try DataCatalogs.load()
        let board = try catalogs.boards.board(named: target.board)
        let app = try catalogs.apps.app(named: target.app)
        let progress = try global.reporter()
        var memorySize: UInt64?
        if let memory {
            guard let size = Quantity.size(memory) else {
                throw ValidationError("--memory must be a size like 4G or 4096M; got '\(memory)'")
            }
            memorySize = size
        }
        let pipeline = BuildPipeline(
            dataDirectory: catalogs.directory, workspaceRoot: global.workspaceURL, board: board, app: app,
            options: .init(mirror: mirror.mirrorURL.map(Mirror.init), locked: locked, noSync: noSync, memorySize: memorySize,
                           wasm: try wasm.bundle()))
        // Bad modules or missing --wasm stop the build before any work, then a directory it must not initialise, then missing tools.
        try pipeline.checkInputs()
        try pipeline.checkWorkspaceDirectory()
        try Doctor.require(["cmake", "ninja", board.crossCompilerPrefix + "gcc", "dtc", "protoc", "xmllint", "cpio", "python3"])
        _ = try pipeline.prepareWorkspace(progress: progress)
        if try pipeline.builder().configureDecision() != .reuse {
            // CMake is about to run seL4's Python generators: check their modules first.
            try Doctor.require(HostCheck.standard.filter { $0.required && $0.name.hasPrefix("python3 module ") }.map(\.name))
        }
        let result = try pipeline.build(progress: progress)
        let paths = pipeline.paths
        var lines: [String] = []
        if let reason = result.configureReason { lines.append("Configured (\(reason)).") }
        lines.append(result.ninjaDidWork
            ? String(format: "Built %@ in %.1f s (%d Ninja steps).", paths.label, result.seconds, result.ninjaSteps)
            : String(format: "%@ is up to date: Ninja had no work to do (%.2f s).", paths.label, result.seconds))
        lines.append("Artifacts in \(paths.artifactsDirectory.path):")
        lines += TextColumns(indent: "  ", result.artifacts.map { [$0.role, "\($0.file) (\($0.size) bytes)"] }).lines
        return Outcome(result: result, summary: lines.joined(separator: "\n"), paths: paths)
    }
}

/// `--wasm` and `--args`, for apps that run WebAssembly modules (wasm-runner).
struct WasmOptions: ParsableArguments {
    @Option(help: ArgumentHelp("WebAssembly modules to run, in order: comma-separated, or repeat the option (apps like wasm-runner).", valueName: "file.wasm"))
    var wasm: [String] = []

    @Option(help: ArgumentHelp("Arguments every module gets after its name, split like a shell would (quotes allowed).", valueName: "words"))
    var args: String?

    /// The modules and arguments given, or nil when no --wasm was given.
    func bundle() throws -> WasmBundle? {
        let files = wasm.flatMap { $0.split(separator: ",").map(String.init) }.filter { !$0.isEmpty }
        if files.isEmpty {
            if args != nil { throw ValidationError("--args gives arguments to WebAssembly modules; pass the modules with --wasm too") }
            return nil
        }
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let urls = files.map { URL(fileURLWithPath: $0, relativeTo: cwd).standardizedFileURL }
        return WasmBundle(modules: urls, arguments: try args.map(WasmBundle.splitArguments) ?? [])
    }
}
