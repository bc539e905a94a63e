import Boards
import Doctor
import Foundation
import Patches
import Support
import Workspace

/// What `sel4img build` does, start to end, for one board and app:
/// `plan()` derives a `BuildPlan` before any work; `run(_:)` carries it out:
/// workspace (init from the app's manifest when empty) → sync respecting the
/// lock → the app's patch sets → each feature's files → CMake/Ninja →
/// artifacts, with each feature's additions, provenance, the SBOM and SHA256SUMS.
/// The pipeline walks its features in order and knows none of them by name.
public struct BuildPipeline: Sendable {
    public typealias Options = BuildContext.Options

    public let context: BuildContext
    /// What the app (and board) add to the build, in order.
    public let features: [any AppFeature]

    public init(dataDirectory: URL, workspaceRoot: URL, board: Board, app: App, options: Options, features: [any AppFeature]? = nil) {
        context = BuildContext(dataDirectory: dataDirectory, workspaceRoot: workspaceRoot, board: board, app: app, options: options)
        self.features = features ?? AppFeatures.features(for: board, app: app)
    }

    public var dataDirectory: URL { context.dataDirectory }
    public var workspaceRoot: URL { context.workspaceRoot }
    public var board: Board { context.board }
    public var app: App { context.app }
    public var options: Options { context.options }
    public var paths: BuildPaths { context.paths }
    public var manifestFile: URL { context.manifestFile }

    // MARK: - Deriving the plan

    /// Checks the inputs and derives the plan; nothing is written.
    public func plan() throws -> BuildPlan {
        try checkInputs()
        var hostTools = BuildPlan.baseHostTools(for: board)
        if options.compilerCache != nil { hostTools.append("ccache") }
        for tool in features.flatMap({ $0.hostTools(context) }) where !hostTools.contains(tool) { hostTools.append(tool) }
        return BuildPlan(
            board: board.name, app: app.name, workspace: workspaceRoot.path,
            buildDirectory: paths.buildDirectory.path, artifactsDirectory: paths.artifactsDirectory.path,
            manifest: manifestFile.path,
            sourceUpdate: options.noSync ? .none : options.locked ? .locked : .sync,
            patchSets: options.noSync ? [] : app.patchSets,
            features: features.map(\.name),
            cmakeSettings: try cmakeSettings(),
            inputs: features.flatMap { $0.inputs(context) },
            outputs: app.outputs,
            artifacts: app.outputs.keys.sorted() + features.flatMap { $0.plannedArtifacts(context) },
            hostTools: hostTools,
            configureChecks: BuildPlan.configureChecks,
            compilerCache: options.compilerCache)
    }

    /// Checks what the build needs from the command line and sel4img's data
    /// before any work: each feature's inputs, and no input that no feature takes.
    public func checkInputs() throws {
        try AppFeatures.checkUnclaimedInputs(context, features: features)
        for feature in features { try feature.checkInputs(context) }
    }

    /// The board's and app's settings, then each feature's.
    public func cmakeSettings() throws -> [String: String] {
        var settings = try app.cmakeSettings(for: board, memorySize: options.memorySize, emulated: options.emulated, cores: options.cores)
        for feature in features {
            settings.merge(try feature.cmakeSettings(context, given: settings)) { _, new in new }
        }
        return settings
    }

    /// The CMake invocation this board and app need (the workspace must hold the CMake project).
    public func cmakeInvocation(settings: [String: String]? = nil) throws -> CMakeInvocation {
        var invocation = try CMakeInvocation.locate(workspace: workspaceRoot, buildDirectory: paths.buildDirectory,
                                                    definitions: try settings ?? cmakeSettings())
        if let cache = options.compilerCache {
            invocation.compilerCacheLinks = paths.ccacheCompilerLinks.path
            invocation.memoizeDirectory = cache.memoizeDirectory
        }
        return invocation
    }

    // MARK: - Running it

    /// Carries out `plan`: the workspace directory and host tools are checked
    /// before anything is written, the workspace is opened (or started) once,
    /// and the build runs with the plan's settings.
    public func run(_ plan: BuildPlan, progress: any ProgressReporter) throws -> BuildResult {
        // A directory it must not initialise, then missing tools, stop the build before any work.
        try checkWorkspaceDirectory()
        try Doctor.require(plan.hostTools)
        let workspace = try prepareWorkspace(progress: progress)
        let state = try SourceState(workspace: workspace, root: workspaceRoot)
        let invocation = try cmakeInvocation(settings: plan.cmakeSettings)
        if Builder(paths: paths, invocation: invocation, outputs: app.outputs).configureDecision() != .reuse {
            // CMake is about to run seL4's Python generators: check their modules first.
            try Doctor.require(plan.configureChecks)
        }
        for feature in features {
            try feature.prepare(context, sourceDateEpoch: state.sourceDateEpoch, progress: progress)
        }
        return try builder(invocation: invocation, state: state, progress: progress).build(progress: progress)
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

    // MARK: - CMake, Ninja and the artifacts

    /// The builder for this board and app: SOURCE_DATE_EPOCH from `state`,
    /// the reuse key, and the step that adds each feature's artifacts and
    /// provenance once the outputs are collected. Without `state` the
    /// workspace is read as it is.
    public func builder(invocation: CMakeInvocation? = nil, state: SourceState? = nil, progress: any ProgressReporter = QuietProgress()) throws -> Builder {
        let state = try state ?? SourceState.read(workspaceRoot)
        var builder = Builder(paths: paths, invocation: try invocation ?? cmakeInvocation(), outputs: app.outputs)
        builder.runner.environment["SOURCE_DATE_EPOCH"] = String(state.sourceDateEpoch)
        builder.compilerCache = options.compilerCache
        builder.cachedCompilers = ["gcc", "g++"].map { board.crossCompilerPrefix + $0 }
        let (settings, featureTools) = recordedSettings(builder.invocation.definitions)
        let patchSets = try appliedPatchSets()
        builder.collectionContext = ArtifactReuseKey(
            board: board, app: app, sourceDateEpoch: state.sourceDateEpoch, lockSHA256: state.lockSHA256, patchSets: patchSets,
            cmakeSettings: settings, featureInputs: features.flatMap { $0.reuseInputs(self.context) }).hash
        let (context, features) = (self.context, self.features)
        builder.extraFiles = { artifacts, staging in
            var staged = StagedArtifacts(directory: staging, artifacts: artifacts)
            for feature in features {
                try feature.addArtifacts(context, to: &staged, sourceDateEpoch: state.sourceDateEpoch, progress: progress)
            }
            artifacts = staged.artifacts
            let tools = Provenance.toolVersions(crossCompilerPrefix: context.board.crossCompilerPrefix, qemu: context.board.deviceTreeQEMU).merging(featureTools) { _, feature in feature }
            let components = try features.flatMap { try $0.components(context) }
            let provenance = Provenance(build: context, state: state, patchSets: patchSets, settings: settings, tools: tools,
                                        outputs: artifacts, components: components)
            return ["provenance.json": try provenance.encoded(),
                    SBOM.fileName: try SBOM.document(for: provenance, directory: staging)]
        }
        return builder
    }

    /// What the features put into the image besides the projects' code, as
    /// `provenance.json` lists it (`sel4img qemu` reads it back).
    public func components() throws -> [Provenance.Component] {
        try features.flatMap { try $0.components(context) }
    }

    /// The settings as provenance records them, and the features' tool
    /// versions: paths inside the workspace are relative to it, so
    /// provenance stays the same in any directory.
    func recordedSettings(_ definitions: [String: String]) -> (settings: [String: String], tools: [String: String]) {
        let root = workspaceRoot.path
        var settings = definitions.mapValues { $0.replacingOccurrences(of: root, with: "${WORKSPACE}") }
        var tools: [String: String] = [:]
        for feature in features { feature.recordProvenance(context, settings: &settings, tools: &tools) }
        return (settings, tools)
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
}
