import Foundation
import Testing
@testable import Manifest

/// `<exclude path>` in a project: the paths a sync leaves out of its checkout.
/// Malformed ones are in the invalid-manifest corpus (`invalid_exclude_*.xml`).
@Suite struct ExcludeTests {
    func load(_ text: String) throws -> Manifest {
        try ManifestLoader.load(data: Data(text.utf8), displayName: "default.xml", manifestURL: "https://github.com/seL4/camkes-vm-examples-manifest.git")
    }

    @Test("Exclude paths are read in order, normalised (./, repeated and trailing slashes), and given once")
    func excludesAreNormalised() throws {
        let manifest = try load("""
            <manifest>
              <remote name="seL4" fetch="."/>
              <default remote="seL4" revision="master"/>
              <project name="camkes-vm-images.git" path="projects/camkes-vm-images">
                <exclude path="tx1"/>
                <exclude path="qemu-arm-virt/linux"/>
                <exclude path="./tx2//linux/"/>
                <exclude path="tx1/"/>
                <linkfile src="README.md" dest="images.md"/>
              </project>
              <project name="seL4.git" path="kernel"/>
            </manifest>
            """)
        #expect(manifest.projects.map(\.excludes) == [["tx1", "qemu-arm-virt/linux", "tx2/linux"], []])
        let resolved = try manifest.resolve()
        #expect(resolved.map(\.excludes) == [["tx1", "qemu-arm-virt/linux", "tx2/linux"], []])
        #expect(resolved[0].linkfiles == [FileLink(src: "README.md", dest: "images.md")])
    }

    @Test("<extend-project> adds exclude paths to the project it extends, so an upstream manifest can be used unmodified")
    func extendProjectAddsExcludes() throws {
        let manifest = try load("""
            <manifest>
              <remote name="seL4" fetch="."/>
              <default remote="seL4" revision="master"/>
              <project name="camkes-vm-images.git" path="projects/camkes-vm-images">
                <exclude path="tx1"/>
              </project>
              <extend-project name="camkes-vm-images.git">
                <exclude path="tx1"/>
                <exclude path="tx2"/>
              </extend-project>
            </manifest>
            """)
        #expect(manifest.projects.map(\.excludes) == [["tx1", "tx2"]])
    }

    @Test("Other unknown children of <project> are still ignored, as repo ignores them")
    func unknownChildrenIgnored() throws {
        let manifest = try load("""
            <manifest>
              <remote name="seL4" fetch="."/>
              <default remote="seL4" revision="master"/>
              <project name="seL4.git">
                <annotation name="a" value="b"/>
                <excludes path="/not/ours"/>
              </project>
            </manifest>
            """)
        #expect(manifest.projects.map(\.excludes) == [[]])
    }
}
