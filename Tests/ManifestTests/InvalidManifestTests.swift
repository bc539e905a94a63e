import Foundation
import Testing
@testable import Manifest

/// One malformed or hostile manifest in Fixtures/ and the exact message it
/// must produce. `{dir}` stands for the Fixtures directory.
struct InvalidCase: Sendable, CustomTestStringConvertible {
    var fixture: String
    var kind: ManifestError.Kind
    var expected: String
    var manifestURL: String? = "https://github.com/seL4/sel4test-manifest.git"
    var testDescription: String { fixture }
}

@Suite struct InvalidManifestTests {
    static let cases: [InvalidCase] = [
        InvalidCase(fixture: "invalid_malformed_xml.xml", kind: .malformedXML,
                    expected: "{dir}/invalid_malformed_xml.xml:5: malformed XML: a closing tag does not match the element it closes"),
        InvalidCase(fixture: "invalid_empty.xml", kind: .malformedXML,
                    expected: "{dir}/invalid_empty.xml:1: malformed XML: the document has no root element"),
        InvalidCase(fixture: "invalid_wrong_root.xml", kind: .wrongRoot,
                    expected: "{dir}/invalid_wrong_root.xml:3: the root element is <manifests>, expected <manifest>"),
        InvalidCase(fixture: "invalid_entity_expansion.xml", kind: .malformedXML,
                    expected: "{dir}/invalid_entity_expansion.xml:3: malformed XML: entity declarations are not allowed"),
        InvalidCase(fixture: "invalid_project_without_name.xml", kind: .missingAttribute,
                    expected: "{dir}/invalid_project_without_name.xml:4: <project> is missing the required attribute 'name'"),
        InvalidCase(fixture: "invalid_remote_without_fetch.xml", kind: .missingAttribute,
                    expected: "{dir}/invalid_remote_without_fetch.xml:4: <remote> is missing the required attribute 'fetch'"),
        InvalidCase(fixture: "invalid_linkfile_without_dest.xml", kind: .missingAttribute,
                    expected: "{dir}/invalid_linkfile_without_dest.xml:6: <linkfile> in project 'seL4_tools.git' is missing the required attribute 'dest'"),
        InvalidCase(fixture: "invalid_duplicate_remote.xml", kind: .duplicateRemote,
                    expected: "{dir}/invalid_duplicate_remote.xml:3: remote 'seL4' is already defined at {dir}/invalid_duplicate_remote.xml:2 with different attributes"),
        InvalidCase(fixture: "invalid_duplicate_default.xml", kind: .duplicateDefault,
                    expected: "{dir}/invalid_duplicate_default.xml:4: a second <default> with different attributes (the first is at {dir}/invalid_duplicate_default.xml:3)"),
        InvalidCase(fixture: "invalid_default_unknown_remote.xml", kind: .unknownRemote,
                    expected: "{dir}/invalid_default_unknown_remote.xml:3: <default> names unknown remote 'origin'"),
        InvalidCase(fixture: "invalid_sync_j.xml", kind: .invalidAttribute,
                    expected: "{dir}/invalid_sync_j.xml:3: <default> has invalid sync-j 'many': expected a positive whole number"),
        InvalidCase(fixture: "invalid_unknown_remote.xml", kind: .unknownRemote,
                    expected: "{dir}/invalid_unknown_remote.xml:5: project 'seL4.git' names unknown remote 'nope'"),
        InvalidCase(fixture: "invalid_no_remote.xml", kind: .noRemote,
                    expected: "{dir}/invalid_no_remote.xml:4: project 'seL4.git' names no remote and <default> names none"),
        InvalidCase(fixture: "invalid_no_revision.xml", kind: .noRevision,
                    expected: "{dir}/invalid_no_revision.xml:4: project 'seL4.git' has no revision: neither the project, its remote 'r', nor <default> sets one"),
        InvalidCase(fixture: "invalid_relative_fetch_without_url.xml", kind: .relativeFetchWithoutURL,
                    expected: "{dir}/invalid_relative_fetch_without_url.xml:3: remote 'seL4' has the relative fetch '.' but the manifest's own URL is not known",
                    manifestURL: nil),
        InvalidCase(fixture: "invalid_duplicate_path.xml", kind: .duplicatePath,
                    expected: "{dir}/invalid_duplicate_path.xml:5: project 'my-kernel.git' uses path 'kernel', already used by project 'seL4.git' at {dir}/invalid_duplicate_path.xml:4"),
        InvalidCase(fixture: "invalid_absolute_path.xml", kind: .unsafePath,
                    expected: "{dir}/invalid_absolute_path.xml:4: project 'evil' has an unsafe path '/etc': is absolute"),
        InvalidCase(fixture: "invalid_dotdot_path.xml", kind: .unsafePath,
                    expected: "{dir}/invalid_dotdot_path.xml:4: project 'evil' has an unsafe path 'projects/../../outside': contains '..'"),
        InvalidCase(fixture: "invalid_git_dir_path.xml", kind: .unsafePath,
                    expected: "{dir}/invalid_git_dir_path.xml:5: project 'hooks' has an unsafe path 'kernel/.git/hooks': names a .git directory"),
        InvalidCase(fixture: "invalid_project_name_dotdot.xml", kind: .unsafePath,
                    expected: "{dir}/invalid_project_name_dotdot.xml:4: project name '../../elsewhere' is unsafe: contains '..'"),
        InvalidCase(fixture: "invalid_linkfile_dest_escapes.xml", kind: .unsafePath,
                    expected: "{dir}/invalid_linkfile_dest_escapes.xml:5: <linkfile> dest '../../.bashrc' in project 'tools' is unsafe: contains '..'"),
        InvalidCase(fixture: "invalid_copyfile_src_absolute.xml", kind: .unsafePath,
                    expected: "{dir}/invalid_copyfile_src_absolute.xml:5: <copyfile> src '/etc/shadow' in project 'tools' is unsafe: is absolute"),
        InvalidCase(fixture: "invalid_project_path_state.xml", kind: .unsafePath,
                    expected: "{dir}/invalid_project_path_state.xml:4: project 'evil' has an unsafe path '.sel4img/projects': names sel4img's own state (.sel4img/ or sel4img.lock)"),
        InvalidCase(fixture: "invalid_project_path_lock.xml", kind: .unsafePath,
                    expected: "{dir}/invalid_project_path_lock.xml:4: project 'evil' has an unsafe path './sel4img.lock': names sel4img's own state (.sel4img/ or sel4img.lock)"),
        InvalidCase(fixture: "invalid_copyfile_dest_state.xml", kind: .unsafePath,
                    expected: "{dir}/invalid_copyfile_dest_state.xml:5: <copyfile> dest '.sel4img/workspace.json' in project 'tools' is unsafe: names sel4img's own state (.sel4img/ or sel4img.lock)"),
        InvalidCase(fixture: "invalid_linkfile_dest_lock.xml", kind: .unsafePath,
                    expected: "{dir}/invalid_linkfile_dest_lock.xml:5: <linkfile> dest 'sel4img.lock' in project 'tools' is unsafe: names sel4img's own state (.sel4img/ or sel4img.lock)"),
        InvalidCase(fixture: "invalid_nested_project.xml", kind: .unsupported,
                    expected: "{dir}/invalid_nested_project.xml:5: nested <project> elements are not supported (in project 'outer')"),
        InvalidCase(fixture: "invalid_include_cycle.xml", kind: .includeCycle,
                    expected: "{dir}/include_cycle_b.xml:3: include 'invalid_include_cycle.xml' forms a cycle: invalid_include_cycle.xml -> include_cycle_b.xml -> invalid_include_cycle.xml"),
        InvalidCase(fixture: "invalid_include_self.xml", kind: .includeCycle,
                    expected: "{dir}/invalid_include_self.xml:2: include './invalid_include_self.xml' forms a cycle: invalid_include_self.xml -> invalid_include_self.xml"),
        InvalidCase(fixture: "invalid_include_missing.xml", kind: .includeMissing,
                    expected: "{dir}/invalid_include_missing.xml:3: included file '{dir}/no_such_file.xml' does not exist"),
        InvalidCase(fixture: "invalid_include_unsafe.xml", kind: .unsafePath,
                    expected: "{dir}/invalid_include_unsafe.xml:2: <include> name '../../etc/manifest.xml' is unsafe: contains '..'"),
        InvalidCase(fixture: "invalid_include_without_name.xml", kind: .missingAttribute,
                    expected: "{dir}/invalid_include_without_name.xml:2: <include> is missing the required attribute 'name'"),
        InvalidCase(fixture: "invalid_include_wrong_root.xml", kind: .wrongRoot,
                    expected: "{dir}/include_wrong_root.xml:2: the root element is <project>, expected <manifest>"),
        InvalidCase(fixture: "invalid_remove_unknown_project.xml", kind: .unknownProject,
                    expected: "{dir}/invalid_remove_unknown_project.xml:5: <remove-project> names unknown project 'seL4'"),
        InvalidCase(fixture: "invalid_remove_without_name.xml", kind: .missingAttribute,
                    expected: "{dir}/invalid_remove_without_name.xml:2: <remove-project> is missing the required attribute 'name' (or 'path')"),
        InvalidCase(fixture: "invalid_extend_unknown_project.xml", kind: .unknownProject,
                    expected: "{dir}/invalid_extend_unknown_project.xml:5: <extend-project> names unknown project 'seL4.git' at path 'other'"),
        InvalidCase(fixture: "invalid_extend_unknown_remote.xml", kind: .unknownRemote,
                    expected: "{dir}/invalid_extend_unknown_remote.xml:5: <extend-project> for 'seL4.git' names unknown remote 'fork'"),
        InvalidCase(fixture: "invalid_extend_dest_path_taken.xml", kind: .duplicatePath,
                    expected: "{dir}/invalid_extend_dest_path_taken.xml:6: project 'other' uses path 'kernel', already used by project 'seL4.git' at {dir}/invalid_extend_dest_path_taken.xml:4"),
        InvalidCase(fixture: "invalid_exclude_empty.xml", kind: .unsafePath,
                    expected: "{dir}/invalid_exclude_empty.xml:5: <exclude> path '' in project 'camkes-vm-images.git' is unsafe: is empty"),
        InvalidCase(fixture: "invalid_exclude_absolute.xml", kind: .unsafePath,
                    expected: "{dir}/invalid_exclude_absolute.xml:6: <exclude> path '/qemu-arm-virt/linux' in project 'camkes-vm-images.git' is unsafe: is absolute"),
        InvalidCase(fixture: "invalid_exclude_dotdot.xml", kind: .unsafePath,
                    expected: "{dir}/invalid_exclude_dotdot.xml:5: <exclude> path 'tx1/../../seL4' in project 'camkes-vm-images.git' is unsafe: contains '..'"),
        InvalidCase(fixture: "invalid_exclude_without_path.xml", kind: .missingAttribute,
                    expected: "{dir}/invalid_exclude_without_path.xml:5: <exclude> in project 'camkes-vm-images.git' is missing the required attribute 'path'"),
        InvalidCase(fixture: "invalid_exclude_git_dir.xml", kind: .unsafePath,
                    expected: "{dir}/invalid_exclude_git_dir.xml:5: <exclude> path '.git/hooks' in project 'camkes-vm-images.git' is unsafe: names a .git directory"),
        InvalidCase(fixture: "invalid_exclude_root.xml", kind: .unsafePath,
                    expected: "{dir}/invalid_exclude_root.xml:5: <exclude> path './' in project 'camkes-vm-images.git' is unsafe: names the root itself"),
        // Foundation's XMLParser crashed the process on this (found by ManifestFuzzTests).
        InvalidCase(fixture: "invalid_element_name_utf8.xml", kind: .malformedXML,
                    expected: "{dir}/invalid_element_name_utf8.xml:2: malformed XML: byte 16 (0xE3) is not valid UTF-8; manifests must be UTF-8"),
        InvalidCase(fixture: "invalid_path_newline.xml", kind: .unsafePath,
                    expected: #"{dir}/invalid_path_newline.xml:4: project 'evil' has an unsafe path 'kernel\nsel4img: all projects up to date': contains a control character"#),
        InvalidCase(fixture: "invalid_linkfile_dest_control.xml", kind: .unsafePath,
                    expected: #"{dir}/invalid_linkfile_dest_control.xml:5: <linkfile> dest 'init-build.sh\r\tx' in project 'tools' is unsafe: contains a control character"#),
        InvalidCase(fixture: "invalid_extend_exclude_dotdot.xml", kind: .unsafePath,
                    expected: "{dir}/invalid_extend_exclude_dotdot.xml:6: <exclude> path '..' in project 'camkes-vm-images.git' is unsafe: contains '..'"),
    ]

    static func fixturesDirectory() throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
    }

    @Test("Each malformed or hostile manifest fails with its exact message", arguments: cases)
    func rejected(_ row: InvalidCase) throws {
        let dir = try Self.fixturesDirectory()
        let error = try #require(throws: ManifestError.self) {
            let manifest = try ManifestLoader.load(file: dir.appendingPathComponent(row.fixture), manifestURL: row.manifestURL)
            _ = try manifest.resolve()
        }
        #expect(error.description == row.expected.replacingOccurrences(of: "{dir}", with: dir.path))
        #expect(error.kind == row.kind)
        #expect(error.line != nil)
    }

    @Test("Every invalid_*.xml fixture has an expected message, and every case has a fixture")
    func corpusIsComplete() throws {
        let dir = try Self.fixturesDirectory()
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasPrefix("invalid_") && $0.hasSuffix(".xml") }
        #expect(Set(files) == Set(Self.cases.map(\.fixture)))
        #expect(Self.cases.count >= 12)
    }

    @Test("Errors that need the user to act carry a hint")
    func hints() {
        let error = ManifestError(.relativeFetchWithoutURL, file: "m.xml", line: 3, "x")
        #expect(error.hint?.contains("URL") == true)
        #expect(ManifestError(.unreadable, file: "m.xml", line: nil, "gone").description == "m.xml: gone")
    }
}
