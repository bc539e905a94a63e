import ArgumentParser
import Boot
import Foundation

struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Build an app for a board, then boot it under QEMU and report pass/fail (for CI).",
        discussion: "Same options as 'build' and 'qemu'; exit status as 'qemu' (0 passed, 1 failed, 2 timed out)."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: BuildOptions

    @Option(help: ArgumentHelp("Seconds to wait for a pattern (default: the app's).", valueName: "s"))
    var timeout: Double?

    /// What the boot after the build is asked to do.
    var bootRequest: BootRequest { BootRequest(timeout: timeout) }

    func run() throws {
        let catalogs = try DataCatalogs.load()
        let pipeline = try options.pipeline(catalogs: catalogs, workspace: global.workspaceURL)
        let result = try pipeline.run(try pipeline.plan(), progress: try global.reporter())
        FileHandle.standardError.write(Data((buildSummary(result, paths: pipeline.paths) + "\n").utf8))
        let boot = QEMUBoot(board: pipeline.board, app: pipeline.app, workspaceRoot: global.workspaceURL, request: bootRequest,
                            emulatedBoards: catalogs.emulatedBoards)
        let code = try boot.run(try boot.plan(), reporter: .console)
        if code != 0 { throw ExitCode(code) }
    }
}
