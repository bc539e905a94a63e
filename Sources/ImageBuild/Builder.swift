import Boards
import Foundation
import Support

/// Where one board/app build lives inside a workspace.
public struct BuildPaths: Sendable, Equatable {
    public let workspace: URL
    public let board: String
    public let app: String

    public init(workspace: URL, board: String, app: String) {
        self.workspace = workspace
        self.board = board
        self.app = app
    }

    public var label: String { "\(board)-\(app)" }
    public var buildDirectory: URL { workspace.appendingPathComponent("build").appendingPathComponent(label) }
    public var artifactsDirectory: URL { workspace.appendingPathComponent("artifacts").appendingPathComponent(label) }
    public var logFile: URL { buildDirectory.appendingPathComponent("sel4img-build.log") }
    var stampFile: URL { buildDirectory.appendingPathComponent(".sel4img-configure.json") }
    var cacheDirectory: URL { workspace.appendingPathComponent(".sel4img").appendingPathComponent("cmake-cache") }
}

/// The outcome of `Builder.build`.
public struct BuildResult: Sendable, Codable {
    /// Nil when the existing configuration was reused.
    public var configureReason: String?
    /// False when Ninja said "no work to do".
    public var ninjaDidWork: Bool
    public var ninjaSteps: Int
    public var seconds: Double
    public var artifacts: [Artifact]
    /// What this build's compilations did with the compiler cache; nil without one.
    public var compilerCache: CompilerCacheUse? = nil
}

/// Runs seL4's CMake and Ninja for one board and app.
public struct Builder: Sendable {
    public let paths: BuildPaths
    public let invocation: CMakeInvocation
    public let outputs: [String: String]
    public var runner = ProcessRunner()
    /// Files written beside the outputs (e.g. provenance.json), made from the
    /// collected outputs; they are listed in SHA256SUMS too.
    public var extraFiles: @Sendable (inout [Artifact], URL) throws -> [String: Data] = { _, _ in [:] }
    /// Everything besides the outputs that shapes the artifacts (see `ArtifactCollector.collect`).
    public var collectionContext = ""
    /// Compile through ccache with this cache; nil runs the compiler directly
    /// (with CCACHE_DISABLE set, so seL4's gcc.cmake, which puts any ccache
    /// it finds in front of the compiler, never uses a cache behind your back).
    public var compilerCache: CompilerCache?
    /// The cross compiler's programs, linked to ccache when there is a cache.
    public var cachedCompilers: [String] = []

    public init(paths: BuildPaths, invocation: CMakeInvocation, outputs: [String: String]) {
        self.paths = paths
        self.invocation = invocation
        self.outputs = outputs
    }

    /// What `build` would do about configuring, without doing it.
    public func configureDecision() -> ConfigureDecision {
        let stamp = (try? Data(contentsOf: paths.stampFile)).flatMap { try? JSONDecoder().decode(ConfigureStamp.self, from: $0) }
        let ninja = FileManager.default.fileExists(atPath: paths.buildDirectory.appendingPathComponent("build.ninja").path)
        return ConfigureDecision.decide(previous: stamp, current: invocation, buildNinjaExists: ninja)
    }

    public func build(progress: any ProgressReporter) throws -> BuildResult {
        let started = Date()
        // Every CCACHE_ variable comes from here: none of the user's reaches the build.
        var runner = self.runner
        runner.removedPrefixes.append("CCACHE_")
        var remoteUnreachable: String?
        if let compilerCache {
            let basePath = runner.environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            let setup = CompilerCacheSetup(cache: compilerCache, paths: paths, compilers: cachedCompilers)
            let prepared = try setup.prepare(basePath: basePath, progress: progress)
            runner.environment.merge(prepared.environment) { _, new in new }
            remoteUnreachable = prepared.remoteUnreachable
        } else {
            runner.environment["CCACHE_DISABLE"] = "1"
        }
        var reason: String?
        if case .fresh(let why) = configureDecision() {
            reason = why
            try configure(reason: why, runner: runner, progress: progress)
        }
        if compilerCache != nil {
            try? FileManager.default.removeItem(at: paths.ccacheStatsLog)
            runner.environment["CCACHE_STATSLOG"] = paths.ccacheStatsLog.path
        }
        let (didWork, steps, memoized) = try runNinja(runner: runner, progress: progress)
        var cacheUse = compilerCache.map { CompilerCacheUse.read(statsLog: paths.ccacheStatsLog, cache: $0, remoteUnreachable: remoteUnreachable) }
        cacheUse?.memoized = memoized
        let artifacts = try ArtifactCollector(buildDirectory: paths.buildDirectory, artifactsDirectory: paths.artifactsDirectory)
            .collect(outputs, context: collectionContext, extraFiles: extraFiles)
        return BuildResult(configureReason: reason, ninjaDidWork: didWork, ninjaSteps: steps,
                           seconds: Date().timeIntervalSince(started), artifacts: artifacts, compilerCache: cacheUse)
    }

    private func configure(reason: String, runner: ProcessRunner, progress: any ProgressReporter) throws {
        let fm = FileManager.default
        let dir = paths.buildDirectory
        progress.update("configure", "running CMake (\(reason))")
        if fm.fileExists(atPath: dir.path) {
            // Start over, but only inside a directory sel4img made (never a user's).
            guard fm.fileExists(atPath: paths.stampFile.path) || fm.fileExists(atPath: dir.appendingPathComponent("CMakeCache.txt").path)
                    || ((try? fm.contentsOfDirectory(atPath: dir.path))?.allSatisfy { $0 == paths.logFile.lastPathComponent } ?? true) else {
                throw BuildError(.configureFailed, "\(dir.path) exists and is not a build directory sel4img made; refusing to clear it",
                                 hint: "move it away")
            }
            try fm.removeItem(at: dir)
        }
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        try fm.createDirectory(at: paths.cacheDirectory, withIntermediateDirectories: true)
        let args = invocation.arguments(cacheDirectory: paths.cacheDirectory)
        // CMake reads these only on a fresh configure, which this is.
        var environment: [String: String] = [:]
        for name in ["CFLAGS", "CXXFLAGS", "ASMFLAGS"] where !invocation.compilerFlags.isEmpty {
            environment[name] = [ProcessInfo.processInfo.environment[name], invocation.compilerFlags].compactMap { $0 }.joined(separator: " ")
        }
        do {
            try runner.run(args, in: dir, environment: environment, log: paths.logFile, tailLines: 60) { line in progress.output(line) }
        } catch let error as ProcessError {
            if error.ending == .notFound { throw error }
            let cmakeMessage = Self.cmakeErrorBlock(error.tail)
            throw BuildError(.configureFailed, "CMake could not configure \(paths.label):\n\(cmakeMessage)\nFull log: \(paths.logFile.path)",
                             hint: "run 'sel4img doctor' if a tool or Python module is missing")
        }
        let stamp = ConfigureStamp(fingerprint: invocation.fingerprint, invocation: invocation)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try fm.writeAtomically(try encoder.encode(stamp), to: paths.stampFile)
        progress.update("configure", "done")
    }

    /// CMake's own error text: from the first "CMake Error" line on, else the tail.
    static func cmakeErrorBlock(_ lines: [String]) -> String {
        let start = lines.firstIndex { $0.contains("CMake Error") } ?? max(0, lines.count - 15)
        return lines[start...].map { "  | " + $0 }.joined(separator: "\n")
    }

    private func runNinja(runner: ProcessRunner, progress: any ProgressReporter) throws -> (Bool, Int, [String]) {
        let counter = NinjaProgress(progress: progress)
        do {
            try runner.run(["ninja"], in: paths.buildDirectory, log: paths.logFile, tailLines: 40) { line in counter.handle(line) }
        } catch let error as ProcessError {
            if error.ending == .notFound { throw error }
            let failed = error.tail.first { $0.hasPrefix("FAILED: ") }.map { "\n" + $0 } ?? ""
            throw BuildError(.ninjaFailed, "Ninja failed building \(paths.label)\(failed)\nLast lines:\n"
                                + error.tail.suffix(25).map { "  | " + $0 }.joined(separator: "\n") + "\nFull log: \(paths.logFile.path)")
        }
        let steps = counter.steps
        progress.update("ninja", counter.noWork ? "up to date (no work to do)" : "done (\(steps) steps)")
        return (!counter.noWork, steps, counter.memoized)
    }
}

/// Turns Ninja's "[12/302] Building C object …" lines into progress updates.
final class NinjaProgress: @unchecked Sendable {
    /// NAME from memoize.cmake's step description "Using cache NAME build".
    static func memoizedBuild(_ description: String) -> String? {
        let prefix = "Using cache ", suffix = " build"
        guard description.hasPrefix(prefix), description.hasSuffix(suffix), description.count > prefix.count + suffix.count else { return nil }
        let name = description.dropFirst(prefix.count).dropLast(suffix.count)
        return name.contains(" ") ? nil : String(name)
    }

    private let progress: any ProgressReporter
    private let lock = NSLock()
    private(set) var steps = 0
    private(set) var noWork = false
    /// Builds seL4's memoize.cmake took from its store ("Using cache musllibc build"), in order.
    private(set) var memoized: [String] = []

    init(progress: any ProgressReporter) { self.progress = progress }

    func handle(_ line: String) {
        progress.output(line)
        if line.hasPrefix("ninja: no work to do") {
            lock.lock(); noWork = true; lock.unlock()
            return
        }
        guard line.hasPrefix("["), let close = line.firstIndex(of: "]") else { return }
        let counts = line[line.index(after: line.startIndex)..<close].split(separator: "/")
        guard counts.count == 2, let done = Int(counts[0]), let total = Int(counts[1]) else { return }
        let description = line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)
        let reused = Self.memoizedBuild(description)
        lock.lock(); steps = max(steps, done); if let reused { memoized.append(reused) }; lock.unlock()
        progress.update("ninja", "[\(done)/\(total)] \(description)")
    }
}
