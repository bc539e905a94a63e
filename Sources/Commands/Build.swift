import ArgumentParser
import Foundation
import ImageBuild

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build an app for a board: sync, patch, configure seL4's CMake, run Ninja, collect artifacts.",
        discussion: """
            In a new or empty directory this starts a workspace from the app's pinned manifest; any other directory that is not a workspace yet is refused, so the checkouts never mix with your files (pass -w DIR, or run 'sel4img init' there first). The build directory is build/BOARD-APP and the outputs (seL4 image, kernel, DTB, root task, SHA256SUMS) land in artifacts/BOARD-APP. A second build with nothing changed only asks Ninja, and says so. The full log is build/BOARD-APP/sel4img-build.log. With --plan it prints what it would do (CMake settings, inputs, artifacts, host tools, the app's features) as JSON and does nothing.

            Without --app it builds wasm-vm: seL4 as a hypervisor running a Linux guest and, beside it, the Swift Wasm runner the guest's 'emit' hands modules to. A board wasm-vm does not support yet is refused before any work; pass --app sel4test there.

            Example, offline from a mirror:
              sel4img build --board qemu-virt --app sel4test -w ~/sel4 --mirror /srv/mirror

            The wasm-runner app runs WebAssembly modules (WASI preview1) as the root task; each is decoded and validated before the build starts:
              sel4img build --app wasm-runner --wasm hello.wasm,args.wasm --args "one two"
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: BuildOptions

    @Flag(help: "Print the result as JSON on stdout.")
    var json = false

    @Flag(help: "Print the build plan as JSON and stop, without building.")
    var plan = false

    /// The library's build for these options (tests check it without running).
    func pipeline(catalogs: DataCatalogs) throws -> BuildPipeline {
        try options.pipeline(catalogs: catalogs, workspace: global.workspaceURL)
    }

    func run() throws {
        let pipeline = try pipeline(catalogs: try DataCatalogs.load())
        let plan = try pipeline.plan()
        if self.plan { return print(try plan.json()) }
        let result = try pipeline.run(plan, progress: try global.reporter())
        if json { return try printJSON(result) }
        print(buildSummary(result, paths: pipeline.paths))
    }
}
