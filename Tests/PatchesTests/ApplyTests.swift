import Foundation
import Support
import Testing
import TestSupport
@testable import Patches

@Suite struct ApplyTests {
    /// Two projects and a two-patch set: one edits and adds files in A, one
    /// edits, deletes and adds an executable in B.
    struct TwoProjects {
        let fixture: Fixture
        let a: PatchTarget
        let b: PatchTarget
        let patchA: String
        let patchB: String

        init() throws {
            let fixture = try Fixture()
            self.fixture = fixture
            a = try fixture.project("projects/a", files: ["src/a.c": numberedSource("a"), "README": "project a\n"])
            b = try fixture.project("projects/b", name: "b-lib.git", files: ["lib/b.c": numberedSource("b"), "old.txt": "obsolete\n"])
            patchA = try fixture.diff(in: a) { tree in
                let file = tree.appendingPathComponent("src/a.c")
                var text = try String(contentsOf: file, encoding: .utf8)
                text = text.replacingOccurrences(of: "int a_3 = 3;", with: "int a_3 = 33;")
                text = text.replacingOccurrences(of: "int a_30 = 30;", with: "int a_30 = 30;\nint a_30b = 300;")
                try Data(text.utf8).write(to: file)
                try fixture.write(tree.appendingPathComponent("src/new/dir/added.h"), "#define ADDED 1\n")
            }
            patchB = try fixture.diff(in: b) { tree in
                let file = tree.appendingPathComponent("lib/b.c")
                let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "int b_20 = 20;\n", with: "")
                try Data(text.utf8).write(to: file)
                try FileManager.default.removeItem(at: tree.appendingPathComponent("old.txt"))
                try fixture.write(tree.appendingPathComponent("tools/run.sh"), "#!/bin/sh\necho run\n")
                try sh("chmod +x tools/run.sh", in: tree)
            }
        }
    }

    @Test("applies a two-project set exactly as git apply does and records state")
    func appliesTwoProjects() throws {
        let s = try TwoProjects()
        defer { s.fixture.remove() }
        let copyA = try s.fixture.copy(s.a, to: "a")
        let copyB = try s.fixture.copy(s.b, to: "b")
        // The second entry names its project by manifest name rather than path.
        let set = try s.fixture.writeSet("two", [("projects/a", "0001-a.patch", s.patchA), ("b-lib.git", "0002-b.patch", s.patchB)])

        let progress = RecordingProgress()
        let report = try s.fixture.manager.apply(set: set, targets: [s.a, s.b], progress: progress)

        #expect(report.outcome == .applied)
        #expect(report.patches == ["0001-a.patch", "0002-b.patch"])
        #expect(report.files == ["projects/a/src/a.c", "projects/a/src/new/dir/added.h",
                                 "projects/b/lib/b.c", "projects/b/old.txt", "projects/b/tools/run.sh"])
        #expect(report.summary == "patch set 'two' applied: 2 patches, 5 files")
        #expect(progress.lines.contains("two: 0002-b.patch: applying to projects/b"))

        // Independent cross-check: the git CLI applying the same patch files to copies.
        try sh("git apply '\(set.directory.path)/0001-a.patch'", in: copyA)
        try sh("git apply '\(set.directory.path)/0002-b.patch'", in: copyB)
        #expect(try s.fixture.digest(s.a) == s.fixture.digest(of: copyA))
        #expect(try s.fixture.digest(s.b) == s.fixture.digest(of: copyB))
        #expect(try s.fixture.read(s.a, "src/new/dir/added.h") == "#define ADDED 1\n")
        #expect(FileManager.default.isExecutableFile(atPath: s.b.workTree.appendingPathComponent("tools/run.sh").path))

        let applied = try s.fixture.manager.appliedSets()
        #expect(applied.map(\.name) == ["two"])
        #expect(applied.first?.projects == ["projects/a", "projects/b"])
        #expect(applied.first?.seriesHash == set.seriesHash)
        #expect(applied.first?.interrupted == false)
        #expect(try s.fixture.manager.projects(touchedBy: "two") == ["projects/a", "projects/b"])
        #expect(try s.fixture.manager.appliedSets(touching: ["projects/b"]).map(\.name) == ["two"])
        #expect(try s.fixture.manager.appliedSets(touching: ["projects/c"]).isEmpty)

        let record = try #require(try s.fixture.manager.store.state("two"))
        #expect(record.patches.map(\.sha256) == set.entries.map(\.sha256))
        let source = try #require(record.files.first { $0.path == "src/a.c" })
        #expect(source.after?.sha256 == (try SHA256Hex.ofFile(at: s.a.workTree.appendingPathComponent("src/a.c"))))
        #expect(record.files.first { $0.path == "old.txt" }?.after == .absent)
        #expect(try s.fixture.manager.status(set: set, targets: [s.a, s.b]) == .applied)
        #expect(try s.fixture.manager.store.journal("two") == nil)
    }

    @Test("a checksum mismatch is reported before any tree is touched")
    func checksumMismatchTouchesNothing() throws {
        let s = try TwoProjects()
        defer { s.fixture.remove() }
        let before = try [s.fixture.digest(s.a), s.fixture.digest(s.b)]
        let wrong = String(repeating: "ab", count: 32)
        let set = try s.fixture.writeSet("bad", [("projects/a", "0001-a.patch", s.patchA), ("projects/b", "0002-b.patch", s.patchB)],
                                         hashes: ["0002-b.patch": wrong])
        let error = patchError { _ = try s.fixture.manager.apply(set: set, targets: [s.a, s.b]) }
        #expect(error?.kind == .checksumMismatch)
        #expect(error?.description == "patches/bad/series:3: checksum mismatch for 0002-b.patch: expected \(wrong), got \(SHA256Hex.of(s.patchB))")
        #expect(error?.hint == "if the patch changed on purpose, put the new hash in patches/bad/series (sha256sum patches/bad/0002-b.patch)")
        #expect(try [s.fixture.digest(s.a), s.fixture.digest(s.b)] == before)
        #expect(try s.fixture.manager.appliedSets().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: s.fixture.manager.stateDirectory.appendingPathComponent("bad").path))
    }

    @Test("a patch that fails rolls back every earlier patch byte for byte and names file and hunk")
    func failureRollsBack() throws {
        let s = try TwoProjects()
        defer { s.fixture.remove() }
        // Patch 2 edits two places in lib/b.c; the second hunk's context is changed in the tree first.
        let patchB = try s.fixture.diff(in: s.b) { tree in
            let file = tree.appendingPathComponent("lib/b.c")
            var text = try String(contentsOf: file, encoding: .utf8)
            text = text.replacingOccurrences(of: "int b_2 = 2;", with: "int b_2 = 22;")
            text = text.replacingOccurrences(of: "int b_30 = 30;", with: "int b_30 = 3030;")
            try Data(text.utf8).write(to: file)
        }
        let drifted = numberedSource("b").replacingOccurrences(of: "int b_29 = 29;", with: "int b_29 = -29;")
        try s.fixture.write(s.b.workTree.appendingPathComponent("lib/b.c"), drifted)
        try sh("git commit -qam drift", in: s.b.workTree)

        let before = try [s.fixture.digest(s.a), s.fixture.digest(s.b)]
        let set = try s.fixture.writeSet("roll", [("projects/a", "0001-a.patch", s.patchA), ("projects/b", "0002-b.patch", patchB)])
        let error = patchError { _ = try s.fixture.manager.apply(set: set, targets: [s.a, s.b]) }
        #expect(error?.kind == .applyFailed)
        #expect(error?.description == "patch set 'roll' failed: 0002-b.patch does not apply to projects/b: "
            + "file lib/b.c, hunk 2 (@@ -27,7 +27,7 @@ int b_26 = 26;): hunk at line 27 did not apply; "
            + "every tree the set touched has been restored")
        #expect(error?.line == 3)
        #expect(error?.project == "projects/b")
        #expect(try [s.fixture.digest(s.a), s.fixture.digest(s.b)] == before)
        #expect(!FileManager.default.fileExists(atPath: s.a.workTree.appendingPathComponent("src/new").path))
        #expect(try s.fixture.manager.status(set: set, targets: [s.a, s.b]) == .pending)
        #expect(try s.fixture.manager.appliedSets().isEmpty)
    }

    @Test("a patch -p1 style diff without diff --git lines applies after conversion")
    func traditionalDiffApplies() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let target = try fixture.project("projects/c", files: ["x.c": "one\ntwo\nthree\n", "gone.c": "bye\n"])
        let copy = try fixture.copy(target, to: "c")
        let patch = """
            diff -Naur c.orig/x.c c/x.c
            --- c.orig/x.c\t2021-06-01 10:00:00.000000000 +0000
            +++ c/x.c\t2021-06-01 10:05:00.000000000 +0000
            @@ -1,3 +1,4 @@
             one
            -two
            +two and a half
            +-- not a header
             three
            diff -Naur c.orig/new/y.h c/new/y.h
            --- c.orig/new/y.h\t1970-01-01 00:00:00.000000000 +0000
            +++ c/new/y.h\t2021-06-01 10:05:00.000000000 +0000
            @@ -0,0 +1,2 @@
            +#pragma once
            +int y;
            --- a/gone.c
            +++ /dev/null
            @@ -1 +0,0 @@
            -bye

            """
        let set = try fixture.writeSet("p1", [("projects/c", "0001-p1.patch", patch)])
        let verified = try set.verify(targets: [target])
        #expect(verified.first?.converted == true)
        #expect(verified.first?.files == ["gone.c", "new/y.h", "x.c"])
        _ = try fixture.manager.apply(set: set, targets: [target])
        #expect(try fixture.read(target, "x.c") == "one\ntwo and a half\n-- not a header\nthree\n")
        #expect(try fixture.read(target, "new/y.h") == "#pragma once\nint y;\n")
        #expect(!FileManager.default.fileExists(atPath: target.workTree.appendingPathComponent("gone.c").path))
        // GNU patch, the tool such patches are written for, gives the same tree.
        try sh("patch -s -p1 < '\(set.directory.path)/0001-p1.patch'", in: copy)
        #expect(try fixture.digest(target) == fixture.digest(of: copy))

        _ = try fixture.manager.revert(set: "p1", targets: [target])
        #expect(try fixture.read(target, "gone.c") == "bye\n")
        #expect(!FileManager.default.fileExists(atPath: target.workTree.appendingPathComponent("new").path))
    }

    @Test("a symlinked directory leading out of the project is refused before anything is written")
    func symlinkOutsideRefused() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let target = try fixture.project("projects/d", files: ["keep.c": "keep\n"])
        let outside = fixture.root.appendingPathComponent("outside")
        try fixture.write(outside.appendingPathComponent("victim.c"), "victim\n")
        try FileManager.default.createSymbolicLink(at: target.workTree.appendingPathComponent("escape"), withDestinationURL: outside)
        let patch = """
            diff --git a/escape/victim.c b/escape/victim.c
            --- a/escape/victim.c
            +++ b/escape/victim.c
            @@ -1 +1 @@
            -victim
            +owned

            """
        let set = try fixture.writeSet("esc", [("projects/d", "0001.patch", patch)])
        let error = patchError { _ = try fixture.manager.apply(set: set, targets: [target]) }
        #expect(error?.kind == .unsafeTarget)
        #expect(error?.description == "projects/d/escape/victim.c is refused: 'escape/victim.c' goes through 'escape', a symbolic link to '\(outside.path)', which leads outside projects/d")
        #expect(try String(contentsOf: outside.appendingPathComponent("victim.c"), encoding: .utf8) == "victim\n")
    }
}
