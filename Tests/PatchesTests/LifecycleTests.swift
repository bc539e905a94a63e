import Foundation
import Support
import Testing
import TestSupport
@testable import Patches

@Suite struct LifecycleTests {
    /// One project with a one-patch set: edits `main.c`, adds `extra/new.c`.
    struct OneProject {
        let fixture: Fixture
        let target: PatchTarget
        let patch: String
        var targets: [PatchTarget] { [target] }

        init() throws {
            let fixture = try Fixture()
            self.fixture = fixture
            target = try fixture.project("projects/p", files: ["main.c": numberedSource("m", lines: 10), "run.sh*": "#!/bin/sh\n"])
            patch = try fixture.diff(in: target) { tree in
                try fixture.write(tree.appendingPathComponent("main.c"), numberedSource("m", lines: 11))
                try fixture.write(tree.appendingPathComponent("extra/new.c"), "int extra;\n")
                try fixture.write(tree.appendingPathComponent("run.sh"), "#!/bin/sh\necho patched\n")
            }
        }

        func set(_ name: String = "life") throws -> PatchSet {
            try fixture.writeSet(name, [("projects/p", "0001-p.patch", patch)])
        }
    }

    @Test("re-applying an applied, unchanged set is a no-op that says so")
    func reapplyIsNoOp() throws {
        let s = try OneProject()
        defer { s.fixture.remove() }
        let set = try s.set()
        _ = try s.fixture.manager.apply(set: set, targets: s.targets)
        let after = try s.fixture.digest(s.target)
        let progress = RecordingProgress()
        let again = try s.fixture.manager.apply(set: set, targets: s.targets, progress: progress)
        #expect(again.alreadyApplied)
        #expect(again.summary == "patch set 'life' is already applied")
        #expect(progress.lines.last == "life: up to date (already applied)")
        #expect(try s.fixture.digest(s.target) == after)
    }

    @Test("status goes from pending to applied to modified, and stale when the series changes")
    func statusTransitions() throws {
        let s = try OneProject()
        defer { s.fixture.remove() }
        let manager = s.fixture.manager
        let set = try s.set()
        #expect(try manager.status(set: set, targets: s.targets) == .pending)
        _ = try manager.apply(set: set, targets: s.targets)
        #expect(try manager.status(set: set, targets: s.targets) == .applied)

        try s.fixture.write(s.target.workTree.appendingPathComponent("extra/new.c"), "int edited;\n")
        let modified = try manager.status(set: set, targets: s.targets)
        #expect(modified == .modified(["projects/p/extra/new.c"]))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(modified), as: UTF8.self)
        #expect(json == #"{"files":["projects/p/extra/new.c"],"state":"modified"}"#)
        #expect(try JSONDecoder().decode(PatchSetStatus.self, from: Data(json.utf8)) == modified)
        let again = try manager.apply(set: set, targets: s.targets)
        #expect(again.alreadyApplied)
        #expect(again.modifiedFiles == ["projects/p/extra/new.c"])

        try s.fixture.write(s.target.workTree.appendingPathComponent("extra/new.c"), "int extra;\n")
        // A comment changes the series bytes, hence its hash.
        try s.fixture.write(set.directory.appendingPathComponent("series"),
                            "# reworded\nprojects/p \(SHA256Hex.of(s.patch)) 0001-p.patch\n")
        let changed = try PatchSet.load(named: "life", in: s.fixture.patchesDirectory)
        #expect(try manager.status(set: changed, targets: s.targets) == .stale)
        #expect(String(decoding: try JSONEncoder().encode(PatchSetStatus.stale), as: UTF8.self) == #"{"state":"stale"}"#)
    }

    @Test("a changed series is reverted and the new one applied")
    func changedSeriesReapplies() throws {
        let s = try OneProject()
        defer { s.fixture.remove() }
        let manager = s.fixture.manager
        let old = try s.set()
        _ = try manager.apply(set: old, targets: s.targets)
        let second = """
            diff --git a/main.c b/main.c
            --- a/main.c
            +++ b/main.c
            @@ -1,2 +1,2 @@
            -int m_1 = 1;
            +int m_1 = 100;
             int m_2 = 2;

            """
        let new = try s.fixture.writeSet("life", [("projects/p", "0001-other.patch", second)])
        let progress = RecordingProgress()
        let report = try manager.apply(set: new, targets: s.targets, progress: progress)
        #expect(report.outcome == .reapplied)
        #expect(report.previousSeriesHash == old.seriesHash)
        #expect(progress.lines.contains("patch set 'life' changed since it was applied; reverting the old series first"))
        #expect(try s.fixture.read(s.target, "main.c") == numberedSource("m", lines: 10).replacingOccurrences(of: "m_1 = 1;", with: "m_1 = 100;"))
        #expect(!FileManager.default.fileExists(atPath: s.target.workTree.appendingPathComponent("extra").path))
        #expect(try manager.status(set: new, targets: s.targets) == .applied)
    }

    @Test("revert restores the pre-apply bytes and permissions and forgets the set")
    func revertRestores() throws {
        let s = try OneProject()
        defer { s.fixture.remove() }
        let manager = s.fixture.manager
        let set = try s.set()
        let pristine = try s.fixture.digest(s.target)
        _ = try manager.apply(set: set, targets: s.targets)
        #expect(try s.fixture.digest(s.target) != pristine)

        let report = try manager.revert(set: "life", targets: s.targets)
        #expect(report.outcome == .reverted)
        #expect(report.restoredFiles == ["projects/p/extra/new.c", "projects/p/main.c", "projects/p/run.sh"])
        #expect(report.summary == "patch set 'life' reverted: 3 files restored")
        #expect(try s.fixture.digest(s.target) == pristine)
        #expect(try sh("git status --porcelain", in: s.target.workTree) == "")
        #expect(try manager.appliedSets().isEmpty)
        #expect(try manager.status(set: set, targets: s.targets) == .pending)
        #expect(try manager.revert(set: "life", targets: s.targets).outcome == .notApplied)
    }

    @Test("revert refuses when patched files were edited, unless forced")
    func revertRefusesModified() throws {
        let s = try OneProject()
        defer { s.fixture.remove() }
        let manager = s.fixture.manager
        let set = try s.set()
        let pristine = try s.fixture.digest(s.target)
        _ = try manager.apply(set: set, targets: s.targets)
        try s.fixture.write(s.target.workTree.appendingPathComponent("main.c"), "hand edit\n")
        try FileManager.default.removeItem(at: s.target.workTree.appendingPathComponent("extra/new.c"))

        let error = patchError { _ = try manager.revert(set: "life", targets: s.targets) }
        #expect(error?.kind == .modifiedSinceApplied)
        #expect(error?.description == "patch set 'life' cannot be reverted: files changed since it was applied: "
            + "projects/p/extra/new.c, projects/p/main.c")
        #expect(try s.fixture.read(s.target, "main.c") == "hand edit\n")
        #expect(try manager.status(set: set, targets: s.targets) == .modified(["projects/p/extra/new.c", "projects/p/main.c"]))

        let forced = try manager.revert(set: "life", targets: s.targets, force: true)
        #expect(forced.discardedModifications == ["projects/p/extra/new.c", "projects/p/main.c"])
        #expect(try s.fixture.digest(s.target) == pristine)
    }

    @Test("an interrupted apply or revert is rolled back to the pre-apply files")
    func interruptionRecovered() throws {
        let s = try OneProject()
        defer { s.fixture.remove() }
        let manager = s.fixture.manager
        let set = try s.set()
        let pristine = try s.fixture.digest(s.target)
        _ = try manager.apply(set: set, targets: s.targets)
        // What a revert killed right after its first step leaves behind.
        try manager.store.beginRevert("life")
        #expect(try manager.status(set: set, targets: s.targets) == .interrupted)
        #expect(try manager.appliedSets().map(\.interrupted) == [true])
        #expect(try manager.appliedSets(touching: ["projects/p"]).map(\.name) == ["life"])

        let progress = RecordingProgress()
        let report = try manager.apply(set: set, targets: s.targets, progress: progress)
        #expect(report.recoveredInterruption)
        #expect(report.outcome == .applied)
        #expect(progress.lines.contains("patch set 'life': an earlier apply or revert was interrupted; restored 3 files to their pre-apply content"))
        #expect(try manager.status(set: set, targets: s.targets) == .applied)

        try manager.store.beginRevert("life")
        let reverted = try manager.revert(set: "life", targets: s.targets)
        #expect(reverted.outcome == .recoveredInterruption)
        #expect(try s.fixture.digest(s.target) == pristine)
        #expect(try manager.appliedSets().isEmpty)
    }

    @Test("revert refuses to start when a saved copy is damaged")
    func damagedBackupRefused() throws {
        let s = try OneProject()
        defer { s.fixture.remove() }
        let manager = s.fixture.manager
        let set = try s.set()
        _ = try manager.apply(set: set, targets: s.targets)
        let after = try s.fixture.digest(s.target)
        let record = try #require(try manager.store.state("life"))
        let backup = try #require(record.files.first { $0.path == "main.c" }?.backup)
        let url = manager.store.backupURL("life", backup)
        try Data("tampered".utf8).write(to: url)
        let error = patchError { _ = try manager.revert(set: "life", targets: s.targets) }
        #expect(error?.kind == .stateCorrupt)
        #expect(error?.description == "cannot use patch state \(url.path): the saved copy of projects/p/main.c does not match its recorded SHA-256")
        #expect(try s.fixture.digest(s.target) == after)
        #expect(try manager.status(set: set, targets: s.targets) == .applied)
    }

    @Test("a second set patching the same file stacks on the first, and reverts in reverse order")
    func stackedSets() throws {
        let s = try OneProject()
        defer { s.fixture.remove() }
        let manager = s.fixture.manager
        let pristine = try s.fixture.digest(s.target)
        let first = try s.set("first")
        _ = try manager.apply(set: first, targets: s.targets)
        let patched = try s.fixture.digest(s.target)
        let second = try s.fixture.writeSet("second", [("projects/p", "0001-more.patch", """
            diff --git a/main.c b/main.c
            --- a/main.c
            +++ b/main.c
            @@ -10,2 +10,3 @@
             int m_10 = 10;
             int m_11 = 11;
            +int m_12 = 12;

            """)])
        _ = try manager.apply(set: second, targets: s.targets)
        #expect(try s.fixture.read(s.target, "main.c") == numberedSource("m", lines: 12))
        #expect(try manager.status(set: first, targets: s.targets) == .modified(["projects/p/main.c"]))
        #expect(try manager.appliedSets(touching: ["projects/p"]).map(\.name) == ["first", "second"])

        #expect(patchError { _ = try manager.revert(set: "first", targets: s.targets) }?.kind == .modifiedSinceApplied)
        _ = try manager.revert(set: "second", targets: s.targets)
        #expect(try s.fixture.digest(s.target) == patched)
        _ = try manager.revert(set: "first", targets: s.targets)
        #expect(try s.fixture.digest(s.target) == pristine)
    }

    @Test("hashLine prints a series line for a patch file")
    func hashLine() throws {
        let s = try OneProject()
        defer { s.fixture.remove() }
        let set = try s.set()
        let line = try PatchSet.hashLine(for: set.directory.appendingPathComponent("0001-p.patch"), project: "projects/p", setDirectory: set.directory)
        #expect(line == "projects/p \(SHA256Hex.of(s.patch)) 0001-p.patch")
        let digest = try sh("sha256sum 0001-p.patch", in: set.directory).split(separator: " ").first.map(String.init)
        #expect(line.split(separator: " ")[1] == digest.map { Substring($0) })
    }
}
