import Foundation
import Git
import Support

/// Options a sync runs with.
public struct SyncOptions: Sendable {
    public var mirror: Mirror?
    /// Use only the commits in the lock file; refuse anything not in it.
    public var locked = false
    /// Discard uncommitted changes in checkouts that must move.
    public var force = false
    public var jobs = 4
    /// Called (serially) with a project's path just before its checkout moves
    /// to another commit, so layers above can undo what they applied there
    /// (patch sets) while the tree is still as they left it.
    public var beforeMove: (@Sendable (String) throws -> Void)?

    public init(mirror: Mirror? = nil, locked: Bool = false, force: Bool = false, jobs: Int = 4,
                beforeMove: (@Sendable (String) throws -> Void)? = nil) {
        self.mirror = mirror
        self.locked = locked
        self.force = force
        self.jobs = max(1, jobs)
        self.beforeMove = beforeMove
    }
}

/// What happened to one project.
public struct ProjectSyncResult: Sendable, Equatable, Codable {
    public enum Action: String, Sendable, Codable {
        case upToDate = "up-to-date"
        case checkedOut = "checked-out"
        case failed
    }

    public var path: String
    public var commit: ObjectID?
    public var action: Action
    public var fetched: Bool
    public var message: String?
}

public struct SyncReport: Sendable, Codable {
    public var projects: [ProjectSyncResult]
    public var lockWritten: Bool
    /// True when nothing was fetched and nothing checked out.
    public var nothingChanged: Bool {
        projects.allSatisfy { $0.action == .upToDate && !$0.fetched }
    }
}

/// Fetches and checks out every project of a manifest into a workspace.
///
/// Each remote repository has one bare object store; each checkout has its own
/// small git directory that borrows objects from the store (alternates), and a
/// `.git` *file* in the work tree. Work runs in parallel and keeps going over
/// failures; all failures are reported together at the end.
public struct Syncer: Sendable {
    public let layout: WorkspaceLayout
    public let options: SyncOptions

    public init(layout: WorkspaceLayout, options: SyncOptions) {
        self.layout = layout
        self.options = options
    }

    /// Syncs `projects`. `lock` is the current lock file (required with
    /// `--locked`); `manifest` describes the manifest for the new lock.
    public func sync(
        _ projects: [ProjectSpec],
        manifest: LockFile.ManifestInfo,
        lock: LockFile?,
        progress: any ProgressReporter
    ) throws -> SyncReport {
        try validateSafePaths(projects)
        if options.locked {
            guard let lock else {
                throw WorkspaceError(.notInLock, "--locked needs a lock file, and \(layout.lockFile.path) does not exist",
                                     hint: "run 'sel4img sync' once without --locked to write it")
            }
            if lock.manifest.sha256 != manifest.sha256 {
                progress.note("note: the manifest changed since the lock was written; using the locked commits")
            }
            for project in projects {
                guard let entry = lock.project(atPath: project.path) else { throw WorkspaceError.notInLock(project.path) }
                if entry.url != project.url {
                    throw WorkspaceError(.lockMismatch, "project \(project.path): the manifest says \(project.url) but the lock says \(entry.url)",
                                         hint: "run 'sel4img sync' without --locked to update the lock")
                }
            }
        }

        return try WorkspaceLock.withExclusive(stateDirectory: layout.stateDirectory, progress: progress) {
            try syncLocked(projects, manifest: manifest, lock: lock, progress: progress)
        }
    }

    private func syncLocked(
        _ projects: [ProjectSpec],
        manifest: LockFile.ManifestInfo,
        lock: LockFile?,
        progress: any ProgressReporter
    ) throws -> SyncReport {
        let results = ResultBox(count: projects.count)
        let storeLocks = KeyedLocks()
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = options.jobs
        var operations: [BlockOperation] = []
        for (index, project) in projects.enumerated() {
            operations.append(BlockOperation {
                let pinned = options.locked ? lock?.project(atPath: project.path)?.commit : nil
                do {
                    let result = try syncOne(project, pinned: pinned, storeLocks: storeLocks, progress: progress)
                    results.set(index, .success(result))
                } catch {
                    progress.update(project.path, "failed")
                    results.set(index, .failure(error))
                }
            })
        }
        // A project inside another's directory is checked out after it, so its
        // path is checked against the tree the outer checkout wrote.
        for (index, project) in projects.enumerated() {
            for (other, outer) in projects.enumerated() where project.path.hasPrefix(outer.path + "/") {
                operations[index].addDependency(operations[other])
            }
        }
        queue.addOperations(operations, waitUntilFinished: true)

        var failures: [AggregateError.Item] = []
        var report: [ProjectSyncResult] = []
        for (index, outcome) in results.all.enumerated() {
            switch outcome {
            case .success(let r): report.append(r)
            case .failure(let e):
                failures.append(.init(e, label: projects[index].path, hint: .inline))
                report.append(.init(path: projects[index].path, commit: nil, action: .failed, fetched: false, message: String(describing: e)))
            case nil: break
            }
        }
        if failures.isEmpty {
            do {
                try FileLinks.create(for: projects, in: layout)
            } catch {
                failures.append(.init(error))
            }
        }
        guard failures.isEmpty else {
            throw AggregateError(summary: "sync failed for \(failures.count) of \(counted(projects.count, "project")) (the lock file was not changed):", items: failures)
        }

        let newLock = LockFile(manifest: manifest, projects: zip(projects, report).map { project, result in
            .init(name: project.name, path: project.path, url: project.url, revision: project.revision, commit: result.commit!)
        })
        var lockWritten = false
        if newLock != lock {
            try newLock.write(to: layout.lockFile)
            lockWritten = true
        }
        return SyncReport(projects: report, lockWritten: lockWritten)
    }

    /// A source on this machine (a mirror path, a plain path or file:// URL).
    static func isLocal(_ source: String) -> Bool {
        source.hasPrefix("/") || source.hasPrefix("file://")
    }

    static func localPath(_ source: String) -> String {
        source.hasPrefix("file://") ? String(source.dropFirst("file://".count)) : source
    }

    private func validateSafePaths(_ projects: [ProjectSpec]) throws {
        for project in projects {
            if let problem = SafePath.problem(with: project.path) {
                throw WorkspaceError(.pathOccupied, "project \(project.name.escapingControlCharacters): path '\(project.path.escapingControlCharacters)' \(problem)")
            }
            for exclude in project.excludes {
                if let problem = SafePath.problem(with: exclude) {
                    throw WorkspaceError(.pathOccupied, "project \(project.name.escapingControlCharacters): excluded path '\(exclude.escapingControlCharacters)' \(problem)")
                }
            }
        }
    }

    /// Fetches (when needed) and checks out one project.
    func syncOne(_ project: ProjectSpec, pinned: ObjectID?, storeLocks: KeyedLocks, progress: any ProgressReporter) throws -> ProjectSyncResult {
        let storeURL = layout.objectStore(for: project.url)
        let source = try options.mirror.map { try $0.location(for: project.url).path } ?? project.url

        // 1. The object store, fetched into only when the wanted commit is missing.
        let (commit, fetched): (ObjectID, Bool) = try storeLocks.with(storeURL.path) {
            let store = FileManager.default.fileExists(atPath: storeURL.appendingPathComponent("HEAD").path)
                ? try Repository.open(at: storeURL) : try Repository.createBare(at: storeURL)
            let wanted = pinned ?? ObjectID(hex: project.revision)
            if let wanted, store.contains(wanted) {
                return (try store.resolveCommit(wanted.hex), false)
            }
            progress.update(project.path, "fetching")
            var lastDecile = -1
            do {
                // A source on this machine: link its object files in, as `git clone --local` does.
                let copied = try Self.isLocal(source) && store.copyObjectsLocally(from: URL(fileURLWithPath: Self.localPath(source))) { done, total in
                    let decile = done * 10 / max(total, 1)
                    if decile != lastDecile {
                        lastDecile = decile
                        progress.update(project.path, "copying objects \(done)/\(counted(total, "file"))")
                    }
                }
                if !copied {
                    try store.fetch(from: source, refspecs: Repository.mirrorRefspecs + ["+refs/sel4img/*:refs/sel4img/*"]) { p in
                        // Report every tenth, so plain logs get ten lines, not thousands.
                        guard p.totalObjects > 0 else { return true }
                        let decile = p.receivedObjects * 10 / p.totalObjects
                        if decile != lastDecile {
                            lastDecile = decile
                            progress.update(project.path, "fetching \(p.receivedObjects)/\(p.totalObjects) objects")
                        }
                        return true
                    }
                }
            } catch let error as GitError {
                throw WorkspaceError(.fetchFailed, "cannot fetch \(project.url)\(options.mirror != nil ? " from the mirror (\(source))" : ""): \(error.message)",
                                     hint: options.mirror == nil ? "check the network, or pass --mirror DIR for an offline copy" : nil)
            }
            do {
                return (try store.resolveCommit(pinned?.hex ?? project.revision), true)
            } catch let error as GitError {
                throw WorkspaceError(.revisionNotFound, "revision '\(pinned?.hex ?? project.revision)' of \(project.name) not found after fetching \(source): \(error.message)")
            }
        }

        // 2. The checkout, with `.git` as a file pointing into .sel4img/projects.
        let repo = try openCheckout(project, store: storeURL)
        let exclusions = ExcludedPaths(project.excludes)
        let finished = try finishInterruptedCheckout(project, repo: repo, wanted: commit, exclusions: exclusions, progress: progress)
        if try repo.head() == commit {
            let excluded = try repo.exclusionChanges(exclusions)
            if excluded.isEmpty {
                progress.update(project.path, finished ? "done (\(commit.short))" : "up to date (\(commit.short))")
                return .init(path: project.path, commit: commit, action: finished ? .checkedOut : .upToDate, fetched: fetched, message: nil)
            }
            // Same commit, other exclusions: only the files whose exclusion changed are touched.
            try updateExclusions(project, repo: repo, commit: commit, exclusions: exclusions, changes: excluded, source: source, progress: progress)
            return .init(path: project.path, commit: commit, action: .checkedOut, fetched: fetched, message: nil)
        }
        if let head = try repo.head(), let locked = pinned, head != locked {
            progress.note("\(project.path): HEAD \(head.short) differs from the lock (\(locked.short)); checking out the locked commit")
        }
        if let head = try repo.head(), try Self.existsOnlyHere(head, repo: repo, store: storeURL) {
            guard options.force else {
                throw WorkspaceError.localCommit(project.path, head, summary: try repo.summary(of: head), target: commit)
            }
            progress.note("\(project.path): leaving local commit \(head.short) behind (--force); it stays in the reflog ('git -C \(project.path) reflog')")
        }
        if let beforeMove = options.beforeMove {
            try storeLocks.with("beforeMove") { try beforeMove(project.path) }
        }
        let changes = try Self.changesThatMatter(repo, exclusions)
        if !changes.isEmpty, !options.force {
            throw WorkspaceError.dirty(project.path, changes)
        }
        try refuseMissingBlobs(project, repo: repo, commit: commit, exclusions: exclusions, source: source)
        progress.update(project.path, "checking out \(commit.short)")
        try checkout(project, repo: repo, commit: commit, exclusions: exclusions, only: nil)
        progress.update(project.path, "done (\(commit.short))")
        return .init(path: project.path, commit: commit, action: .checkedOut, fetched: fetched, message: nil)
    }

    /// With HEAD already at `commit`: removes the files that became excluded
    /// and writes the ones no longer excluded, leaving every other file (and
    /// any local change in it) alone.
    private func updateExclusions(
        _ project: ProjectSpec, repo: Repository, commit: ObjectID, exclusions: ExcludedPaths,
        changes excluded: ExclusionChanges, source: String, progress: any ProgressReporter
    ) throws {
        let affected = Set(excluded.paths)
        let dirty = try Self.changesThatMatter(repo, exclusions).filter { affected.contains($0.path) }
        if !dirty.isEmpty, !options.force {
            throw WorkspaceError.dirty(project.path, dirty)
        }
        try refuseMissingBlobs(project, repo: repo, commit: commit, exclusions: exclusions, source: source)
        progress.update(project.path, "excluding \(excluded.newlyExcluded.count), restoring \(counted(excluded.newlyIncluded.count, "file"))")
        try checkout(project, repo: repo, commit: commit, exclusions: exclusions, only: excluded.paths)
        progress.update(project.path, "done (\(commit.short))")
    }

    /// Local changes a checkout would overwrite: all but the deletion of a
    /// file that is to be left out anyway.
    private static func changesThatMatter(_ repo: Repository, _ exclusions: ExcludedPaths) throws -> [FileChange] {
        try repo.changes().filter { !($0.kind == .deleted && exclusions.contains($0.path)) }
    }

    /// Refuses a commit whose non-excluded files lack their contents, before anything is written.
    private func refuseMissingBlobs(_ project: ProjectSpec, repo: Repository, commit: ObjectID, exclusions: ExcludedPaths, source: String) throws {
        let missing = try repo.missingBlobs(in: commit, excluding: exclusions)
        if !missing.isEmpty {
            let shown = missing.prefix(5).map { "\($0.path) (blob \($0.blob.short))" }.joined(separator: ", ")
            let more = missing.count > 5 ? ", and \(missing.count - 5) more" : ""
            throw WorkspaceError(.missingObjects,
                "cannot check out \(commit.short) in \(project.path): the contents of \(missing.count) file\(missing.count == 1 ? "" : "s") are missing from \(source): \(shown)\(more); nothing was written",
                hint: "the copy of \(project.name) this came from lacks them, as partial snapshots of repositories with large files often do; fetch them from a complete copy, leave them out with <exclude path=\"\(missing[0].path)\"/> in the manifest's project (one per file or directory), or pin a commit that does not need them")
        }
    }

    /// Checks out `commit`, journalled: the journal is written before the
    /// first file and removed once HEAD points at the commit, so a checkout
    /// cut short (kill -9, power loss) is known to be sel4img's own and is
    /// finished by the next sync (`finishInterruptedCheckout`).
    private func checkout(_ project: ProjectSpec, repo: Repository, commit: ObjectID, exclusions: ExcludedPaths, only: [String]?, force: Bool? = nil) throws {
        try checkContained(project)
        let journal = layout.checkoutJournal(forProjectPath: project.path)
        try FileManager.default.writeAtomically(Data((commit.hex + "\n").utf8), to: journal)
        do {
            try repo.checkout(commit, force: force ?? options.force, excluding: exclusions, only: only)
        } catch let error as GitError {
            // A conflict is found before anything is written: the tree is as it was.
            if error.code == .conflict { try? FileManager.default.removeItem(at: journal) }
            throw WorkspaceError(.dirtyCheckout, "cannot check out \(commit.short) in \(project.path): \(error.message)",
                                 hint: error.code == .conflict ? "move the conflicting untracked files away, or pass --force" : nil)
        }
        try FileManager.default.removeItem(at: journal)
    }

    /// The commit of a checkout that was cut short, from its journal; nil when none was.
    static func interruptedCheckout(_ layout: WorkspaceLayout, projectPath: String) -> ObjectID? {
        let journal = layout.checkoutJournal(forProjectPath: projectPath)
        guard let data = FileManager.default.contents(atPath: journal.path) else { return nil }
        // An unreadable journal still means a checkout was under way; the zero id stands for "unknown commit".
        return ObjectID(hex: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            ?? ObjectID(hex: String(repeating: "0", count: 40))
    }

    /// Finishes a checkout an earlier sync started and did not complete: the
    /// files in the work tree are that checkout's half-written output, not the
    /// user's, so it is redone with force (to the commit it was for, when that
    /// is still known, else to `wanted`), before the normal checks run.
    private func finishInterruptedCheckout(_ project: ProjectSpec, repo: Repository, wanted: ObjectID, exclusions: ExcludedPaths, progress: any ProgressReporter) throws -> Bool {
        guard let interrupted = Self.interruptedCheckout(layout, projectPath: project.path) else { return false }
        let target = repo.contains(interrupted) ? interrupted : wanted
        progress.note("\(project.path): finishing the checkout of \(target.short) that an earlier sync did not complete")
        try refuseMissingBlobs(project, repo: repo, commit: target, exclusions: exclusions, source: project.url)
        try checkout(project, repo: repo, commit: target, exclusions: exclusions, only: nil, force: true)
        return true
    }

    /// True when `commit` is in neither the object store nor any branch or tag
    /// of the checkout: a commit made on the detached HEAD, which moving HEAD
    /// would leave reachable only from the reflog.
    private static func existsOnlyHere(_ commit: ObjectID, repo: Repository, store: URL) throws -> Bool {
        if try Repository.open(at: store).contains(commit) { return false }
        return try !repo.isReachableFromBranchOrTag(commit)
    }

    /// Refuses a work tree that, on the disk as it is now (projects it lies
    /// in are checked out first), goes through a symlink leading out of the
    /// workspace or into sel4img's own state.
    private func checkContained(_ project: ProjectSpec) throws {
        do {
            _ = try Containment(root: layout.root, name: "the workspace", protectWorkspaceState: true).resolve(project.path)
        } catch let error as ContainmentError {
            throw WorkspaceError(.pathOccupied, "project \(project.name): cannot check out at \(project.path): \(error)", hint: error.hint)
        }
    }

    private func openCheckout(_ project: ProjectSpec, store: URL) throws -> Repository {
        let fm = FileManager.default
        let workTree = layout.workTree(forProjectPath: project.path)
        let gitDir = layout.gitDirectory(forProjectPath: project.path)
        let dotGit = workTree.appendingPathComponent(".git")
        if fm.isDirectory(dotGit) {
            throw WorkspaceError(.gitDirectoryCheckout, "\(project.path) holds a .git directory (a plain clone), not a sel4img checkout",
                                 hint: "move it away; sel4img keeps git directories in .sel4img/projects so seL4's build can copy checkouts")
        }
        try checkContained(project)
        if fm.fileExists(atPath: gitDir.appendingPathComponent("HEAD").path) {
            if !fm.fileExists(atPath: dotGit.path) {
                // The work tree was removed by hand: recreate the link file.
                try fm.createDirectory(at: workTree, withIntermediateDirectories: true)
                let rel = workTree.relativePath(to: gitDir)
                try Data("gitdir: \(rel)\n".utf8).write(to: dotGit)
            }
            let repo = try Repository.open(at: gitDir)
            try repo.setAlternates([store.appendingPathComponent("objects")])
            return repo
        }
        if fm.fileExists(atPath: workTree.path) {
            let contents = (try? fm.contentsOfDirectory(atPath: workTree.path)) ?? []
            if !fm.isDirectory(workTree) || !contents.isEmpty {
                throw WorkspaceError(.pathOccupied, "\(project.path) already exists and is not a sel4img checkout",
                                     hint: "move it away and sync again")
            }
        }
        let repo = try Repository.createLinked(gitDirectory: gitDir, workTree: workTree)
        try repo.setAlternates([store.appendingPathComponent("objects")])
        return try Repository.open(at: gitDir)
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var store: [Result<ProjectSyncResult, any Error>?]
    init(count: Int) { store = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<ProjectSyncResult, any Error>) { lock.lock(); store[i] = r; lock.unlock() }
    var all: [Result<ProjectSyncResult, any Error>?] { lock.lock(); defer { lock.unlock() }; return store }
}

/// One lock per key, so two projects from the same repository never fetch
/// into one store at the same time.
final class KeyedLocks: @unchecked Sendable {
    private let lock = NSLock()
    private var locks: [String: NSLock] = [:]
    func with<T>(_ key: String, _ body: () throws -> T) rethrows -> T {
        lock.lock()
        let l = locks[key] ?? NSLock()
        locks[key] = l
        lock.unlock()
        l.lock()
        defer { l.unlock() }
        return try body()
    }
}
