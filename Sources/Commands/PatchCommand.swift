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
            A patch set is patches/SET/series: one line per patch, '<project> <sha256> <file>', applied in order (see patches/README.md). Every hash is checked before any tree is touched; a set applies completely or not at all.
            """,
        subcommands: [Apply.self, StatusCommand.self, Revert.self, Hash.self]
    )

    /// The sets named on the command line, or every set in patches/.
    static func sets(_ names: [String], catalogs: DataCatalogs) throws -> [PatchSet] {
        let dir = catalogs.directory.appendingPathComponent("patches")
        return try setNames(names, in: dir).map { try PatchSet.load(named: $0, in: dir) }
    }

    /// `names`, or the directories of patches/ that hold a series file.
    static func setNames(_ names: [String], in dir: URL) -> [String] {
        guard names.isEmpty else { return names }
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted().filter {
            FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).appendingPathComponent(PatchSet.seriesFileName).path)
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "apply", abstract: "Apply patch sets to the workspace (all-or-nothing per set; re-applying is a no-op).")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The patch sets to apply, in order.", completion: .custom { _, _, _ in CompletionNames.patchSets() }) var sets: [String]

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
        @Argument(help: "The patch sets to show (default: all in patches/).", completion: .custom { _, _, _ in CompletionNames.patchSets() }) var sets: [String] = []

        /// One set's status, or why it cannot be read or judged.
        struct Row: Codable {
            var set: String
            var status: PatchSetStatus?
            var error: String?
            var hint: String?
        }

        /// Every set is reported, a broken one with its error; any broken set makes the exit status 1.
        func run() throws {
            let ws = try Workspace.open(at: global.workspaceURL)
            let targets = try ws.patchTargets()
            let dir = try DataCatalogs.load().directory.appendingPathComponent("patches")
            var failures: [any Error] = []
            let rows = PatchCommand.setNames(sets, in: dir).map { name -> Row in
                do {
                    let set = try PatchSet.load(named: name, in: dir)
                    return Row(set: set.name, status: try ws.patchManager.status(set: set, targets: targets))
                } catch {
                    failures.append(error)
                    return Row(set: name.escapingControlCharacters, error: readableDescription(of: error),
                               hint: (error as? any UserFacingError)?.hint)
                }
            }
            if json {
                try printJSON(rows)
                if !failures.isEmpty { throw ExitCode(1) }
                return
            }
            if rows.isEmpty { print("No patch sets in patches/.") }
            TextColumns(rows.map { [$0.set, $0.status.map(String.init(describing:)) ?? "broken (see below)"] }).lines.forEach { print($0) }
            if !failures.isEmpty {
                throw AggregateError(summary: "\(failures.count) of \(rows.count) patch sets cannot be read or checked:", failures: failures, hints: .omitted)
            }
        }
    }

    struct Revert: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revert", abstract: "Restore the files a patch set changed to their exact pre-apply content.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Revert even when patched files were edited since (the edits are lost).") var force = false
        @Argument(help: "The patch sets to revert.", completion: .custom { _, _, _ in CompletionNames.patchSets() }) var sets: [String]

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
        static let configuration = CommandConfiguration(commandName: "hash", abstract: "Print the series line for a patch file (project, SHA-256, file).")
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
