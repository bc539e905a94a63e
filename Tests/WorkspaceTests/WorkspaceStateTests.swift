import Foundation
import Support
import Testing
import TestSupport
@testable import Workspace

/// Local commits on a detached HEAD, the status exit-status rule's inputs
/// (removed projects), and what `init` keeps or cleans up.
@Suite struct WorkspaceStateTests {
    @Test("a commit made on the detached HEAD is not left behind: sync refuses, naming it; a branch holding it or --force lets sync move; the reflog names both commits")
    func localCommitOnDetachedHead() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try makeThreeProjects(host)
        let ws = try host.initialize(try host.manifest(threeProjectManifest()), mirror: host.mirror)
        _ = try ws.sync(options: .init(), progress: QuietProgress())
        let kernel = ws.layout.root.appendingPathComponent("kernel")
        try sh("echo mine > README && git commit -q -am 'my fix\tto boot'", in: kernel)
        let local = try sh("git rev-parse HEAD", in: kernel).trimmingCharacters(in: .whitespacesAndNewlines)
        let upstream = try host.commit("kernel", file: "README", text: "upstream\n")

        let error = #expect(throws: AggregateError.self) { try ws.sync(options: .init(), progress: QuietProgress()) }
        #expect(error?.description == """
            sync failed for 1 of 3 projects (the lock file was not changed):
              - kernel: kernel has a local commit on its detached HEAD, \(local.prefix(12)) "my fix\\tto boot", that exists only in this checkout; checking out \(upstream.prefix(12)) would leave it behind (save it on a branch ('git -C kernel branch NAME \(local.prefix(12))') and sync again, or pass --force to leave it (it stays in the reflog))
            """)
        #expect(try sh("git rev-parse HEAD", in: kernel).hasPrefix(local))

        // Saved on a branch, the commit is no longer at risk.
        try sh("git branch keep \(local)", in: kernel)
        _ = try ws.sync(options: .init(), progress: QuietProgress())
        #expect(try sh("git rev-parse HEAD", in: kernel).hasPrefix(upstream))
        #expect(try sh("git reflog -1 --format=%gs", in: kernel) == "sel4img sync: moving from \(local) to \(upstream)\n")

        // --force moves away from an unsaved one, and says so.
        try sh("echo again > README && git commit -q -am again", in: kernel)
        let second = try sh("git rev-parse --short=12 HEAD", in: kernel).trimmingCharacters(in: .whitespacesAndNewlines)
        try host.commit("kernel", file: "README", text: "upstream 2\n")
        let progress = RecordingProgress()
        _ = try ws.sync(options: .init(force: true), progress: progress)
        #expect(progress.lines.contains("kernel: leaving local commit \(second) behind (--force); it stays in the reflog ('git -C kernel reflog')"))
    }

    @Test("status lists projects removed from the manifest (checked out or still locked) after the manifest's projects, and calls them not clean")
    func removedProjectsListed() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try makeThreeProjects(host)
        let manifest = try host.manifest(threeProjectManifest())
        var ws = try host.initialize(manifest, mirror: host.mirror)
        _ = try ws.sync(options: .init(), progress: QuietProgress())
        #expect(try ws.status().allSatisfy(\.isClean))
        // Take tools/seL4 out of the manifest.
        try host.dir.write("manifests/default.xml", threeProjectManifest().replacingOccurrences(of: """
              <project name="tools" path="tools/seL4">
                <linkfile src="cmake-tool/init-build.sh" dest="init-build.sh"/>
              </project>

            """, with: ""))
        ws = try host.initialize(manifest)
        let status = try ws.status()
        #expect(status.map(\.path) == ["kernel", "projects/app", "tools/seL4"])
        #expect(status.map(\.removed) == [false, false, true])
        #expect(status[2].present && status[2].locked != nil)
        #expect(!status[2].isClean)
        // After a sync the lock forgets it; the checkout is still there and still listed.
        _ = try ws.sync(options: .init(), progress: QuietProgress())
        let after = try ws.status()
        #expect(after.map(\.path) == ["kernel", "projects/app", "tools/seL4"])
        #expect(after[2].removed && after[2].locked == nil)
    }

    @Test("init without --mirror keeps the mirror an earlier init saved; --mirror replaces it")
    func initKeepsMirror() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        try makeThreeProjects(host)
        let manifest = try host.manifest(threeProjectManifest())
        _ = try host.initialize(manifest, mirror: host.mirror)
        let again = try host.initialize(manifest)
        #expect(again.config.mirror == host.hostRoot.standardizedFileURL.path)
        // And the sync works offline from it.
        _ = try again.sync(options: .init(), progress: QuietProgress())
        let other = host.dir.path("other-mirror")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        #expect(try host.initialize(manifest, mirror: Mirror(root: other)).config.mirror == other.standardizedFileURL.path)
    }

    @Test("init with a manifest that does not exist leaves no workspace directory behind, and keeps a directory that was there")
    func failedInitLeavesNothing() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        let missing = host.dir.path("missing.xml")
        let error = #expect(throws: WorkspaceError.self) { try host.initialize(missing) }
        #expect(error?.description == "manifest \(missing.path) does not exist")
        #expect(!FileManager.default.fileExists(atPath: host.workspace.path))
        try FileManager.default.createDirectory(at: host.workspace, withIntermediateDirectories: true)
        try host.dir.write("ws/mine.txt", "mine\n")
        #expect(throws: WorkspaceError.self) { try host.initialize(missing) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: host.workspace.path) == ["mine.txt"])
    }
}
