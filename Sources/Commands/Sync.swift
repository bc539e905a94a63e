import ArgumentParser
import Foundation
import Patches
import Support
import Workspace

struct Sync: ParsableCommand {
    static let configuration = CommandConfiguration(
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
            print("All \(report.projects.count) projects up to date (\(seconds) s).")
        } else {
            let moved = report.projects.filter { $0.action == .checkedOut }.count
            print("Synced \(report.projects.count) projects (\(moved) checked out) in \(seconds) s\(report.lockWritten ? "; wrote sel4img.lock" : "").")
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show each project's HEAD against the lock, and its local changes.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print the status as JSON on stdout.")
    var json = false

    func run() throws {
        let ws = try Workspace.open(at: global.workspaceURL)
        let status = try ws.status()
        if json { return try printJSON(status) }
        var drift = 0
        for s in status {
            let head = s.head?.short ?? "-"
            var state: String
            if !s.present { state = "not checked out" }
            else if s.locked == nil { state = "not in lock" }
            else if s.matchesLock { state = "matches lock" }
            else { state = "HEAD differs from lock (\(s.locked!.short))"; drift += 1 }
            if !s.changes.isEmpty { state += ", \(s.changes.count) changed file(s)" }
            print("\(s.path.padding(toLength: 32, withPad: " ", startingAt: 0)) \(head.padding(toLength: 12, withPad: " ", startingAt: 0))  \(state)")
        }
        if drift > 0 { throw ExitCode(1) }
    }
}

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Write everything the locked workspace needs into one directory, for machines with no network.",
        discussion: """
            The bundle holds each project's repository (mirror layout), the manifest and the lock. On the other machine:
              sel4img init --manifest BUNDLE && sel4img sync --locked
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .shortAndLong, help: ArgumentHelp("The bundle directory to write.", valueName: "dir"))
    var output: String

    func run() throws {
        let ws = try Workspace.open(at: global.workspaceURL)
        let dest = URL(fileURLWithPath: output).standardizedFileURL
        let info = try Bundle.write(ws, to: dest, progress: try global.reporter())
        print("Wrote \(info.projects) projects to \(dest.path). Use it with: sel4img init --manifest \(dest.path) && sel4img sync --locked")
    }
}
