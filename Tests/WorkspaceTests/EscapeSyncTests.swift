import Foundation
import Manifest
import Support
import Testing
import TestSupport
@testable import Workspace

/// The escape corpus against sync: project `e` commits the corpus's symlinks,
/// then a copyfile, a linkfile or a second project is aimed through them.
/// Every case is refused with its exact message and nothing appears outside.
@Suite("Sync escapes")
struct SyncEscapeTests {
    struct Arena {
        let host: GitHost
        let outside: OutsideDirectory
        let escape: EscapeCase

        /// Project `e` holds README.md and the case's links, with targets as they must read in the workspace.
        init(_ c: EscapeCase) throws {
            host = try GitHost()
            outside = try OutsideDirectory(in: host.dir.url)
            escape = c.under("e")
            let work = host.dir.path("src/e")
            for link in EscapeCorpus.links(escape, root: host.workspace, outside: outside.url) {
                let url = work.appendingPathComponent(String(link.path.dropFirst(2)))
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: link.target)
            }
            try host.makeRepo("e", files: ["README.md": "hello\n"])
            try host.makeRepo("n", files: ["payload": "owned\n", "dir/more": "owned\n"])
        }

        var refusal: String {
            EscapeCorpus.refusal(escape, root: host.workspace, outside: outside.url, rootName: "the workspace")
        }

        func sync(_ projects: String, jobs: Int = 4) throws -> AggregateError? {
            let ws = try host.initialize(try host.manifest("""
                <manifest>
                  <remote name="org" fetch="https://example.invalid/org"/>
                  <default remote="org" revision="master"/>
                  \(projects)
                </manifest>
                """), mirror: host.mirror)
            return #expect(throws: AggregateError.self) { try ws.sync(options: .init(jobs: jobs), progress: QuietProgress()) }
        }
    }

    @Test("a copyfile or linkfile through a committed symlink is refused",
          arguments: EscapeCorpus.cases, ["copyfile", "linkfile"])
    func fileLinks(_ c: EscapeCase, kind: String) throws {
        let a = try Arena(c)
        defer { a.host.dir.remove() }
        let before = a.outside.listing()
        let error = try a.sync(#"<project name="e" path="e"><\#(kind) src="README.md" dest="\#(a.escape.path)"/></project>"#)
        #expect(error?.description == """
            sync failed for 1 of 1 project (the lock file was not changed):
              - project e: \(kind) README.md → \(a.escape.path) refused: \(a.refusal)
            """)
        #expect(a.outside.listing() == before)
    }

    @Test("a project checked out through another project's symlink is refused, whatever the order and -j",
          arguments: EscapeCorpus.cases, [(1, false), (1, true), (4, false), (4, true)])
    func nestedProject(_ c: EscapeCase, run: (jobs: Int, nestedFirst: Bool)) throws {
        let a = try Arena(c)
        defer { a.host.dir.remove() }
        let before = a.outside.listing()
        let outer = #"<project name="e" path="e"/>"#
        let nested = #"<project name="n" path="\#(a.escape.path)"/>"#
        let error = try a.sync(run.nestedFirst ? nested + outer : outer + nested, jobs: run.jobs)
        #expect(error?.description == """
            sync failed for 1 of 2 projects (the lock file was not changed):
              - \(a.escape.path): project n: cannot check out at \(a.escape.path): \(a.refusal) (remove the symbolic link '\(a.escape.component)', or choose a path that does not go through it)
            """)
        #expect(a.outside.listing() == before)
        #expect(!FileManager.default.fileExists(atPath: a.host.workspace.appendingPathComponent(".sel4img/projects/\(a.escape.path).git").path))
    }

    @Test("a project or copyfile reaching sel4img's state through a symlink inside is refused")
    func stateThroughLink() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        let work = host.dir.path("src/e")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: work.appendingPathComponent("st").path, withDestinationPath: "../.sel4img")
        try host.makeRepo("e", files: ["README.md": "hello\n"])
        let ws = try host.initialize(try host.manifest("""
            <manifest>
              <remote name="org" fetch="https://example.invalid/org"/>
              <default remote="org" revision="master"/>
              <project name="e" path="e"><copyfile src="README.md" dest="e/st/workspace.json"/></project>
            </manifest>
            """), mirror: host.mirror)
        let config = try Data(contentsOf: ws.layout.configFile)
        let error = #expect(throws: AggregateError.self) { try ws.sync(options: .init(), progress: QuietProgress()) }
        #expect(error?.description == """
            sync failed for 1 of 1 project (the lock file was not changed):
              - project e: copyfile README.md → e/st/workspace.json refused: 'e/st/workspace.json' resolves to '.sel4img/workspace.json', sel4img's own state directory (.sel4img/); sel4img never writes there for a manifest, patch or app
            """)
        #expect(try Data(contentsOf: ws.layout.configFile) == config)
    }

    @Test("a manifest naming sel4img's state is refused at init, naming the manifest file, project and path")
    func stateInManifest() throws {
        let host = try GitHost()
        defer { host.dir.remove() }
        let manifest = try host.manifest("""
            <manifest>
              <remote name="org" fetch="https://example.invalid/org"/>
              <default remote="org" revision="master"/>
              <project name="e" path="e"><copyfile src="README.md" dest=".sel4img/workspace.json"/></project>
            </manifest>
            """)
        let error = #expect(throws: ManifestError.self) { try host.initialize(manifest, mirror: host.mirror) }
        #expect(error?.description == "\(manifest.path):4: <copyfile> dest '.sel4img/workspace.json' in project 'e' is unsafe: names sel4img's own state (.sel4img/ or sel4img.lock)")
    }
}
