import ArgumentParser
import Foundation
import ImageBuild
import Testing
import TestSupport
@testable import Commands

/// `--cache`, `--no-cache` and SEL4IMG_CACHE, parsed in-process into the build plan.
@Suite struct CacheOptionTests {
    static func catalogs() throws -> DataCatalogs { try DataCatalogs.load(from: repositoryRoot) }

    func plan(_ extra: [String], environment: [String: String] = [:], workspace: URL) throws -> BuildPlan {
        let command = try SEL4Img.parseAsRoot(["build", "--board", "qemu-virt", "--app", "sel4test", "-w", workspace.path] + extra)
        let build = try #require(command as? Build)
        return try build.options.pipeline(catalogs: try Self.catalogs(), workspace: workspace, environment: environment).plan()
    }

    @Test("--cache DIR plans a ccache directory (relative to the current directory) and adds ccache to the host tools")
    func directory() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws")
        let planned = try plan(["--cache", dir.path("cache").path], workspace: ws)
        #expect(planned.compilerCache == CompilerCache(kind: .directory, location: dir.path("cache").path, setting: "--cache", environment: [:]))
        #expect(planned.compilerCache?.memoizeDirectory == dir.path("cache/seL4-memoize").path)
        #expect(planned.hostTools.last == "ccache")
        #expect(try planned.json().contains("\"compilerCache\" : {\n    \"kind\" : \"directory\",\n    \"location\" : \"\(dir.path("cache").path)\""))
        // Nothing is made before the build.
        #expect(!FileManager.default.fileExists(atPath: dir.path("cache").path))

        let relative = try plan(["--cache", "."], workspace: ws)
        #expect(relative.compilerCache?.location == FileManager.default.currentDirectoryPath)
    }

    @Test("--cache redis://HOST:PORT plans Redis; SEL4IMG_CACHE is the default, and --no-cache or --cache overrides it")
    func redisAndSetting() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws")
        let redis = CompilerCache(kind: .redis, location: "redis://cache.example:6380", setting: "--cache", environment: [:])
        #expect(try plan(["--cache", "redis://cache.example:6380"], workspace: ws).compilerCache == redis)
        #expect(try plan([], workspace: ws).compilerCache == nil)
        #expect(try plan([], workspace: ws).hostTools.contains("ccache") == false)

        let fromSetting = try plan([], environment: ["SEL4IMG_CACHE": "redis://10.1.2.3/2"], workspace: ws)
        #expect(fromSetting.compilerCache == CompilerCache(kind: .redis, location: "redis://10.1.2.3/2", setting: "SEL4IMG_CACHE",
                                                           environment: ["SEL4IMG_CACHE": "redis://10.1.2.3/2"]))
        #expect(try plan(["--no-cache"], environment: ["SEL4IMG_CACHE": "redis://10.1.2.3"], workspace: ws).compilerCache == nil)
        #expect(try plan([], environment: ["SEL4IMG_CACHE": ""], workspace: ws).compilerCache == nil)
        #expect(try plan(["--cache", "redis://a:1"], environment: ["SEL4IMG_CACHE": "redis://b:2"], workspace: ws).compilerCache?.location == "redis://a:1")

        let both = #expect(throws: (any Error).self) { try SEL4Img.parseAsRoot(["build", "--cache", "/tmp", "--no-cache"]) }
        #expect(SEL4Img.message(for: try #require(both)) == "--cache and --no-cache contradict each other; give one")
    }

    static let badValues: [(value: String, message: String, hint: String)] = [
        ("", "--cache is empty", "give a directory or redis://HOST:PORT"),
        ("http://cache:8080", "--cache 'http://cache:8080' is a http:// URL; the compiler cache takes a directory or redis://HOST:PORT",
         "give a directory or redis://HOST:PORT"),
        ("redis://", "--cache 'redis://' names no Redis host", "write redis://HOST:PORT (PORT 1 to 65535, 6379 when left out)"),
        ("redis://h:0", "--cache 'redis://h:0' has port 0, outside 1 to 65535", "write redis://HOST:PORT (PORT 1 to 65535, 6379 when left out)"),
        ("redis://h:x1", "--cache 'redis://h:x1' is not a valid URL", "write redis://HOST:PORT (PORT 1 to 65535, 6379 when left out)"),
        ("redis://u:secret@h:1", "--cache 'redis://u:secret@h:1' carries credentials, which would be shown in build logs",
         "use a Redis server that needs no password, on a network only your builders reach"),
        ("redis://h:1/cache?x=1", "--cache 'redis://h:1/cache?x=1' has more than a host, a port and a database number",
         "write redis://HOST:PORT (PORT 1 to 65535, 6379 when left out)"),
        ("/nonexistent-sel4img/cache", "--cache '/nonexistent-sel4img/cache': the parent directory /nonexistent-sel4img does not exist",
         "create it first; sel4img makes only the cache directory itself"),
        ("/etc/hostname", "--cache '/etc/hostname': /etc/hostname exists and is not a directory", "give a directory or redis://HOST:PORT"),
        ("bad\u{1B}[31m/x", "--cache 'bad\\u{1B}[31m/x': the parent directory \(FileManager.default.currentDirectoryPath)/bad\\u{1B}[31m does not exist",
         "create it first; sel4img makes only the cache directory itself"),
    ]

    @Test("bad --cache values stop the build before any work, each with its message and hint", arguments: badValues.indices)
    func badValue(_ index: Int) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (value, message, hint) = Self.badValues[index]
        let error = #expect(throws: BuildError.self) { try plan(["--cache", value], workspace: dir.path("ws")) }
        #expect(error?.description == message)
        #expect(error?.hint == hint)
        #expect(error?.kind == .badCacheSetting)
    }

    @Test("a bad SEL4IMG_CACHE is named as the setting")
    func badSetting() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let error = #expect(throws: BuildError.self) { try plan([], environment: ["SEL4IMG_CACHE": "ftp://x"], workspace: dir.path("ws")) }
        #expect(error?.description == "SEL4IMG_CACHE 'ftp://x' is a ftp:// URL; the compiler cache takes a directory or redis://HOST:PORT")
    }
}
