import Boards
import Foundation
import GuestImage
import ImageAssembly
import Patches
import Support
import Workspace

/// What `sel4img build` does, start to end, for one board and app:
/// workspace (init from the app's manifest when empty) → sync respecting the
/// lock → the app's patch sets → CMake settings from board and app →
/// CMake/Ninja → artifacts. Each step hands a typed value to the next.
public struct BuildPipeline: Sendable {
    public struct Options: Sendable {
        public var mirror: Mirror?
        /// Refuse to re-resolve: the lock must match the manifest.
        public var locked = false
        /// Skip sync and patches; build the tree as it is.
        public var noSync = false
        public var jobs = 4
        /// rpi4 comes in several memory sizes; nil means the board's default.
        public var memorySize: UInt64?
        /// The WebAssembly modules (and arguments) for apps with a `wasm` section.
        public var wasm: WasmBundle?
        /// Where the guest's kernel and busybox are cached (apps with `guest`).
        public var guestBlobs = BlobCache.standard

        public init(mirror: Mirror? = nil, locked: Bool = false, noSync: Bool = false, jobs: Int = 4, memorySize: UInt64? = nil,
                    wasm: WasmBundle? = nil) {
            self.mirror = mirror
            self.locked = locked
            self.noSync = noSync
            self.jobs = jobs
            self.memorySize = memorySize
            self.wasm = wasm
        }
    }

    public let dataDirectory: URL
    public let workspaceRoot: URL
    public let board: Board
    public let app: App
    public let options: Options

    public init(dataDirectory: URL, workspaceRoot: URL, board: Board, app: App, options: Options) {
        self.dataDirectory = dataDirectory
        self.workspaceRoot = workspaceRoot
        self.board = board
        self.app = app
        self.options = options
    }

    public var paths: BuildPaths { BuildPaths(workspace: workspaceRoot, board: board.name, app: app.name) }

    /// The app's pinned manifest inside sel4img's data directory.
    public var manifestFile: URL { dataDirectory.appendingPathComponent("manifests").appendingPathComponent(app.manifest) }

    /// Where the WebAssembly modules archive goes: beside the build directory,
    /// which a fresh configure clears.
    public var wasmArchive: URL {
        paths.buildDirectory.deletingLastPathComponent().appendingPathComponent("\(paths.label)-wasm").appendingPathComponent("modules.cpio")
    }

    /// Where the Linux guest's files go (apps with `guest`): beside the build
    /// directory like the modules archive, and passed to CMake in the app's
    /// `guest.directorySetting`.
    public var guestDirectory: URL {
        paths.buildDirectory.deletingLastPathComponent().appendingPathComponent("\(paths.label)-guest")
    }

    /// What builds the guest's files, with the modules given with `--wasm`
    /// (their `--args` are not used: the guest gives its own).
    func guestImage(_ guest: App.Guest, timestamp: Int64, modules: [(name: String, bytes: Data)] = []) -> GuestImage {
        GuestImage(guest: guest, appFile: "apps/\(app.name).yaml", repository: dataDirectory, timestamp: timestamp,
                   modules: modules.map { GuestImage.Module(name: $0.name, bytes: $0.bytes) }, blobs: options.guestBlobs)
    }

    /// A build initialises its workspace only where nothing can be in the way:
    /// a workspace already, a new directory, or an empty one. Anywhere else
    /// (a home directory, a source tree) checking out kernel/, projects/ and
    /// tools/ would mix them with the user's files, so it refuses.
    public func checkWorkspaceDirectory() throws {
        let layout = WorkspaceLayout(root: workspaceRoot)
        guard !layout.isInitialized else { return }
        let path = layout.root.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
        let hint = "pass --workspace DIR naming a new or empty directory, or make \(path) a workspace first with 'sel4img init --manifest \(manifestFile.path) --workspace \(path)'"
        guard isDirectory.boolValue else {
            throw WorkspaceError(.notAWorkspace, "the workspace \(path) is not a directory", hint: "pass --workspace DIR naming a new or empty directory")
        }
        let entries: [String]
        do { entries = try FileManager.default.contentsOfDirectory(atPath: path).sorted() } catch {
            throw WorkspaceError(.notAWorkspace, "cannot list the workspace directory \(path): \(readableDescription(of: error))")
        }
        guard entries.isEmpty else {
            let shown = entries.prefix(3).map { "'\($0.escapingControlCharacters)'" }.joined(separator: ", ") + (entries.count > 3 ? ", …" : "")
            throw WorkspaceError(.notAWorkspace,
                                 "\(path) is not a sel4img workspace and is not empty (it holds \(shown)); 'sel4img build' starts a workspace only in a new or empty directory",
                                 hint: hint)
        }
    }

    /// Checks what the build needs from the command line before any work:
    /// WebAssembly modules exactly when the app runs them, each decoding and
    /// validating (the error names the file and offset).
    public func checkInputs() throws {
        if let guest = app.guest {
            // The guest's modules are optional; the guest agent runs them with its own arguments.
            if let bundle = options.wasm {
                guard bundle.arguments.isEmpty else {
                    throw BuildError(.invalidModule, "--args is not used by app '\(app.name)': arguments are given in the guest: emit FILE.wasm ARGS",
                                     hint: "build with --wasm only; the modules are in \(guest.modulesDirectory) in the guest")
                }
                _ = try bundle.load()
            }
            try guestImage(guest, timestamp: 0).checkSources()
            return
        }
        switch (app.wasm, options.wasm) {
        case (nil, nil):
            return
        case (nil, .some):
            throw BuildError(.invalidModule, "app '\(app.name)' does not run WebAssembly modules; --wasm and --args are for apps like wasm-runner")
        case (.some, nil):
            throw BuildError(.invalidModule, "app '\(app.name)' runs WebAssembly modules, and none were given",
                             hint: "pass --wasm FILE.wasm (several: --wasm A.wasm,B.wasm), and --args \"WORDS\" for their arguments")
        case (.some, .some(let bundle)):
            _ = try bundle.load()
        }
    }

    /// Copies the app's own sources (`sources` in its file) into the workspace
    /// and makes its links; unchanged files are not touched.
    public func installAppSources(progress: any ProgressReporter) throws {
        guard let sources = app.sources else { return }
        let report = try AppSourceInstaller(repository: dataDirectory, workspace: workspaceRoot, sources: sources).install()
        progress.update("sources", report.summary)
    }

    /// Initialises the workspace from the app's manifest when it is empty, then
    /// syncs it: locked when the lock still matches the manifest, so a rebuild
    /// never moves a project by surprise.
    public func prepareWorkspace(progress: any ProgressReporter) throws -> Workspace {
        let layout = WorkspaceLayout(root: workspaceRoot)
        let workspace: Workspace
        if layout.isInitialized {
            workspace = try Workspace.open(at: workspaceRoot)
            if workspace.config.source != manifestFile.path {
                progress.note("note: this workspace was initialised from \(workspace.config.source), not \(manifestFile.path); building what it holds")
            }
        } else {
            try checkWorkspaceDirectory()
            progress.note("Initialising \(workspaceRoot.path) from \(manifestFile.path)")
            workspace = try Workspace.initialize(at: workspaceRoot, from: .file(manifestFile, manifestURL: nil), mirror: options.mirror, progress: progress)
        }
        if options.noSync {
            try installAppSources(progress: progress)
            return workspace
        }
        let lock = try workspace.readLock()
        let (_, manifest) = try workspace.loadProjects()
        let lockMatches = lock?.manifest.sha256 == manifest.sha256
        if options.locked, !lockMatches {
            throw WorkspaceError(.lockMismatch, lock == nil
                ? "--locked needs a lock file, and \(layout.lockFile.path) does not exist"
                : "--locked: the manifest changed since sel4img.lock was written",
                hint: "run 'sel4img sync' to update the lock, then build again")
        }
        let report = try workspace.sync(
            options: SyncOptions(mirror: options.mirror, locked: lockMatches, jobs: options.jobs,
                                 beforeMove: try workspace.revertPatchesBeforeMove(progress: progress)),
            progress: progress)
        if report.nothingChanged {
            progress.update("sync", "up to date (\(report.projects.count) projects)")
        }
        try applyPatchSets(in: workspace, progress: progress)
        try installAppSources(progress: progress)
        return workspace
    }

    /// Applies the app's patch sets in order; an applied, unchanged set is a no-op.
    func applyPatchSets(in workspace: Workspace, progress: any ProgressReporter) throws {
        guard !app.patchSets.isEmpty else { return }
        let targets = try workspace.patchTargets()
        let patches = dataDirectory.appendingPathComponent("patches")
        for name in app.patchSets {
            let set = try PatchSet.load(named: name, in: patches)
            let report = try workspace.patchManager.apply(set: set, targets: targets, progress: progress)
            progress.update("patch \(name)", report.alreadyApplied ? "up to date" : "done (\(report.summary))")
        }
    }

    /// The CMake invocation this board and app need.
    public func cmakeInvocation() throws -> CMakeInvocation {
        var settings = try app.cmakeSettings(for: board, memorySize: options.memorySize)
        let overlays = try BoardOverlays(board: board, boardsDirectory: dataDirectory.appendingPathComponent("boards"))
            .write(into: paths.buildDirectory.deletingLastPathComponent().appendingPathComponent("\(paths.label)-overlays"))
        if !overlays.isEmpty, settings["KernelCustomDTSOverlay"] == nil {
            settings["KernelCustomDTSOverlay"] = overlays.map(\.path).joined(separator: ";")
        }
        if let modules = app.sources?.swiftModules, !modules.isEmpty {
            settings["SEL4IMG_SWIFT_TOOLCHAIN"] = try SwiftToolchain.locate().root.path
            settings["SEL4IMG_SWIFT_MODULES"] = modules.joined(separator: ";")
        }
        if let wasm = app.wasm {
            settings[wasm.archiveSetting] = wasmArchive.path
        }
        if let guest = app.guest {
            settings[guest.directorySetting] = guestDirectory.path
        }
        return try CMakeInvocation.locate(workspace: workspaceRoot, definitions: settings)
    }

    public func builder(progress: any ProgressReporter = QuietProgress()) throws -> Builder {
        var builder = Builder(paths: paths, invocation: try cmakeInvocation(), outputs: app.outputs)
        let workspace = WorkspaceLayout(root: workspaceRoot).isInitialized ? try Workspace.open(at: workspaceRoot) : nil
        let lock = try workspace?.readLock()
        let epoch = try sourceDateEpoch(lock: lock, workspace: workspace)
        builder.runner.environment["SOURCE_DATE_EPOCH"] = String(epoch)
        // Paths inside the workspace are recorded relative to it, so provenance stays the same in any directory.
        let root = workspaceRoot.path
        var recordedSettings = builder.invocation.definitions.mapValues { $0.replacingOccurrences(of: root, with: "${WORKSPACE}") }
        // The toolchain's place is the machine's business; its version is recorded instead.
        let swiftVersion = builder.invocation.definitions["SEL4IMG_SWIFT_TOOLCHAIN"].map { SwiftToolchain(root: URL(fileURLWithPath: $0)).version() }
        if swiftVersion != nil { recordedSettings["SEL4IMG_SWIFT_TOOLCHAIN"] = "${SWIFT_TOOLCHAIN}" }
        let settings = recordedSettings
        let patchSets = try appliedPatchSets()
        let lockHash = (try? SHA256Hex.ofFile(at: WorkspaceLayout(root: workspaceRoot).lockFile)) ?? ""
        let (board, app) = (board, app)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // The guest's files, which the artifacts include: what they are now shapes the artifacts too.
        let guestFiles = app.guest == nil ? [] : GuestImage.outputFiles.map { (role: $0.role, url: guestDirectory.appendingPathComponent($0.name)) }
        let guestHashes = guestFiles.map { "\($0.role) \((try? SHA256Hex.ofFile(at: $0.url)) ?? "absent")" }
        builder.collectionContext = ([String(decoding: try encoder.encode(board), as: UTF8.self),
                                      String(decoding: try encoder.encode(app), as: UTF8.self),
                                      String(epoch), lockHash, String(decoding: try encoder.encode(patchSets), as: UTF8.self),
                                      String(decoding: try encoder.encode(settings), as: UTF8.self)] + guestHashes).joined(separator: "\n")
        let medium = BootDisk(board: board, label: paths.label, sourceDateEpoch: epoch)
        let work = paths.buildDirectory.appendingPathComponent("sel4img-boot")
        let modulesArchive = app.wasm != nil ? wasmArchive : nil
        builder.extraFiles = { artifacts, staging in
            // The WebAssembly modules the image embeds, as an archive beside it.
            if let modulesArchive, FileManager.default.fileExists(atPath: modulesArchive.path) {
                let copy = staging.appendingPathComponent(modulesArchive.lastPathComponent)
                try FileManager.default.copyItem(at: modulesArchive, to: copy)
                let size = (try FileManager.default.attributesOfItem(atPath: copy.path)[.size] as? Int) ?? 0
                artifacts.append(Artifact(role: "modules", file: copy.lastPathComponent, size: size, sha256: try SHA256Hex.ofFile(at: copy)))
            }
            // The Linux guest's kernel, initramfs and DTB, as the image's build used them.
            for (role, source) in guestFiles where FileManager.default.fileExists(atPath: source.path) {
                let copy = staging.appendingPathComponent(source.lastPathComponent)
                guard !FileManager.default.fileExists(atPath: copy.path) else {
                    throw BuildError(.outputMissing, "the guest's \(source.lastPathComponent) has the name of another artifact of \(app.name)",
                                     hint: "rename the app output that is called \(source.lastPathComponent)")
                }
                try FileManager.default.copyItem(at: source, to: copy)
                let size = (try FileManager.default.attributesOfItem(atPath: copy.path)[.size] as? Int) ?? 0
                artifacts.append(Artifact(role: role, file: copy.lastPathComponent, size: size, sha256: try SHA256Hex.ofFile(at: copy)))
            }
            // The bootable disk image, for boards U-Boot starts (and only when its blobs are declared).
            if let image = artifacts.first(where: { $0.role == App.imageRole }) {
                if !app.bootDisk {
                    progress.note("note: no disk image: app '\(app.name)' is not started through \(board.name)'s U-Boot flow (bootDisk: false in its file); boot it with 'sel4img qemu'")
                } else if let reason = medium.unavailableReason {
                    progress.note("note: no disk image for \(board.name): \(reason)")
                } else {
                    let name = try medium.write(sel4Image: staging.appendingPathComponent(image.file), into: staging, work: work, progress: progress)
                    if let prerequisite = medium.prerequisite { progress.note("note: \(prerequisite)") }
                    for (role, file) in [("disk", name), ("blockmap", name + ".bmap.json")] {
                        let url = staging.appendingPathComponent(file)
                        let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
                        artifacts.append(Artifact(role: role, file: file, size: size, sha256: try SHA256Hex.ofFile(at: url)))
                    }
                }
            }
            var tools = Provenance.toolVersions(crossCompilerPrefix: board.crossCompilerPrefix)
            if let swiftVersion { tools["swiftc"] = swiftVersion }
            let provenance = Provenance(
                board: board.name, app: app.name, sourceDateEpoch: epoch,
                manifest: .init(file: lock?.manifest.file ?? "", sha256: lock?.manifest.sha256 ?? ""),
                lockSHA256: lockHash,
                projects: lock?.projects.map { .init(path: $0.path, url: $0.url, commit: $0.commit.hex) } ?? [],
                patchSets: patchSets, cmakeSettings: settings,
                tools: tools,
                outputs: artifacts)
            return ["provenance.json": try provenance.encoded()]
        }
        return builder
    }

    /// SOURCE_DATE_EPOCH from the environment, else the newest committer time
    /// among the locked commits: the same for every build of one lock.
    func sourceDateEpoch(lock: LockFile?, workspace: Workspace?) throws -> Int64 {
        if let text = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"] {
            guard let value = Int64(text), value >= 0 else {
                throw BuildError(.configureFailed, "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970; got '\(text)'")
            }
            return value
        }
        guard let lock, let workspace else { return 0 }
        return try workspace.commitTimes(of: lock).max() ?? 0
    }

    /// The app's patch sets, with every patch's hash, for provenance.
    func appliedPatchSets() throws -> [Provenance.PatchSetInfo] {
        let patches = dataDirectory.appendingPathComponent("patches")
        return try app.patchSets.map { name in
            let set = try PatchSet.load(named: name, in: patches)
            return .init(name: name, seriesSHA256: set.seriesHash,
                         patches: set.entries.map { .init(project: $0.project, file: $0.file, sha256: $0.sha256) })
        }
    }

    /// SOURCE_DATE_EPOCH for files sel4img writes before CMake runs.
    func currentSourceDateEpoch() throws -> Int64 {
        let workspace = WorkspaceLayout(root: workspaceRoot).isInitialized ? try Workspace.open(at: workspaceRoot) : nil
        return try sourceDateEpoch(lock: try workspace?.readLock(), workspace: workspace)
    }

    /// Builds the guest's kernel, initramfs and DTB into `guestDirectory`
    /// (apps with `guest`); files whose bytes did not change are not rewritten.
    @discardableResult
    public func buildGuest(progress: any ProgressReporter) throws -> GuestImage.Outputs? {
        guard let guest = app.guest else { return nil }
        let modules = try options.wasm?.load() ?? []
        return try guestImage(guest, timestamp: try currentSourceDateEpoch(), modules: modules)
            .build(into: guestDirectory, progress: progress)
    }

    public func build(progress: any ProgressReporter) throws -> BuildResult {
        try checkInputs()
        if let bundle = options.wasm, app.wasm != nil {
            let epoch = try currentSourceDateEpoch()
            let written = try bundle.writeArchive(to: wasmArchive, timestamp: epoch)
            progress.update("wasm", "\(bundle.modules.count) module\(bundle.modules.count == 1 ? "" : "s") \(written ? "packed into" : "unchanged in") \(wasmArchive.lastPathComponent)")
        }
        try buildGuest(progress: progress)
        // Boot blobs are fetched and verified before the long part, so a
        // missing download or a changed file stops the build before it starts.
        if app.bootDisk, let image = app.outputs[App.imageRole], !image.isEmpty {
            let medium = BootDisk(board: board, label: paths.label, sourceDateEpoch: 0)
            if medium.unavailableReason == nil { try medium.fetchBlobs(progress: progress) }
        }
        return try builder(progress: progress).build(progress: progress)
    }
}
