import Foundation
import Support
import Testing
import TestSupport
@testable import Patches
@testable import Workspace

/// Patch sets and sync together: a project that moves to another commit has
/// its patch sets reverted first, so the checkout is clean and nothing is lost.
@Suite struct WorkspaceSyncTests {
    @Test("sync reverts an applied patch set before moving its project, then the set applies again")
    func syncRevertsPatchesBeforeMoving() throws {
        let dir = try TemporaryDirectory("patch-sync")
        defer { dir.remove() }
        // A one-project "host" made with the git CLI.
        let src = dir.path("src/lib")
        try dir.write("src/lib/a.c", "int a = 1;\nint b = 2;\nint c = 3;\nint d = 4;\nint e = 5;\nint f = 6;\n")
        try sh("git init -q -b master . && git add -A && git commit -q -m one", in: src)
        let bare = dir.path("host/example.invalid/org/lib.git")
        try FileManager.default.createDirectory(at: bare.deletingLastPathComponent(), withIntermediateDirectories: true)
        try sh("git clone -q --bare \(src.path) \(bare.path)")
        try dir.write("manifest.xml", """
            <manifest>
              <remote name="o" fetch="https://example.invalid/org"/>
              <default remote="o" revision="master"/>
              <project name="lib" path="lib"/>
            </manifest>
            """)
        let ws = try Workspace.initialize(at: dir.path("ws"), from: .file(dir.path("manifest.xml"), manifestURL: nil),
                                          mirror: Mirror(root: dir.path("host")), progress: QuietProgress())
        _ = try ws.sync(options: .init(), progress: QuietProgress())

        // A patch set changing line 1.
        let patch = """
            diff --git a/a.c b/a.c
            --- a/a.c
            +++ b/a.c
            @@ -1,3 +1,3 @@
            -int a = 1;
            +int a = 42;
             int b = 2;
             int c = 3;

            """
        try dir.write("patches/fix/0001-a.patch", patch)
        try dir.write("patches/fix/series", "lib \(SHA256Hex.of(patch)) 0001-a.patch\n")
        let set = try PatchSet.load(named: "fix", in: dir.path("patches"))
        _ = try ws.patchManager.apply(set: set, targets: try ws.patchTargets())
        #expect(try dir.read("ws/lib/a.c") == "int a = 42;\nint b = 2;\nint c = 3;\nint d = 4;\nint e = 5;\nint f = 6;\n")

        // Upstream changes line 6; a plain sync would refuse the patched (dirty) checkout.
        try dir.write("src/lib/a.c", "int a = 1;\nint b = 2;\nint c = 3;\nint d = 4;\nint e = 5;\nint f = 7;\n")
        try sh("git commit -q -am two && git push -q \(bare.path) master", in: src)
        let plain = #expect(throws: AggregateError.self) { try ws.sync(options: .init(), progress: QuietProgress()) }
        #expect(plain?.description.contains("lib has uncommitted changes that a checkout would overwrite") == true)

        let progress = RecordingProgress()
        _ = try ws.sync(options: .init(beforeMove: try ws.revertPatchesBeforeMove(progress: progress)), progress: progress)
        #expect(progress.lines.contains("patch set 'fix' reverted: 1 file restored, because lib moves to another commit"))
        #expect(try dir.read("ws/lib/a.c") == "int a = 1;\nint b = 2;\nint c = 3;\nint d = 4;\nint e = 5;\nint f = 7;\n")
        #expect(try ws.patchManager.status(set: set, targets: try ws.patchTargets()) == .pending)

        _ = try ws.patchManager.apply(set: set, targets: try ws.patchTargets())
        #expect(try dir.read("ws/lib/a.c") == "int a = 42;\nint b = 2;\nint c = 3;\nint d = 4;\nint e = 5;\nint f = 7;\n")
    }
}
