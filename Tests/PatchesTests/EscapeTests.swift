import Foundation
import Support
import Testing
import TestSupport
@testable import Patches

/// The escape corpus against patch sets: patch 1 makes the corpus's symlinks
/// (mode 120000), patch 2 writes, deletes or renames through them. Each must be
/// refused just before patch 2, the set rolled back, nothing outside touched,
/// and the set left pending (not interrupted).
@Suite("Patch set escapes")
struct PatchEscapeTests {
    enum Operation: String, CaseIterable, Sendable {
        case add, delete, rename
    }

    struct Case: Sendable, CustomStringConvertible {
        var escape: EscapeCase
        var operation: Operation
        var description: String { "\(operation) through \(escape.label)" }
    }

    static let cases = EscapeCorpus.cases.flatMap { c in Operation.allCases.map { Case(escape: c, operation: $0) } }

    /// The path patch 2 touches: the corpus path, or a `victim` beside the link for deletes.
    static func path(_ c: Case) -> EscapeCase {
        var escape = c.escape
        if c.operation == .delete { escape.path = escape.component + "/victim" }
        return escape
    }

    static func secondPatch(_ c: Case, path: String) -> String {
        switch c.operation {
        case .add:
            return "diff --git a/\(path) b/\(path)\nnew file mode 100644\n--- /dev/null\n+++ b/\(path)\n@@ -0,0 +1 @@\n+owned\n"
        case .delete:
            return "diff --git a/\(path) b/\(path)\ndeleted file mode 100644\n--- a/\(path)\n+++ /dev/null\n@@ -1 +0,0 @@\n-keep me\n"
        case .rename:
            return "diff --git a/keep.c b/\(path)\nsimilarity index 100%\nrename from keep.c\nrename to \(path)\n"
        }
    }

    @Test("a symlink made by patch 1 is not written through by patch 2", arguments: cases)
    func escape(_ c: Case) throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let outside = try OutsideDirectory(in: fixture.root)
        let target = try fixture.project("projects/d", files: ["keep.c": "keep me\n"])
        let escape = Self.path(c)
        let links = try fixture.diff(in: target) { try EscapeCorpus.makeLinks(escape, in: $0, outside: outside.url) }
        let set = try fixture.writeSet("esc", [("projects/d", "0001.patch", links), ("projects/d", "0002.patch", Self.secondPatch(c, path: escape.path))])
        let tree = try fixture.digest(target)
        let before = outside.listing()

        let error = patchError { _ = try fixture.manager.apply(set: set, targets: [target]) }
        let refusal = EscapeCorpus.refusal(escape, root: target.workTree, outside: outside.url, rootName: "projects/d")
        #expect(error?.kind == .unsafeTarget)
        #expect(error?.description == "patches/esc/series:3: patch set 'esc' refused: 0002.patch: projects/d/\(escape.path) is refused: \(refusal); every tree the set touched has been restored")
        #expect(error?.hint == "remove the symbolic link '\(escape.component)', or choose a path that does not go through it")
        #expect(outside.listing() == before)
        #expect(try fixture.digest(target) == tree)
        #expect(try fixture.manager.status(set: set, targets: [target]) == .pending)
        #expect(try fixture.manager.revert(set: "esc", targets: [target]).outcome == .notApplied)
    }

    @Test("a patch that makes a symlink and writes below it in the same patch is refused")
    func samePatch() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let outside = try OutsideDirectory(in: fixture.root)
        let target = try fixture.project("projects/d", files: ["keep.c": "keep me\n"])
        let patch = """
            diff --git a/lnk b/lnk
            new file mode 120000
            --- /dev/null
            +++ b/lnk
            @@ -0,0 +1 @@
            +\(outside.url.path)
            \\ No newline at end of file
            diff --git a/lnk/x b/lnk/x
            new file mode 100644
            --- /dev/null
            +++ b/lnk/x
            @@ -0,0 +1 @@
            +owned

            """
        let set = try fixture.writeSet("same", [("projects/d", "0001.patch", patch)])
        let tree = try fixture.digest(target)
        let before = outside.listing()
        let error = patchError { _ = try fixture.manager.apply(set: set, targets: [target]) }
        #expect(error?.description == "patches/same/series:2: patch set 'same' refused: 0001.patch: projects/d/lnk/x is refused: it lies below 'lnk', which the same patch makes a symbolic link; every tree the set touched has been restored")
        #expect(outside.listing() == before)
        #expect(try fixture.digest(target) == tree)
        #expect(try fixture.manager.status(set: set, targets: [target]) == .pending)
    }

    @Test("a symlink made by patch 1 that stays inside may be written through by patch 2")
    func insideLinkAllowed() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let target = try fixture.project("projects/d", files: ["keep.c": "keep me\n", "real/a.c": "a\n"])
        let links = try fixture.diff(in: target) { try FileManager.default.createSymbolicLink(atPath: $0.appendingPathComponent("lnk").path, withDestinationPath: "real") }
        let add = "diff --git a/lnk/x b/lnk/x\nnew file mode 100644\n--- /dev/null\n+++ b/lnk/x\n@@ -0,0 +1 @@\n+mine\n"
        let set = try fixture.writeSet("ok", [("projects/d", "0001.patch", links), ("projects/d", "0002.patch", add)])
        _ = try fixture.manager.apply(set: set, targets: [target])
        #expect(try fixture.read(target, "real/x") == "mine\n")
        _ = try fixture.manager.revert(set: "ok", targets: [target])
        #expect(!FileManager.default.fileExists(atPath: target.workTree.appendingPathComponent("real/x").path))
    }
}
