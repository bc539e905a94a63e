import Foundation
import Support
import Workspace

/// Patch sets in a workspace: state under `.sel4img/patches`, targets from the manifest.
extension Workspace {
    public var patchManager: PatchSetManager {
        PatchSetManager(stateDirectory: layout.stateDirectory.appendingPathComponent("patches"))
    }

    /// Every project of the manifest as something a patch can name.
    public func patchTargets() throws -> [PatchTarget] {
        try loadProjects().projects.map {
            PatchTarget(name: $0.name, path: $0.path, workTree: layout.workTree(forProjectPath: $0.path))
        }
    }

    /// A sync hook that reverts every applied patch set touching a project
    /// before that project's checkout moves, so the checkout is clean and the
    /// set's backups match. The build re-applies its sets after the sync.
    public func revertPatchesBeforeMove(progress: any ProgressReporter) throws -> @Sendable (String) throws -> Void {
        let manager = patchManager
        let targets = try patchTargets()
        return { path in
            for set in try manager.appliedSets(touching: [path]) {
                let report = try manager.revert(set: set.name, targets: targets, progress: progress)
                progress.note("\(report.summary), because \(path) moves to another commit")
            }
        }
    }
}
