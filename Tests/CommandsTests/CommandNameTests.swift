import ArgumentParser
import Testing
@testable import Commands

/// Every command names itself: without `commandName` ArgumentParser derives the name from the
/// type with `String(describing:)`, whose dynamic casts scan every protocol conformance in the
/// binary once per command type on every start (~8% of `sel4img --version`'s CPU time, perf).
@Suite struct CommandNameTests {
    /// "parent child" paths of a subtree, each from the configuration alone.
    static func paths(_ command: ParsableCommand.Type, prefix: String = "") -> [String] {
        guard let name = command.configuration.commandName else { return ["\(prefix)<\(command) has no commandName>"] }
        let path = prefix + name
        return [path] + command.configuration.subcommands.flatMap { paths($0, prefix: path + " ") }
    }

    @Test("every command in the tree sets commandName, and the names are the ones the CLI always had")
    func everyCommandIsNamed() {
        #expect(["sel4img"] + SEL4Img.configuration.subcommands.flatMap { Self.paths($0) } == [
            "sel4img", "init", "sync", "status", "bundle", "patch", "patch apply", "patch status", "patch revert",
            "patch hash", "boards", "blobs", "blobs list", "blobs fetch", "doctor", "build", "qemu", "test", "verify",
            "sbom", "dt", "dt show", "dt compile", "dt apply", "dt overlay", "cpio", "cpio create", "cpio list",
            "cpio extract", "cpio overlay", "flash", "wasm", "wasm run",
        ])
    }
}
