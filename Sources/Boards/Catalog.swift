import Foundation
import Support

/// Every board defined in a directory (`boards/*.yaml`).
public struct BoardCatalog: Sendable, Equatable {
    /// The directory the boards were loaded from.
    public let directory: URL
    /// Boards by name.
    public let boards: [String: Board]

    /// Loads every `*.yaml` file in `directory`. When several files are bad,
    /// all their problems are reported together.
    public init(directory: URL) throws {
        self.directory = directory
        var boards: [String: Board] = [:]
        try forEachDefinition(in: directory, what: "boards") { url in
            let board = try Board.load(from: url)
            boards[board.name] = board
        }
        self.boards = boards
    }

    /// Loads `<root>/boards`.
    public static func load(dataDirectory root: URL) throws -> BoardCatalog {
        try BoardCatalog(directory: root.appendingPathComponent("boards"))
    }

    /// Board names, sorted.
    public var names: [String] { boards.keys.sorted() }

    /// The board called `name`, or an error that lists the valid names.
    public func board(named name: String) throws -> Board {
        guard let board = boards[name] else { throw BoardError.unknownName("board", name, valid: names) }
        return board
    }
}

/// Every app defined in a directory (`apps/*.yaml`).
public struct AppCatalog: Sendable, Equatable {
    public let directory: URL
    /// Apps by name.
    public let apps: [String: App]

    /// Loads every `*.yaml` file in `directory`. With `boards`, each app's
    /// `supportedBoards` (and per-board settings) must name boards it defines.
    public init(directory: URL, boards: BoardCatalog? = nil) throws {
        self.directory = directory
        var apps: [String: App] = [:]
        try forEachDefinition(in: directory, what: "apps") { url in
            let app = try App.load(from: url, knownBoards: boards?.names)
            apps[app.name] = app
        }
        self.apps = apps
    }

    /// Loads `<root>/apps`, checked against `boards`.
    public static func load(dataDirectory root: URL, boards: BoardCatalog?) throws -> AppCatalog {
        try AppCatalog(directory: root.appendingPathComponent("apps"), boards: boards)
    }

    /// App names, sorted.
    public var names: [String] { apps.keys.sorted() }

    /// The app called `name`, or an error that lists the valid names.
    public func app(named name: String) throws -> App {
        guard let app = apps[name] else { throw BoardError.unknownName("app", name, valid: names) }
        return app
    }
}

/// Calls `body` for each `*.yaml` file in `directory` in name order, collecting
/// failures: one is rethrown as it is, several become one `AggregateError` that keeps every file's hint.
private func forEachDefinition(in directory: URL, what: String, _ body: (URL) throws -> Void) throws {
    guard FileManager.default.isDirectory(directory) else {
        throw BoardError.missingDirectory(directory.path, what: what)
    }
    let files = try FileManager.default.contentsOfDirectory(at: directory.resolvingSymlinksInPath(), includingPropertiesForKeys: nil)
        .filter { $0.pathExtension == "yaml" }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
    var failures: [any Error] = []
    for file in files {
        do {
            try body(file)
        } catch {
            failures.append(error)
        }
    }
    if failures.count == 1 { throw failures[0] }
    if failures.count > 1 {
        throw AggregateError(summary: "\(failures.count) files in \(directory.lastPathComponent)/ have problems:", failures: failures)
    }
}
