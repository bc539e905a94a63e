import Foundation
import Testing
import TestSupport

/// The `memoize` patch set's seL4_tools `memoize.cmake` (taken from the mirror at
/// the manifests' pinned commits and patched with `git apply`), driven by a small
/// CMake project that memoizes a one-file "library" the way musllibc's
/// CMakeLists.txt does: compile options with the workspace's prefix maps, the
/// library's git checkout, the real aarch64 cross compiler, CMake and Ninja.
@Suite(.serialized, .enabled(if: mirror != nil, "set SEL4IMG_TEST_MIRROR to an offline mirror of the seL4 repositories"))
struct MemoizePatchTests {
    static let patchSet = repositoryRoot.appendingPathComponent("patches/memoize")

    /// seL4_tools' commits in the manifests (sel4test and wasm-runner share one, wasm-vm has its own).
    static func toolsCommits() throws -> [String] {
        var commits: [String] = []
        for name in ["sel4test", "wasm-runner", "wasm-vm"] {
            let xml = try String(contentsOf: repositoryRoot.appendingPathComponent("manifests/\(name).xml"), encoding: .utf8)
            let line = try #require(xml.split(separator: "\n").first { $0.contains("name=\"seL4_tools.git\"") })
            let revision = try #require(line.firstMatch(of: /revision="([0-9a-f]{40})"/)?.1)
            if !commits.contains(String(revision)) { commits.append(String(revision)) }
        }
        return commits
    }

    /// memoize.cmake at `commit`, with the set's one patch applied by git.
    func patchedMemoize(_ dir: TemporaryDirectory, commit: String) throws -> URL {
        let tools = URL(fileURLWithPath: mirror!).appendingPathComponent("github.com/seL4/seL4_tools.git").path
        let tree = dir.path("tools-\(commit.prefix(8))")
        try sh("mkdir -p \(tree.path)/cmake-tool/helpers && git --git-dir=\(tools) show \(commit):cmake-tool/helpers/memoize.cmake > \(tree.path)/cmake-tool/helpers/memoize.cmake")
        let series = try String(contentsOf: Self.patchSet.appendingPathComponent("series"), encoding: .utf8)
        let entry = try #require(series.split(separator: "\n").first { !$0.hasPrefix("#") }?.split(separator: " "))
        #expect(entry[0] == "tools/seL4")
        let patch = Self.patchSet.appendingPathComponent(String(entry[2]))
        #expect(try sh("sha256sum < \(patch.path)").hasPrefix(String(entry[1])))
        try sh("git apply --unsafe-paths --directory=. \(patch.path)", in: tree)
        return tree.appendingPathComponent("cmake-tool/helpers")
    }

    /// A workspace: `lib` (its own git repository) and a CMake project that memoizes lib's build.
    func writeWorkspace(_ dir: TemporaryDirectory, _ name: String, helpers: URL) throws {
        try dir.write("\(name)/lib/f.c", "const char *where(void) { return __FILE__; }\nint f(void) { return OPT; }\n")
        // The same commit in every workspace (the key has lib's commit hash).
        try sh("git init -q && git add f.c && git commit -qm lib", in: dir.path("\(name)/lib"),
               environment: ["GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z"])
        try dir.write("\(name)/project/CMakeLists.txt", """
            cmake_minimum_required(VERSION 3.16)
            project(demo C)
            list(APPEND CMAKE_MODULE_PATH \(helpers.path))
            set(OPT 1 CACHE STRING "a setting that reaches lib's compile options")
            # As musllibc's CMakeLists.txt: the options, then the flags from CFLAGS (the prefix maps).
            set(compile_options -O1 -DOPT=${OPT})
            separate_arguments(flags NATIVE_COMMAND "${CMAKE_C_FLAGS}")
            list(APPEND compile_options "${flags}")
            include(memoize)
            memoize_add_custom_command(lib "${CMAKE_CURRENT_BINARY_DIR}/stage" "${CMAKE_SOURCE_DIR}/../lib" "${compile_options} aarch64" ""
                OUTPUT stage/f.o
                COMMAND rm -rf stage && mkdir -p stage/src && cp ${CMAKE_SOURCE_DIR}/../lib/f.c stage/src/
                COMMAND ${CMAKE_C_COMPILER} ${compile_options} -g -c stage/src/f.c -o stage/f.o
                COMMAND_EXPAND_LISTS
                COMMENT "Building lib")
            add_custom_target(lib_gen ALL DEPENDS stage/f.o)
            """)
    }

    struct Run { var configure: String; var ninja: String; var key: String }

    /// Configures and builds `name` with the store and CFLAGS prefix maps as sel4img gives them.
    func build(_ dir: TemporaryDirectory, _ name: String, store: URL, compiler: String = "aarch64-linux-gnu-gcc", opt: String = "1") throws -> Run {
        let root = dir.path(name).path, build = dir.path("\(name)/build/demo").path
        try sh("rm -rf \(build) && mkdir -p \(build)")
        let configure = try sh("cmake -G Ninja -DCMAKE_C_COMPILER=\(compiler) -DCMAKE_SYSTEM_NAME=Generic -DCMAKE_TRY_COMPILE_TARGET_TYPE=STATIC_LIBRARY"
                               + " -DOPT=\(opt) -DSEL4_CACHE_DIR=\(store.path) ../../project", in: URL(fileURLWithPath: build),
                               environment: ["CFLAGS": "-ffile-prefix-map=\(root)/=../../ -ffile-prefix-map=\(build)/="])
        let ninja = try sh("ninja", in: URL(fileURLWithPath: build))
        let key = String(try #require(configure.firstMatch(of: /Key for lib: ([0-9a-f]{32})/)?.1))
        return Run(configure: configure, ninja: ninja, key: key)
    }

    @Test("the patch applies at every pinned seL4_tools commit")
    func applies() throws {
        let dir = try TemporaryDirectory("sel4img-memoize")
        defer { dir.remove() }
        let commits = try Self.toolsCommits()
        #expect(commits.count == 2)
        for commit in commits { _ = try patchedMemoize(dir, commit: commit) }
    }

    @Test("a second workspace takes lib from the store (identical bytes); a changed setting, compiler or an untracked file misses",
          .enabled(if: ["cmake", "ninja", "git", "aarch64-linux-gnu-gcc"].allSatisfy { (try? sh("command -v \($0)")) != nil }))
    func sharedBetweenWorkspaces() throws {
        let dir = try TemporaryDirectory("sel4img-memoize")
        defer { dir.remove() }
        let helpers = try patchedMemoize(dir, commit: try Self.toolsCommits()[0])
        let store = dir.path("store")
        for name in ["one", "two", "three"] { try writeWorkspace(dir, name, helpers: helpers) }

        let first = try build(dir, "one", store: store)
        #expect(first.configure.contains("Not found cache entry for lib - will build from source"))
        #expect(first.ninja.contains("Building lib"))
        // The entry is renamed into place whole: no temporary file is left next to it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.appendingPathComponent("lib/\(first.key)").path) == ["code.tar.gz"])

        // Another workspace: same key, the store's bytes, no compilation.
        let second = try build(dir, "two", store: store)
        #expect(second.key == first.key)
        #expect(second.configure.contains("Found valid cache entry for lib"))
        #expect(second.ninja.contains("Using cache lib build"))
        #expect(!second.ninja.contains("Building lib"))
        let object = { (name: String) in try Data(contentsOf: dir.path("\(name)/build/demo/stage/f.o")) }
        #expect(try object("two") == object("one"))

        // A setting that changes lib's compile options misses.
        let changed = try build(dir, "two", store: store, opt: "2")
        #expect(changed.key != first.key)
        #expect(changed.configure.contains("Not found cache entry for lib"))
        #expect(try object("two") != object("one"))

        // Another compiler with the same version and target: Debian's cross gcc with a cc1 one byte longer.
        let cc1 = try sh("aarch64-linux-gnu-gcc -print-prog-name=cc1").trimmingCharacters(in: .whitespacesAndNewlines)
        try sh("mkdir -p \(dir.path("toolchain").path) && cp \(cc1) \(dir.path("toolchain/cc1").path) && printf x >> \(dir.path("toolchain/cc1").path)")
        try dir.write("toolchain/aarch64-linux-gnu-gcc", "#!/bin/sh\nexec aarch64-linux-gnu-gcc -B\(dir.path("toolchain").path)/ \"$@\"\n")
        try sh("chmod +x \(dir.path("toolchain/aarch64-linux-gnu-gcc").path)")
        let otherCompiler = try build(dir, "three", store: store, compiler: dir.path("toolchain/aarch64-linux-gnu-gcc").path)
        #expect(otherCompiler.key != first.key)
        #expect(otherCompiler.configure.contains("Not found cache entry for lib"))

        // With the same compiler again, the three workspaces' entry is shared ...
        #expect(try build(dir, "three", store: store).key == first.key)
        // ... until lib holds a file git does not track (the commit no longer describes the tree).
        try dir.write("three/lib/new.c", "int g(void) { return 2; }\n")
        let dirty = try build(dir, "three", store: store)
        #expect(dirty.configure.contains("lib is dirty - will build from source"))
        #expect(dirty.ninja.contains("Building lib"))
    }
}
