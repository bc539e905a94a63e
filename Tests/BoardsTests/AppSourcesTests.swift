import Foundation
import Testing
import TestSupport
@testable import Boards

/// The app keys for sel4img's own sources (`sources`) and WebAssembly modules (`wasm`).
@Suite struct AppSourcesTests {
    static let head = """
        format: 1
        description: test app
        manifest: wasm-runner.xml
        supportedBoards: [qemu-virt]
        console:
          success: [ok]
          timeoutSeconds: 10
        outputs:
          image: images/x
        """

    func parse(_ tail: String) throws -> App {
        try App.parse(Self.head + "\n" + tail, name: "test", file: "apps/test.yaml", knownBoards: ["qemu-virt"])
    }

    func refusal(_ tail: String) -> BoardError? {
        #expect(throws: BoardError.self) { _ = try parse(tail) }
    }

    @Test("sources and wasm are read with copies and links in file order")
    func parsesKeys() throws {
        let app = try parse("""
            sources:
              copy:
                runner/sel4: projects/r
                Sources/WasmEngine: projects/r/swift-modules/WasmEngine
              links:
                easy-settings.cmake: projects/r/easy-settings.cmake
              swiftModules: [WasmEngine, WASI]
            wasm:
              archiveSetting: WASM_RUNNER_ARCHIVE
            """)
        #expect(app.sources == App.Sources(
            copies: [.init(from: "runner/sel4", to: "projects/r"),
                     .init(from: "Sources/WasmEngine", to: "projects/r/swift-modules/WasmEngine")],
            links: [.init(path: "easy-settings.cmake", target: "projects/r/easy-settings.cmake")],
            swiftModules: ["WasmEngine", "WASI"]))
        #expect(app.wasm == App.Wasm(archiveSetting: "WASM_RUNNER_ARCHIVE"))
        #expect(try JSONDecoder().decode(App.self, from: JSONEncoder().encode(app)) == app)
    }

    @Test("an app without the keys has neither")
    func absent() throws {
        let app = try parse("")
        #expect(app.sources == nil)
        #expect(app.wasm == nil)
    }

    @Test("the real wasm-runner app copies the runner and the engine modules")
    func realApp() throws {
        let root = repositoryRoot
        let app = try App.load(from: root.appendingPathComponent("apps/wasm-runner.yaml"), knownBoards: ["qemu-virt", "rpi4", "tx1", "tx2"])
        #expect(app.sources?.copies.first == .init(from: "runner/sel4", to: "projects/wasm-runner"))
        #expect(app.sources?.swiftModules == ["WasmEngine", "WASI"])
        #expect(app.sources?.links == [.init(path: "easy-settings.cmake", target: "projects/wasm-runner/easy-settings.cmake")])
        #expect(app.wasm?.archiveSetting == "WASM_RUNNER_ARCHIVE")
        #expect(app.wasm?.aotSetting == "WASM_RUNNER_AOT_DIR")
        for copy in app.sources?.copies ?? [] {
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(copy.from).path), "\(copy.from)")
        }
        func matches(_ patterns: [String], _ line: String) throws -> Bool {
            try patterns.contains { try NSRegularExpression(pattern: $0).firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil }
        }
        #expect(try matches(app.console.success, "wasm-runner: all 3 modules exited 0"))
        #expect(try matches(app.console.success, "wasm-runner: all 1 module exited 0"))
        #expect(try matches(app.console.failure, "wasm-runner: 1 of 3 modules failed"))
        #expect(try !matches(app.console.failure, "wasm-runner: hello.wasm exited with status 0"))
        #expect(try !matches(app.console.success, "wasm-runner: hello.wasm exited with status 0"))
    }

    struct Bad: CustomTestStringConvertible, Sendable {
        var yaml: String
        var kind: BoardError.Kind
        var message: String
        var testDescription: String { message }
    }

    static let bad: [Bad] = [
        Bad(yaml: "sources:\n  links: {a: b}\n", kind: .missingKey,
            message: "apps/test.yaml:10: key 'sources.copy': required key is missing"),
        Bad(yaml: "sources:\n  copy: {runner/sel4: p}\n  swift: [A]\n", kind: .unknownKey,
            message: "apps/test.yaml:12: key 'sources.swift': unknown key; allowed keys here: copy, links, swiftModules"),
        Bad(yaml: "sources:\n  copy: [runner/sel4]\n", kind: .wrongType,
            message: "apps/test.yaml:11: key 'sources.copy': expected a mapping, got a list"),
        Bad(yaml: "sources:\n  copy:\n    ../outside: projects/x\n", kind: .invalidValue,
            message: "apps/test.yaml:12: key 'sources.copy.../outside': the source path contains '..'; give a directory of the sel4img checkout like runner/sel4"),
        Bad(yaml: "sources:\n  copy:\n    runner/sel4: /etc\n", kind: .invalidValue,
            message: "apps/test.yaml:12: key 'sources.copy.runner/sel4': the workspace path is absolute; give a directory below the workspace like projects/test"),
        Bad(yaml: "sources:\n  copy:\n    runner/sel4: projects/../../x\n", kind: .invalidValue,
            message: "apps/test.yaml:12: key 'sources.copy.runner/sel4': the workspace path contains '..'; give a directory below the workspace like projects/test"),
        Bad(yaml: "sources:\n  copy:\n    runner/sel4: projects/x\n    runner/other: projects/x/\n", kind: .invalidValue,
            message: "apps/test.yaml:13: key 'sources.copy.runner/other': 'projects/x/' is already the destination of 'runner/sel4'"),
        Bad(yaml: "sources:\n  copy: {runner/sel4: projects/x}\n  links:\n    easy-settings.cmake: ../x\n", kind: .invalidValue,
            message: "apps/test.yaml:13: key 'sources.links.easy-settings.cmake': the link target contains '..'"),
        Bad(yaml: "sources:\n  copy: {runner/sel4: projects/x}\n  swiftModules: [WasmEngine, Wasm-Engine]\n", kind: .invalidValue,
            message: "apps/test.yaml:12: key 'sources.swiftModules[1]': 'Wasm-Engine' is not a Swift module name"),
        Bad(yaml: "sources:\n  copy: {runner/sel4: projects/x}\n  swiftModules: [WASI, WASI]\n", kind: .invalidValue,
            message: "apps/test.yaml:12: key 'sources.swiftModules[1]': module 'WASI' is listed twice"),
        Bad(yaml: "wasm: {}\n", kind: .missingKey,
            message: "apps/test.yaml:10: key 'wasm.archiveSetting': required key is missing"),
        Bad(yaml: "wasm:\n  archiveSetting: WASM ARCHIVE\n", kind: .invalidValue,
            message: "apps/test.yaml:11: key 'wasm.archiveSetting': 'WASM ARCHIVE' is not a CMake variable name"),
        Bad(yaml: "wasm:\n  archiveSetting: PLATFORM\n", kind: .invalidValue,
            message: "apps/test.yaml:11: key 'wasm.archiveSetting': PLATFORM comes from the board file; choose another name"),
        Bad(yaml: "wasm:\n  archiveSetting: A\n  aotSetting: AOT DIR\n", kind: .invalidValue,
            message: "apps/test.yaml:12: key 'wasm.aotSetting': 'AOT DIR' is not a CMake variable name"),
        Bad(yaml: "wasm:\n  archiveSetting: A\n  aotSetting: A\n", kind: .invalidValue,
            message: "apps/test.yaml:12: key 'wasm.aotSetting': A is the archive's setting too; choose another name"),
    ]

    @Test("bad sources and wasm sections are refused with their exact messages", arguments: bad)
    func refused(_ bad: Bad) {
        let error = refusal(bad.yaml)
        #expect(error?.description == bad.message)
        #expect(error?.kind == bad.kind)
    }
}
