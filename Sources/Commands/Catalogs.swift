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
    @Option(name: .shortAndLong, help: ArgumentHelp("The board: qemu-virt, rpi4, tx1 or tx2 (see 'sel4img boards').", valueName: "name"),
            completion: .custom { _, _, _ in CompletionNames.boards() })
    var board: String = "qemu-virt"

    @Option(name: .shortAndLong, help: ArgumentHelp("The app to build, e.g. sel4test (see 'sel4img boards').", valueName: "name"),
            completion: .custom { _, _, _ in CompletionNames.apps() })
    var app: String = "sel4test"
}
