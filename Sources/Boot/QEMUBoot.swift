import Boards
import Emulator
import Foundation
import ImageAssembly
import ImageBuild
import Support

/// Boots one board/app build under QEMU: `plan()` derives a `BootPlan` from
/// the board, the app and the artifacts `artifacts.json` lists, checking
/// everything it can before QEMU starts; `run(_:)` carries it out.
public struct QEMUBoot: Sendable {
    public let board: Board
    public let app: App
    public let workspaceRoot: URL
    public let request: BootRequest
    /// The boards that have an emulator, named when this one has none.
    public let emulatedBoards: [String]
    public var blobs = BlobCache.standard

    public init(board: Board, app: App, workspaceRoot: URL, request: BootRequest, emulatedBoards: [String]) {
        self.board = board
        self.app = app
        self.workspaceRoot = workspaceRoot
        self.request = request
        self.emulatedBoards = emulatedBoards
    }

    public var paths: BuildPaths { BuildPaths(workspace: workspaceRoot, board: board.name, app: app.name) }
    var target: BootTarget { BootTarget(board: board.name, app: app.name) }
    static let uBoot = "u-boot.bin"

    /// The script session `request.script` asks for, checked: the app must
    /// say when its guest's shell is ready, and the file must parse.
    func scriptSession() throws -> ScriptSession? {
        guard let path = request.script else { return nil }
        guard let shellReady = app.console.shellReady else { throw NoShellReady(app: app.name) }
        let script = try ShellScript.load(from: URL(fileURLWithPath: path), shown: path)
        return try ScriptSession(script: script, shellReady: shellReady, shellReadyOption: "apps/\(app.name).yaml console.shellReady",
                                 commandTimeout: request.commandTimeout)
    }

    /// Derives the plan; nothing is started or fetched.
    public func plan() throws -> BootPlan {
        // The script is checked before anything else is looked at.
        let session = try scriptSession()
        guard let qemu = board.qemu else { throw NoEmulator(board: board.name, emulated: emulatedBoards) }
        let index = ArtifactIndex.read(paths.artifactsDirectory)
        let medium: BootPlan.Medium
        let boot: BootMedium
        if request.disk {
            guard let uBoot = board.bootloader.blobs[Self.uBoot] else {
                throw BoardError(kind: .missingKey, file: "boards/\(board.name).yaml", line: nil, keyPath: "bootloader.blobs.\(Self.uBoot)",
                                 message: "--disk boots through U-Boot, and the board declares no \(Self.uBoot)",
                                 hint: "boot without --disk, or declare \(Self.uBoot) under bootloader.blobs (see boards/README.md)")
            }
            let image = try index.url(forRole: ArtifactRole.disk, buildCommand: target.buildCommand)
            let bios = blobs.cachedFile(for: uBoot)
            medium = .init(kind: .disk, image: image.path, bios: bios.path)
            boot = .disk(image: image, bios: bios)
        } else {
            // Direct boot takes the elfloader ELF when the app collects it: the
            // image proper may be a uImage or binary meant for U-Boot.
            let role = index.contains(role: ArtifactRole.elfloader) ? ArtifactRole.elfloader : ArtifactRole.image
            let image = try index.url(forRole: role, buildCommand: target.buildCommand)
            medium = .init(kind: .kernel, image: image.path, bios: nil)
            boot = .kernel(image)
        }
        let configuration = QEMUConfiguration(
            boot: boot, binary: qemu.binary, machine: app.qemuMachine ?? qemu.machine, cpu: qemu.cpu,
            memory: Quantity.formatSize(qemu.memory), extraArgs: qemu.extraArgs)
        // With a script, the commands' statuses decide the run, not success patterns.
        let success = session != nil ? [] : request.expect.isEmpty ? app.console.success : request.expect
        let failure = request.fail.isEmpty ? app.console.failure : request.fail
        if !request.interactive { _ = try ConsoleExpectations(success: success, failure: failure) }
        let console = BootPlan.Console(
            success: request.interactive ? [] : success, failure: request.interactive ? [] : failure, interactive: request.interactive,
            timeoutSeconds: request.timeout ?? Double(app.console.timeoutSeconds),
            script: request.script, shellReady: session?.shellReady, commandTimeoutSeconds: session?.commandTimeout,
            log: paths.artifactsDirectory.appendingPathComponent("console.log").path)
        return BootPlan(board: board.name, app: app.name, medium: medium, qemu: configuration, arguments: configuration.arguments(), console: console)
    }

    /// Where a boot reports what happens: the command line it starts, every
    /// console line, every finished script command, and the result.
    public struct Reporter {
        public var started: (String) -> Void
        public var line: @Sendable (String) throws -> Void
        public var command: (ScriptCommandResult) -> Void
        public var finished: (BootResult) -> Void

        public init(started: @escaping (String) -> Void, line: @escaping @Sendable (String) throws -> Void,
                    command: @escaping (ScriptCommandResult) -> Void, finished: @escaping (BootResult) -> Void) {
            self.started = started
            self.line = line
            self.command = command
            self.finished = finished
        }
    }

    /// Boots as `plan` says (U-Boot fetched and verified first for a disk
    /// boot). Returns the exit status the `qemu` contract names: 0 passed,
    /// 1 failed, 2 timed out; an interactive session's own status.
    public func run(_ plan: BootPlan, reporter: Reporter) throws -> Int32 {
        var configuration = plan.qemu
        if plan.medium.kind == .disk, let uBoot = board.bootloader.blobs[Self.uBoot] {
            configuration.boot = .disk(image: URL(fileURLWithPath: plan.medium.image), bios: try blobs.fetch(Self.uBoot, uBoot))
        }
        if plan.console.interactive {
            return try InteractiveSession(configuration: configuration, target: target).run()
        }
        let expectations = try ConsoleExpectations(success: plan.console.success, failure: plan.console.failure)
        let run = try BootRun(configuration: configuration, target: target, expectations: expectations,
                              timeout: plan.console.timeoutSeconds, logFile: URL(fileURLWithPath: plan.console.log), script: try scriptSession())
        reporter.started(ProcessRunner.quote(configuration.arguments()))
        let result = try run.run(onLine: reporter.line, onCommand: reporter.command)
        reporter.finished(result)
        return result.exitCode
    }
}

/// `--script` for an app whose guest runs no shell sel4img can recognise.
public struct NoShellReady: UserFacingError {
    public var app: String
    public var description: String { "app '\(app)' has no console.shellReady pattern, so sel4img cannot tell when its guest's shell takes --script commands" }
    public var hint: String? { "--script is for apps whose guest runs a shell on the console; such an app sets 'shellReady' under 'console:' in apps/\(app).yaml" }
}

/// A board QEMU cannot run.
public struct NoEmulator: UserFacingError {
    public var board: String
    public var emulated: [String]
    public var description: String { "board '\(board)' has no emulator; boards that boot under QEMU: \(emulated.joined(separator: ", "))" }
    public var hint: String? { "build an image for \(board) and flash it ('sel4img build --board \(board)')" }
}
