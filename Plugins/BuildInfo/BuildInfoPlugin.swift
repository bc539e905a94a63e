import Foundation
import PackagePlugin

/// Generates `BuildInfo.swift` (the version and the git commit sel4img is
/// built from, for `sel4img --version`) in the build directory before every
/// build, by running scripts/build-info.sh: the checkout stays clean.
@main
struct BuildInfoPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("generated")
        let script = context.package.directoryURL.appendingPathComponent("scripts/build-info.sh")
        return [
            .prebuildCommand(
                displayName: "Recording sel4img's version and commit",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [script.path, context.package.directoryURL.path, output.appendingPathComponent("BuildInfo.swift").path],
                outputFilesDirectory: output),
        ]
    }
}
