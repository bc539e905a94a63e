import ArgumentParser
import Boards
import Emulator
import Foundation
import ImageAssembly
import ImageBuild
import Support

struct QEMU: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qemu",
        abstract: "Boot a build under QEMU and tell pass from fail.",
        discussion: """
            Streams the serial console and stops QEMU as soon as the app's success or failure pattern appears, or the timeout passes. Exit status: 0 passed, 1 a failure pattern matched (or QEMU stopped by itself), 2 timed out. The console is saved as artifacts/BOARD-APP/console.log. With --interactive the console is yours; quit QEMU with Ctrl-A X. With --script FILE (apps whose guest runs a shell, 'console.shellReady'), sel4img waits for the shell, types FILE's commands one by one and passes when each exits 0, or N for a line ending in '#=> N'; it stops at the first other status (exit 1) or a command that takes longer than --command-timeout (exit 2).
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var target: TargetOptions

    @Option(help: ArgumentHelp("Seconds to wait for a pattern (default: the app's, 600 for sel4test).", valueName: "s"))
    var timeout: Double?

    @Option(help: ArgumentHelp("A regular expression that means success; repeat for several (replaces the app's).", valueName: "re"))
    var expect: [String] = []

    @Option(help: ArgumentHelp("A regular expression that means failure; repeat for several (replaces the app's).", valueName: "re"))
    var fail: [String] = []

    @Flag(help: "Give the console to the user instead of watching it.")
    var interactive = false

    @Flag(help: "Boot the build's disk image through U-Boot (the board's u-boot.bin as -bios), as the board would boot from its SD card.")
    var disk = false

    @Option(help: ArgumentHelp("Shell commands to run in the guest once its shell is ready, one per line; '#=> N' at the end of a line expects exit status N instead of 0.", valueName: "file"),
            completion: .file())
    var script: String?

    @Option(help: ArgumentHelp("Seconds each --script command may take (default: \(Int(ScriptSession.defaultCommandTimeout))).", valueName: "s"))
    var commandTimeout: Double?

    func validate() throws {
        if let timeout, !(timeout > 0) { throw ValidationError("--timeout must be a positive number of seconds; got \(timeout)") }
        if let commandTimeout {
            guard script != nil else { throw ValidationError("--command-timeout only applies with --script") }
            guard commandTimeout > 0 && commandTimeout.isFinite else {
                throw ValidationError("--command-timeout must be a positive number of seconds; got \(commandTimeout)")
            }
        }
        if script != nil {
            if interactive { throw ValidationError("--script and --interactive cannot be used together: with --script sel4img types on the console") }
            if !expect.isEmpty { throw ValidationError("--script and --expect cannot be used together: the script's exit statuses decide the run") }
        }
    }

    func run() throws {
        let code = try Self.boot(global: global, target: target, timeout: timeout, expect: expect, fail: fail, interactive: interactive, disk: disk,
                                 script: script, commandTimeout: commandTimeout ?? ScriptSession.defaultCommandTimeout)
        if code != 0 { throw ExitCode(code) }
    }

    /// Shared with `sel4img test`. Returns the exit status the contract names.
    static func boot(global: GlobalOptions, target: TargetOptions, timeout: Double?, expect: [String], fail: [String], interactive: Bool, disk: Bool = false,
                     script scriptPath: String? = nil, commandTimeout: Double = ScriptSession.defaultCommandTimeout) throws -> Int32 {
        let catalogs = try DataCatalogs.load()
        let board = try catalogs.boards.board(named: target.board)
        let app = try catalogs.apps.app(named: target.app)
        // The script is checked before anything else is looked at or started.
        var session: ScriptSession?
        if let scriptPath {
            guard let shellReady = app.console.shellReady else { throw NoShellReady(app: app.name) }
            let script = try ShellScript.load(from: URL(fileURLWithPath: scriptPath), shown: scriptPath)
            session = try ScriptSession(script: script, shellReady: shellReady,
                                        shellReadyOption: "apps/\(app.name).yaml console.shellReady", commandTimeout: commandTimeout)
        }
        guard let qemu = board.qemu else {
            let emulated = catalogs.boards.names.filter { catalogs.boards.boards[$0]?.qemu != nil }
            throw NoEmulator(board: board.name, emulated: emulated)
        }
        let paths = BuildPaths(workspace: global.workspaceURL, board: board.name, app: app.name)
        // Direct boot takes the elfloader ELF when the app collects it: the
        // image proper may be a uImage or binary meant for U-Boot.
        let index = try ArtifactIndex.read(paths.artifactsDirectory)
        let buildCommand = "sel4img build --board \(board.name) --app \(app.name)"
        let medium: Emulator.BootMedium
        if disk {
            guard let uBoot = board.bootloader.blobs["u-boot.bin"] else {
                throw ValidationError("--disk needs U-Boot: boards/\(board.name).yaml declares no bootloader.blobs u-boot.bin")
            }
            medium = .disk(image: try index.url(forRole: "disk", in: paths.artifactsDirectory, buildCommand: buildCommand),
                           bios: try BlobCache.standard.fetch("u-boot.bin", uBoot))
        } else {
            medium = .kernel(index.artifacts.contains { $0.role == "elfloader" }
                ? try index.url(forRole: "elfloader", in: paths.artifactsDirectory, buildCommand: buildCommand)
                : try index.url(forRole: App.imageRole, in: paths.artifactsDirectory, buildCommand: buildCommand))
        }
        let configuration = QEMUConfiguration(
            boot: medium, binary: qemu.binary, machine: app.qemuMachine ?? qemu.machine, cpu: qemu.cpu,
            memory: Quantity.formatSize(qemu.memory), extraArgs: qemu.extraArgs)
        let bootTarget = BootTarget(board: board.name, app: app.name)
        if interactive {
            return try InteractiveSession(configuration: configuration, target: bootTarget).run()
        }
        // With a script, the commands' statuses decide the run, not success patterns.
        let expectations = try ConsoleExpectations(success: session != nil ? [] : expect.isEmpty ? app.console.success : expect,
                                                   failure: fail.isEmpty ? app.console.failure : fail)
        let log = paths.artifactsDirectory.appendingPathComponent("console.log")
        let run = try BootRun(configuration: configuration, target: bootTarget, expectations: expectations,
                              timeout: timeout ?? Double(app.console.timeoutSeconds), logFile: log, script: session)
        FileHandle.standardError.write(Data("$ \(ProcessRunner.quote(configuration.arguments()))\n".utf8))
        let result = try run.run(onLine: { line in print(line) }, onCommand: { finished in
            // Console lines go to stdout; flush them so this line follows them in a shared log.
            fflush(nil)
            FileHandle.standardError.write(Data((finished.progressLine + "\n").utf8))
        })
        FileHandle.standardError.write(Data("\(result.outcome.isPassed ? "PASS" : "FAIL"): \(result.reason) (\(String(format: "%.1f", result.elapsed)) s; console log: \(log.path))\n".utf8))
        return result.exitCode
    }
}

struct NoShellReady: UserFacingError {
    var app: String
    var description: String { "app '\(app)' has no console.shellReady pattern, so sel4img cannot tell when its guest's shell takes --script commands" }
    var hint: String? { "--script is for apps whose guest runs a shell on the console; such an app sets 'shellReady' under 'console:' in apps/\(app).yaml" }
}

struct NoEmulator: UserFacingError {
    var board: String
    var emulated: [String]
    var description: String { "board '\(board)' has no emulator; boards that boot under QEMU: \(emulated.joined(separator: ", "))" }
    var hint: String? { "build an image for \(board) and flash it ('sel4img build --board \(board)')" }
}

/// Reads `artifacts.json` to find a build's output by role.
struct ArtifactIndex {
    var artifacts: [Artifact]

    static func read(_ dir: URL) throws -> ArtifactIndex {
        ArtifactIndex(artifacts: Artifact.recorded(in: dir) ?? [])
    }

    func url(forRole role: String, in dir: URL, buildCommand: String) throws -> URL {
        guard let a = artifacts.first(where: { $0.role == role }) else {
            throw MissingArtifact(directory: dir.path, role: role, buildCommand: buildCommand)
        }
        return dir.appendingPathComponent(a.file)
    }
}

struct MissingArtifact: UserFacingError {
    var directory: String
    var role: String
    var buildCommand: String
    var description: String { "no \(role) has been built in \(directory)" }
    var hint: String? { "run '\(buildCommand)' first" }
}
