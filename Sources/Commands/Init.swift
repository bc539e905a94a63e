import ArgumentParser
import Foundation
import Support
import Workspace

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Start a workspace from a manifest.",
        discussion: """
            The manifest is a Google repo XML manifest, given as a file, a repository, or a bundle (written by 'sel4img bundle'):
              sel4img init --manifest manifests/sel4test.xml
              sel4img init --manifest https://github.com/seL4/sel4test-manifest.git \\
                  --manifest-file master.xml
              sel4img init --manifest /media/usb/sel4-bundle

            Relative remotes (fetch="." or "../seL4") resolve against the manifest repository's URL; for a manifest file, name that URL with --manifest-url. Nothing but the manifest is fetched: run 'sel4img sync' next.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var mirrorOptions: MirrorOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("Manifest file, manifest repository URL, or bundle directory.", valueName: "path|url"))
    var manifest: String

    @Option(help: ArgumentHelp("The manifest file inside a manifest repository.", valueName: "name"))
    var manifestFile: String = "default.xml"

    @Option(help: ArgumentHelp("The branch or tag of a manifest repository (default: master, then main).", valueName: "rev"))
    var manifestRevision: String?

    @Option(help: ArgumentHelp("The URL relative remotes in a manifest file resolve against.", valueName: "url"))
    var manifestURL: String?

    func run() throws {
        let source = Workspace.ManifestSourceKind.guess(manifest, file: manifestFile, revision: manifestRevision, manifestURL: manifestURL)
        let ws = try Workspace.initialize(at: global.workspaceURL, from: source, mirror: mirrorOptions.mirrorURL.map(Mirror.init), progress: try global.reporter())
        let (projects, _) = try ws.loadProjects()
        let mirror = ws.config.mirror.map { " Syncing from the mirror \($0)\(mirrorOptions.mirrorURL == nil ? " (kept from the earlier init; pass --mirror DIR for another)" : "")." } ?? ""
        print("Initialised \(ws.layout.root.path) from \(ws.config.source): \(counted(projects.count, "project")).\(mirror) Next: sel4img sync")
    }
}
