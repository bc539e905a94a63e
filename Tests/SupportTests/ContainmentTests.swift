import Foundation
import Support
import Testing
import TestSupport

@Suite("Containment")
struct ContainmentTests {
    /// A root `ws` and an `outside` directory beside it.
    struct Arena {
        let dir: TemporaryDirectory
        let outside: OutsideDirectory
        var root: URL { dir.path("ws") }
        var containment: Containment { Containment(root: root, name: "the workspace", protectWorkspaceState: true) }

        init() throws {
            dir = try TemporaryDirectory("containment")
            outside = try OutsideDirectory(in: dir.url)
            try FileManager.default.createDirectory(at: dir.path("ws"), withIntermediateDirectories: true)
        }
    }

    @Test("every escape of the corpus is refused, naming the path, the link and its target", arguments: EscapeCorpus.cases)
    func corpus(_ c: EscapeCase) throws {
        let a = try Arena()
        defer { a.dir.remove() }
        try EscapeCorpus.makeLinks(c, in: a.root, outside: a.outside.url)
        let error = #expect(throws: ContainmentError.self) { try a.containment.resolve(c.path) }
        #expect(error?.kind == .linkLeadsOutside)
        #expect(error?.description == EscapeCorpus.refusal(c, root: a.root, outside: a.outside.url, rootName: "the workspace"))
        #expect(error?.hint == "remove the symbolic link '\(c.component)', or choose a path that does not go through it")
        // followLast does not matter when the link is not the last component.
        #expect(throws: ContainmentError.self) { try a.containment.resolve(c.path, followLast: false) }
    }

    @Test("sel4img's own state is refused, also when reached through a symlink inside",
          arguments: [(".sel4img/workspace.json", ".sel4img/workspace.json"), ("sel4img.lock", "sel4img.lock"),
                      ("./.sel4img", ".sel4img"), ("st/workspace.json", ".sel4img/workspace.json"), ("lk", "sel4img.lock")])
    func statePaths(_ path: String, _ resolved: String) throws {
        let a = try Arena()
        defer { a.dir.remove() }
        try FileManager.default.createDirectory(at: a.root.appendingPathComponent(".sel4img"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: a.root.appendingPathComponent("st").path, withDestinationPath: ".sel4img")
        try FileManager.default.createSymbolicLink(atPath: a.root.appendingPathComponent("lk").path, withDestinationPath: "sel4img.lock")
        let error = #expect(throws: ContainmentError.self) { try a.containment.resolve(path) }
        let what = resolved == "sel4img.lock" ? "sel4img's lock file" : "sel4img's own state directory (.sel4img/)"
        #expect(error?.description == "'\(path)' resolves to '\(resolved)', \(what); sel4img never writes there for a manifest, patch or app")
        // Below a root that is not a workspace, the names are ordinary.
        #expect(throws: Never.self) { try Containment(root: a.root, name: "x").resolve(path) }
    }

    @Test("symlinks that stay inside are followed, relative or absolute, and the result is the physical path")
    func insideLinks() throws {
        let a = try Arena()
        defer { a.dir.remove() }
        let fm = FileManager.default
        try fm.createDirectory(at: a.root.appendingPathComponent("real/dir"), withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: a.root.appendingPathComponent("rel").path, withDestinationPath: "real/dir")
        try fm.createSymbolicLink(atPath: a.root.appendingPathComponent("abs").path, withDestinationPath: a.root.path + "/real")
        try fm.createSymbolicLink(atPath: a.root.appendingPathComponent("real/dir/up").path, withDestinationPath: "../..")
        #expect(try a.containment.resolve("rel/new/file").relative == "real/dir/new/file")
        #expect(try a.containment.resolve("abs/dir/x").relative == "real/dir/x")
        #expect(try a.containment.resolve("rel/up/real/x").relative == "real/x")
        #expect(try a.containment.resolve("rel/new/file").url.path == a.root.path + "/real/dir/new/file")
        // The last component is kept as it is when not followed.
        #expect(try a.containment.resolve("rel", followLast: false).relative == "rel")
    }

    @Test("a last component that is a link leading out is refused when followed, kept when not")
    func lastComponent() throws {
        let a = try Arena()
        defer { a.dir.remove() }
        try FileManager.default.createSymbolicLink(atPath: a.root.appendingPathComponent("out").path, withDestinationPath: a.outside.url.path)
        let error = #expect(throws: ContainmentError.self) { try a.containment.resolve("out") }
        #expect(error?.description == "'out' is a symbolic link to '\(a.outside.url.path)', which leads outside the workspace")
        #expect(try a.containment.resolve("out", followLast: false).relative == "out")
    }

    @Test("lexical problems, files on the way, loops and the root itself",
          arguments: [
              ("", "'' is empty"), ("/etc/passwd", "'/etc/passwd' is absolute"), ("a/../../x", "'a/../../x' contains '..'"),
              (".", "'.' names the root itself"), ("file/x", "'file/x' goes through 'file', which is a file, not a directory"),
              ("loop/x", "'loop/x' goes through 'loop', which leads through more than 40 symbolic links"),
              ("self", "'self' resolves to the workspace itself"),
              ("a\nb/../../x", "'a\\nb/../../x' contains '..'"),
          ])
    func otherRefusals(_ path: String, _ message: String) throws {
        let a = try Arena()
        defer { a.dir.remove() }
        let fm = FileManager.default
        try Data().write(to: a.root.appendingPathComponent("file"))
        try fm.createSymbolicLink(atPath: a.root.appendingPathComponent("loop").path, withDestinationPath: "loop")
        try fm.createSymbolicLink(atPath: a.root.appendingPathComponent("self").path, withDestinationPath: ".")
        let error = #expect(throws: ContainmentError.self) { try a.containment.resolve(path) }
        #expect(error?.description == message)
    }

    @Test("a link through a missing directory and back with '..' is still followed to what exists")
    func backFromMissing() throws {
        let a = try Arena()
        defer { a.dir.remove() }
        try FileManager.default.createSymbolicLink(atPath: a.root.appendingPathComponent("evil").path, withDestinationPath: a.outside.url.path)
        try FileManager.default.createSymbolicLink(atPath: a.root.appendingPathComponent("dl").path, withDestinationPath: "missing/../evil")
        let error = #expect(throws: ContainmentError.self) { try a.containment.resolve("dl/x") }
        #expect(error?.description == "'dl/x' goes through 'dl', a symbolic link to 'missing/../evil', which leads outside the workspace")
    }

    @Test("a path that does not exist yet is checked lexically below its deepest existing directory")
    func danglingTail() throws {
        let a = try Arena()
        defer { a.dir.remove() }
        #expect(try a.containment.resolve("new/dir/./file").relative == "new/dir/file")
        // A dangling symlink inside the root leads to a lexical path inside.
        try FileManager.default.createSymbolicLink(atPath: a.root.appendingPathComponent("dl").path, withDestinationPath: "not/yet")
        #expect(try a.containment.resolve("dl/x").relative == "not/yet/x")
    }
}
