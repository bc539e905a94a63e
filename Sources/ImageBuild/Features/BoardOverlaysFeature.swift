import Foundation
import Support

/// The board's device-tree fragments (`BoardOverlays`), handed to seL4's
/// CMake in `KernelCustomDTSOverlay` unless the app sets that itself.
struct BoardOverlaysFeature: AppFeature {
    var name: String { "boardOverlays" }

    static let setting = "KernelCustomDTSOverlay"

    func overlays(_ build: BuildContext) -> BoardOverlays {
        BoardOverlays(board: build.board, boardsDirectory: build.dataDirectory.appendingPathComponent("boards"))
    }

    func directory(_ build: BuildContext) -> URL { build.sideDirectory("overlays") }

    func checkInputs(_ build: BuildContext) throws {
        _ = try overlays(build).files()
    }

    func inputs(_ build: BuildContext) -> [BuildPlan.Input] {
        build.board.sel4.overlays.map {
            BuildPlan.Input(role: "board overlay", path: build.dataDirectory.appendingPathComponent("boards/overlays").appendingPathComponent($0).path)
        }
    }

    func cmakeSettings(_ build: BuildContext, given settings: [String: String]) throws -> [String: String] {
        let names = try overlays(build).files().map(\.name)
        guard !names.isEmpty, settings[Self.setting] == nil else { return [:] }
        return [Self.setting: names.map { directory(build).appendingPathComponent($0).path }.joined(separator: ";")]
    }

    func prepare(_ build: BuildContext, sourceDateEpoch: Int64, progress: any ProgressReporter) throws {
        _ = try overlays(build).write(into: directory(build))
    }
}
