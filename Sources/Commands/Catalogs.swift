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
        guard let dir = DataDirectory.locate() else {
            throw MissingDataDirectory()
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
    var description: String {
        "cannot find sel4img's data directory (the one holding boards/, apps/ and manifests/)"
    }
    var hint: String? { "set \(DataDirectory.environmentVariable) to the sel4img checkout, or run sel4img from inside it" }
}

/// `--board` and `--app` as every build-related command takes them.
struct TargetOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("The board: qemu-virt, rpi4, tx1 or tx2 (see 'sel4img boards').", valueName: "name"))
    var board: String = "qemu-virt"

    @Option(name: .shortAndLong, help: ArgumentHelp("The app to build, e.g. sel4test (see 'sel4img boards').", valueName: "name"))
    var app: String = "sel4test"
}
