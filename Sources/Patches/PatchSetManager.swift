import Foundation
import Git
import Support
import Workspace

/// Applies, checks and reverts patch sets in a workspace, all or nothing.
///
/// State lives below `stateDirectory` (e.g. `<workspace>/.sel4img/patches/`),
/// one directory per set (see `StateStore` for the layout). An apply runs:
///
/// 1. verify every patch (project, SHA-256, diff syntax, safe paths) — no writes;
/// 2. roll back an earlier interrupted apply or revert of the same set, if any;
/// 3. if the set is applied: same series → no-op; changed series → revert first;
/// 4. save the current bytes of every file the set will touch to `backups/`
///    and write `journal.json` (atomically) — still no tree touched;
/// 5. apply the patches in order with libgit2; if one fails, put back every
///    file that differs from its saved copy, delete the journal and throw;
/// 6. record each touched file's new hash in `state.json` (atomically), then
///    delete the journal.
///
/// An interruption (crash, power loss, ^C) during step 5 leaves the journal:
/// some files patched, the rest not, all pre-apply bytes saved. `status`
/// reports `.interrupted`, and the next `apply` or `revert` first restores
/// every journalled file to its saved bytes. Between steps 6's write and the
/// journal's removal both files exist; `state.json` wins. A revert renames
/// `state.json` to `journal.json` before restoring, so an interrupted revert
/// is recovered the same way. Apply and revert hold the workspace lock
/// (`WorkspaceLock`): two processes never apply or revert in one workspace at once.
public struct PatchSetManager: Sendable {
    public let stateDirectory: URL
    let store: StateStore

    public init(stateDirectory: URL) {
        self.stateDirectory = stateDirectory
        store = StateStore(root: stateDirectory)
    }

    /// Applies `set` to the projects in `targets`, or does nothing when the same
    /// series is already applied. Throws `PatchError` and leaves every tree as
    /// it was when any patch fails to verify or to apply.
    public func apply(set: PatchSet, targets: [PatchTarget], progress: any ProgressReporter = QuietProgress()) throws -> ApplyReport {
        try holdingWorkspaceLock(progress) { try applyHoldingLock(set: set, targets: targets, progress: progress) }
    }

    /// Runs `body` holding the lock of the workspace whose `.sel4img` holds
    /// `stateDirectory` (see `WorkspaceLock`): one process at a time, and
    /// git lock files a killed sel4img left are removed first.
    func holdingWorkspaceLock<T>(_ progress: any ProgressReporter, _ body: () throws -> T) throws -> T {
        try WorkspaceLock.withExclusive(stateDirectory: stateDirectory.deletingLastPathComponent(), progress: progress, body)
    }

    private func applyHoldingLock(set: PatchSet, targets: [PatchTarget], progress: any ProgressReporter) throws -> ApplyReport {
        progress.update(set.name, "verifying \(set.entries.count) patch\(set.entries.count == 1 ? "" : "es")")
        let patches = try set.verify(targets: targets)
        let recovered = try recoverInterruption(set.name, targets: targets, progress: progress) != nil

        var previous: String?
        if let record = try store.state(set.name) {
            if record.seriesHash == set.seriesHash {
                let modified = try modifiedFiles(record, targets: targets)
                let report = ApplyReport(set: set.name, outcome: .alreadyApplied, seriesHash: set.seriesHash,
                                         patches: [], files: record.files.map(\.displayPath), modifiedFiles: modified,
                                         recoveredInterruption: recovered)
                if !modified.isEmpty {
                    progress.note("warning: files changed since patch set '\(set.name)' was applied: \(modified.joined(separator: ", "))")
                }
                progress.update(set.name, "up to date (already applied)")
                return report
            }
            progress.note("patch set '\(set.name)' changed since it was applied; reverting the old series first")
            _ = try revert(record, targets: targets, force: false, progress: progress)
            previous = record.seriesHash
        }

        let record = try applyVerified(set, patches, progress: progress)
        let report = ApplyReport(set: set.name, outcome: previous == nil ? .applied : .reapplied, seriesHash: set.seriesHash,
                                 previousSeriesHash: previous, patches: patches.map(\.entry.file),
                                 files: record.files.map(\.displayPath), modifiedFiles: [], recoveredInterruption: recovered)
        progress.update(set.name, "done: \(report.summary)")
        return report
    }

    private struct FileKey: Hashable {
        var project: String
        var path: String
    }

    /// Steps 4–6: save, journal, apply in order, roll back or record.
    private func applyVerified(_ set: PatchSet, _ patches: [VerifiedPatch], progress: any ProgressReporter) throws -> SetRecord {
        var repositories: [String: Repository] = [:]
        var trees: [String: WorkTreeFiles] = [:]
        for patch in patches where repositories[patch.target.path] == nil {
            repositories[patch.target.path] = try open(patch.target)
            trees[patch.target.path] = WorkTreeFiles(project: patch.target.path, root: patch.target.workTree)
        }

        var order: [FileKey] = []
        var snapshots: [FileKey: Snapshot] = [:]
        for patch in patches {
            for path in patch.files {
                let key = FileKey(project: patch.target.path, path: path)
                if snapshots[key] == nil {
                    snapshots[key] = try trees[key.project]!.snapshot(path)
                    order.append(key)
                }
            }
        }

        try store.remove(set.name)
        var record = SetRecord(
            set: set.name, seriesHash: set.seriesHash, appliedAt: Date(),
            patches: patches.map { PatchRecord(file: $0.entry.file, line: $0.entry.line, project: $0.target.path, sha256: $0.entry.sha256) },
            files: []
        )
        for (index, key) in order.enumerated() {
            let snapshot = snapshots[key]!
            var backup: String?
            if snapshot.state.kind == .file, let content = snapshot.content {
                backup = String(index)
                try store.writeBackup(content, set: set.name, name: String(index))
            }
            record.files.append(FileRecord(project: key.project, path: key.path, before: snapshot.state, backup: backup,
                                           missingDirectories: snapshot.missingDirectories, after: nil))
        }
        try store.write(record, to: store.journalURL(set.name))

        /// Puts back every file the first `count` patches touched, and forgets the set.
        func rollBack(_ count: Int) throws {
            let touched = patches.prefix(count).flatMap { p in p.files.map { FileKey(project: p.target.path, path: $0) } }
            for key in Array(Swift.Set(touched)).sorted(by: { ($0.project, $0.path) > ($1.project, $1.path) }) {
                let snapshot = snapshots[key]!
                let tree = trees[key.project]!
                if try tree.state(key.path) != snapshot.state {
                    try tree.restore(key.path, to: snapshot.state, content: snapshot.content,
                                     missingDirectories: snapshot.missingDirectories)
                } else if snapshot.state.kind == .absent {
                    tree.removeEmptyDirectories(snapshot.missingDirectories)
                }
            }
            try store.remove(set.name)
        }

        for (k, patch) in patches.enumerated() {
            let item = "\(set.name): \(patch.entry.file)"
            progress.update(item, "applying to \(patch.target.path)")
            var failure: PatchError?
            do {
                // Every path this patch touches, against the tree as the earlier patches left it.
                try trees[patch.target.path]!.checkPaths(of: patch)
                try repositories[patch.target.path]!.apply(patch.diff)
            } catch let refusal as PatchError {
                failure = PatchError.at(set.seriesDisplayPath, patch.entry.line, .unsafeTarget,
                                        "patch set '\(set.name)' refused: \(patch.entry.file): \(refusal.message)",
                                        hint: refusal.hint, project: patch.target.path)
            } catch {
                let cause = (error as? ApplyFailure)?.description ?? describe(error)
                let locked = (error as? ApplyFailure)?.code == .locked
                failure = PatchError(.applyFailed, "patch set '\(set.name)' failed: \(patch.entry.file) does not apply to \(patch.target.path): \(cause)",
                                     hint: locked
                                         ? "another program holds the git index lock of \(patch.target.path) "
                                             + "(.sel4img/projects/\(patch.target.path).git/index.lock); let it finish, or remove the lock file if none is running"
                                         : "the patch does not fit the checked-out revision of \(patch.target.path); "
                                             + "refresh the patch or check the manifest revision",
                                     file: set.seriesDisplayPath, line: patch.entry.line, project: patch.target.path)
            }
            if var failure {
                progress.update(item, failure.kind == .unsafeTarget ? "refused" : "failed")
                do {
                    try rollBack(failure.kind == .unsafeTarget ? k : k + 1)
                } catch {
                    throw PatchError(failure.kind, failure.message + "; restoring the touched files failed too: \(describe(error))",
                                     hint: "the pre-apply copies are kept in \(store.directory(set.name).path); "
                                         + "run 'sel4img patch revert \(set.name)' to restore them",
                                     file: set.seriesDisplayPath, line: patch.entry.line, project: patch.target.path)
                }
                failure.message += "; every tree the set touched has been restored"
                throw failure
            }
            progress.update(item, "done")
        }

        for index in record.files.indices {
            let file = record.files[index]
            record.files[index].after = try trees[file.project]!.state(file.path)
        }
        try store.write(record, to: store.stateURL(set.name))
        try store.removeJournal(set.name)
        return record
    }

    private func open(_ target: PatchTarget) throws -> Repository {
        do {
            return try Repository.open(at: target.workTree)
        } catch {
            throw PatchError(.missingTarget, "cannot open project \(target.path) at \(target.workTree.path): \(describe(error))",
                             hint: "run 'sel4img sync' to check it out", project: target.path)
        }
    }
}
