import ArgumentParser
import Foundation
import Patches
import Support
import Workspace

struct Sync: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Fetch and check out every project of the manifest, and write sel4img.lock.",
        discussion: """
            Projects whose pinned commit is already present are not fetched. A checkout with uncommitted changes is never overwritten unless --force is given. All projects are attempted; failures are listed at the end, and the lock is written only when every project synced.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var mirrorOptions: MirrorOptions

    @Flag(help: "Use exactly the commits in sel4img.lock; refuse projects it does not list.")
    var locked = false

    @Flag(help: "Discard uncommitted changes in checkouts that must move.")
    var force = false

    @Option(name: .short, help: ArgumentHelp("How many projects to fetch at once.", valueName: "n"))
    var jobs: Int = 4

    @Flag(help: "Print the result as JSON on stdout.")
    var json = false

    func validate() throws {
        guard (1...64).contains(jobs) else { throw ValidationError("-j must be between 1 and 64; got \(jobs)") }
    }

    func run() throws {
        let ws = try Workspace.open(at: global.workspaceURL)
        let started = Date()
        let progress = json ? QuietProgress() : try global.reporter()
        let options = SyncOptions(mirror: mirrorOptions.mirrorURL.map(Mirror.init), locked: locked, force: force, jobs: jobs,
                                  beforeMove: try ws.revertPatchesBeforeMove(progress: progress))
        let report = try ws.sync(options: options, progress: progress)
        if json { return try printJSON(report) }
        let seconds = String(format: "%.2f", Date().timeIntervalSince(started))
        if report.nothingChanged {
            print(report.projects.count == 1 ? "1 project up to date (\(seconds) s)." : "All \(report.projects.count) projects up to date (\(seconds) s).")
        } else {
            let moved = report.projects.filter { $0.action == .checkedOut }.count
            print("Synced \(counted(report.projects.count, "project")) (\(moved) checked out) in \(seconds) s\(report.lockWritten ? "; wrote sel4img.lock" : "").")
        }
    }
}
