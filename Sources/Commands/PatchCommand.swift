import ArgumentParser
import Foundation
import Patches
import Support
import Workspace

struct PatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patch",
        abstract: "Apply, inspect and revert verified patch sets (patches/SET/series).",
        discussion: """
            A patch set is patches/SET/series: one line per patch, '<project> <sha256> <file>',
            applied in order (see patches/README.md). Every hash is checked before
            any tree is touched; a set applies completely or not at all.
            """,
        subcommands: [Apply.self, StatusCommand.self, Revert.self, Hash.self]
    )

    /// The sets named on the command line, or every set in patches/.
    static func sets(_ names: [String], catalogs: DataCatalogs) throws -> [PatchSet] {
        let dir = catalogs.directory.appendingPathComponent("patches")
        let all = names.isEmpty
            ? ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted().filter {
                FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).appendingPathComponent(PatchSet.seriesFileName).path)
            }
            : names
        return try all.map { try PatchSet.load(named: $0, in: dir) }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Apply patch sets to the workspace (all-or-nothing per set; re-applying is a no-op).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The patch sets to apply, in order.") var sets: [String]

        func validate() throws {
            if sets.isEmpty { throw ValidationError("name at least one patch set (see the directories in patches/)") }
        }

        func run() throws {
            let ws = try Workspace.open(at: global.workspaceURL)
            let targets = try ws.patchTargets()
            let progress = try global.reporter()
            for set in try PatchCommand.sets(sets, catalogs: try DataCatalogs.load()) {
                print(try ws.patchManager.apply(set: set, targets: targets, progress: progress).summary)
            }
        }
    }

    struct StatusCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Show whether each patch set is pending, applied, modified or stale.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print the status as JSON on stdout.") var json = false
        @Argument(help: "The patch sets to show (default: all in patches/).") var sets: [String] = []

        struct Row: Codable {
            var set: String
            var status: PatchSetStatus
        }

        func run() throws {
            let ws = try Workspace.open(at: global.workspaceURL)
            let targets = try ws.patchTargets()
            let rows = try PatchCommand.sets(sets, catalogs: try DataCatalogs.load()).map {
                Row(set: $0.name, status: try ws.patchManager.status(set: $0, targets: targets))
            }
            if json { return try printJSON(rows) }
            if rows.isEmpty { print("No patch sets in patches/.") }
            for row in rows { print("\(row.set.padding(toLength: 24, withPad: " ", startingAt: 0)) \(row.status)") }
        }
    }

    struct Revert: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Restore the files a patch set changed to their exact pre-apply content.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Revert even when patched files were edited since (the edits are lost).") var force = false
        @Argument(help: "The patch sets to revert.") var sets: [String]

        func validate() throws {
            if sets.isEmpty { throw ValidationError("name at least one patch set to revert") }
        }

        func run() throws {
            let ws = try Workspace.open(at: global.workspaceURL)
            let targets = try ws.patchTargets()
            for name in sets.reversed() {
                print(try ws.patchManager.revert(set: name, targets: targets, force: force, progress: try global.reporter()).summary)
            }
        }
    }

    struct Hash: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the series line for a patch file (project, SHA-256, file).")
        @Option(help: ArgumentHelp("The project the patch applies to (manifest path or name).", valueName: "project")) var project: String
        @Argument(help: "Patch files inside a patch set directory.") var files: [String]

        func run() throws {
            for file in files {
                let url = URL(fileURLWithPath: file).standardizedFileURL
                print(try PatchSet.hashLine(for: url, project: project, setDirectory: url.deletingLastPathComponent()))
            }
        }
    }
}
