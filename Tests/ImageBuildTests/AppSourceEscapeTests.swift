import Boards
import Foundation
import Support
import Testing
import TestSupport
@testable import ImageBuild

/// The escape corpus against an app's source copies and links: the links
/// are in the workspace before the build, the copy or link is aimed through them.
@Suite struct AppSourceEscapeTests {
    @Test("a source copy or link through a symlink in the workspace is refused", arguments: EscapeCorpus.cases, ["copy", "link"])
    func escape(_ c: EscapeCase, kind: String) throws {
        let dir = try TemporaryDirectory("sel4img-sources-escape")
        defer { dir.remove() }
        try dir.write("repo/runner/sel4/CMakeLists.txt", "project(r)\n")
        let ws = dir.path("ws")
        try FileManager.default.createDirectory(at: ws, withIntermediateDirectories: true)
        let outside = try OutsideDirectory(in: dir.url)
        try EscapeCorpus.makeLinks(c, in: ws, outside: outside.url)
        let before = outside.listing()
        let sources = kind == "copy"
            ? App.Sources(copies: [.init(from: "runner/sel4", to: c.path)])
            : App.Sources(copies: [.init(from: "runner/sel4", to: "projects/r")], links: [.init(path: c.path, target: "projects/r/CMakeLists.txt")])
        let error = #expect(throws: BuildError.self) {
            try AppSourceInstaller(repository: dir.path("repo"), workspace: ws, sources: sources).install()
        }
        #expect(error?.description == EscapeCorpus.refusal(c, root: ws, outside: outside.url, rootName: "the workspace"))
        #expect(error?.hint == "remove the symbolic link '\(c.component)', or choose a path that does not go through it")
        #expect(outside.listing() == before)
    }

    @Test("a source copy into sel4img's state is refused")
    func state() throws {
        let dir = try TemporaryDirectory("sel4img-sources-state")
        defer { dir.remove() }
        try dir.write("repo/runner/sel4/CMakeLists.txt", "project(r)\n")
        try dir.write("ws/.sel4img/workspace.json", "{}\n")
        let error = #expect(throws: BuildError.self) {
            try AppSourceInstaller(repository: dir.path("repo"), workspace: dir.path("ws"),
                                   sources: App.Sources(copies: [.init(from: "runner/sel4", to: ".sel4img/projects")])).install()
        }
        #expect(error?.description == "'.sel4img/projects' resolves to '.sel4img/projects', sel4img's own state directory (.sel4img/); sel4img never writes there for a manifest, patch or app")
    }
}
