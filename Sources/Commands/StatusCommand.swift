import ArgumentParser
import Foundation
import Patches
import Support
import Workspace

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
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
