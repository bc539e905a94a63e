import Foundation
import Testing
import TestSupport

/// `sel4img build --wasm/--args`: what is refused before any work starts.
@Suite struct WasmOptionsTests {
    @Test("wasm-runner without --wasm says what to pass, and touches nothing")
    func missingModules() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let r = try runSel4img(["build", "--app", "wasm-runner", "-w", dir.url.path])
        #expect(r.status == 1)
        #expect(r.stderr == """
            error: app 'wasm-runner' runs WebAssembly modules, and none were given
            hint: pass --wasm FILE.wasm (several: --wasm A.wasm,B.wasm), and --args "WORDS" for their arguments

            """)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).isEmpty)
    }

    @Test("--wasm for an app that runs no modules is refused")
    func notAWasmApp() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Data([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]).write(to: dir.path("m.wasm"))
        let r = try runSel4img(["build", "--app", "sel4test", "--wasm", "m.wasm", "-w", dir.path("ws").path], in: dir.url)
        #expect(r.status == 1)
        #expect(r.stderr == "error: app 'sel4test' does not run WebAssembly modules; --wasm and --args are for apps like wasm-runner\n")
    }

    @Test("an invalid module is named with its offset; --args alone and a bad quote are refused")
    func invalidInputs() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Data("not wasm".utf8).write(to: dir.path("bad.wasm"))
        let bad = try runSel4img(["build", "--app", "wasm-runner", "--wasm", "bad.wasm", "-w", dir.path("ws").path], in: dir.url)
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("error: \(dir.path("bad.wasm").path) is not a module the runner can load: malformed module at offset 0x"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("ws").path))

        let argsOnly = try runSel4img(["build", "--app", "wasm-runner", "--args", "x", "-w", dir.path("ws").path])
        #expect(argsOnly.status != 0)
        #expect(argsOnly.stderr.contains("--args gives arguments to WebAssembly modules; pass the modules with --wasm too"))

        try Data([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]).write(to: dir.path("m.wasm"))
        let quote = try runSel4img(["build", "--app", "wasm-runner", "--wasm", "m.wasm", "--args", "'open", "-w", dir.path("ws").path], in: dir.url)
        #expect(quote.status == 1)
        #expect(quote.stderr == "error: --args has an unterminated ' quote: 'open\n")
    }
}
