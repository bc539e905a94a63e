import ArgumentParser
import Foundation
import Patches
import Support
import Workspace

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Write everything the locked workspace needs into one directory, for machines with no network.",
        discussion: """
            The bundle holds each project's repository (mirror layout), the manifest and the lock. On the other machine:
              sel4img init --manifest BUNDLE -w WS
              sel4img sync --locked -w WS
              sel4img build --locked --board B -w WS
            Boot firmware, U-Boot and guest packages are not in it: run 'sel4img blobs fetch' here and copy the blob cache (~/.cache/sel4img/blobs) there too.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The bundle directory to write.", valueName: "dir"))
    var output: String

    func run() throws {
        let ws = try Workspace.open(at: global.workspaceURL)
        let dest = URL(fileURLWithPath: output).standardizedFileURL
        let info = try Bundle.write(ws, to: dest, progress: try global.reporter())
        print("Wrote \(counted(info.projects, "project")) to \(dest.path). Use it with: sel4img init --manifest \(dest.path) && sel4img sync --locked")
    }
}
