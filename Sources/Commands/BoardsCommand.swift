import ArgumentParser
import Boards
import Foundation

struct BoardsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boards",
        abstract: "List the boards and apps sel4img can build.",
        discussion: "Boards are defined in boards/*.yaml and apps in apps/*.yaml (see boards/README.md for the format)."
    )

    @Flag(help: "Print boards and apps as JSON on stdout.")
    var json = false

    struct Listing: Codable {
        var boards: [Board]
        var apps: [App]
    }

    func run() throws {
        let catalogs = try DataCatalogs.load()
        let boards = catalogs.boards.names.compactMap { catalogs.boards.boards[$0] }
        let apps = catalogs.apps.names.compactMap { catalogs.apps.apps[$0] }
        if json { return try printJSON(Listing(boards: boards, apps: apps)) }
        print("Boards (\(catalogs.boards.directory.path)):")
        var boardTable = TextColumns(indent: "  ")
        for b in boards {
            let emulated = b.canEmulate ? "boots under QEMU" : "hardware only"
            let mem = b.memory.variants.map { " (\($0.map(Quantity.formatSize).joined(separator: "/")))" } ?? ""
            boardTable.append(b.name, "PLATFORM=\(b.sel4.platform)", b.sel4.cpu, "\(Quantity.formatSize(b.memory.size))\(mem), \(emulated) — \(b.description)")
        }
        boardTable.lines.forEach { print($0) }
        print("Apps (\(catalogs.apps.directory.path)):")
        var appTable = TextColumns(indent: "  ")
        for a in apps {
            appTable.append(a.name, "boards: \(a.supportedBoards.joined(separator: ", ")) — \(a.description)")
        }
        appTable.lines.forEach { print($0) }
    }
}
