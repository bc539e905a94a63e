import ArgumentParser
import Boards
import Foundation
import ImageAssembly
import Support

/// `sel4img blobs list|fetch`: the boot files boards need and sel4img does
/// not build, their sources, and whether the cache holds them verified; and
/// fetching them ahead of time, so CI or an offline machine can be seeded.
struct BlobsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blobs",
        abstract: "List or fetch the files boards and guests need (firmware, U-Boot, device trees, guest kernels).",
        discussion: """
            Boards declare these under bootloader.blobs in boards/*.yaml, and apps with a Linux guest their kernel and busybox under guest in apps/*.yaml, each with its SHA-256 and one source: a host path, or a URL (optionally a member of the .deb or tar archive there). Builds fetch them on first use into the cache ($\(BlobCache.environmentVariable), else $XDG_CACHE_HOME/sel4img/blobs or ~/.cache/sel4img/blobs) and verify them on every use. For a machine without network access, run 'sel4img blobs fetch' where there is one and copy the cache directory, or put each file in the cache named by its SHA-256.
            """,
        subcommands: [List.self, Fetch.self],
        defaultSubcommand: List.self
    )

    struct Options: ParsableArguments {
        @Option(name: .shortAndLong, help: ArgumentHelp("Only this board's blobs (default: every board's and app's).", valueName: "name"),
                completion: .custom { _, _, _ in CompletionNames.boards() })
        var board: String?

        @Option(name: .shortAndLong, help: ArgumentHelp("Only this app's guest blobs (default: every board's and app's).", valueName: "name"),
                completion: .custom { _, _, _ in CompletionNames.apps() })
        var app: String?

        @Option(help: ArgumentHelp("The blob cache directory (default: $\(BlobCache.environmentVariable), else ~/.cache/sel4img/blobs).", valueName: "dir"))
        var cache: String?

        var blobCache: BlobCache {
            cache.map { BlobCache(directory: URL(fileURLWithPath: $0).standardizedFileURL) } ?? .standard
        }

        /// The blobs asked for, board by board in name order, then app by app
        /// (a guest's kernel, then its busybox).
        func entries() throws -> [Entry] {
            let catalogs = try DataCatalogs.load()
            let everything = board == nil && app == nil
            let boards = try board.map { [try catalogs.boards.board(named: $0)] }
                ?? (everything ? catalogs.boards.names.compactMap { catalogs.boards.boards[$0] } : [])
            let apps = try app.map { [try catalogs.apps.app(named: $0)] }
                ?? (everything ? catalogs.apps.names.compactMap { try? catalogs.apps.app(named: $0) } : [])
            return boards.flatMap { board in
                board.bootloader.blobs.keys.sorted().map { Entry(group: board.name, name: $0, blob: board.bootloader.blobs[$0]!) }
            } + apps.flatMap { app in
                app.guest.map { [Entry(group: "app \(app.name)", name: "guest kernel", blob: $0.kernel, app: app.name),
                                 Entry(group: "app \(app.name)", name: "guest busybox", blob: $0.busybox, app: app.name)] } ?? []
            }
        }

        /// Said when nothing is declared for what was asked.
        var nothingDeclared: String {
            switch (board, app) {
            case (let board?, nil): return "\(board) declares no blobs"
            case (nil, let app?): return "app \(app) has no guest blobs"
            case (let board?, let app?): return "\(board) declares no blobs, and app \(app) has no guest blobs"
            case (nil, nil): return "no board or app declares blobs"
            }
        }

        /// The options to repeat in a suggested command.
        var selection: String {
            (board.map { " --board \($0)" } ?? "") + (app.map { " --app \($0)" } ?? "")
        }
    }

    struct Entry {
        /// The board's name, or `app NAME` for a guest's blobs.
        var group: String
        var name: String
        var blob: Blob
        var app: String?
    }

    /// One blob as `list --json` prints it.
    struct Listing: Codable, Equatable {
        /// The board that declares the blob; nil for an app's guest blob.
        var board: String?
        /// The app whose guest needs the blob; nil for a board's.
        var app: String?
        var name: String
        var sha256: String
        var path: String?
        var url: String?
        var member: String?
        var package: String?
        /// `verified`, `absent` or `damaged`.
        var state: String
        /// For a `member` blob: whether its archive is already downloaded.
        var archiveDownloaded: Bool?
        /// For a `path` blob: `verified`, `missing` or `differs` (the file at its host path).
        var hostFile: String?
        var cachedFile: String
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "Show each blob, its source, and whether the cache holds it verified.")

        @OptionGroup var options: Options

        @Flag(help: "Print the blobs as JSON on stdout.")
        var json = false

        func run() throws {
            let cache = options.blobCache
            let entries = try options.entries()
            var listings: [Listing] = []
            for entry in entries {
                let state: String
                switch try cache.state(of: entry.blob) {
                case .verified: state = "verified"
                case .absent: state = "absent"
                case .damaged: state = "damaged"
                }
                listings.append(Listing(
                    board: entry.app == nil ? entry.group : nil, app: entry.app, name: entry.name, sha256: entry.blob.sha256, path: entry.blob.path,
                    url: entry.blob.url, member: entry.blob.member, package: entry.blob.package, state: state,
                    archiveDownloaded: entry.blob.member == nil ? nil : cache.hasDownload(for: entry.blob),
                    hostFile: try entry.blob.path.map { path in
                        guard FileManager.default.fileExists(atPath: path) else { return "missing" }
                        return try SHA256Hex.ofFile(at: URL(fileURLWithPath: path)) == entry.blob.sha256 ? "verified" : "differs"
                    },
                    cachedFile: cache.cachedFile(for: entry.blob).path))
            }
            if json { return try printJSON(listings) }
            print("Blob cache: \(cache.directory.path)")
            if listings.isEmpty { print(options.nothingDeclared) }
            let width = max(listings.map(\.name.count).max() ?? 0, 8)
            let states = listings.map { listing -> String in
                var state = listing.state == "absent" ? "not cached" : listing.state
                if listing.state == "absent", let host = listing.hostFile {
                    // A host-path blob is usable without the cache: say what its file is like.
                    state = ["verified": "on host", "missing": "not on host", "differs": "host differs"][host] ?? state
                }
                if listing.archiveDownloaded == true, listing.state != "verified" { state += " (archive downloaded)" }
                return state
            }
            let stateWidth = max(states.map(\.count).max() ?? 0, 10)
            var group = ""
            for ((listing, entry), state) in zip(zip(listings, entries), states) {
                if entry.group != group {
                    group = entry.group
                    print("\(group):")
                }
                print("  \(listing.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(state.padding(toLength: stateWidth, withPad: " ", startingAt: 0))  \(entry.blob.sourceDescription)")
            }
            let missing = listings.filter { $0.state != "verified" && $0.hostFile != "verified" }.count
            if missing > 0 {
                print("\(missing) of \(listings.count) neither cached nor on the host verified; 'sel4img blobs fetch\(options.selection)' fetches them")
            }
        }
    }

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fetch",
            abstract: "Fetch and verify every blob (or one board's or app's) into the cache, downloading what is missing.")

        @OptionGroup var options: Options

        @OptionGroup var progressOptions: ProgressOptions

        func run() throws {
            let reporter = progressOptions.reporter()
            let cache = options.blobCache
            let entries = try options.entries()
            var failures: [any Error] = []
            var done: Set<String> = []
            for entry in entries {
                let label = "\(entry.group)/\(entry.name)"
                if done.contains(entry.blob.sha256) {
                    reporter.update(label, "done: verified (same file as above)")
                    continue
                }
                do {
                    _ = try cache.fetch(label, entry.blob, progress: reporter)
                    reporter.update(label, "done: verified \(entry.blob.sha256.prefix(12))…")
                    done.insert(entry.blob.sha256)
                } catch {
                    reporter.update(label, "failed")
                    failures.append(error)
                }
            }
            if !failures.isEmpty {
                throw AggregateError(summary: "\(failures.count) of \(entries.count) blobs could not be fetched into \(cache.directory.path):", failures: failures)
            }
            print("\(entries.count) blobs verified in \(cache.directory.path)")
        }
    }
}
