import Foundation
import Support
import Testing
import TestSupport

/// How failures reach the user: one message naming the path and the problem,
/// JSON on stdout with --json, every patch set reported, names escaped.
@Suite struct ErrorReportingTests {
    /// A newc CPIO archive of regular files with the given names (any bytes allowed).
    static func newc(_ names: [String]) -> Data {
        var data = Data()
        func pad() { while data.count % 4 != 0 { data.append(0) } }
        func entry(_ name: String, mode: UInt32, ino: UInt32) {
            let nameBytes = Array(name.utf8) + [0]
            let fields: [UInt32] = [ino, mode, 0, 0, 1, 0, 0, 0, 0, 0, 0, UInt32(nameBytes.count), 0]
            data.append(contentsOf: Array("070701".utf8))
            for f in fields { data.append(contentsOf: Array(String(format: "%08X", f).utf8)) }
            data.append(contentsOf: nameBytes)
            pad()
        }
        for (i, name) in names.enumerated() { entry(name, mode: 0o100644, ino: UInt32(i + 1)) }
        entry("TRAILER!!!", mode: 0, ino: 0)
        return data
    }

    struct JSONFailure: Decodable, Equatable {
        var error: String
        var hint: String?
        var kind: String?
        var exitCode: Int
    }

    @Test("build refuses a non-empty directory that is not a workspace, and a file, and touches nothing")
    func buildRefusesOccupiedDirectory() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("notes.txt", "mine\n")
        try dir.write("src/main.c", "int main;\n")
        // With no --app the workspace would start from the default app's (wasm-vm's) manifest.
        let manifest = repositoryRoot.appendingPathComponent("manifests/wasm-vm.xml").path
        let r = try runSel4img(["build", "-w", dir.url.path])
        #expect(r.status == 1)
        #expect(r.stderr == """
            error: \(dir.url.path) is not a sel4img workspace and is not empty (it holds 'notes.txt', 'src'); 'sel4img build' starts a workspace only in a new or empty directory
            hint: pass --workspace DIR naming a new or empty directory, or make \(dir.url.path) a workspace first with 'sel4img init --manifest \(manifest) --workspace \(dir.url.path)'

            """)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() == ["notes.txt", "src"])
        // The current directory is the default workspace.
        let here = try runSel4img(["test"], in: dir.url)
        #expect(here.status == 1 && here.stderr.hasPrefix("error: \(dir.url.path) is not a sel4img workspace and is not empty"))

        let file = try runSel4img(["build", "-w", dir.path("notes.txt").path])
        #expect(file.status == 1)
        #expect(file.stderr == "error: the workspace \(dir.path("notes.txt").path) is not a directory\nhint: pass --workspace DIR naming a new or empty directory\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path).sorted() == ["notes.txt", "src"])
    }

    @Test("with --json a failure prints an error object on stdout, and stderr is unchanged")
    func jsonFailure() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let build = try runSel4img(["build", "--json", "--board", "rpi5", "--app", "sel4test", "-w", dir.url.path])
        #expect(build.status == 1)
        #expect(build.stderr == "error: unknown board 'rpi5'; valid boards: qemu-virt, rpi4, tx1, tx2\n")
        let failure = try JSONDecoder().decode(JSONFailure.self, from: Data(build.stdout.utf8))
        #expect(failure.error == "unknown board 'rpi5'; valid boards: qemu-virt, rpi4, tx1, tx2" && failure.hint == nil && failure.exitCode == 1)

        let status = try runSel4img(["patch", "status", "--json", "-w", dir.url.path])
        #expect(status.status == 1)
        #expect(try JSONDecoder().decode(JSONFailure.self, from: Data(status.stdout.utf8)) == JSONFailure(
            error: "\(dir.url.path) is not a sel4img workspace (no .sel4img directory)",
            hint: "run 'sel4img init --manifest PATH|URL --workspace \(dir.url.path)' first", kind: "notAWorkspace", exitCode: 1))

        let usage = try runSel4img(["boards", "--json", "--bogus"])
        #expect(usage.status == 64)
        #expect(usage.stderr.hasPrefix("Error: Unknown option '--bogus'\n"))
        #expect(try JSONDecoder().decode(JSONFailure.self, from: Data(usage.stdout.utf8))
            == JSONFailure(error: "Unknown option '--bogus'", hint: nil, kind: "usage", exitCode: 64))

        // Without --json stdout stays empty; help is not a failure.
        #expect(try runSel4img(["patch", "status", "-w", dir.url.path]).stdout == "")
        let help = try runSel4img(["boards", "--json", "--help"])
        #expect(help.status == 0 && help.stdout.hasPrefix("OVERVIEW: "))
    }

    @Test("a Foundation error reaches the user as the path and the problem, never as NSCocoaErrorDomain")
    func foundationErrors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("notes.txt", "mine\n")
        try dir.write("m.xml", "<manifest/>\n")
        let r = try runSel4img(["init", "-m", dir.path("m.xml").path, "-w", dir.path("notes.txt").path])
        #expect(r.status == 1)
        #expect(r.stderr == "error: cannot write \(dir.path("notes.txt").path): a file (not a directory) is already there\n")

        // Real errors from Foundation, each mapped from its userInfo.
        var caught: [String] = []
        for attempt in [
            { try Data().write(to: dir.url) },
            { _ = try Data(contentsOf: dir.path("missing")) },
            { try FileManager.default.createDirectory(at: dir.path("notes.txt/sub"), withIntermediateDirectories: true) },
            { _ = try String(contentsOf: dir.url, encoding: .utf8) },
        ] as [() throws -> Void] {
            do { try attempt() } catch { caught.append(readableDescription(of: error)) }
        }
        #expect(caught == [
            "cannot write \(dir.url.path): it is a directory",
            "cannot read \(dir.path("missing").path): no such file or directory",
            "cannot write \(dir.path("notes.txt/sub").path): \(dir.path("notes.txt").path) is not a directory",
            "cannot read \(dir.url.path): it is a directory",
        ])
        #expect(FileSystemError(CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: "/x/a\nb"]))?.description
            == "cannot write /x/a\\nb: no such file or directory")
        #expect(FileSystemError(CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: dir.url.path]))?.description
            == "cannot write \(dir.url.path): it is a directory")
        #expect(AggregateError(summary: "2 failed:", failures: [CocoaError(.fileReadNoPermission, userInfo: [NSFilePathErrorKey: "/p"]),
                                                                 POSIXError(.ENOSPC)]).description
            == "2 failed:\n  - cannot read /p: permission denied\n  - no space left on the device")
        #expect(FileSystemError(ValidationFailure()) == nil)
    }

    struct ValidationFailure: Error {}

    @Test("cpio list and extract escape control characters in entry names")
    func cpioNames() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.newc(["ok", "bad\u{1B}[31mname\nline", "../up\u{7}"]).write(to: dir.path("x.cpio"))
        let list = try runSel4img(["cpio", "list", dir.path("x.cpio").path])
        #expect(list.status == 0)
        #expect(list.stdout.split(separator: "\n").map { $0.split(separator: " ").last.map(String.init) } == ["ok", "bad\\u{1B}[31mname\\nline", "../up\\u{7}"])
        let extract = try runSel4img(["cpio", "extract", dir.path("x.cpio").path, "-C", dir.path("out").path])
        #expect(extract.status == 1)
        #expect(!extract.stderr.contains("\u{1B}") && !extract.stderr.contains("\u{7}"))
        #expect(extract.stderr.hasPrefix("error: refusing entry 3 '../up\\u{7}' of \(dir.path("x.cpio").path): "), "\(extract.stderr)")
    }
}

@Suite struct PatchStatusTests {
    @Test("patch status reports every set, a broken one with its error, and exits 1")
    func brokenSet() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for sub in ["boards", "apps", "manifests"] {
            try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent(sub), to: dir.path("data/\(sub)"))
        }
        try FileManager.default.createDirectory(at: dir.path("data/patches"), withIntermediateDirectories: true)
        for name in ["a-good", "c-good"] {
            try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("patches/reproducible"), to: dir.path("data/patches/\(name)"))
        }
        try dir.write("data/patches/b-broken/series", "oops\n")
        try dir.write("m.xml", "<manifest/>\n")
        let environment = ["SEL4IMG_DATA_DIR": dir.path("data").path]
        #expect(try runSel4img(["init", "-m", dir.path("m.xml").path, "-w", dir.path("ws").path]).status == 0)

        let r = try runSel4img(["patch", "status", "-w", dir.path("ws").path], environment: environment)
        #expect(r.status == 1)
        #expect(r.stdout == "a-good   pending\nb-broken broken (see below)\nc-good   pending\n")
        #expect(r.stderr == """
            error: 1 of 3 patch sets cannot be read or checked:
              - patches/b-broken/series:1: expected '<project> <sha256> <file>', found 1 field

            """)

        let json = try runSel4img(["patch", "status", "--json", "-w", dir.path("ws").path], environment: environment)
        #expect(json.status == 1)
        struct Row: Decodable, Equatable { var set: String; var error: String?; var hint: String? }
        #expect(try JSONDecoder().decode([Row].self, from: Data(json.stdout.utf8)) == [
            Row(set: "a-good"),
            Row(set: "b-broken", error: "patches/b-broken/series:1: expected '<project> <sha256> <file>', found 1 field",
                hint: "file names cannot contain spaces; '#' starts a comment"),
            Row(set: "c-good"),
        ])
        #expect(json.stdout.contains("\"state\" : \"pending\""))
    }
}
