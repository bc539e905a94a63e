import Foundation
import Support

/// A compiler cache shared between builds (`--cache DIR`, `--cache
/// redis://HOST:PORT`, or `SEL4IMG_CACHE`): seL4's compilations run through
/// Debian's `ccache`, configured for the build's processes only.
///
/// The key is ccache's: the real cross compiler's contents
/// (`compiler_check=content`), every flag, the preprocessed sources and
/// headers. The workspace path is not part of it: `base_dir` is the workspace,
/// so ccache sees paths relative to the build directory, and the build's
/// `-ffile-prefix-map`s give an uncached build the very same relative names,
/// so its outputs are identical with the cache or without it.
///
/// Builds seL4 does outside ccache's reach are memoized by seL4_tools'
/// `memoize.cmake` (musllibc: its whole `make`, ~1,400 compilations, becomes
/// one archive extraction) in `memoizeDirectory`, with the key the `memoize`
/// patch set gives it: the library's commit (a dirty tree never hits), its
/// compile options with the workspace and build directory left out, and the
/// compiler's identity (version, target, contents of cc1, as and ar).
public struct CompilerCache: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable {
        /// ccache's `cache_dir` is the directory.
        case directory
        /// ccache's `remote_storage` is the Redis URL; its local cache is
        /// `.sel4img/ccache/local` inside the workspace.
        case redis
    }

    public var kind: Kind
    /// The absolute directory, or the redis:// URL.
    public var location: String
    /// Where the setting came from, for messages: `--cache` or `SEL4IMG_CACHE`.
    public var setting: String
    /// seL4's memoize store (CMake's `SEL4_CACHE_DIR`): `seL4-memoize` inside
    /// a cache directory; for Redis, which holds only ccache's results, the
    /// per-user `seL4-memoize` cache (`SEL4IMG_MEMOIZE_CACHE` overrides it),
    /// shared by the workspaces of one machine.
    public var memoizeDirectory: String

    public init(kind: Kind, location: String, setting: String, memoizeDirectory: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.kind = kind
        self.location = location
        self.setting = setting
        self.memoizeDirectory = memoizeDirectory ?? Self.defaultMemoizeDirectory(kind: kind, location: location, environment: environment)
    }

    /// The environment variable that moves a Redis cache's memoize store.
    public static let memoizeVariable = "SEL4IMG_MEMOIZE_CACHE"

    static func defaultMemoizeDirectory(kind: Kind, location: String, environment: [String: String]) -> String {
        switch kind {
        case .directory: URL(fileURLWithPath: location).appendingPathComponent("seL4-memoize").path
        case .redis: UserCache.directory("seL4-memoize", overriddenBy: memoizeVariable, environment: environment).path
        }
    }

    /// Reads a `--cache` value: `redis://HOST[:PORT][/DB]`, or a directory
    /// (relative to `currentDirectory`) whose parent exists.
    public static func parse(_ value: String, setting: String, currentDirectory: URL,
                             environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CompilerCache {
        let shown = "'\(value.escapingControlCharacters)'"
        let usage = "give a directory or redis://HOST:PORT"
        guard !value.isEmpty else {
            throw BuildError(.badCacheSetting, "\(setting) is empty", hint: usage)
        }
        if let schemeEnd = value.range(of: "://"),
           value[..<schemeEnd.lowerBound].allSatisfy({ $0.isLetter || $0.isNumber || "+.-".contains($0) }), !value[..<schemeEnd.lowerBound].isEmpty {
            let scheme = value[..<schemeEnd.lowerBound].lowercased()
            guard scheme == "redis" else {
                throw BuildError(.badCacheSetting, "\(setting) \(shown) is a \(scheme.escapingControlCharacters):// URL; the compiler cache takes a directory or redis://HOST:PORT",
                                 hint: usage)
            }
            return try parseRedis(value, setting: setting, environment: environment)
        }
        let url = URL(fileURLWithPath: value, relativeTo: currentDirectory).standardizedFileURL
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw BuildError(.badCacheSetting, "\(setting) \(shown): \(url.path.escapingControlCharacters) exists and is not a directory", hint: usage)
            }
        } else {
            let parent = url.deletingLastPathComponent()
            guard FileManager.default.fileExists(atPath: parent.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw BuildError(.badCacheSetting, "\(setting) \(shown): the parent directory \(parent.path.escapingControlCharacters) does not exist",
                                 hint: "create it first; sel4img makes only the cache directory itself")
            }
        }
        return CompilerCache(kind: .directory, location: url.path, setting: setting, environment: environment)
    }

    static func parseRedis(_ value: String, setting: String, environment: [String: String]) throws -> CompilerCache {
        let shown = "'\(value.escapingControlCharacters)'"
        let usage = "write redis://HOST:PORT (PORT 1 to 65535, 6379 when left out)"
        guard let components = URLComponents(string: value) else {
            throw BuildError(.badCacheSetting, "\(setting) \(shown) is not a valid URL", hint: usage)
        }
        guard components.user == nil, components.password == nil else {
            throw BuildError(.badCacheSetting, "\(setting) \(shown) carries credentials, which would be shown in build logs",
                             hint: "use a Redis server that needs no password, on a network only your builders reach")
        }
        guard let host = components.host, !host.isEmpty else {
            throw BuildError(.badCacheSetting, "\(setting) \(shown) names no Redis host", hint: usage)
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw BuildError(.badCacheSetting, "\(setting) \(shown) has port \(port), outside 1 to 65535", hint: usage)
        }
        let path = components.path
        guard components.query == nil, components.fragment == nil,
              path.isEmpty || path == "/" || (path.dropFirst().allSatisfy(\.isNumber)) else {
            throw BuildError(.badCacheSetting, "\(setting) \(shown) has more than a host, a port and a database number", hint: usage)
        }
        return CompilerCache(kind: .redis, location: value, setting: setting, environment: environment)
    }

    /// Redis's host and port (6379 when the URL gives none).
    var redisEndpoint: (host: String, port: Int)? {
        guard kind == .redis, let components = URLComponents(string: location), let host = components.host else { return nil }
        // URLComponents keeps an IPv6 literal's brackets in `host` on some platforms.
        return (host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), components.port ?? 6379)
    }
}

/// The files a cached build keeps in its workspace.
extension BuildPaths {
    /// `.sel4img/ccache`: the compiler links and, with Redis, the local cache.
    var ccacheDirectory: URL { workspace.appendingPathComponent(".sel4img").appendingPathComponent("ccache") }
    /// Links named like the cross compiler that run ccache, first on PATH
    /// while CMake looks for the compiler, so every compilation (musllibc's
    /// too, which seL4 builds with its own make) goes through ccache.
    var ccacheCompilerLinks: URL { ccacheDirectory.appendingPathComponent("bin") }
    /// The local cache in front of Redis.
    var ccacheLocalDirectory: URL { ccacheDirectory.appendingPathComponent("local") }
    /// ccache's per-build statistics (`stats_log`): this build's counts, even
    /// when other builds use the same cache at the same time.
    var ccacheStatsLog: URL { buildDirectory.appendingPathComponent("sel4img-ccache-stats.log") }
    /// The compiler flags that make every path the compiler records the same
    /// in any workspace, and the same as ccache's `base_dir` rewriting gives:
    /// the build directory maps to nothing and the workspace to its path
    /// relative to the build directory (the directory Ninja compiles in).
    var prefixMapFlags: String { Self.prefixMapFlags(workspace: workspace, buildDirectory: buildDirectory) }

    static func prefixMapFlags(workspace: URL, buildDirectory: URL) -> String {
        let root = workspace.standardizedFileURL.path
        let build = buildDirectory.standardizedFileURL.path
        let depth = build.dropFirst(root.count).split(separator: "/").count
        let up = String(repeating: "../", count: depth)
        return "-ffile-prefix-map=\(root)/=\(up) -ffile-prefix-map=\(build)/="
    }
}

/// What one build's compilations did with the cache, from its stats log.
public struct CompilerCacheUse: Sendable, Codable, Equatable {
    /// Where the hits came from: the directory, or the Redis URL.
    public var cache: String
    /// Compilations ccache could cache (hits plus misses); links and
    /// preprocessor-only calls are not compilations.
    public var compilations: Int
    public var hits: Int
    /// Hits read from Redis (a subset of `hits`).
    public var remoteHits: Int
    /// Redis requests that failed (ccache then compiles locally).
    public var remoteErrors: Int
    /// Set when Redis could not be reached before the build and only the local cache was used.
    public var remoteUnreachable: String?
    /// Builds taken whole from the memoize store (Ninja's "Using cache NAME build"), e.g. musllibc.
    public var memoized: [String] = []

    /// Counts the results in a ccache stats log (`# FILE` lines, then one counter per line).
    static func read(statsLog: URL, cache: CompilerCache, remoteUnreachable: String?) -> CompilerCacheUse {
        let text = (try? String(contentsOf: statsLog, encoding: .utf8)) ?? ""
        var use = CompilerCacheUse(cache: cache.location, compilations: 0, hits: 0, remoteHits: 0, remoteErrors: 0, remoteUnreachable: remoteUnreachable)
        for line in text.split(separator: "\n") {
            switch line {
            case "direct_cache_hit", "preprocessed_cache_hit": use.hits += 1; use.compilations += 1
            case "cache_miss": use.compilations += 1
            case "remote_storage_hit": use.remoteHits += 1
            case "remote_storage_error": use.remoteErrors += 1
            default: break
            }
        }
        return use
    }

    /// The summary line: "Compiler cache /srv/cache: 412 of 420 compilations hit (98.1%)."
    public var summary: String {
        var line = "Compiler cache \(cache): " + (compilations == 0 ? "nothing was compiled"
            : "\(hits) of \(compilations) compilations hit" + String(format: " (%.1f%%)", Double(hits) * 100 / Double(compilations)))
        if cache.hasPrefix("redis://") {
            line += remoteUnreachable == nil ? ", \(remoteHits) from Redis" : "; Redis was unreachable (\(remoteUnreachable!)), so only the workspace's local cache was used"
        }
        if remoteErrors > 0 { line += "; \(remoteErrors) Redis requests failed" }
        if !memoized.isEmpty { line += "; reused from the memoize store: " + memoized.joined(separator: ", ") }
        return line + "."
    }
}

/// Runs ccache for one build: the compiler links, the environment, the stats.
struct CompilerCacheSetup {
    let cache: CompilerCache
    let paths: BuildPaths
    /// The cross compiler's programs (`aarch64-linux-gnu-gcc`, `…-g++`).
    let compilers: [String]

    /// The CCACHE_ variables for CMake and Ninja, after making the compiler
    /// links and directories; Redis is checked once here (see `RedisProbe`).
    func prepare(basePath: String, progress: any ProgressReporter) throws -> (environment: [String: String], remoteUnreachable: String?) {
        let fm = FileManager.default
        guard let ccache = ProcessRunner.which("ccache", path: basePath) else {
            throw BuildError(.configureFailed, "\(cache.setting) needs ccache, which is not on PATH", hint: "install it with: apt-get install ccache")
        }
        let links = paths.ccacheCompilerLinks
        try fm.createDirectory(at: links, withIntermediateDirectories: true)
        for name in compilers {
            let link = links.appendingPathComponent(name)
            if (try? fm.destinationOfSymbolicLink(atPath: link.path)) == ccache.path { continue }
            try? fm.removeItem(at: link)
            try fm.createSymbolicLink(atPath: link.path, withDestinationPath: ccache.path)
        }
        var environment = [
            "PATH": links.path + ":" + basePath,
            "CCACHE_BASEDIR": paths.workspace.standardizedFileURL.path,
            "CCACHE_COMPILERCHECK": "content",
        ]
        var unreachable: String?
        switch cache.kind {
        case .directory:
            if !fm.fileExists(atPath: cache.location) {
                try fm.createDirectory(at: URL(fileURLWithPath: cache.location), withIntermediateDirectories: false)
            }
            environment["CCACHE_DIR"] = cache.location
        case .redis:
            try fm.createDirectory(at: paths.ccacheLocalDirectory, withIntermediateDirectories: true)
            environment["CCACHE_DIR"] = paths.ccacheLocalDirectory.path
            if let (host, port) = cache.redisEndpoint, let problem = RedisProbe.ping(host: host, port: port) {
                unreachable = problem
                progress.note("warning: \(cache.setting) \(cache.location): Redis did not answer (\(problem)); building with the workspace's local cache (\(paths.ccacheLocalDirectory.path)) only")
            } else {
                environment["CCACHE_REMOTE_STORAGE"] = cache.location
            }
        }
        return (environment, unreachable)
    }
}
