import Boards
import Foundation
import ImageAssembly
import Support

/// The bootable disk image for boards U-Boot starts: its blobs are fetched
/// before the build, and the disk and its block map are written from the
/// seL4 image after it. An app whose image U-Boot does not start
/// (`bootDisk: false`), or a board that declares no U-Boot flow, gets a note
/// instead.
struct BootDiskFeature: AppFeature {
    var name: String { "bootDisk" }

    static let diskRole = "disk"
    static let blockMapRole = "blockmap"

    func medium(_ build: BuildContext, sourceDateEpoch: Int64) -> BootDisk {
        BootDisk(board: build.board, label: build.paths.label, sourceDateEpoch: sourceDateEpoch)
    }

    /// Whether this build writes a disk image.
    func writesDisk(_ build: BuildContext) -> Bool {
        build.app.bootDisk && !(build.app.outputs[App.imageRole] ?? "").isEmpty && medium(build, sourceDateEpoch: 0).unavailableReason == nil
    }

    func inputs(_ build: BuildContext) -> [BuildPlan.Input] {
        guard writesDisk(build) else { return [] }
        let disk = medium(build, sourceDateEpoch: 0)
        return disk.diskBlobs.keys.sorted().map { BuildPlan.Input(role: "boot blob \($0)", path: disk.blobs.cachedFile(for: disk.diskBlobs[$0]!).path) }
    }

    func plannedArtifacts(_ build: BuildContext) -> [String] {
        writesDisk(build) ? [Self.diskRole, Self.blockMapRole] : []
    }

    /// Boot blobs are fetched and verified before the long part, so a
    /// missing download or a changed file stops the build before it starts.
    func prepare(_ build: BuildContext, sourceDateEpoch: Int64, progress: any ProgressReporter) throws {
        guard writesDisk(build) else { return }
        try medium(build, sourceDateEpoch: 0).fetchBlobs(progress: progress)
    }

    func components(_ build: BuildContext) throws -> [Provenance.Component] {
        guard writesDisk(build) else { return [] }
        let blobs = medium(build, sourceDateEpoch: 0).diskBlobs
        return blobs.keys.sorted().map { Provenance.Component(kind: "boot blob", name: $0, blob: blobs[$0]!) }
    }

    func addArtifacts(_ build: BuildContext, to staged: inout StagedArtifacts, sourceDateEpoch: Int64, progress: any ProgressReporter) throws {
        guard let image = staged.first(role: App.imageRole) else { return }
        let (board, app) = (build.board, build.app)
        let medium = medium(build, sourceDateEpoch: sourceDateEpoch)
        if !app.bootDisk {
            progress.note("note: no disk image: app '\(app.name)' is not started through \(board.name)'s U-Boot flow (bootDisk: false in its file); boot it with 'sel4img qemu'")
        } else if let reason = medium.unavailableReason {
            progress.note("note: no disk image for \(board.name): \(reason)")
        } else {
            let work = build.paths.buildDirectory.appendingPathComponent("sel4img-boot")
            let elfloader = staged.first(role: ArtifactRole.elfloader).map { staged.directory.appendingPathComponent($0.file) }
            let name = try medium.write(sel4Image: staged.directory.appendingPathComponent(image.file), elfloader: elfloader,
                                        into: staged.directory, work: work, progress: progress)
            if let prerequisite = medium.prerequisite { progress.note("note: \(prerequisite)") }
            try staged.record(role: Self.diskRole, file: name)
            try staged.record(role: Self.blockMapRole, file: name + ".bmap.json")
        }
    }
}
