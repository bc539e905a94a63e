import Foundation
import Git
import Support
import Testing
import TestSupport
@testable import Workspace

/// `<exclude path>`: files a project's checkout leaves out, kept in the index
/// flagged skip-worktree so that status (ours and git's) calls it clean.
@Suite struct ExcludeSyncTests {
    /// The shape of camkes-vm-images: small files next to large prebuilt ones.
    static let imageFiles = [
        "README.md": "images\n",
        "tx1/linux": "a large tx1 kernel\n",
        "tx1/rootfs.cpio.gz": "tx1 rootfs\n",
        "tx10/notes": "not below tx1\n",
        "qemu-arm-virt/linux": "a large qemu kernel\n",
        "qemu-arm-virt/rootfs.cpio.gz": "qemu rootfs\n",
    ]

    static func manifest(excludes: [String], extra: String = "") -> String {
        let children = excludes.map { "    <exclude path=\"\($0)\"/>\n" }.joined()
        return """
            <manifest>
              <remote name="org" fetch="https://example.invalid/org"/>
              <default remote="org" revision="master"/>
              <project name="images" path="projects/images">
            \(children)  </project>
            \(extra)</manifest>
            """
    }

    /// A sync that checked nothing out and left the lock alone (it may fetch:
    /// the revision is a branch, which every sync follows).
    func isNoOp(_ report: SyncReport) -> Bool {
        report.projects.allSatisfy { $0.action == .upToDate } && !report.lockWritten
    }

    func exists(_ ws: Workspace, _ path: String) -> Bool {
        FileManager.default.fileExists(atPath: ws.layout.root.appendingPathComponent("projects/images/\(path)").path)
    }

    /// `git ls-files -v`: "S path" for skip-worktree entries, "H path" for the others.
    func gitFlags(_ ws: Workspace) throws -> [String] {
        try sh("git ls-files -v", in: ws.layout.root.appendingPathComponent("projects/images"))
            .split(separator: "\n").map(String.init).sorted()
    }

    /// What the git CLI says about the checkout: `status --porcelain` and staged changes.
    func gitStatus(_ ws: Workspace) throws -> String {
        try sh("git status --porcelain && git diff --cached --name-status HEAD", in: ws.layout.root.appendingPathComponent("projects/images"))
    }

    func removeBlob(_ host: GitHost, repo: String, path: String) throws -> String {
        let blob = try sh("git rev-parse HEAD:\(path)", in: host.dir.path("src/\(repo)")).trimmingCharacters(in: .whitespacesAndNewlines)
        let bare = host.hostRoot.appendingPathComponent("example.invalid/org/\(repo).git")
        try FileManager.default.removeItem(at: bare.appendingPathComponent("objects/\(blob.prefix(2))/\(blob.dropFirst(2))"))
        return blob
    }

    @Test("excluded paths match whole components: a directory covers what is below it, a file only itself")
    func matching() {
        let excluded = ExcludedPaths(["tx1", "qemu-arm-virt/linux", "./a//b/"])
        #expect(excluded.paths == ["a/b", "qemu-arm-virt/linux", "tx1"])
        #expect(excluded.contains("tx1"))
        #expect(excluded.contains("tx1/linux"))
        #expect(excluded.contains("tx1/deep/er/file"))
        #expect(!excluded.contains("tx10"))
        #expect(!excluded.contains("tx10/linux"))
        #expect(excluded.contains("qemu-arm-virt/linux"))
        #expect(!excluded.contains("qemu-arm-virt/linux.old"))
        #expect(!excluded.contains("qemu-arm-virt"))
        #expect(excluded.contains("a/b/c"))
        #expect(!ExcludedPaths().contains("tx1"))
    }

    @Test("sync leaves an excluded directory and file out, writes the rest, and status and git call the checkout clean")
    func excludedPathsAreNotWritten() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try host.makeRepo("images", files: Self.imageFiles)
        let ws = try host.initialize(try host.manifest(Self.manifest(excludes: ["tx1", "qemu-arm-virt/linux"])), mirror: host.mirror)
        let report = try ws.sync(options: .init(), progress: QuietProgress())
        #expect(report.projects.map(\.action) == [.checkedOut])

        #expect(!exists(ws, "tx1"))
        #expect(!exists(ws, "qemu-arm-virt/linux"))
        #expect(exists(ws, "README.md"))
        #expect(exists(ws, "tx10/notes"))
        #expect(exists(ws, "qemu-arm-virt/rootfs.cpio.gz"))

        let status = try #require(try ws.status().first)
        #expect(status.matchesLock)
        #expect(status.changes == [])
        // git agrees: nothing deleted, nothing staged, the excluded files flagged skip-worktree.
        #expect(try gitStatus(ws) == "")
        #expect(try gitFlags(ws) == [
            "H README.md", "H qemu-arm-virt/rootfs.cpio.gz", "H tx10/notes",
            "S qemu-arm-virt/linux", "S tx1/linux", "S tx1/rootfs.cpio.gz",
        ])
        // The lock records commits only; the exclusions live in the manifest, whose hash it keeps.
        let lock = try #require(try ws.readLock())
        #expect(try lock.project(atPath: "projects/images")?.commit.hex == host.head("images"))

        let index = ws.layout.gitDirectory(forProjectPath: "projects/images").appendingPathComponent("index")
        let indexBefore = try Data(contentsOf: index)
        let again = try ws.sync(options: .init(), progress: QuietProgress())
        #expect(again.projects.map(\.action) == [.upToDate])
        #expect(!again.lockWritten)
        #expect(try Data(contentsOf: index) == indexBefore)
        #expect(try ws.sync(options: .init(locked: true), progress: QuietProgress()).nothingChanged)
    }

    @Test("a commit whose only missing blobs are excluded syncs; a missing blob in a file that is not excluded is still refused")
    func missingBlobsOnlyInExcludedFiles() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try host.makeRepo("images", files: Self.imageFiles)
        try host.makeRepo("other", files: ["README": "small\n", "tx1/linux": "large\n", "qemu/linux": "large too\n"])
        _ = try removeBlob(host, repo: "images", path: "tx1/linux")
        _ = try removeBlob(host, repo: "images", path: "qemu-arm-virt/linux")
        _ = try removeBlob(host, repo: "other", path: "tx1/linux")
        let missing = try removeBlob(host, repo: "other", path: "qemu/linux")
        let xml = Self.manifest(excludes: ["tx1", "qemu-arm-virt/linux"], extra: """
              <project name="other" path="projects/other">
                <exclude path="tx1"/>
              </project>

            """)
        let ws = try host.initialize(try host.manifest(xml), mirror: host.mirror)

        let error = #expect(throws: AggregateError.self) { try ws.sync(options: .init(), progress: QuietProgress()) }
        let commit = try host.head("other")
        let bare = host.hostRoot.appendingPathComponent("example.invalid/org/other.git")
        #expect(error?.description == """
            sync failed for 1 of 2 projects (the lock file was not changed):
              - projects/other: cannot check out \(commit.prefix(12)) in projects/other: the contents of 1 file are missing from \(bare.path): qemu/linux (blob \(missing.prefix(12))); nothing was written (the copy of other this came from lacks them, as partial snapshots of repositories with large files often do; fetch them from a complete copy, leave them out with <exclude path="qemu/linux"/> in the manifest's project (one per file or directory), or pin a commit that does not need them)
            """)
        #expect(try FileManager.default.contentsOfDirectory(atPath: ws.layout.root.appendingPathComponent("projects/other").path) == [".git"])

        // The project whose missing files are all excluded was checked out, and is clean.
        #expect(exists(ws, "README.md"))
        #expect(exists(ws, "qemu-arm-virt/rootfs.cpio.gz"))
        #expect(!exists(ws, "tx1/linux"))
        #expect(try ws.status().first { $0.path == "projects/images" }?.changes == [])
        #expect(try gitStatus(ws) == "")
    }

    @Test("a workspace whose excluded files' blobs are missing bundles; the marker names the exclusions, and a workspace synced from the bundle leaves out the same files")
    func bundleWithMissingExcludedBlobs() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try host.makeRepo("images", files: Self.imageFiles)
        let missing = try removeBlob(host, repo: "images", path: "tx1/linux")
        let ws = try host.initialize(try host.manifest(Self.manifest(excludes: ["tx1", "./qemu-arm-virt/linux"])), mirror: host.mirror)
        _ = try ws.sync(options: .init(), progress: QuietProgress())

        let bundleDir = host.dir.path("bundle")
        let info = try Bundle.write(ws, to: bundleDir, progress: QuietProgress())
        #expect(info.projects == 1)
        #expect(info.excluded == ["projects/images": ["qemu-arm-virt/linux", "tx1"]])
        #expect(try Bundle.readInfo(bundleDir) == info)
        // The bundle holds the locked commit and not the blob nobody had.
        let bare = bundleDir.appendingPathComponent("example.invalid/org/images.git")
        #expect(try sh("git cat-file -t \(try host.head("images"))", in: bare) == "commit\n")
        #expect(try sh("git cat-file -e \(missing) 2>/dev/null || echo absent", in: bare) == "absent\n")

        try FileManager.default.removeItem(at: host.hostRoot)
        let other = try Workspace.initialize(at: host.dir.path("ws2"), from: .guess(bundleDir.path), mirror: nil, progress: QuietProgress())
        let report = try other.sync(options: .init(locked: true), progress: QuietProgress())
        #expect(report.projects.map(\.action) == [.checkedOut])
        #expect(try other.readLock()?.projects == ws.readLock()?.projects)
        #expect(!exists(other, "tx1"))
        #expect(!exists(other, "qemu-arm-virt/linux"))
        #expect(exists(other, "README.md"))
        #expect(exists(other, "qemu-arm-virt/rootfs.cpio.gz"))
        #expect(try gitFlags(other) == gitFlags(ws))
        #expect(try gitStatus(other) == "")
        #expect(try other.status().first?.changes == [])
    }

    @Test("moving to a new commit keeps the exclusions, including files new in that commit")
    func moveKeepsExclusions() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try host.makeRepo("images", files: Self.imageFiles)
        let ws = try host.initialize(try host.manifest(Self.manifest(excludes: ["tx1", "qemu-arm-virt/linux"])), mirror: host.mirror)
        _ = try ws.sync(options: .init(), progress: QuietProgress())
        try host.commit("images", file: "tx1/linux", text: "a newer tx1 kernel\n")
        try host.commit("images", file: "tx1/dtb", text: "new in tx1\n")
        try host.commit("images", file: "qemu-arm-virt/linux", text: "a newer qemu kernel\n")
        let second = try host.commit("images", file: "README.md", text: "images v2\n")

        let report = try ws.sync(options: .init(), progress: QuietProgress())
        #expect(report.projects.map(\.action) == [.checkedOut])
        #expect(report.projects.first?.commit?.hex == second)
        #expect(try String(contentsOf: ws.layout.root.appendingPathComponent("projects/images/README.md"), encoding: .utf8) == "images v2\n")
        #expect(!exists(ws, "tx1"))
        #expect(!exists(ws, "qemu-arm-virt/linux"))
        #expect(try ws.status().first?.changes == [])
        #expect(try gitStatus(ws) == "")
        #expect(try gitFlags(ws).filter { $0.hasPrefix("S ") } == ["S qemu-arm-virt/linux", "S tx1/dtb", "S tx1/linux", "S tx1/rootfs.cpio.gz"])
        #expect(isNoOp(try ws.sync(options: .init(), progress: QuietProgress())))
    }

    @Test("adding an exclusion to the manifest removes the now-excluded files; taking it out writes them back")
    func manifestChangeAddsAndRemovesExclusions() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try host.makeRepo("images", files: Self.imageFiles)
        let manifest = try host.manifest(Self.manifest(excludes: ["tx1"]))
        let ws = try host.initialize(manifest, mirror: host.mirror)
        _ = try ws.sync(options: .init(), progress: QuietProgress())
        let hashBefore = try #require(try ws.readLock()).manifest.sha256
        #expect(exists(ws, "qemu-arm-virt/linux"))

        try host.dir.write("manifests/default.xml", Self.manifest(excludes: ["tx1", "qemu-arm-virt"]))
        let added = try host.initialize(manifest, mirror: host.mirror)
        let report = try added.sync(options: .init(), progress: QuietProgress())
        #expect(report.projects.map(\.action) == [.checkedOut])
        #expect(!exists(added, "qemu-arm-virt"))
        #expect(!exists(added, "tx1"))
        #expect(exists(added, "README.md"))
        #expect(try added.status().first?.changes == [])
        #expect(try gitStatus(added) == "")
        // The exclude list is part of the manifest, so the lock's manifest hash follows it; the commit stays.
        let lock = try #require(try added.readLock())
        #expect(lock.manifest.sha256 != hashBefore)
        #expect(try lock.project(atPath: "projects/images")?.commit.hex == host.head("images"))
        #expect(isNoOp(try added.sync(options: .init(), progress: QuietProgress())))

        try host.dir.write("manifests/default.xml", Self.manifest(excludes: []))
        let none = try host.initialize(manifest, mirror: host.mirror)
        #expect(try none.sync(options: .init(), progress: QuietProgress()).projects.map(\.action) == [.checkedOut])
        #expect(try String(contentsOf: none.layout.root.appendingPathComponent("projects/images/tx1/linux"), encoding: .utf8) == "a large tx1 kernel\n")
        #expect(exists(none, "qemu-arm-virt/linux"))
        #expect(try gitFlags(none).allSatisfy { $0.hasPrefix("H ") })
        #expect(try none.status().first?.changes == [])
        #expect(try gitStatus(none) == "")
        #expect(isNoOp(try none.sync(options: .init(), progress: QuietProgress())))
    }

    @Test("a file that becomes excluded is not removed while it has local changes, unless --force; other changes, and files deleted by hand, do not stop it")
    func newlyExcludedDirtyFile() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try host.makeRepo("images", files: Self.imageFiles)
        let manifest = try host.manifest(Self.manifest(excludes: []))
        let ws = try host.initialize(manifest, mirror: host.mirror)
        _ = try ws.sync(options: .init(), progress: QuietProgress())
        let images = ws.layout.root.appendingPathComponent("projects/images")
        try "my kernel\n".write(to: images.appendingPathComponent("qemu-arm-virt/linux"), atomically: true, encoding: .utf8)
        try "my notes\n".write(to: images.appendingPathComponent("README.md"), atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: images.appendingPathComponent("tx1/linux"))

        try host.dir.write("manifests/default.xml", Self.manifest(excludes: ["qemu-arm-virt/linux", "tx1"]))
        let changed = try host.initialize(manifest, mirror: host.mirror)
        let error = #expect(throws: AggregateError.self) { try changed.sync(options: .init(), progress: QuietProgress()) }
        #expect(error?.description == """
            sync failed for 1 of 1 project (the lock file was not changed):
              - projects/images: projects/images has uncommitted changes that a checkout would overwrite:
                qemu-arm-virt/linux (modified) (commit or save them, or pass --force to discard them)
            """)
        #expect(try String(contentsOf: images.appendingPathComponent("qemu-arm-virt/linux"), encoding: .utf8) == "my kernel\n")

        _ = try changed.sync(options: .init(force: true), progress: QuietProgress())
        #expect(!exists(changed, "qemu-arm-virt/linux"))
        #expect(!exists(changed, "tx1"))
        #expect(try String(contentsOf: images.appendingPathComponent("README.md"), encoding: .utf8) == "my notes\n")
        #expect(try changed.status().first?.changes.map(\.description) == ["README.md (modified)"])
        #expect(try gitFlags(changed).filter { $0.hasPrefix("S ") } == ["S qemu-arm-virt/linux", "S tx1/linux", "S tx1/rootfs.cpio.gz"])
    }
}
