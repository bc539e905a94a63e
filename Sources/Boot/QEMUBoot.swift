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

    /// Refuses, before QEMU starts, an image built for more memory than the
    /// machine has: the build's memory setting is read from its provenance.
    func checkMemory(_ qemu: Board.QEMU) throws {
        guard let setting = board.memory.sizeSetting, board.memory.variants != nil else { return }
        let file = paths.artifactsDirectory.appendingPathComponent("provenance.json")
        guard FileManager.default.fileExists(atPath: file.path) else { return }
        let provenance = try Provenance.read(file)
        guard let value = provenance.cmakeSettings[setting], let mib = UInt64(value) else { return }
        let built = mib << 20
        if built > qemu.memory {
            throw MemoryTooLarge(board: board.name, app: app.name, built: built, setting: "\(setting)=\(value)", machine: qemu.machine, available: qemu.memory)
        }
    }

    /// Refuses, before QEMU starts, an image built for the board itself when
    /// the app's guest needs the board's emulated overlay under QEMU
    /// (`guest.boards.BOARD.emulatedOverlay`, rpi4's mini UART clock): the
    /// build's `provenance.json` lists the overlay it applied as a
    /// component. Apps and boards without such an overlay boot either build.
    func checkEmulated(image: URL) throws {
        guard let overlay = app.guest?.on(board: board.name).emulatedOverlay, let qemu = board.qemu else { return }
        let file = paths.artifactsDirectory.appendingPathComponent("provenance.json")
        guard FileManager.default.fileExists(atPath: file.path) else { return }
        let components = try Provenance.read(file).components ?? []
        if !components.contains(where: { $0.kind == Provenance.Component.emulatedOverlayKind }) {
            throw NotBuiltForEmulator(board: board.name, app: app.name, image: image.path, overlay: overlay, machine: qemu.machine,
                                      cores: try builtCores().flatMap { $0 == app.cores?.defaultCount ? nil : $0 },
                                      modules: components.contains { $0.kind == Provenance.Component.wasmModuleKind })
        }
    }

    /// The cores the build was made for, read from its provenance (the app's
    /// `cores.setting`): QEMU must model as many (`-smp`), or seL4 waits for
    /// a core that never starts. Nil for apps without a choice of cores.
    func builtCores() throws -> Int? {
        guard let cores = app.cores else { return nil }
        let file = paths.artifactsDirectory.appendingPathComponent("provenance.json")
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try Provenance.read(file).cmakeSettings[cores.setting].flatMap { Int($0) }
    }

    /// `-smp N` for a build made for N > 1 cores, unless the machine's core
    /// count is fixed (`qemu.cpus`, raspi4b's 4: QEMU refuses another -smp),
    /// when the build must fit in it.
    public func smpArguments(_ qemu: Board.QEMU) throws -> [String] {
        guard let cores = try builtCores(), cores > 1 else { return [] }
        guard let fixed = qemu.cpus else { return ["-smp", String(cores)] }
        if cores > fixed {
            throw BoardError(kind: .invalidValue, file: "boards/\(board.name).yaml", line: nil, keyPath: "qemu.cpus",
                             message: "the \(board.name)-\(app.name) build is for \(cores) cores, and QEMU's \(qemu.machine) has \(fixed)",
                             hint: "build with --cores \(fixed) or fewer")
        }
        return []
    }

    /// Refuses a QEMU older than the board's machine needs.
    public func checkVersion(runner: ProcessRunner = ProcessRunner()) throws {
        guard let qemu = board.qemu, let minimum = qemu.minimumVersion, let binary = ProcessRunner.which(qemu.binary) else { return }
        let output = (try? runner.run([binary.path, "--version"], check: false).output) ?? ""
        guard let version = Self.qemuVersion(in: output) else { return }
        if Self.isOlder(version, than: minimum) {
            throw EmulatorError.qemuTooOld(binary: qemu.binary, version: version, minimum: minimum, machine: qemu.machine, board: board.name)
        }
    }

    /// The version in `qemu-system-* --version`'s first line.
    static func qemuVersion(in text: String) -> String? {
        guard let range = text.range(of: #"QEMU emulator version (\d+(\.\d+)+)"#, options: .regularExpression) else { return nil }
        return String(text[range].dropFirst("QEMU emulator version ".count))
    }

    static func isOlder(_ a: String, than b: String) -> Bool {
        let (x, y) = (a.split(separator: ".").map { Int($0) ?? 0 }, b.split(separator: ".").map { Int($0) ?? 0 })
        for i in 0..<max(x.count, y.count) where (i < x.count ? x[i] : 0) != (i < y.count ? y[i] : 0) {
            return (i < x.count ? x[i] : 0) < (i < y.count ? y[i] : 0)
        }
        return false
    }

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
        var diskOptions = QEMUConfiguration.DiskOptions()
        if request.disk || !qemu.kernelBoot {
            let disk = qemu.disk ?? Board.QEMU.Disk()
            guard let uBoot = board.bootloader.blobs[disk.firmware] else {
                throw BoardError(kind: .missingKey, file: "boards/\(board.name).yaml", line: nil, keyPath: "bootloader.blobs.\(disk.firmware)",
                                 message: "--disk boots through U-Boot, and the board declares no \(disk.firmware)",
                                 hint: "boot without --disk, or declare \(disk.firmware) under bootloader.blobs (see boards/README.md)")
            }
            let image = try index.url(forRole: ArtifactRole.disk, buildCommand: target.buildCommand)
            try checkEmulated(image: image)
            try checkMemory(qemu)
            let scratchDirectory = paths.workspace.appendingPathComponent(".sel4img/qemu").appendingPathComponent(paths.label)
            let bios = disk.filesFromImage ? scratchDirectory.appendingPathComponent(disk.firmware) : blobs.cachedFile(for: uBoot)
            let deviceTree = disk.deviceTree.flatMap { name in
                disk.filesFromImage ? scratchDirectory.appendingPathComponent(name) : board.bootloader.blobs[name].map { blobs.cachedFile(for: $0) }
            }
            let drive = disk.powerOfTwoSize ? scratchDirectory.appendingPathComponent(image.lastPathComponent) : image
            diskOptions = .init(interface: disk.interface, firmwareOption: "-" + disk.firmwareOption.rawValue, deviceTree: deviceTree)
            medium = .init(kind: .disk, image: image.path, bios: bios.path, deviceTree: deviceTree?.path,
                           firmwareFromImage: disk.filesFromImage ? true : nil, scratch: disk.powerOfTwoSize ? drive.path : nil)
            boot = .disk(image: drive, bios: bios)
        } else {
            // Direct boot takes the elfloader ELF when the app collects it: the
            // image proper may be a uImage or binary meant for U-Boot.
            let role = index.contains(role: ArtifactRole.elfloader) ? ArtifactRole.elfloader : ArtifactRole.image
            let image = try index.url(forRole: role, buildCommand: target.buildCommand)
            try checkEmulated(image: image)
            medium = .init(kind: .kernel, image: image.path, bios: nil)
            boot = .kernel(image)
        }
        var configuration = QEMUConfiguration(
            boot: boot, binary: qemu.binary, machine: app.qemuMachine(refining: qemu.machine), cpu: qemu.cpu,
            memory: Quantity.formatSize(qemu.memory), extraArgs: qemu.extraArgs + (try smpArguments(qemu)))
        configuration.serial = qemu.serial
        configuration.disk = diskOptions
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
        try checkVersion()
        if plan.medium.kind == .disk {
            let disk = board.qemu?.disk ?? Board.QEMU.Disk()
            let image = URL(fileURLWithPath: plan.medium.image)
            guard FileManager.default.fileExists(atPath: image.path) else {
                throw EmulatorError.bootImageMissing(path: image.path, target: target)
            }
            let drive = try plan.medium.scratch.map { try DiskScratch.paddedCopy(of: image, to: URL(fileURLWithPath: $0)) } ?? image
            if disk.filesFromImage {
                let names = [disk.firmware] + (disk.deviceTree.map { [$0] } ?? [])
                let files = try DiskScratch.extractBootFiles(names, from: image, into: URL(fileURLWithPath: plan.medium.bios ?? "").deletingLastPathComponent())
                configuration.boot = .disk(image: drive, bios: files[0])
            } else if let uBoot = board.bootloader.blobs[disk.firmware] {
                configuration.boot = .disk(image: drive, bios: try blobs.fetch(disk.firmware, uBoot))
                if let name = disk.deviceTree, let blob = board.bootloader.blobs[name] {
                    configuration.disk.deviceTree = try blobs.fetch(name, blob)
                }
            }
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

/// An image built for more memory than the emulated machine has.
public struct MemoryTooLarge: UserFacingError, Equatable {
    public var board: String
    public var app: String
    public var built: UInt64
    public var setting: String
    public var machine: String
    public var available: UInt64
    public var description: String {
        "\(board)-\(app) was built for \(Quantity.formatSize(built)) of memory (\(setting)), but QEMU's \(machine) has \(Quantity.formatSize(available)); seL4 would fault on memory that is not there"
    }
    public var hint: String? {
        "rebuild for the emulated machine with --memory \(Quantity.formatSize(available)): sel4img build --board \(board) --app \(app) --memory \(Quantity.formatSize(available))"
    }
}

/// An image built for the board (no `--emulated`) whose guest needs the
/// board's emulated overlay to run under QEMU.
public struct NotBuiltForEmulator: UserFacingError, Equatable {
    public var board: String
    public var app: String
    public var image: String
    public var overlay: String
    public var machine: String
    /// The build's cores when they are not the app's default, kept in the hint.
    public var cores: Int?
    /// Whether the build had `--wasm` modules, which the rebuild needs again.
    public var modules: Bool
    public var description: String {
        "\(image.escapingControlCharacters) was built for the board, without --emulated: its guest's device tree lacks \(overlay), "
            + "so on QEMU's \(machine) the guest stalls before its shell"
    }
    public var hint: String? {
        "rebuild it for QEMU's \(machine)\(modules ? ", with the --wasm modules it was built with" : ""): "
            + "sel4img build --board \(board) --app \(app) --emulated" + (cores.map { " --cores \($0)" } ?? "") + (modules ? " --wasm …" : "")
    }
}

/// A board QEMU cannot run.
public struct NoEmulator: UserFacingError {
    public var board: String
    public var emulated: [String]
    public var description: String { "board '\(board)' has no emulator; boards that boot under QEMU: \(emulated.joined(separator: ", "))" }
    public var hint: String? { "build an image for \(board) and flash it ('sel4img build --board \(board)')" }
}
