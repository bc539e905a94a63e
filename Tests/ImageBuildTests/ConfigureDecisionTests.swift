import Foundation
import Support
import Testing
import TestSupport
@testable import ImageBuild

@Suite struct ConfigureDecisionTests {
    let base = CMakeInvocation(sourceDirectory: "/ws/projects/sel4test", settingsFile: "/ws/projects/sel4test/settings.cmake",
                               toolchainFile: nil, definitions: ["PLATFORM": "qemu-arm-virt", "AARCH64": "TRUE", "SIMULATION": "TRUE"])

    @Test("a build directory never configured is configured")
    func freshWhenNew() {
        #expect(ConfigureDecision.decide(previous: nil, current: base, buildNinjaExists: false) == .fresh(reason: "not configured yet"))
    }

    @Test("a configure that never finished (no build.ninja) is redone")
    func freshWhenHalfDone() {
        let stamp = ConfigureStamp(fingerprint: base.fingerprint, invocation: base)
        #expect(ConfigureDecision.decide(previous: stamp, current: base, buildNinjaExists: false) == .fresh(reason: "not configured yet"))
    }

    @Test("unchanged settings reuse the configuration")
    func reuse() {
        let stamp = ConfigureStamp(fingerprint: base.fingerprint, invocation: base)
        #expect(ConfigureDecision.decide(previous: stamp, current: base, buildNinjaExists: true) == .reuse)
    }

    @Test("a changed board setting reconfigures and names the setting")
    func changedSetting() {
        let stamp = ConfigureStamp(fingerprint: base.fingerprint, invocation: base)
        var changed = base
        changed.definitions["QEMU_MEMORY"] = "1024"
        changed.definitions["SIMULATION"] = "FALSE"
        #expect(ConfigureDecision.decide(previous: stamp, current: changed, buildNinjaExists: true)
                == .fresh(reason: "settings changed: QEMU_MEMORY (unset) → 1024, SIMULATION TRUE → FALSE"))
    }

    @Test("moving seL4's memoize store (another --cache) reconfigures and says so; without one the fingerprint is as before")
    func movedMemoizeStore() {
        var cached = base
        cached.compilerCacheLinks = "/ws/.sel4img/ccache/bin"
        cached.memoizeDirectory = "/srv/a/seL4-memoize"
        var moved = cached
        moved.memoizeDirectory = "/home/u/.cache/sel4img/seL4-memoize"
        let stamp = ConfigureStamp(fingerprint: cached.fingerprint, invocation: cached)
        #expect(ConfigureDecision.decide(previous: stamp, current: moved, buildNinjaExists: true)
                == .fresh(reason: "seL4's memoize store moved to /home/u/.cache/sel4img/seL4-memoize"))
        #expect(ConfigureDecision.decide(previous: stamp, current: cached, buildNinjaExists: true) == .reuse)
        // Stamps written before the store could move have no memoizeDirectory: they still match.
        let encoded = String(decoding: try! JSONEncoder().encode(base), as: UTF8.self)
        #expect(!encoded.contains("memoizeDirectory"))
    }

    @Test("the CMake command line is what init-build.sh runs, settings in key order")
    func cmakeArguments() {
        let args = base.arguments(cacheDirectory: URL(fileURLWithPath: "/ws/.sel4img/cmake-cache"))
        #expect(args == [
            "cmake", "-G", "Ninja", "-DAARCH64=TRUE", "-DPLATFORM=qemu-arm-virt", "-DSIMULATION=TRUE",
            "-DSEL4_CACHE_DIR=/ws/.sel4img/cmake-cache", "-C", "/ws/projects/sel4test/settings.cmake", "/ws/projects/sel4test",
        ])
        var cached = base
        cached.compilerCacheLinks = "/ws/.sel4img/ccache/bin"
        cached.memoizeDirectory = "/srv/cache/seL4-memoize"
        #expect(cached.arguments(cacheDirectory: URL(fileURLWithPath: "/ws/.sel4img/cmake-cache")).suffix(5) == [
            "-DCCACHE=", "-DSEL4_CACHE_DIR=/srv/cache/seL4-memoize", "-C", "/ws/projects/sel4test/settings.cmake", "/ws/projects/sel4test",
        ])
        var withToolchain = base
        withToolchain.toolchainFile = "/ws/kernel/gcc.cmake"
        #expect(withToolchain.arguments(cacheDirectory: URL(fileURLWithPath: "/c"))[1] == "-DCMAKE_TOOLCHAIN_FILE=/ws/kernel/gcc.cmake")
    }

    @Test("the CMake project is found through easy-settings.cmake, as init-build.sh finds it")
    func locateProject() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws")
        try dir.write("ws/projects/sel4test/settings.cmake", "")
        try dir.write("ws/projects/sel4test/easy-settings.cmake", "")
        try FileManager.default.createSymbolicLink(atPath: ws.appendingPathComponent("easy-settings.cmake").path,
                                                   withDestinationPath: "projects/sel4test/easy-settings.cmake")
        let found = try CMakeInvocation.locate(workspace: ws, buildDirectory: ws.appendingPathComponent("build/qemu-virt-sel4test"), definitions: [:])
        #expect(found.sourceDirectory == ws.appendingPathComponent("projects/sel4test").path)
        #expect(found.toolchainFile == nil)

        let empty = dir.path("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let error = #expect(throws: BuildError.self) { try CMakeInvocation.locate(workspace: empty, buildDirectory: empty.appendingPathComponent("build/x"), definitions: [:]) }
        #expect(error?.description == "\(empty.path) has neither CMakeLists.txt nor easy-settings.cmake, so there is no seL4 CMake project to configure")
    }

    @Test("CMake's own error text is shown from its first 'CMake Error' line")
    func cmakeErrorBlock() {
        let lines = ["-- Found Python", "CMake Error at kernel/configs/seL4Config.cmake:12 (message):", "  Unknown PLATFORM 'nope'", "-- Configuring incomplete"]
        #expect(Builder.cmakeErrorBlock(lines) == """
              | CMake Error at kernel/configs/seL4Config.cmake:12 (message):
              |   Unknown PLATFORM 'nope'
              | -- Configuring incomplete
            """)
    }
}

@Suite struct BuildRunTests {
    /// A fake `cmake` and `ninja` on PATH record their calls, so the
    /// incremental decisions can be checked without seL4.
    func fakeTools(_ dir: TemporaryDirectory, ninjaNoWork: Bool = false, cmakeFails: Bool = false) throws -> [String: String] {
        try dir.write("bin/cmake", """
            #!/bin/sh
            echo "cmake $*" >> \(dir.path("calls").path)
            \(cmakeFails ? "echo 'CMake Error at settings.cmake:3 (message):'; echo '  PLATFORM nope is not supported'; exit 1" : "")
            echo 'rule x' > build.ninja
            """)
        try dir.write("bin/ninja", """
            #!/bin/sh
            echo "ninja" >> \(dir.path("calls").path)
            if [ -f images/done ]; then echo 'ninja: no work to do.'; exit 0; fi
            echo '[1/2] Building C object kernel.c.obj'
            echo '[2/2] Generating images/sel4test-driver-image-arm-qemu-arm-virt'
            mkdir -p images && printf 'IMAGE' > images/sel4test-driver-image-arm-qemu-arm-virt && touch images/done
            """)
        try sh("chmod +x \(dir.path("bin").path)/*")
        return ["PATH": dir.path("bin").path + ":/usr/bin:/bin"]
    }

    func builder(_ dir: TemporaryDirectory, definitions: [String: String] = ["PLATFORM": "qemu-arm-virt"]) -> Builder {
        let paths = BuildPaths(workspace: dir.path("ws"), board: "qemu-virt", app: "sel4test")
        let inv = CMakeInvocation(sourceDirectory: dir.path("ws/src").path, settingsFile: dir.path("ws/src/settings.cmake").path,
                                  toolchainFile: nil, definitions: definitions)
        return Builder(paths: paths, invocation: inv, outputs: ["image": "images/sel4test-driver-image-arm-*"])
    }

    @Test("first build configures and runs Ninja; the second only asks Ninja and says it had no work")
    func incremental() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var b = builder(dir)
        b.runner = ProcessRunner(environment: try fakeTools(dir))
        let first = try b.build(progress: QuietProgress())
        #expect(first.configureReason == "not configured yet")
        #expect(first.ninjaDidWork)
        #expect(first.ninjaSteps == 2)
        #expect(first.artifacts.map(\.file) == ["sel4test-driver-image-arm-qemu-arm-virt"])
        #expect(first.artifacts.first?.sha256 == SHA256Hex.of("IMAGE"))
        // SHA256SUMS lists every file written, in name order, as sha256sum -c reads it.
        let sums = try dir.read("ws/artifacts/qemu-virt-sel4test/SHA256SUMS")
        #expect(sums.split(separator: "\n").map { String($0.split(separator: " ").last!) } == ["artifacts.json", "sel4test-driver-image-arm-qemu-arm-virt"])
        #expect(sums.contains("\(SHA256Hex.of("IMAGE"))  sel4test-driver-image-arm-qemu-arm-virt\n"))
        #expect(try sh("sha256sum -c --quiet SHA256SUMS", in: dir.path("ws/artifacts/qemu-virt-sel4test")) == "")

        let second = try b.build(progress: QuietProgress())
        #expect(second.configureReason == nil)
        #expect(!second.ninjaDidWork)
        #expect(try dir.read("calls").split(separator: "\n").map { $0.hasPrefix("cmake") ? "cmake" : String($0) } == ["cmake", "ninja", "ninja"])
        // The full log is kept in the build directory.
        #expect(try dir.read("ws/build/qemu-virt-sel4test/sel4img-build.log").contains("[2/2] Generating images/"))
    }

    @Test("changing a setting starts the build directory over")
    func settingChangeReconfigures() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var b = builder(dir)
        b.runner = ProcessRunner(environment: try fakeTools(dir))
        _ = try b.build(progress: QuietProgress())
        var c = builder(dir, definitions: ["PLATFORM": "qemu-arm-virt", "QEMU_MEMORY": "1024"])
        c.runner = b.runner
        let result = try c.build(progress: QuietProgress())
        #expect(result.configureReason == "settings changed: QEMU_MEMORY (unset) → 1024")
        #expect(result.ninjaDidWork)
    }

    @Test("a CMake failure shows CMake's message and the log path")
    func configureFailure() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var b = builder(dir)
        b.runner = ProcessRunner(environment: try fakeTools(dir, cmakeFails: true))
        let error = #expect(throws: BuildError.self) { try b.build(progress: QuietProgress()) }
        let log = dir.path("ws/build/qemu-virt-sel4test/sel4img-build.log").path
        #expect(error?.description == """
            CMake could not configure qemu-virt-sel4test:
              | CMake Error at settings.cmake:3 (message):
              |   PLATFORM nope is not supported
            Full log: \(log)
            """)
        #expect(error?.hint == "run 'sel4img doctor' if a tool or Python module is missing")
    }

    @Test("an output the app names but the build did not make is an error naming the pattern")
    func missingOutput() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let paths = BuildPaths(workspace: dir.path("ws"), board: "b", app: "a")
        try FileManager.default.createDirectory(at: paths.buildDirectory, withIntermediateDirectories: true)
        let collector = ArtifactCollector(buildDirectory: paths.buildDirectory, artifactsDirectory: paths.artifactsDirectory)
        let error = #expect(throws: BuildError.self) { try collector.collect(["dtb": "kernel/kernel.dtb"]) }
        #expect(error?.description == "the build finished but produced no dtb matching 'kernel/kernel.dtb' in \(paths.buildDirectory.path)")
    }

    @Test("Ninja's [n/m] lines become progress and 'no work to do' is recognised")
    func ninjaProgress() {
        let recorder = RecordingProgress()
        let counter = NinjaProgress(progress: recorder)
        counter.handle("[3/302] Building C object foo.c.obj")
        counter.handle("some compiler warning")
        #expect(counter.steps == 3)
        #expect(recorder.lines == ["ninja: [3/302] Building C object foo.c.obj"])
        counter.handle("ninja: no work to do.")
        #expect(counter.noWork)
    }
}
