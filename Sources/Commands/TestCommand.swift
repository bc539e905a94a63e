import ArgumentParser
import Foundation

struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build an app for a board, then boot it under QEMU and report pass/fail (for CI).",
        discussion: "Same options as 'build' and 'qemu'; exit status as 'qemu' (0 passed, 1 failed, 2 timed out)."
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var mirrorOptions: MirrorOptions
    @OptionGroup var target: TargetOptions
    @OptionGroup var wasmOptions: WasmOptions

    @Flag(help: "Refuse to build unless sel4img.lock matches the manifest.")
    var locked = false

    @Option(help: ArgumentHelp("Seconds to wait for a pattern (default: the app's).", valueName: "s"))
    var timeout: Double?

    func run() throws {
        let outcome = try Build.runBuild(global: global, mirror: mirrorOptions, target: target, locked: locked, noSync: false, memory: nil,
                                             wasm: wasmOptions)
        FileHandle.standardError.write(Data((outcome.summary + "\n").utf8))
        let code = try QEMU.boot(global: global, target: target, timeout: timeout, expect: [], fail: [], interactive: false)
        if code != 0 { throw ExitCode(code) }
    }
}
