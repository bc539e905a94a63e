import ArgumentParser
import Boards
import Foundation
import Support

/// sel4img's data (boards/, apps/, manifests/, patches/), found once per command.
struct DataCatalogs {
    let directory: URL
    let boards: BoardCatalog
    let apps: AppCatalog

    static func load() throws -> DataCatalogs {
        let search = DataDirectory.search()
        guard let dir = search.found else {
            throw MissingDataDirectory(looked: search.looked)
        }
        return try load(from: dir)
    }

    /// The catalogs of the data directory `dir`.
    static func load(from dir: URL) throws -> DataCatalogs {
        let boards = try BoardCatalog.load(dataDirectory: dir)
        let apps = try AppCatalog.load(dataDirectory: dir, boards: boards)
        return DataCatalogs(directory: dir, boards: boards, apps: apps)
    }

    /// The boards QEMU can run, named when another cannot.
    var emulatedBoards: [String] { boards.names.filter { boards.boards[$0]?.qemu != nil } }
}

struct MissingDataDirectory: UserFacingError {
    /// Where the search looked, in order (``DataDirectory/Search/looked``).
    var looked: [String]

    var description: String {
        "cannot find sel4img's data directory (the one holding boards/, apps/ and manifests/); looked in: "
            + looked.map(\.escapingControlCharacters).joined(separator: "; ")
    }
    var hint: String? {
        "install sel4img with scripts/install.sh PREFIX (the data goes to PREFIX/\(DataDirectory.installedPath)), "
            + "set \(DataDirectory.environmentVariable) to a data directory or checkout, or run sel4img from inside its checkout"
    }
}

/// Names for shell completion, read from the data directory; none when it
/// cannot be found or read (completion must never print an error).
enum CompletionNames {
    static func boards() -> [String] { (try? DataCatalogs.load())?.boards.names ?? [] }
    static func apps() -> [String] { (try? DataCatalogs.load())?.apps.names ?? [] }
    static func patchSets() -> [String] {
        guard let dir = DataDirectory.locate() else { return [] }
        return PatchCommand.setNames([], in: dir.appendingPathComponent("patches"))
    }
}

/// `--board` and `--app` as every build-related command takes them.
struct TargetOptions: ParsableArguments {
    /// The app built when no --app is given: the product, seL4 as a
    /// hypervisor running a Linux guest beside the Swift Wasm runner.
    static let defaultApp = "wasm-vm"

    @Option(name: .shortAndLong, help: ArgumentHelp("The board: qemu-virt, rpi4, tx1 or tx2 (see 'sel4img boards').", valueName: "name"),
            completion: .custom { _, _, _ in CompletionNames.boards() })
    var board: String = "qemu-virt"

    @Option(name: [.customShort("a"), .customLong("app")], help: ArgumentHelp("The app (default: \(TargetOptions.defaultApp), the Linux guest + Wasm runner system; also sel4test, wasm-runner: see 'sel4img boards').", valueName: "name"),
            completion: .custom { _, _, _ in CompletionNames.apps() })
    var appOption: String?

    /// The app named with --app, else ``defaultApp``.
    var app: String { appOption ?? Self.defaultApp }

    /// The board and app, refused together before any work when the app has
    /// no build for the board: the message names the boards the app supports
    /// and the apps that support the board.
    func resolve(_ catalogs: DataCatalogs) throws -> (board: Board, app: App) {
        let board = try catalogs.boards.board(named: self.board)
        let app = try catalogs.apps.app(named: self.app)
        guard app.supportedBoards.contains(board.name) else {
            let others = catalogs.apps.names.filter { (try? catalogs.apps.app(named: $0))?.supportedBoards.contains(board.name) == true }
            throw UnsupportedBoard(board: board.name, app: app.name, defaulted: appOption == nil,
                                   supportedBoards: app.supportedBoards, appsForBoard: others)
        }
        return (board, app)
    }
}

/// An app asked to build (or boot) for a board it has no build for.
struct UnsupportedBoard: UserFacingError {
    var board: String
    var app: String
    /// True when the app is the default (no --app was given).
    var defaulted: Bool
    var supportedBoards: [String]
    /// The apps that do support `board`.
    var appsForBoard: [String]

    var message: String {
        let which = defaulted ? "the default app '\(app)' (the Linux guest + Wasm runner system; no --app was given)" : "app '\(app)'"
        return "\(which) does not support board '\(board.escapingControlCharacters)'; it supports: \(supportedBoards.joined(separator: ", "))"
    }

    var hint: String? {
        let apps = appsForBoard.map { "--app \($0)" }
        let pick = "or pick one of its boards with --board"
        if apps.isEmpty { return "no app supports board '\(board.escapingControlCharacters)' yet; \(pick)" }
        return "for \(board.escapingControlCharacters) pass " + (apps.count == 1 ? apps[0] : apps.dropLast().joined(separator: ", ") + " or " + apps.last!) + ", \(pick)"
    }
}
