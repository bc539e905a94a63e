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
            print(report.projects.count == 1 ? "1 project up to date (\(seconds) s)." : "All \(report.projects.count) projects up to date (\(seconds) s).")
        } else {
            let moved = report.projects.filter { $0.action == .checkedOut }.count
            print("Synced \(counted(report.projects.count, "project")) (\(moved) checked out) in \(seconds) s\(report.lockWritten ? "; wrote sel4img.lock" : "").")
        }
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show each project's HEAD against the lock, and its local changes.",
        discussion: """
            Lists every project of the manifest, then projects that were removed from the manifest but are still in sel4img.lock or still checked out.

            Exit status: 0 when every project of the manifest is checked out at its locked commit with no changed or untracked files; 1 when any project is not checked out, not in the lock, at another commit than the lock's, has changed files, was removed from the manifest, or holds a checkout or git lock that a killed sel4img left (the next sync finishes or removes it).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print the status as JSON on stdout.")
    var json = false

    func run() throws {
        let ws = try Workspace.open(at: global.workspaceURL)
        let status = try ws.status()
        if case .held(let pid) = WorkspaceLock.state(stateDirectory: ws.layout.stateDirectory) {
            FileHandle.standardError.write(Data("note: a sel4img\(pid.map { " (process \($0))" } ?? "") is working in this workspace now\n".utf8))
        }
        if !json {
            for s in status {
                print("\(s.path.padding(toLength: 32, withPad: " ", startingAt: 0)) \((s.head?.short ?? "-").padding(toLength: 12, withPad: " ", startingAt: 0))  \(Self.describe(s))")
            }
        } else {
            try printJSON(status)
        }
        if !status.allSatisfy(\.isClean) { throw ExitCode(1) }
    }

    /// The state column: what differs from a clean, locked checkout.
    static func describe(_ s: ProjectStatus) -> String {
        var parts: [String] = []
        if s.removed { parts.append("removed from the manifest" + (s.present ? " (still checked out)" : " (still in the lock)")) }
        if !s.present || s.head == nil { if !s.removed { parts.append("not checked out") } }
        else if s.locked == nil { if !s.removed { parts.append("not in lock") } }
        else if s.matchesLock { parts.append("matches lock") }
        else { parts.append("HEAD differs from lock (\(s.locked!.short))") }
        if let commit = s.interruptedCheckout {
            parts.append("checkout of \(commit.short) interrupted (the next sync finishes it)")
        }
        if !s.staleLocks.isEmpty {
            let names = s.staleLocks.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
            parts.append("\(names) left by a killed sel4img (the next sync or patch apply removes it)")
        }
        if !s.changes.isEmpty { parts.append(counted(s.changes.count, "changed file")) }
        return parts.joined(separator: ", ")
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
        print("Wrote \(counted(info.projects, "project")) to \(dest.path). Use it with: sel4img init --manifest \(dest.path) && sel4img sync --locked")
    }
}
