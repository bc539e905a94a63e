import Foundation
import Git
import Support
import Testing
import TestSupport
@testable import Workspace

@Suite struct SyncTests {
    @Test("a sync checks out every project with .git as a file, creates links and copies, and writes the lock")
    func syncChecksOutProjects() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try makeThreeProjects(host)
        let ws = try host.initialize(try host.manifest(threeProjectManifest()), mirror: host.mirror)
        let report = try ws.sync(options: .init(), progress: QuietProgress())

        #expect(report.projects.map(\.action) == [.checkedOut, .checkedOut, .checkedOut])
        #expect(report.lockWritten)
        let root = ws.layout.root
        #expect(try String(contentsOf: root.appendingPathComponent("kernel/src/boot.c"), encoding: .utf8) == "int boot;\n")
        // .git is a regular file (gitlink), never a directory: seL4's musllibc step runs `rm -f src/.git`.
        let dotGit = root.appendingPathComponent("kernel/.git")
        #expect(!FileManager.default.isDirectory(dotGit))
        #expect(try String(contentsOf: dotGit, encoding: .utf8).hasPrefix("gitdir: "))
        // The independent git CLI agrees on the checkout.
        let head = try sh("git rev-parse HEAD && git status --porcelain", in: root.appendingPathComponent("kernel"))
        #expect(try head == host.head("kernel") + "\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root.appendingPathComponent("init-build.sh").path)
                == "tools/seL4/cmake-tool/init-build.sh")
        #expect(try String(contentsOf: root.appendingPathComponent("easy-settings.cmake"), encoding: .utf8) == "set(X 1)\n")

        let lock = try LockFile.read(from: ws.layout.lockFile)
        #expect(lock.projects.map(\.path) == ["kernel", "projects/app", "tools/seL4"])
        #expect(try lock.project(atPath: "kernel")?.commit.hex == host.head("kernel"))
        #expect(lock.project(atPath: "kernel")?.url == "https://example.invalid/org/kernel.git")
    }

    @Test("a second sync with nothing changed fetches nothing and leaves the lock alone")
    func noOpResync() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try makeThreeProjects(host)
        let pinned = try host.head("kernel")
        try host.makeRepo("pinned", files: ["a": "1\n"])
        let xml = threeProjectManifest().replacingOccurrences(of: "<project name=\"kernel.git\" path=\"kernel\"/>",
                                                                with: "<project name=\"kernel.git\" path=\"kernel\" revision=\"\(pinned)\"/>")
        let ws = try host.initialize(try host.manifest(xml), mirror: host.mirror)
        _ = try ws.sync(options: .init(), progress: QuietProgress())
        let before = try Data(contentsOf: ws.layout.lockFile)
        let again = try ws.sync(options: .init(locked: true), progress: QuietProgress())
        #expect(again.nothingChanged)
        #expect(!again.lockWritten)
        #expect(try Data(contentsOf: ws.layout.lockFile) == before)
    }

    @Test("--locked keeps the locked commits when a branch moves; a plain sync follows the branch")
    func lockedSync() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try makeThreeProjects(host)
        let first = try host.head("kernel")
        let ws = try host.initialize(try host.manifest(threeProjectManifest()), mirror: host.mirror)
        _ = try ws.sync(options: .init(), progress: QuietProgress())
        let second = try host.commit("kernel", file: "README", text: "kernel v2\n")

        let locked = try ws.sync(options: .init(locked: true), progress: QuietProgress())
        #expect(locked.projects.first { $0.path == "kernel" }?.commit?.hex == first)
        #expect(try ws.readLock()?.project(atPath: "kernel")?.commit.hex == first)

        let unlocked = try ws.sync(options: .init(), progress: QuietProgress())
        #expect(unlocked.projects.first { $0.path == "kernel" }?.commit?.hex == second)
        #expect(try ws.readLock()?.project(atPath: "kernel")?.commit.hex == second)
        #expect(try String(contentsOf: ws.layout.root.appendingPathComponent("kernel/README"), encoding: .utf8) == "kernel v2\n")
    }

    @Test("--locked refuses a project the lock does not know")
    func lockedRefusesUnknownProject() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try makeThreeProjects(host)
        try host.makeRepo("extra", files: ["x": "x\n"])
        let manifest = try host.manifest(threeProjectManifest())
        let ws = try host.initialize(manifest, mirror: host.mirror)
        _ = try ws.sync(options: .init(), progress: QuietProgress())
        try host.dir.write("manifests/default.xml", threeProjectManifest().replacingOccurrences(
            of: "</manifest>", with: "  <project name=\"extra\" path=\"extra\"/>\n</manifest>"))
        let ws2 = try host.initialize(manifest, mirror: host.mirror)
        let error = #expect(throws: WorkspaceError.self) { try ws2.sync(options: .init(locked: true), progress: QuietProgress()) }
        #expect(error?.description == "project extra is not in the lock file")
        #expect(error?.hint == "run 'sel4img sync' without --locked to update the lock")
    }

    @Test("a checkout with uncommitted changes is never overwritten without --force, and untracked files survive")
    func dirtyCheckoutRefused() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try makeThreeProjects(host)
        let ws = try host.initialize(try host.manifest(threeProjectManifest()), mirror: host.mirror)
        _ = try ws.sync(options: .init(), progress: QuietProgress())
        let root = ws.layout.root
        try "my work\n".write(to: root.appendingPathComponent("kernel/README"), atomically: true, encoding: .utf8)
        try "notes\n".write(to: root.appendingPathComponent("kernel/NOTES"), atomically: true, encoding: .utf8)
        try host.commit("kernel", file: "README", text: "upstream\n")

        let error = #expect(throws: AggregateError.self) { try ws.sync(options: .init(), progress: QuietProgress()) }
        #expect(error?.description == """
            sync failed for 1 of 3 projects (the lock file was not changed):
              - kernel: kernel has uncommitted changes that a checkout would overwrite:
                README (modified) (commit or save them, or pass --force to discard them)
            """)
        #expect(try String(contentsOf: root.appendingPathComponent("kernel/README"), encoding: .utf8) == "my work\n")

        _ = try ws.sync(options: .init(force: true), progress: QuietProgress())
        #expect(try String(contentsOf: root.appendingPathComponent("kernel/README"), encoding: .utf8) == "upstream\n")
        #expect(try String(contentsOf: root.appendingPathComponent("kernel/NOTES"), encoding: .utf8) == "notes\n")
    }

    @Test("a commit whose file contents are missing from the mirror is refused before anything is written, naming the files")
    func missingBlobsAreNamedAndNothingIsWritten() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try host.makeRepo("images", files: ["README": "small\n", "qemu/linux": "a large kernel\n", "qemu/rootfs.cpio": "rootfs\n"])
        // Drop one file's blob from the mirror copy, as partial snapshots of repositories with large files do.
        let blob = try sh("git rev-parse HEAD:qemu/linux", in: host.dir.path("src/images")).trimmingCharacters(in: .whitespacesAndNewlines)
        let bare = host.hostRoot.appendingPathComponent("example.invalid/org/images.git")
        try FileManager.default.removeItem(at: bare.appendingPathComponent("objects/\(blob.prefix(2))/\(blob.dropFirst(2))"))
        let ws = try host.initialize(try host.manifest("""
            <manifest>
              <remote name="org" fetch="https://example.invalid/org"/>
              <default remote="org" revision="master"/>
              <project name="images" path="images"/>
            </manifest>
            """), mirror: host.mirror)
        let error = #expect(throws: AggregateError.self) { try ws.sync(options: .init(), progress: QuietProgress()) }
        let commit = try host.head("images")
        #expect(error?.description == """
            sync failed for 1 of 1 project (the lock file was not changed):
              - images: cannot check out \(commit.prefix(12)) in images: the contents of 1 file are missing from \(bare.path): qemu/linux (blob \(blob.prefix(12))); nothing was written (the copy of images this came from lacks them, as partial snapshots of repositories with large files often do; fetch them from a complete copy, leave them out with <exclude path="qemu/linux"/> in the manifest's project (one per file or directory), or pin a commit that does not need them)
            """)
        let written = try FileManager.default.contentsOfDirectory(atPath: ws.layout.root.appendingPathComponent("images").path)
        #expect(written == [".git"])
        #expect(!FileManager.default.fileExists(atPath: ws.layout.lockFile.path))
    }

    @Test("sync keeps going over a failing project, reports it, and does not write the lock")
    func keepsGoing() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try makeThreeProjects(host)
        let xml = threeProjectManifest().replacingOccurrences(of: "</manifest>", with: "  <project name=\"missing\" path=\"missing\"/>\n</manifest>")
        let ws = try host.initialize(try host.manifest(xml), mirror: host.mirror)
        let error = #expect(throws: AggregateError.self) { try ws.sync(options: .init(jobs: 2), progress: QuietProgress()) }
        #expect(error?.failures.count == 1)
        #expect(error?.description.contains("missing: the mirror \(host.hostRoot.path) has no copy of https://example.invalid/org/missing (expected \(host.hostRoot.path)/example.invalid/org/missing.git)") == true)
        #expect(FileManager.default.fileExists(atPath: ws.layout.root.appendingPathComponent("kernel/README").path))
        #expect(!FileManager.default.fileExists(atPath: ws.layout.lockFile.path))
    }

    @Test("relative remotes resolve against the manifest repository's URL, and includes are followed")
    func manifestRepositoryWithRelativeRemotesAndInclude() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try makeThreeProjects(host)
        try host.makeRepo("manifest", files: [
            "default.xml": """
                <manifest>
                  <include name="common.xml"/>
                  <project name="kernel.git" path="kernel"/>
                </manifest>
                """,
            "common.xml": """
                <manifest>
                  <remote name="org" fetch="."/>
                  <default remote="org" revision="master"/>
                  <project name="tools" path="tools/seL4"/>
                </manifest>
                """,
        ])
        let ws = try Workspace.initialize(at: host.workspace, from: .repository(url: "https://example.invalid/org/manifest.git", revision: nil, file: "default.xml"),
                                          mirror: host.mirror, progress: QuietProgress())
        let (projects, _) = try ws.loadProjects()
        #expect(projects.map(\.url) == ["https://example.invalid/org/tools", "https://example.invalid/org/kernel.git"])
        _ = try ws.sync(options: .init(), progress: QuietProgress())
        #expect(FileManager.default.fileExists(atPath: ws.layout.root.appendingPathComponent("tools/seL4/cmake-tool/init-build.sh").path))
    }

    @Test("a bundle lets another workspace sync with the original repositories gone")
    func bundleThenSyncOffline() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try makeThreeProjects(host)
        let ws = try host.initialize(try host.manifest(threeProjectManifest()), mirror: host.mirror)
        _ = try ws.sync(options: .init(), progress: QuietProgress())
        let bundleDir = host.dir.path("bundle")
        let info = try Bundle.write(ws, to: bundleDir, progress: QuietProgress())
        #expect(info.projects == 3)
        try FileManager.default.removeItem(at: host.hostRoot)

        let other = try Workspace.initialize(at: host.dir.path("ws2"), from: .guess(bundleDir.path), mirror: nil, progress: QuietProgress())
        let report = try other.sync(options: .init(locked: true), progress: QuietProgress())
        #expect(report.projects.allSatisfy { $0.action == .checkedOut })
        #expect(try other.readLock()?.projects == ws.readLock()?.projects)
        let a = try sh("git -C \(ws.layout.root.path)/kernel rev-parse HEAD")
        let b = try sh("git -C \(other.layout.root.path)/kernel rev-parse HEAD")
        #expect(a == b)
    }

    @Test("status reports a checkout whose HEAD differs from the lock, and its changes")
    func statusReportsDrift() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try makeThreeProjects(host)
        let ws = try host.initialize(try host.manifest(threeProjectManifest()), mirror: host.mirror)
        _ = try ws.sync(options: .init(), progress: QuietProgress())
        let kernel = ws.layout.root.appendingPathComponent("kernel")
        try sh("git -c user.name=T -c user.email=t@e commit -q --allow-empty -m local", in: kernel)
        try "x\n".write(to: kernel.appendingPathComponent("NEW"), atomically: true, encoding: .utf8)
        let status = try ws.status()
        let k = try #require(status.first { $0.path == "kernel" })
        #expect(!k.matchesLock)
        #expect(k.changes.map(\.description) == ["NEW (untracked)"])
        #expect(status.filter(\.matchesLock).count == 2)
    }
}

@Suite struct LayoutTests {
    @Test("remote URLs map onto the mirror layout HOST/OWNER/NAME.git")
    func mirrorMapping() {
        #expect(RepositoryURL.mirrorRelativePath("https://github.com/seL4/seL4.git") == "github.com/seL4/seL4.git")
        #expect(RepositoryURL.mirrorRelativePath("https://github.com/seL4/seL4") == "github.com/seL4/seL4.git")
        #expect(RepositoryURL.mirrorRelativePath("https://github.com/seL4/seL4/") == "github.com/seL4/seL4.git")
        #expect(RepositoryURL.mirrorRelativePath("https://user@git.example.com:8443/a/b") == "git.example.com/a/b.git")
        #expect(RepositoryURL.mirrorRelativePath("git@github.com:seL4/seL4.git") == "github.com/seL4/seL4.git")
        #expect(RepositoryURL.mirrorRelativePath("https://git.savannah.gnu.org/git/lwip.git") == "git.savannah.gnu.org/git/lwip.git")
        #expect(RepositoryURL.mirrorRelativePath("/srv/repos/x") == "local/srv/repos/x.git")
        #expect(RepositoryURL.mirrorRelativePath("https://evil.example/../../etc") == "evil.example/etc.git")
    }

    @Test("a mirror finds a repository whose name differs only in case, as GitHub does")
    func mirrorCaseInsensitive() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(at: dir.path("github.com/seL4/seL4_projects_libs.git"), withIntermediateDirectories: true)
        let mirror = Mirror(root: dir.url)
        #expect(try mirror.location(for: "https://github.com/sel4/sel4_projects_libs").path == dir.path("github.com/seL4/seL4_projects_libs.git").path)
        let error = #expect(throws: WorkspaceError.self) { try mirror.location(for: "https://github.com/seL4/nothere") }
        #expect(error?.description == "the mirror \(dir.url.path) has no copy of https://github.com/seL4/nothere (expected \(dir.url.path)/github.com/seL4/nothere.git)")
    }

    @Test("the lock file round-trips through JSON and rejects damage with a message")
    func lockRoundTrip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let lock = LockFile(manifest: .init(file: "default.xml", url: nil, sha256: String(repeating: "a", count: 64)), projects: [
            .init(name: "b", path: "b", url: "https://h/o/b", revision: "master", commit: ObjectID(hex: String(repeating: "1", count: 40))!),
            .init(name: "a", path: "a", url: "https://h/o/a", revision: "v1", commit: ObjectID(hex: String(repeating: "2", count: 40))!),
        ])
        try lock.write(to: dir.path("sel4img.lock"))
        #expect(try LockFile.read(from: dir.path("sel4img.lock")) == lock)
        #expect(lock.projects.map(\.path) == ["a", "b"])

        try dir.write("bad.lock", #"{"format":1,"manifest":{"file":"d.xml","sha256":"x"},"projects":[{"name":"a","path":"a","url":"u","revision":"r","commit":"nothex"}]}"#)
        let error = #expect(throws: WorkspaceError.self) { try LockFile.read(from: dir.path("bad.lock")) }
        #expect(error?.description == "\(dir.path("bad.lock").path) is not a valid lock file: projects.Index 0.commit: 'nothex' is not a 40-digit commit id")
    }
}
