import ArgumentParser
import Boot
import Emulator
import Foundation
import Support

struct QEMU: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qemu",
        abstract: "Boot a build under QEMU and tell pass from fail.",
        discussion: """
            Streams the serial console and stops QEMU as soon as the app's success or failure pattern appears, or the timeout passes. Exit status: 0 passed, 1 a failure pattern matched (or QEMU stopped by itself), 2 timed out. The console is saved as artifacts/BOARD-APP/console.log. With --interactive the console is yours; quit QEMU with Ctrl-A X. With --script FILE (apps whose guest runs a shell, 'console.shellReady'), sel4img waits for the shell, types FILE's commands one by one and passes when each exits 0, or N for a line ending in '#=> N'; it stops at the first other status (exit 1) or a command that takes longer than --command-timeout (exit 2). Before QEMU starts, a build the machine cannot run is refused: one for more memory than the machine has (rebuild with --memory), or, where the app's guest needs the board's emulated overlay (wasm-vm on rpi4), one built without --emulated. With --plan it prints what it would boot (medium, QEMU command line, console patterns) as JSON and starts nothing.
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

    @Flag(help: "Boot the build's disk image through U-Boot (qemu-virt: the board's u-boot.bin as -bios), as the board would boot from its SD card. rpi4 always boots this way, on QEMU's raspi4b (QEMU 9 or newer; build with --emulated).")
    var disk = false

    @Option(help: ArgumentHelp("Shell commands to run in the guest once its shell is ready, one per line; '#=> N' at the end of a line expects exit status N instead of 0.", valueName: "file"),
            completion: .file())
    var script: String?

    @Option(help: ArgumentHelp("Seconds each --script command may take (default: \(Int(ScriptSession.defaultCommandTimeout))).", valueName: "s"))
    var commandTimeout: Double?

    @Flag(help: "Print the boot plan as JSON and stop, without starting QEMU.")
    var plan = false

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

    var request: BootRequest {
        BootRequest(timeout: timeout, expect: expect, fail: fail, interactive: interactive, disk: disk, script: script,
                    commandTimeout: commandTimeout ?? ScriptSession.defaultCommandTimeout)
    }

    /// The library's boot for these options (tests check its plan without running).
    func boot(catalogs: DataCatalogs) throws -> QEMUBoot {
        let (board, app) = try target.resolve(catalogs)
        return QEMUBoot(board: board, app: app, workspaceRoot: global.workspaceURL, request: request, emulatedBoards: catalogs.emulatedBoards)
    }

    func run() throws {
        let boot = try boot(catalogs: try DataCatalogs.load())
        let plan = try boot.plan()
        if self.plan { return print(try plan.json()) }
        let code = try boot.run(plan, reporter: .console)
        if code != 0 { throw ExitCode(code) }
    }
}

extension QEMUBoot.Reporter {
    /// Console lines on stdout; the QEMU command line, finished script
    /// commands and the verdict on stderr.
    static var console: QEMUBoot.Reporter {
        QEMUBoot.Reporter(
            started: { command in FileHandle.standardError.write(Data("$ \(command)\n".utf8)) },
            line: { line in print(line) },
            command: { finished in
                // Console lines go to stdout; flush them so this line follows them in a shared log.
                fflush(nil)
                FileHandle.standardError.write(Data((finished.progressLine + "\n").utf8))
            },
            finished: { result in
                let log = result.logFile?.path ?? ""
                FileHandle.standardError.write(Data("\(result.outcome.isPassed ? "PASS" : "FAIL"): \(result.reason) (\(String(format: "%.1f", result.elapsed)) s; console log: \(log))\n".utf8))
            })
    }
}
