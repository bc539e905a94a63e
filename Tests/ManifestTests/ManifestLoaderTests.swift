import Foundation
import Support
import Testing
import TestSupport
@testable import Manifest

@Suite struct ManifestLoaderTests {
    static let manifestURL = "https://github.com/seL4/sel4test-manifest.git"

    /// Writes `files` into a fresh directory and loads `top` from it.
    func load(_ files: [String: String], top: String = "default.xml", manifestURL: String? = manifestURL) throws -> Manifest {
        let dir = try TemporaryDirectory("manifest-test")
        defer { dir.remove() }
        for (name, text) in files { try dir.write(name, text) }
        return try ManifestLoader.load(file: dir.path(top), manifestURL: manifestURL)
    }

    @Test("Defaults fill in remote, revision, upstream and dest-branch; path defaults to name")
    func defaults() throws {
        let manifest = try load(["default.xml": """
            <?xml version="1.0" encoding="UTF-8"?>
            <manifest>
              <remote name="seL4" fetch="." />
              <remote name="pinned" fetch="https://example.com/p" revision="stable"/>
              <default remote="seL4" revision="master" upstream="up" dest-branch="db" sync-j="4"/>
              <project name="seL4.git"/>
              <project name="tools.git" path="tools/seL4" revision="refs/tags/v1" upstream="main"/>
              <project name="lib" remote="pinned"/>
            </manifest>
            """])
        #expect(manifest.defaults.syncJobs == 4)
        #expect(manifest.defaults.location?.line == 5)
        let resolved = try manifest.resolve()
        #expect(resolved.map(\.path) == ["seL4.git", "tools/seL4", "lib"])
        #expect(resolved.map(\.url) == [
            "https://github.com/seL4/seL4.git", "https://github.com/seL4/tools.git", "https://example.com/p/lib",
        ])
        #expect(resolved.map(\.revision) == ["master", "refs/tags/v1", "stable"])
        #expect(resolved.map(\.upstream) == ["up", "main", "up"])
        #expect(resolved.map(\.destBranch) == ["db", "db", "db"])
        #expect(resolved[1].revisionKind == .tag("v1"))
        #expect(resolved[2].remote == "pinned")
    }

    @Test("Linkfile, copyfile and groups are read in order with their lines")
    func linkAndCopyFiles() throws {
        let manifest = try load(["default.xml": """
            <manifest>
              <remote name="r" fetch="https://example.com"/>
              <default remote="r" revision="main"/>
              <project name="tools" path="tools/seL4" groups="a, b c">
                <linkfile src="cmake-tool/init-build.sh" dest="init-build.sh"/>
                <copyfile src="settings.cmake" dest="easy-settings.cmake"/>
                <annotation name="ignored" value="yes"/>
                <linkfile
                    src="cmake-tool/griddle"
                    dest="griddle"/>
              </project>
            </manifest>
            """])
        let project = try #require(manifest.projects.first)
        #expect(project.linkfiles == [
            FileLink(src: "cmake-tool/init-build.sh", dest: "init-build.sh"), FileLink(src: "cmake-tool/griddle", dest: "griddle"),
        ])
        #expect(project.copyfiles == [FileLink(src: "settings.cmake", dest: "easy-settings.cmake")])
        #expect(project.groups == ["a", "b", "c"])
        #expect(project.location.line == 4)
    }

    @Test("Includes are read relative to the including file and placed where they stand")
    func includes() throws {
        let manifest = try load([
            "default.xml": """
                <manifest>
                  <project name="first"/>
                  <include name="sub/common.xml"/>
                  <project name="last"/>
                </manifest>
                """,
            "sub/common.xml": """
                <manifest>
                  <remote name="r" fetch="."/>
                  <default remote="r" revision="main"/>
                  <include name="more.xml"/>
                  <project name="middle"/>
                </manifest>
                """,
            "sub/more.xml": """
                <manifest>
                  <remote name="r" fetch="."/>
                  <project name="deep"/>
                </manifest>
                """,
        ])
        #expect(manifest.projects.map(\.name) == ["first", "deep", "middle", "last"])
        #expect(manifest.sources.map(\.name) == ["default.xml", "sub/common.xml", "sub/more.xml"])
        #expect(manifest.sources[2].path.hasSuffix("/sub/more.xml"))
        #expect(manifest.projects[1].location.file == manifest.sources[2].path)
        #expect(manifest.projects[1].location.line == 3)
        #expect(manifest.remotes.count == 1)
        let lines = manifest.sources.map { "\($0.sha256)  \($0.name)\n" }.joined()
        #expect(manifest.manifestHash == SHA256Hex.of(lines))
    }

    @Test("The hash of a manifest without includes is the SHA-256 of its bytes")
    func singleFileHash() throws {
        let text = "<manifest><remote name=\"r\" fetch=\".\"/></manifest>\n"
        let manifest = try load(["default.xml": text])
        #expect(manifest.manifestHash == SHA256Hex.of(text))
        #expect(manifest.projects.isEmpty)
    }

    @Test("remove-project drops a project and frees its path for a replacement")
    func removeProject() throws {
        let manifest = try load(["default.xml": """
            <manifest>
              <remote name="r" fetch="."/>
              <default remote="r" revision="main"/>
              <project name="seL4.git" path="kernel"/>
              <project name="other"/>
              <remove-project name="seL4.git"/>
              <project name="my-seL4" path="kernel" revision="mine"/>
              <remove-project name="absent" optional="true"/>
            </manifest>
            """])
        #expect(manifest.projects.map(\.name) == ["other", "my-seL4"])
        #expect(manifest.projects[1].path == "kernel")
    }

    @Test("extend-project changes revision, remote, groups and path of the named project")
    func extendProject() throws {
        let manifest = try load(["default.xml": """
            <manifest>
              <remote name="r" fetch="."/>
              <remote name="fork" fetch="https://example.com/fork"/>
              <default remote="r" revision="main"/>
              <project name="a" path="one" groups="g1"/>
              <project name="a" path="two"/>
              <project name="b"/>
              <extend-project name="a" path="two" revision="feature" remote="fork" groups="g2" dest-path="moved/two"/>
              <extend-project name="b" upstream="up" dest-branch="db"/>
            </manifest>
            """])
        let resolved = try manifest.resolve()
        #expect(resolved.map(\.path) == ["one", "moved/two", "b"])
        #expect(resolved[0].revision == "main")
        #expect(resolved[1].revision == "feature")
        #expect(resolved[1].url == "https://example.com/fork/a")
        #expect(resolved[1].groups == ["g2"])
        #expect(resolved[2].upstream == "up")
        #expect(resolved[2].destBranch == "db")
    }

    @Test("Nested project paths are allowed and paths are normalised")
    func nestedPaths() throws {
        let manifest = try load(["default.xml": """
            <manifest>
              <remote name="r" fetch="."/>
              <default remote="r" revision="main"/>
              <project name="outer" path="./projects//outer/"/>
              <project name="inner" path="projects/outer/inner"/>
            </manifest>
            """])
        #expect(manifest.projects.map(\.path) == ["projects/outer", "projects/outer/inner"])
    }

    @Test("Identical repeated remotes, unknown elements and notices are accepted")
    func tolerated() throws {
        let manifest = try load(["default.xml": """
            <manifest>
              <notice>Read me.</notice>
              <remote name="r" fetch="."/>
              <remote name="r" fetch="."/>
              <superproject name="x" remote="r"/>
              <default remote="r" revision="main"/>
              <default remote="r" revision="main"/>
              <project name="p"/>
            </manifest>
            """])
        #expect(manifest.remotes.count == 1)
        #expect(manifest.projects.count == 1)
    }

    @Test("Without a manifest URL, absolute fetches still resolve")
    func absoluteWithoutManifestURL() throws {
        let manifest = try load(["default.xml": """
            <manifest>
              <remote name="gh" fetch="https://github.com/seL4/"/>
              <remote name="local" fetch="/srv/mirror"/>
              <default remote="gh" revision="main"/>
              <project name="seL4.git"/>
              <project name="x" remote="local"/>
            </manifest>
            """], manifestURL: nil)
        #expect(try manifest.resolve().map(\.url) == ["https://github.com/seL4/seL4.git", "/srv/mirror/x"])
    }

    @Test("Manifest text that is not in a file loads, and a manifest round-trips through Codable")
    func fromData() throws {
        let text = """
            <manifest>
              <remote name="r" fetch="."/>
              <default remote="r" revision="main"/>
              <project name="p"/>
            </manifest>
            """
        let manifest = try ManifestLoader.load(data: Data(text.utf8), displayName: "HEAD:default.xml", manifestURL: Self.manifestURL)
        #expect(manifest.projects.first?.location == SourceLocation(file: "HEAD:default.xml", line: 4))
        let decoded = try JSONDecoder().decode(Manifest.self, from: JSONEncoder().encode(manifest))
        #expect(decoded == manifest)
    }

    @Test("A missing top file is reported with the path as given")
    func missingTopFile() throws {
        let error = try #require(throws: ManifestError.self) {
            try ManifestLoader.load(file: URL(fileURLWithPath: "/nonexistent/sel4img/default.xml"), manifestURL: nil)
        }
        #expect(error.kind == .unreadable)
        #expect(error.description == "/nonexistent/sel4img/default.xml: cannot read the manifest: it does not exist")
    }

    @Test("A file too large for a manifest is refused")
    func tooLarge() throws {
        let dir = try TemporaryDirectory("manifest-test")
        defer { dir.remove() }
        let big = "<manifest>" + String(repeating: " ", count: ManifestLoader.maximumFileSize) + "</manifest>"
        try dir.write("default.xml", big)
        let error = try #require(throws: ManifestError.self) {
            try ManifestLoader.load(file: dir.path("default.xml"), manifestURL: nil)
        }
        #expect(error.kind == .tooLarge)
    }

    @Test("Every truncation of a manifest loads or fails with a ManifestError, never anything else")
    func truncations() throws {
        let text = Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <manifest>
              <remote name="r" fetch="." revision="main"/>
              <default remote="r" sync-j="2"/>
              <project name="seL4_tools.git" path="tools/seL4" groups="x">
                <linkfile src="cmake-tool/init-build.sh" dest="init-build.sh"/>
              </project>
              <remove-project name="seL4_tools.git"/>
            </manifest>
            """.utf8)
        for length in 0...text.count {
            do {
                _ = try ManifestLoader.load(data: Data(text[0..<length]), displayName: "t.xml", manifestURL: Self.manifestURL).resolve()
            } catch let error as ManifestError {
                #expect(error.description.hasPrefix("t.xml:"))
            }
        }
    }

    @Test("Deeply nested and non-UTF-8 input is refused without crashing")
    func hostileShapes() throws {
        let deep = "<manifest>" + String(repeating: "<a>", count: 5000) + String(repeating: "</a>", count: 5000) + "</manifest>"
        let deepResult = Result { try ManifestLoader.load(data: Data(deep.utf8), displayName: "deep.xml", manifestURL: nil) }
        if case .failure(let error) = deepResult { #expect(error is ManifestError) }
        var binary = Data("<manifest><project name=\"".utf8)
        binary.append(contentsOf: [0xFF, 0xFE, 0x00, 0x80])
        binary.append(contentsOf: Array("\"/></manifest>".utf8))
        #expect(throws: ManifestError.self) {
            try ManifestLoader.load(data: binary, displayName: "bin.xml", manifestURL: nil)
        }
    }

    @Test("Repeated includes are bounded, so include fan-out cannot blow up")
    func tooManyIncludes() throws {
        let includes = String(repeating: "  <include name=\"leaf.xml\"/>\n", count: ManifestLoader.maximumIncludes + 1)
        let error = try #require(throws: ManifestError.self) {
            try load([
                "default.xml": "<manifest>\n" + includes + "</manifest>\n",
                "leaf.xml": "<manifest><remote name=\"r\" fetch=\".\"/></manifest>\n",
            ])
        }
        #expect(error.kind == .tooManyIncludes)
        #expect(error.line == ManifestLoader.maximumIncludes + 2)
    }

    @Test("An include that names a FIFO or a device is refused without opening it (no hang)")
    func includeOfSpecialFile() throws {
        let dir = try TemporaryDirectory("manifest-test")
        defer { dir.remove() }
        try sh("mkfifo pipe.xml && ln -s /dev/zero zero.xml", in: dir.url)
        try dir.write("fifo.xml", "<manifest>\n  <include name=\"pipe.xml\"/>\n</manifest>\n")
        try dir.write("dev.xml", "<manifest>\n  <include name=\"zero.xml\"/>\n</manifest>\n")
        let fifo = try #require(throws: ManifestError.self) { try ManifestLoader.load(file: dir.path("fifo.xml"), manifestURL: nil) }
        #expect(fifo.description == "\(dir.url.path)/fifo.xml:2: included file '\(dir.url.path)/pipe.xml' is a FIFO, not a regular file")
        #expect(fifo.kind == .includeMissing)
        let device = try #require(throws: ManifestError.self) { try ManifestLoader.load(file: dir.path("dev.xml"), manifestURL: nil) }
        #expect(device.description == "\(dir.url.path)/dev.xml:2: <include> name 'zero.xml' leads outside the manifest's directory \(dir.url.path) through a symbolic link (to /dev/zero)")
        let zero = try #require(throws: ManifestError.self) { try ManifestLoader.load(file: URL(fileURLWithPath: "/dev/zero"), manifestURL: nil) }
        #expect(zero.description == "/dev/zero: cannot read the manifest: it is a device, not a regular file")
        // The top file too.
        let top = try #require(throws: ManifestError.self) { try ManifestLoader.load(file: dir.path("pipe.xml"), manifestURL: nil) }
        #expect(top.description == "\(dir.url.path)/pipe.xml: cannot read the manifest: it is a FIFO, not a regular file")
    }

    @Test("An include through a symbolic link that leads outside the manifest's directory is refused; one that stays inside is followed")
    func includeThroughSymlink() throws {
        let dir = try TemporaryDirectory("manifest-test")
        defer { dir.remove() }
        try dir.write("outside/secret.xml", "<manifest>\n  <remote name=\"r\" fetch=\".\"/>\n</manifest>\n")
        try dir.write("m/inside/common.xml", "<manifest>\n  <remote name=\"r\" fetch=\".\"/>\n</manifest>\n")
        try sh("ln -s ../outside/secret.xml m/link.xml && ln -s ../outside m/dir && ln -s inside/common.xml m/ok.xml", in: dir.url)
        for (name, shown) in [("link.xml", "link.xml"), ("dir/secret.xml", "dir/secret.xml")] {
            try dir.write("m/default.xml", "<manifest>\n  <include name=\"\(name)\"/>\n</manifest>\n")
            let error = try #require(throws: ManifestError.self) { try ManifestLoader.load(file: dir.path("m/default.xml"), manifestURL: nil) }
            #expect(error.description == "\(dir.url.path)/m/default.xml:2: <include> name '\(shown)' leads outside the manifest's directory \(dir.url.path)/m through a symbolic link (to \(dir.url.resolvedPath)/outside/secret.xml)")
            #expect(error.kind == .unsafePath)
        }
        try dir.write("m/default.xml", "<manifest>\n  <include name=\"ok.xml\"/>\n</manifest>\n")
        #expect(try ManifestLoader.load(file: dir.path("m/default.xml"), manifestURL: nil).remotes.map(\.name) == ["r"])
    }
}
