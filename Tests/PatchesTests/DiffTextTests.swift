import Foundation
import Support
import Testing
import TestSupport
@testable import Patches

@Suite struct DiffTextTests {
    @Test("hunk lines that look like file headers are not mistaken for them")
    func headerLookalikesInHunks() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let target = try fixture.project("projects/h", files: ["sig.txt": "body\n-- x\nend\n"])
        let copy = try fixture.copy(target, to: "h")
        // Removing "-- x" and adding "++ y" gives a "--- x" / "+++ y" pair inside the hunk.
        let patch = "--- h.orig/sig.txt\t2021-01-01 00:00:00\n+++ h/sig.txt\t2021-01-02 00:00:00\n"
            + "@@ -1,3 +1,3 @@\n body\n--- x\n+++ y\n end\n"
        let text = try DiffText(Data(patch.utf8))
        #expect(text.headerPaths == [.init(path: "sig.txt", line: 1), .init(path: "sig.txt", line: 2)])
        let set = try fixture.writeSet("look", [("projects/h", "0001.patch", patch)])
        _ = try fixture.manager.apply(set: set, targets: [target])
        #expect(try fixture.read(target, "sig.txt") == "body\n++ y\nend\n")
        try sh("patch -s -p1 < '\(set.directory.path)/0001.patch'", in: copy)
        #expect(try fixture.digest(target) == fixture.digest(of: copy))
    }

    @Test("git diffs adding and deleting empty files apply despite libgit2 1.5's parser")
    func emptyFiles() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let target = try fixture.project("projects/e", files: ["empty-old": "", "x.c": "a\n"])
        let copy = try fixture.copy(target, to: "e")
        let patch = try fixture.diff(in: target) { tree in
            try fixture.write(tree.appendingPathComponent("sub/empty-new.h"), "")
            try FileManager.default.removeItem(at: tree.appendingPathComponent("empty-old"))
            try fixture.write(tree.appendingPathComponent("x.c"), "b\n")
        }
        #expect(patch.contains("index 0000000..e69de29\n"))
        let set = try fixture.writeSet("empty", [("projects/e", "0001.patch", patch)])
        let verified = try set.verify(targets: [target])
        #expect(verified.first?.converted == true)
        #expect(verified.first?.files == ["empty-old", "sub/empty-new.h", "x.c"])
        _ = try fixture.manager.apply(set: set, targets: [target])
        try sh("git apply '\(set.directory.path)/0001.patch'", in: copy)
        #expect(try fixture.digest(target) == fixture.digest(of: copy))
        #expect(try fixture.read(target, "sub/empty-new.h") == "")
    }

    @Test("a rename applies, and revert brings back the old name")
    func renameRoundTrip() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let target = try fixture.project("projects/r", files: ["old/name.c": numberedSource("r")])
        let pristine = try fixture.digest(target)
        let patch = try fixture.diff(in: target, renames: true) { tree in
            try FileManager.default.moveItem(at: tree.appendingPathComponent("old"), to: tree.appendingPathComponent("new"))
        }
        #expect(patch.contains("rename from old/name.c\nrename to new/name.c\n"))
        let set = try fixture.writeSet("ren", [("projects/r", "0001.patch", patch)])
        let report = try fixture.manager.apply(set: set, targets: [target])
        #expect(report.files == ["projects/r/new/name.c", "projects/r/old/name.c"])
        #expect(try fixture.read(target, "new/name.c") == numberedSource("r"))
        #expect(!FileManager.default.fileExists(atPath: target.workTree.appendingPathComponent("old/name.c").path))
        _ = try fixture.manager.revert(set: "ren", targets: [target])
        #expect(try fixture.digest(target) == pristine)
    }

    @Test("paths with spaces and quotes survive conversion")
    func quotedPaths() throws {
        let text = try DiffText(Data("--- a/my dir/\"q\".c\t2021-01-01\n+++ b/my dir/\"q\".c\t2021-01-02\n@@ -1 +1 @@\n-x\n+y\n".utf8))
        #expect(text.converted)
        #expect(text.headerPaths.map(\.path) == ["my dir/\"q\".c", "my dir/\"q\".c"])
        let converted = String(decoding: text.data, as: UTF8.self)
        #expect(converted.hasPrefix(#"diff --git "a/my dir/\"q\".c" "b/my dir/\"q\".c""# + "\n"))
        #expect(DiffText.unquote(Array(#""a/tab\there\303\251""#.utf8)) == "a/tab\there\u{E9}")
    }

    @Test("git diffs that need no rewriting reach libgit2 byte for byte")
    func untouchedGitDiff() throws {
        let original = Data(goodPatch.utf8)
        let text = try DiffText(original)
        #expect(!text.converted)
        #expect(text.data == original)
        #expect(text.headerPaths.map(\.path) == ["f.c", "f.c"])
    }
}
