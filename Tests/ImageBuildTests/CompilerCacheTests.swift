import Foundation
import Support
import Testing
import TestSupport
@testable import ImageBuild

/// Builds a small CMake project laid out like a seL4 workspace (top-level
/// CMakeLists.txt, settings.cmake, kernel/gcc.cmake with seL4's own
/// `find_program(CCACHE ccache)` launcher) with the real aarch64 cross
/// compiler, real CMake, Ninja and ccache, through `Builder` and its cache
/// setup: three C files compiled by CMake and one compiled by a make-style
/// custom command in a subdirectory (as seL4 builds musllibc).
@Suite(.serialized) struct CompilerCacheBuildTests {
    static let toolsPresent = ["cmake", "ninja", "ccache", "aarch64-linux-gnu-gcc"].allSatisfy { ProcessRunner.which($0) != nil }

    func writeProject(_ dir: TemporaryDirectory, _ workspace: String) throws {
        try dir.write("\(workspace)/settings.cmake", "")
        try dir.write("\(workspace)/kernel/gcc.cmake", """
            set(CMAKE_SYSTEM_NAME Generic)
            set(CMAKE_SYSTEM_PROCESSOR aarch64)
            set(CROSS_COMPILER_PREFIX aarch64-linux-gnu-)
            set(CMAKE_C_COMPILER ${CROSS_COMPILER_PREFIX}gcc)
            set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
            # As seL4's kernel/gcc.cmake does:
            find_program(CCACHE ccache)
            if(NOT ("${CCACHE}" STREQUAL CCACHE-NOTFOUND))
                set_property(GLOBAL PROPERTY RULE_LAUNCH_COMPILE ${CCACHE})
            endif()
            """)
        try dir.write("\(workspace)/CMakeLists.txt", """
            cmake_minimum_required(VERSION 3.16)
            project(demo C)
            set(LEVEL 1 CACHE STRING "a setting that reaches the compiler")
            add_compile_options(-g -O1 -DLEVEL=${LEVEL})
            configure_file(${CMAKE_SOURCE_DIR}/config.h.in ${CMAKE_BINARY_DIR}/gen/config.h)
            include_directories(${CMAKE_SOURCE_DIR}/include ${CMAKE_BINARY_DIR}/gen)
            # Like musllibc: copied into the build directory, compiled there with the compiler CMake found.
            separate_arguments(flags NATIVE_COMMAND "${CMAKE_C_FLAGS}")
            add_custom_command(OUTPUT sub/extra.o
                COMMAND rm -rf sub && mkdir -p sub && cp ${CMAKE_SOURCE_DIR}/extra/extra.c sub/
                COMMAND cd sub && ${CMAKE_C_COMPILER} ${flags} -g -O1 -c extra.c -o extra.o
                DEPENDS ${CMAKE_SOURCE_DIR}/extra/extra.c)
            add_executable(app main.c a.c b.c sub/extra.o)
            target_link_options(app PRIVATE -static -nostartfiles -nostdlib -Wl,--build-id=none)
            """)
        try dir.write("\(workspace)/config.h.in", "#define NAME \"demo\"\n")
        try dir.write("\(workspace)/include/shared.h", "int a(void);\nint b(void);\nint extra(void);\n")
        try dir.write("\(workspace)/main.c", """
            #include "shared.h"
            #include "config.h"
            const char *where(void) { return __FILE__ NAME; }
            void _start(void) { for (;;) { (void)(a() + b() + extra() + LEVEL); } }
            """)
        try dir.write("\(workspace)/a.c", "#include \"shared.h\"\nconst char *fa(void) { return __FILE__; }\nint a(void) { return LEVEL; }\n")
        try dir.write("\(workspace)/b.c", "#include \"shared.h\"\nconst char *fb(void) { return __FILE__; }\nint b(void) { return 2 * LEVEL; }\n")
        try dir.write("\(workspace)/extra/extra.c", "const char *fe(void) { return __FILE__; }\nint extra(void) { return 3; }\n")
    }

    func builder(_ dir: TemporaryDirectory, _ workspace: String, cache: CompilerCache?, level: String = "1") throws -> Builder {
        let root = dir.path(workspace)
        let paths = BuildPaths(workspace: root, board: "qemu-virt", app: "demo")
        var invocation = try CMakeInvocation.locate(workspace: root, buildDirectory: paths.buildDirectory, definitions: ["LEVEL": level])
        if cache != nil { invocation.compilerCacheLinks = paths.ccacheCompilerLinks.path }
        var builder = Builder(paths: paths, invocation: invocation, outputs: ["app": "app"])
        builder.compilerCache = cache
        builder.cachedCompilers = ["aarch64-linux-gnu-gcc", "aarch64-linux-gnu-g++"]
        return builder
    }

    func sums(_ dir: TemporaryDirectory, _ workspace: String) throws -> String {
        try dir.read("\(workspace)/artifacts/qemu-virt-demo/SHA256SUMS")
    }

    @Test("a second workspace hits the cache directory for every compilation and builds identical bytes; a changed setting or source misses",
          .enabled(if: toolsPresent))
    func directoryCache() throws {
        let dir = try TemporaryDirectory("sel4img-ccache")
        defer { dir.remove() }
        for ws in ["plain", "one", "two"] { try writeProject(dir, ws) }
        let cache = CompilerCache(kind: .directory, location: dir.path("cache").path, setting: "--cache")

        let plain = try builder(dir, "plain", cache: nil).build(progress: QuietProgress())
        #expect(plain.compilerCache == nil)
        // Without a cache ccache is disabled for the build: nothing gets cached anywhere.
        #expect(!FileManager.default.fileExists(atPath: dir.path("plain/.sel4img/ccache").path))

        let first = try builder(dir, "one", cache: cache).build(progress: QuietProgress())
        #expect(first.configureReason == "not configured yet")
        let firstUse = try #require(first.compilerCache)
        #expect(firstUse.compilations == 4)
        #expect(firstUse.hits == 0)

        let second = try builder(dir, "two", cache: cache).build(progress: QuietProgress())
        #expect(second.compilerCache == CompilerCacheUse(cache: cache.location, compilations: 4, hits: 4, remoteHits: 0, remoteErrors: 0))
        #expect(second.compilerCache?.summary == "Compiler cache \(cache.location): 4 of 4 compilations hit (100.0%).")
        // Identical outputs: with the cache, without it, and in any directory.
        #expect(try sums(dir, "two") == sums(dir, "one"))
        #expect(try sums(dir, "two") == sums(dir, "plain"))
        // No workspace path reaches the program; the file names are relative to the build directory.
        let strings = try sh("strings -a \(dir.path("two/artifacts/qemu-virt-demo/app").path)")
        #expect(!strings.contains(dir.url.path))
        #expect(strings.contains("../../a.c"))
        // The real compiler ran under ccache, not ccache twice (seL4's launcher is switched off).
        #expect(try dir.read("two/build/qemu-virt-demo/CMakeCache.txt").contains("CCACHE:FILEPATH=\n"))

        // A changed CMake setting reconfigures, and every compilation that sees it misses.
        let changed = try builder(dir, "two", cache: cache, level: "2").build(progress: QuietProgress())
        #expect(changed.configureReason == "settings changed: LEVEL 1 → 2")
        #expect(changed.compilerCache?.compilations == 4)
        #expect(changed.compilerCache?.hits == 1) // extra.c alone does not get LEVEL
        #expect(try sums(dir, "two") != sums(dir, "one"))

        // A changed source (what a patch does) misses for that file only.
        try dir.write("one/b.c", "#include \"shared.h\"\nconst char *fb(void) { return __FILE__; }\nint b(void) { return 3 * LEVEL; }\n")
        let patched = try builder(dir, "one", cache: cache).build(progress: QuietProgress())
        #expect(patched.configureReason == nil)
        #expect(patched.compilerCache?.compilations == 1)
        #expect(patched.compilerCache?.hits == 0)

        // Turning the cache off reconfigures and says why.
        let off = try builder(dir, "one", cache: nil).build(progress: QuietProgress())
        #expect(off.configureReason == "the compiler cache was turned off")
    }

    @Test("a changed cross compiler misses", .enabled(if: toolsPresent))
    func changedCompilerMisses() throws {
        let dir = try TemporaryDirectory("sel4img-ccache")
        defer { dir.remove() }
        for ws in ["one", "two"] { try writeProject(dir, ws) }
        let cache = CompilerCache(kind: .directory, location: dir.path("cache").path, setting: "--cache")
        // A toolchain of its own, first on PATH: a wrapper around Debian's cross compiler.
        let real = try #require(ProcessRunner.which("aarch64-linux-gnu-gcc")).path
        try dir.write("toolchain/aarch64-linux-gnu-gcc", "#!/bin/sh\nexec \(real) \"$@\"\n")
        try sh("chmod +x \(dir.path("toolchain/aarch64-linux-gnu-gcc").path)")
        let path = dir.path("toolchain").path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        var first = try builder(dir, "one", cache: cache)
        first.runner.environment["PATH"] = path
        #expect(try first.build(progress: QuietProgress()).compilerCache?.hits == 0)
        // The same compiler in a new workspace hits; a changed one (another release) misses everything.
        try dir.write("toolchain/aarch64-linux-gnu-gcc", "#!/bin/sh\n# release 2\nexec \(real) \"$@\"\n")
        var second = try builder(dir, "two", cache: cache)
        second.runner.environment["PATH"] = path
        let use = try second.build(progress: QuietProgress()).compilerCache
        #expect(use?.compilations == 4)
        #expect(use?.hits == 0)
    }

    @Test("through Redis: a fresh workspace with an empty local cache gets every hit from Redis", .enabled(if: toolsPresent && ProcessRunner.which("redis-server") != nil))
    func redisCache() throws {
        let dir = try TemporaryDirectory("sel4img-ccache")
        defer { dir.remove() }
        let redis = try PrivateRedis(directory: dir.path("redis"))
        defer { redis.stop() }
        for ws in ["one", "two"] { try writeProject(dir, ws) }
        let cache = try CompilerCache.parse("redis://127.0.0.1:\(redis.port)", setting: "--cache", currentDirectory: dir.url)

        let first = try builder(dir, "one", cache: cache).build(progress: QuietProgress())
        #expect(first.compilerCache?.compilations == 4)
        #expect(first.compilerCache?.hits == 0)
        #expect(FileManager.default.fileExists(atPath: dir.path("one/.sel4img/ccache/local").path))

        let progress = RecordingProgress()
        let second = try builder(dir, "two", cache: cache).build(progress: progress)
        #expect(second.compilerCache == CompilerCacheUse(cache: cache.location, compilations: 4, hits: 4, remoteHits: 4, remoteErrors: 0))
        #expect(second.compilerCache?.summary == "Compiler cache \(cache.location): 4 of 4 compilations hit (100.0%), 4 from Redis.")
        #expect(!progress.lines.contains { $0.hasPrefix("warning") })
        #expect(try sums(dir, "two") == sums(dir, "one"))
    }

    @Test("an unreachable Redis is a warning: the build uses the workspace's local cache", .enabled(if: toolsPresent))
    func unreachableRedis() throws {
        let dir = try TemporaryDirectory("sel4img-ccache")
        defer { dir.remove() }
        try writeProject(dir, "one")
        // A port nobody listens on: bound, never listened to.
        let port = try PrivateRedis.freePort()
        let cache = try CompilerCache.parse("redis://127.0.0.1:\(port)", setting: "--cache", currentDirectory: dir.url)
        let progress = RecordingProgress()
        let result = try builder(dir, "one", cache: cache).build(progress: progress)
        let problem = "cannot connect to 127.0.0.1:\(port): Connection refused"
        #expect(progress.lines.contains("warning: --cache redis://127.0.0.1:\(port): Redis did not answer (\(problem)); building with the workspace's local cache (\(dir.path("one/.sel4img/ccache/local").path)) only"))
        #expect(result.compilerCache == CompilerCacheUse(cache: cache.location, compilations: 4, hits: 0, remoteHits: 0, remoteErrors: 0, remoteUnreachable: problem))
        #expect(result.compilerCache?.summary == "Compiler cache redis://127.0.0.1:\(port): 0 of 4 compilations hit (0.0%); Redis was unreachable (\(problem)), so only the workspace's local cache was used.")
    }
}

/// A Redis server of the test's own, on a free loopback port, with its files in `directory`.
struct PrivateRedis {
    let port: Int
    let process: Process

    init(directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        process = Process()
        process.executableURL = try #require(ProcessRunner.which("redis-server"))
        process.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 where RedisProbe.ping(host: "127.0.0.1", port: port) != nil { usleep(50_000) }
        if let problem = RedisProbe.ping(host: "127.0.0.1", port: port) {
            stop()
            throw BuildError(.configureFailed, "the test's redis-server on port \(port) did not start: \(problem)")
        }
    }

    /// SIGKILL: it keeps nothing on disk, and SIGTERM would not reach it (the
    /// test runner's threads block it, and a child inherits that mask).
    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// A loopback port free right now (the kernel picks it).
    static func freePort() throws -> Int {
        let out = try sh("python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])'")
        return try #require(Int(out.trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}

@Suite struct CompilerCacheSettingTests {
    @Test("the stats log counts hits, misses and Redis hits, not links or preprocessing")
    func statsLog() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("stats.log", """
            # a.c
            direct_cache_hit
            local_storage_hit
            # b.c
            cache_miss
            direct_cache_miss
            # c.c
            preprocessed_cache_hit
            remote_storage_hit
            # 
            called_for_link
            # d.c
            called_for_preprocessing
            # e.c
            cache_miss
            remote_storage_error

            """)
        let use = CompilerCacheUse.read(statsLog: dir.path("stats.log"), cache: CompilerCache(kind: .redis, location: "redis://h:1", setting: "--cache"), remoteUnreachable: nil)
        #expect(use == CompilerCacheUse(cache: "redis://h:1", compilations: 4, hits: 2, remoteHits: 1, remoteErrors: 1))
        #expect(use.summary == "Compiler cache redis://h:1: 2 of 4 compilations hit (50.0%), 1 from Redis; 1 Redis requests failed.")
    }

    @Test("seL4's memoize store is seL4-memoize inside a cache directory; for Redis it is the per-user cache, which SEL4IMG_MEMOIZE_CACHE moves")
    func memoizeStore() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let local = try CompilerCache.parse(dir.path("cache").path, setting: "--cache", currentDirectory: dir.url, environment: [:])
        #expect(local.memoizeDirectory == dir.path("cache/seL4-memoize").path)
        let redis = { (environment: [String: String]) in
            try CompilerCache.parse("redis://h:1", setting: "--cache", currentDirectory: dir.url, environment: environment).memoizeDirectory
        }
        #expect(try redis(["HOME": "/home/u"]) == "/home/u/.cache/sel4img/seL4-memoize")
        #expect(try redis(["HOME": "/home/u", "XDG_CACHE_HOME": "/xdg"]) == "/xdg/sel4img/seL4-memoize")
        #expect(try redis(["HOME": "/home/u", "XDG_CACHE_HOME": "/xdg", "SEL4IMG_MEMOIZE_CACHE": "/ci/memo/"]) == "/ci/memo")
        // SEL4IMG_MEMOIZE_CACHE is for Redis only: a cache directory keeps its store inside.
        #expect(try CompilerCache.parse(dir.path("cache").path, setting: "--cache", currentDirectory: dir.url,
                                        environment: ["SEL4IMG_MEMOIZE_CACHE": "/ci/memo"]).memoizeDirectory == dir.path("cache/seL4-memoize").path)
    }

    @Test("Ninja's 'Using cache NAME build' steps are the memoized builds, and the summary line lists them")
    func memoizedBuilds() {
        let counter = NinjaProgress(progress: QuietProgress())
        for line in ["[1/302] Building C object kernel/kernel_all.c.obj", "[2/302] Using cache musllibc build",
                     "[3/302] Using cache two words build", "Using cache stray build", "[4/302] Invoking muslc build system"] {
            counter.handle(line)
        }
        #expect(counter.memoized == ["musllibc"])
        #expect(counter.steps == 4)
        #expect(NinjaProgress.memoizedBuild("Using cache  build") == nil)
        var use = CompilerCacheUse(cache: "/srv/cache", compilations: 213, hits: 213, remoteHits: 0, remoteErrors: 0)
        use.memoized = ["musllibc"]
        #expect(use.summary == "Compiler cache /srv/cache: 213 of 213 compilations hit (100.0%); reused from the memoize store: musllibc.")
    }

    @Test("the prefix maps send the workspace to its path from the build directory, the build directory to nothing")
    func prefixMaps() {
        let paths = BuildPaths(workspace: URL(fileURLWithPath: "/w/ws"), board: "qemu-virt", app: "sel4test")
        #expect(paths.prefixMapFlags == "-ffile-prefix-map=/w/ws/=../../ -ffile-prefix-map=/w/ws/build/qemu-virt-sel4test/=")
    }
}
