import CGit2
import Foundation

extension Repository {
    /// Brings every object and the branches, tags and `refs/sel4img/*` of a
    /// repository on this machine into this one, the way `git clone --local`
    /// does: object files are hard-linked (copied across file systems), refs
    /// are copied through libgit2. libgit2's own local transport instead
    /// builds a new pack with a full delta search, several times slower for a
    /// repository the size of seL4's kernel.
    ///
    /// Returns false, having changed nothing, when `source` borrows objects
    /// from elsewhere (alternates); then use `fetch`.
    @discardableResult
    public func copyObjectsLocally(from source: URL, onProgress: (Int, Int) -> Void = { _, _ in }) throws -> Bool {
        let sourceRepo = try Repository.open(at: source)
        let sourceObjects = sourceRepo.gitDirectory.appendingPathComponent("objects")
        let fm = FileManager.default
        if fm.fileExists(atPath: sourceObjects.appendingPathComponent("info/alternates").path) { return false }
        let targetObjects = gitDirectory.appendingPathComponent("objects")

        // Packs first (index last, so a half-copied pack is never visible), then loose objects.
        var files: [String] = []
        let packs = ((try? fm.contentsOfDirectory(atPath: sourceObjects.appendingPathComponent("pack").path)) ?? []).sorted()
        files += packs.filter { $0.hasSuffix(".pack") }.map { "pack/" + $0 }
        files += packs.filter { !$0.hasSuffix(".pack") && !$0.hasSuffix(".idx") && !$0.hasPrefix("tmp") }.map { "pack/" + $0 }
        files += packs.filter { $0.hasSuffix(".idx") }.map { "pack/" + $0 }
        for dir in ((try? fm.contentsOfDirectory(atPath: sourceObjects.path)) ?? []).sorted()
        where dir.count == 2 && dir.allSatisfy(\.isHexDigit) {
            for name in ((try? fm.contentsOfDirectory(atPath: sourceObjects.appendingPathComponent(dir).path)) ?? []) {
                files.append(dir + "/" + name)
            }
        }
        for (index, relative) in files.enumerated() {
            let from = sourceObjects.appendingPathComponent(relative)
            let to = targetObjects.appendingPathComponent(relative)
            if fm.fileExists(atPath: to.path) { continue }
            try fm.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
            if link(from.path, to.path) != 0 {
                // Another file system (EXDEV) or no permission to link: copy by way of a temporary name.
                let partial = to.deletingLastPathComponent().appendingPathComponent("tmp_sel4img_" + to.lastPathComponent)
                try? fm.removeItem(at: partial)
                try fm.copyItem(at: from, to: partial)
                try fm.moveItem(at: partial, to: to)
            }
            onProgress(index + 1, files.count)
            TestKillPoint.reached("copy")
        }
        var odb: OpaquePointer?
        if git_repository_odb(&odb, handle) == 0, let odb {
            git_odb_refresh(odb)
            git_odb_free(odb)
        }

        for name in try sourceRepo.references(under: "refs/") where
            name.hasPrefix("refs/heads/") || name.hasPrefix("refs/tags/") || name.hasPrefix("refs/sel4img/") {
            var oid = git_oid()
            guard git_reference_name_to_id(&oid, sourceRepo.handle, name) == 0 else { continue }
            var ref: OpaquePointer?
            try check(git_reference_create(&ref, handle, name, &oid, 1, "sel4img local copy"), "copy reference", name)
            git_reference_free(ref)
        }
        return true
    }
}
