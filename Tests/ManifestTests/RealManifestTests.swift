import Foundation
import Support
import Testing
import TestSupport
@testable import Manifest

/// The public seL4 manifests, read at test time from the local git mirror
/// named by SEL4IMG_TEST_MIRROR (they are fetched material, not fixtures).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["SEL4IMG_TEST_MIRROR"] != nil))
struct RealManifestTests {
    static let sel4testURL = "https://github.com/seL4/sel4test-manifest.git"

    /// Copies `files` out of `repository` (a path below the mirror) at HEAD
    /// into a fresh directory, byte for byte.
    func checkout(_ repository: String, _ files: [String]) throws -> TemporaryDirectory {
        let mirror = try #require(ProcessInfo.processInfo.environment["SEL4IMG_TEST_MIRROR"])
        let dir = try TemporaryDirectory("manifest-real")
        for file in files {
            let gitDir = URL(fileURLWithPath: mirror).appendingPathComponent(repository).path
            try sh("git --git-dir=\(ProcessRunner.quote([gitDir])) show HEAD:\(file) > \(ProcessRunner.quote([dir.path(file).path]))")
        }
        return dir
    }

    func byPath(_ projects: [ResolvedProject]) -> [String: ResolvedProject] {
        Dictionary(projects.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
    }

    @Test("sel4test-manifest default.xml resolves to pinned commits")
    func sel4testDefault() throws {
        let dir = try checkout("github.com/seL4/sel4test-manifest.git", ["default.xml"])
        defer { dir.remove() }
        let manifest = try ManifestLoader.load(file: dir.path("default.xml"), manifestURL: Self.sel4testURL)
        let resolved = try manifest.resolve()
        #expect(resolved.count == 10)
        let projects = byPath(resolved)
        let kernel = try #require(projects["kernel"])
        #expect(kernel.url == "https://github.com/seL4/seL4.git")
        #expect(kernel.revision == "1326364bc9135d9445d936ebc01e38a402c1f4c6")
        #expect(kernel.upstream == "master")
        #expect(projects["tools/seL4"]?.linkfiles == [
            FileLink(src: "cmake-tool/init-build.sh", dest: "init-build.sh"),
            FileLink(src: "cmake-tool/griddle", dest: "griddle"),
        ])
        #expect(projects["projects/sel4test"]?.linkfiles == [FileLink(src: "easy-settings.cmake", dest: "easy-settings.cmake")])
        // The project names no remote, so it uses <default remote="seL4"> (fetch "."),
        // not the "sel4proj" remote the file also defines but no project uses.
        #expect(projects["projects/sel4_projects_libs"]?.url == "https://github.com/seL4/sel4_projects_libs")
        #expect(projects["projects/sel4_projects_libs"]?.remote == "seL4")
        #expect(try manifest.fetchURL(of: #require(manifest.remote(named: "sel4proj"))) == "https://github.com/sel4proj")
        #expect(projects["tools/nanopb"]?.url == "https://github.com/nanopb/nanopb")
        #expect(projects["tools/nanopb"]?.destBranch == "refs/tags/0.4.9.1")
        #expect(projects["tools/opensbi"]?.url == "https://github.com/riscv/opensbi")
        #expect(projects["projects/musllibc"]?.url == "https://github.com/seL4/musllibc.git")
        #expect(resolved.allSatisfy { $0.revisionKind.isCommitID })
        #expect(manifest.manifestHash == SHA256Hex.of(try Data(contentsOf: dir.path("default.xml"))))
    }

    @Test("sel4test-manifest master.xml follows its include of common.xml")
    func sel4testMasterWithInclude() throws {
        let dir = try checkout("github.com/seL4/sel4test-manifest.git", ["master.xml", "common.xml"])
        defer { dir.remove() }
        let manifest = try ManifestLoader.load(file: dir.path("master.xml"), manifestURL: Self.sel4testURL)
        #expect(manifest.sources.map(\.name) == ["master.xml", "common.xml"])
        #expect(manifest.remote(named: "seL4")?.location == SourceLocation(file: dir.path("common.xml").path, line: 15))
        let resolved = try manifest.resolve()
        #expect(resolved.count == 10)
        #expect(resolved.last?.path == "kernel")
        #expect(resolved.first?.path == "tools/seL4")
        let projects = byPath(resolved)
        #expect(projects["kernel"]?.url == "https://github.com/seL4/seL4.git")
        #expect(projects["kernel"]?.revisionKind == .branch("master"))
        #expect(projects["projects/musllibc"]?.revision == "sel4")
        #expect(projects["tools/opensbi"]?.revisionKind == .tag("v0.9"))
        #expect(projects["tools/nanopb"]?.upstream == "master")
        #expect(projects["projects/sel4_projects_libs"]?.url == "https://github.com/seL4/sel4_projects_libs")
        #expect(projects["tools/seL4"]?.linkfiles.map(\.dest) == ["init-build.sh", "griddle"])
    }

    @Test("sel4test-manifest without its URL names the relative remote")
    func sel4testWithoutURL() throws {
        let dir = try checkout("github.com/seL4/sel4test-manifest.git", ["default.xml"])
        defer { dir.remove() }
        let manifest = try ManifestLoader.load(file: dir.path("default.xml"), manifestURL: nil)
        let error = try #require(throws: ManifestError.self) { try manifest.resolve() }
        #expect(error.kind == .relativeFetchWithoutURL)
        #expect(error.description == "\(dir.path("default.xml").path):9: remote 'seL4' has the relative fetch '.' but the manifest's own URL is not known")
    }

    @Test("camkes-vm-examples-manifest default.xml resolves '../seL4' next to the manifest")
    func camkesVMExamples() throws {
        let dir = try checkout("github.com/seL4/camkes-vm-examples-manifest.git", ["default.xml"])
        defer { dir.remove() }
        let manifest = try ManifestLoader.load(
            file: dir.path("default.xml"), manifestURL: "https://github.com/seL4/camkes-vm-examples-manifest.git")
        let resolved = try manifest.resolve()
        #expect(resolved.count == 19)
        let projects = byPath(resolved)
        #expect(projects["projects/camkes-tool"]?.url == "https://github.com/seL4/camkes-tool.git")
        #expect(projects["projects/camkes-tool"]?.linkfiles == [FileLink(src: "docs/index.md", dest: "camkes_README.md")])
        #expect(projects["projects/libzmq"]?.url == "https://github.com/zeromq/libzmq")
        #expect(projects["projects/lwip"]?.url == "https://github.com/seL4/lwip.git")
        #expect(projects["projects/picotcp"]?.url == "https://github.com/tass-belgium/picotcp.git")
        #expect(projects["tools/polly"]?.url == "https://github.com/ruslo/polly")
        #expect(projects["kernel"]?.revision == "160d05c7ce5243c882f1498b3c7a680ba6a61eca")
        #expect(projects["projects/vm"]?.linkfiles == [FileLink(src: "README.md", dest: "README.md")])
    }

    @Test("wasmedge-seL4 default.xml uses absolute fetches only")
    func wasmedge() throws {
        let dir = try checkout("github.com/second-state/wasmedge-seL4.git", ["default.xml"])
        defer { dir.remove() }
        let manifest = try ManifestLoader.load(file: dir.path("default.xml"), manifestURL: "https://github.com/second-state/wasmedge-seL4")
        let resolved = try manifest.resolve()
        #expect(resolved.count == 21)
        let projects = byPath(resolved)
        #expect(projects["kernel"]?.url == "https://github.com/seL4/seL4.git")
        #expect(projects["kernel"]?.revision == "eed10507ce62bb4ba5576d1fce79949dcb25494d")
        #expect(projects["projects/lwip"]?.url == "https://git.savannah.gnu.org/git/lwip.git")
        #expect(projects["projects/llvm"]?.url == "https://github.com/llvm/llvm-project.git")
        #expect(projects["projects/llvm"]?.upstream == "release/12.x")
        #expect(projects["projects/wasmedge"]?.url == "https://github.com/WasmEdge/WasmEdge.git")
        // Every remote it uses is absolute, so it resolves without its own URL too.
        let unanchored = try ManifestLoader.load(file: dir.path("default.xml"), manifestURL: nil)
        #expect(try unanchored.resolve() == resolved)
    }
}
