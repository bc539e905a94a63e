import Foundation
import Support
import Workspace

extension PatchSetManager {
    /// Where `set` stands: pending, applied, modified (files changed by hand
    /// since), stale (the series changed since it was applied) or interrupted.
    public func status(set: PatchSet, targets: [PatchTarget]) throws -> PatchSetStatus {
        guard let record = try store.state(set.name) else {
            return try store.journal(set.name) == nil ? .pending : .interrupted
        }
        if record.seriesHash != set.seriesHash { return .stale }
        let modified = try modifiedFiles(record, targets: targets)
        return modified.isEmpty ? .applied : .modified(modified)
    }

    /// Puts every file the set touched back to its pre-apply bytes and forgets
    /// the set. Refuses, naming the files, when any was changed since the set
    /// was applied, unless `force`. Finishes an interrupted apply or revert.
    public func revert(set name: String, targets: [PatchTarget], force: Bool = false,
                       progress: any ProgressReporter = QuietProgress()) throws -> RevertReport {
        try holdingWorkspaceLock(progress) { try revertHoldingLock(set: name, targets: targets, force: force, progress: progress) }
    }

    private func revertHoldingLock(set name: String, targets: [PatchTarget], force: Bool, progress: any ProgressReporter) throws -> RevertReport {
        if let problem = PatchSet.nameProblem(name) {
            throw PatchError(.invalidSetName, "'\(name)' is not a valid patch set name: it \(problem)")
        }
        if let restored = try recoverInterruption(name, targets: targets, progress: progress) {
            return RevertReport(set: name, outcome: .recoveredInterruption, restoredFiles: restored, discardedModifications: [])
        }
        guard let record = try store.state(name) else {
            return RevertReport(set: name, outcome: .notApplied, restoredFiles: [], discardedModifications: [])
        }
        return try revert(record, targets: targets, force: force, progress: progress)
    }

    /// Every set with recorded state (applied or interrupted), by name.
    public func appliedSets() throws -> [AppliedSet] {
        try store.setNames().compactMap { name in
            if let record = try store.state(name) { return AppliedSet(record, interrupted: false) }
            if let record = try store.journal(name) { return AppliedSet(record, interrupted: true) }
            return nil
        }
    }

    /// The applied (or interrupted) sets that changed files in any of these
    /// project paths: the sets to revert before those projects move to another commit.
    public func appliedSets(touching projectPaths: some Sequence<String>) throws -> [AppliedSet] {
        let wanted = Set(projectPaths)
        return try appliedSets().filter { !wanted.isDisjoint(with: $0.projects) }
    }

    /// The project paths an applied (or interrupted) set changed files in; empty when none is recorded.
    public func projects(touchedBy name: String) throws -> [String] {
        guard PatchSet.nameProblem(name) == nil else { return [] }
        return (try store.state(name) ?? store.journal(name))?.projects ?? []
    }

    // MARK: - Internals shared with apply

    /// Files (`<project>/<path>`) whose content differs from what the set left.
    func modifiedFiles(_ record: SetRecord, targets: [PatchTarget]) throws -> [String] {
        var modified: [String] = []
        for file in record.files {
            guard let after = file.after else { continue }
            let current = try tree(for: file.project, set: record.set, targets: targets).state(file.path)
            if !current.sameContent(as: after) { modified.append(file.displayPath) }
        }
        return modified.sorted()
    }

    /// Reverts an applied record: refuse on hand edits unless forced, check the
    /// backups, turn the state into a journal, restore, forget.
    func revert(_ record: SetRecord, targets: [PatchTarget], force: Bool, progress: any ProgressReporter) throws -> RevertReport {
        let modified = try modifiedFiles(record, targets: targets)
        if !modified.isEmpty, !force {
            throw PatchError(.modifiedSinceApplied,
                             "patch set '\(record.set)' cannot be reverted: files changed since it was applied: \(modified.joined(separator: ", "))",
                             hint: "save those changes, then revert with --force to discard them ('sel4img patch status' lists them)")
        }
        progress.update(record.set, "reverting")
        let backups = try store.backups(of: record)
        for project in record.projects { _ = try tree(for: project, set: record.set, targets: targets) }
        try store.beginRevert(record.set)
        let restored: [String]
        do {
            restored = try restore(record, backups: backups, targets: targets)
        } catch {
            throw PatchError(.fileSystem, "reverting patch set '\(record.set)' stopped: \(describe(error))",
                             hint: "fix the cause and run 'sel4img patch revert \(record.set)' again; the pre-apply copies are kept")
        }
        try store.remove(record.set)
        progress.update(record.set, "done: reverted, \(restored.count) file\(restored.count == 1 ? "" : "s") restored")
        return RevertReport(set: record.set, outcome: .reverted, restoredFiles: restored, discardedModifications: modified)
    }

    /// When a journal is left from an interrupted apply or revert, restores
    /// every journalled file to its saved bytes and forgets the set. Returns
    /// the restored files, or nil when there was nothing to recover.
    func recoverInterruption(_ name: String, targets: [PatchTarget], progress: any ProgressReporter) throws -> [String]? {
        guard let journal = try store.journal(name) else { return nil }
        if try store.state(name) != nil {
            // Interrupted between writing the state and removing the journal: the apply finished.
            try store.removeJournal(name)
            return nil
        }
        let backups = try store.backups(of: journal)
        let restored = try restore(journal, backups: backups, targets: targets)
        try store.remove(name)
        progress.note("patch set '\(name)': an earlier apply or revert was interrupted; "
            + "restored \(restored.count) file\(restored.count == 1 ? "" : "s") to their pre-apply content")
        return restored
    }

    /// Puts every file of a record back to its `before` state; returns the ones that needed it.
    private func restore(_ record: SetRecord, backups: [String: Data], targets: [PatchTarget]) throws -> [String] {
        var restored: [String] = []
        for file in record.files.reversed() {
            let tree = try tree(for: file.project, set: record.set, targets: targets)
            if try tree.state(file.path) == file.before {
                if file.before.kind == .absent { tree.removeEmptyDirectories(file.missingDirectories) }
                continue
            }
            try tree.restore(file.path, to: file.before, content: file.backup.flatMap { backups[$0] },
                             missingDirectories: file.missingDirectories)
            restored.append(file.displayPath)
        }
        return restored.sorted()
    }

    private func tree(for project: String, set: String, targets: [PatchTarget]) throws -> WorkTreeFiles {
        guard let target = targets.first(where: { $0.path == project }) else {
            throw PatchError(.missingTarget,
                             "patch set '\(set)' changed files in \(project), which is not one of the workspace's projects",
                             hint: "restore the manifest entry for \(project), or delete \(store.directory(set).path) if the project is gone",
                             project: project)
        }
        return WorkTreeFiles(project: project, root: target.workTree)
    }
}

extension AppliedSet {
    init(_ record: SetRecord, interrupted: Bool) {
        self.init(name: record.set, seriesHash: record.seriesHash, appliedAt: record.appliedAt,
                  patches: record.patches.map(\.file), projects: record.projects,
                  files: record.files.map(\.displayPath), interrupted: interrupted)
    }
}
