import Foundation
import Support
import Testing
import TestSupport
@testable import Patches

/// One hostile or broken input and the exact message it must produce.
struct BadInput: Sendable, CustomTestStringConvertible {
    var label: String
    /// The series text (nil: no series file). `{sha:NAME}` becomes the SHA-256 of patch file NAME.
    var series: String?
    /// Patch files of the set, by name.
    var files: [String: String] = [:]
    /// A symlink in the set directory, name → destination relative to the fixture root.
    var links: [String: String] = [:]
    var setName = "bad"
    var kind: PatchError.Kind
    var message: String

    var testDescription: String { label }
}

let goodPatch = """
    diff --git a/f.c b/f.c
    --- a/f.c
    +++ b/f.c
    @@ -1 +1 @@
    -x
    +y

    """

let badInputs: [BadInput] = [
    BadInput(label: "no series file", series: nil, kind: .seriesMissing,
             message: "patch set 'bad' has no series file: patches/bad/series does not exist"),
    BadInput(label: "set name leaving the patches directory", series: "", setName: "../etc", kind: .invalidSetName,
             message: "'../etc' is not a valid patch set name: it starts with '.'"),
    BadInput(label: "only comments", series: "# nothing yet\n\n   # still nothing\n", kind: .emptySeries,
             message: "patches/bad/series lists no patches"),
    BadInput(label: "two fields", series: "# header\nprojects/a 0001.patch\n", files: ["0001.patch": goodPatch], kind: .malformedLine,
             message: "patches/bad/series:2: expected '<project> <sha256> <file>', found 2 fields"),
    BadInput(label: "four fields", series: "projects/a {sha:0001.patch} 0001.patch extra\n", files: ["0001.patch": goodPatch],
             kind: .malformedLine, message: "patches/bad/series:1: expected '<project> <sha256> <file>', found 4 fields"),
    BadInput(label: "upper-case hash", series: "projects/a \(String(repeating: "AB", count: 32)) 0001.patch\n",
             files: ["0001.patch": goodPatch], kind: .badHash,
             message: "patches/bad/series:1: '\(String(repeating: "AB", count: 32))' is not a SHA-256 (64 lower-case hex digits)"),
    BadInput(label: "short hash", series: "projects/a deadbeef 0001.patch # trailing comment\n", files: ["0001.patch": goodPatch],
             kind: .badHash, message: "patches/bad/series:1: 'deadbeef' is not a SHA-256 (64 lower-case hex digits)"),
    BadInput(label: "unknown project", series: "projects/zz {sha:0001.patch} 0001.patch\n", files: ["0001.patch": goodPatch],
             kind: .unknownProject,
             message: "patches/bad/series:1: unknown project 'projects/zz'; valid projects: projects/a, projects/b"),
    BadInput(label: "missing patch file", series: "projects/a \(SHA256Hex.of("")) 0009.patch\n", kind: .patchMissing,
             message: "patches/bad/series:1: patch file 0009.patch does not exist"),
    BadInput(label: "patch path with ..", series: "projects/a \(SHA256Hex.of("")) ../other/0001.patch\n", kind: .unsafePatchPath,
             message: "patches/bad/series:1: patch file path '../other/0001.patch' is unsafe: it contains '..'"),
    BadInput(label: "absolute patch path", series: "projects/a \(SHA256Hex.of("")) /etc/passwd\n", kind: .unsafePatchPath,
             message: "patches/bad/series:1: patch file path '/etc/passwd' is unsafe: it is absolute"),
    BadInput(label: "symlink leading out of the set", series: "projects/a {sha:0001.patch} link.patch\n",
             files: ["0001.patch": goodPatch], links: ["link.patch": "outside.patch"], kind: .unsafePatchPath,
             message: "patches/bad/series:1: patch file path 'link.patch' is unsafe: it resolves outside patches/bad"),
    BadInput(label: "the same patch twice", series: "projects/a {sha:0001.patch} 0001.patch\n\nprojects/b {sha:0001.patch} ./0001.patch\n",
             files: ["0001.patch": goodPatch], kind: .duplicateEntry,
             message: "patches/bad/series:3: ./0001.patch is listed twice (first on line 1)"),
    BadInput(label: "checksum mismatch", series: "a.git \(SHA256Hex.of("other")) 0001.patch\n", files: ["0001.patch": goodPatch],
             kind: .checksumMismatch,
             message: "patches/bad/series:1: checksum mismatch for 0001.patch: expected \(SHA256Hex.of("other")), got \(SHA256Hex.of(goodPatch))"),
    BadInput(label: "text that is not a diff", series: "projects/a {sha:0001.patch} 0001.patch\n",
             files: ["0001.patch": "This is a README, not a patch.\nNothing to see here.\n"], kind: .notADiff,
             message: "patches/bad/series:1: 0001.patch is not a diff: no patch found"),
    BadInput(label: "empty patch file", series: "projects/a {sha:0001.patch} 0001.patch\n", files: ["0001.patch": ""],
             kind: .notADiff, message: "patches/bad/series:1: 0001.patch is not a diff: it changes no files"),
    BadInput(label: "hunk without a file header", series: "projects/a {sha:0001.patch} 0001.patch\n",
             files: ["0001.patch": "@@ -1 +1 @@\n-x\n+y\n"], kind: .notADiff,
             message: "patches/bad/series:1: 0001.patch is not a diff: invalid hunk header outside patch at line 1"),
    BadInput(label: "p1 diff whose names have no directory to strip", series: "projects/a {sha:0001.patch} 0001.patch\n",
             files: ["0001.patch": "--- f.c\n+++ f.c\n@@ -1 +1 @@\n-x\n+y\n"], kind: .notADiff,
             message: "patches/bad/series:1: 0001.patch is not a diff: line 1: cannot strip a leading directory from 'f.c' as patch -p1 does"),
    BadInput(label: "git diff escaping the project with ..", series: "projects/a {sha:0001.patch} 0001.patch\n",
             files: ["0001.patch": "diff --git a/../../etc/passwd b/../../etc/passwd\n--- a/../../etc/passwd\n+++ b/../../etc/passwd\n@@ -1 +1 @@\n-x\n+y\n"],
             kind: .unsafeDiffPath,
             message: "patches/bad/series:1: 0001.patch line 2 names an unsafe path '../../etc/passwd': it contains '..'"),
    BadInput(label: "p1 diff with an absolute path", series: "projects/a {sha:0001.patch} 0001.patch\n",
             files: ["0001.patch": "--- /etc/passwd\t2021-01-01 00:00:00\n+++ /etc/passwd\t2021-01-02 00:00:00\n@@ -1 +1 @@\n-x\n+y\n"],
             kind: .unsafeDiffPath,
             message: "patches/bad/series:1: 0001.patch line 1 names an unsafe path '/etc/passwd': it is absolute"),
    BadInput(label: "diff writing into .git", series: "projects/a {sha:0001.patch} 0001.patch\n",
             files: ["0001.patch": "diff --git a/.git/hooks/post-checkout b/.git/hooks/post-checkout\nnew file mode 100755\n--- /dev/null\n+++ b/.git/hooks/post-checkout\n@@ -0,0 +1 @@\n+rm -rf ~\n"],
             kind: .unsafeDiffPath,
             message: "patches/bad/series:1: 0001.patch line 4 names an unsafe path '.git/hooks/post-checkout': it names a .git directory"),
    BadInput(label: "rename out of the project", series: "projects/a {sha:0001.patch} 0001.patch\n",
             files: ["0001.patch": "diff --git a/f.c b/../f.c\nsimilarity index 100%\nrename from f.c\nrename to ../f.c\n"],
             kind: .unsafeDiffPath,
             message: "patches/bad/series:1: 0001.patch line 4 names an unsafe path '../f.c': it contains '..'"),
]

@Suite struct BadInputTests {
    @Test("broken or hostile series and patches fail with an exact message", arguments: badInputs)
    func rejects(_ input: BadInput) throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let setDirectory = fixture.patchesDirectory.appendingPathComponent(input.setName)
        try FileManager.default.createDirectory(at: setDirectory, withIntermediateDirectories: true)
        for (name, text) in input.files {
            try fixture.write(setDirectory.appendingPathComponent(name), text)
        }
        for (name, destination) in input.links {
            try fixture.write(fixture.root.appendingPathComponent(destination), goodPatch)
            try FileManager.default.createSymbolicLink(at: setDirectory.appendingPathComponent(name),
                                                       withDestinationURL: fixture.root.appendingPathComponent(destination))
        }
        if var series = input.series {
            for (name, text) in input.files {
                series = series.replacingOccurrences(of: "{sha:\(name)}", with: SHA256Hex.of(text))
            }
            try fixture.write(setDirectory.appendingPathComponent("series"), series)
        }
        // verify() needs no repositories; plain directories stand in for the projects.
        let targets = ["a", "b"].map {
            PatchTarget(name: "\($0).git", path: "projects/\($0)", workTree: fixture.workspace.appendingPathComponent("projects/\($0)"))
        }
        let error = patchError {
            let set = try PatchSet.load(named: input.setName, in: fixture.patchesDirectory)
            _ = try set.verify(targets: targets)
        }
        #expect(error?.description == input.message)
        #expect(error?.kind == input.kind)
        if input.message.hasPrefix("patches/bad/series:") {
            #expect(error?.file == "patches/bad/series")
            #expect(error?.line != nil)
        }
    }

    @Test("a state record that is not JSON is reported, not trusted")
    func corruptState() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let manager = fixture.manager
        let state = manager.stateDirectory.appendingPathComponent("x/state.json")
        try fixture.write(state, "{ not json")
        let error = patchError { _ = try manager.revert(set: "x", targets: []) }
        #expect(error?.kind == .stateCorrupt)
        #expect(error?.description.hasPrefix("cannot use patch state \(state.path): it is not a patch state record") == true)
    }
}
