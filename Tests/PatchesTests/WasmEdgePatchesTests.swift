import Foundation
import Support
import Testing
import TestSupport
@testable import Patches

/// Second-state's wasmedge-seL4 applies seven `patch -p1` patches, each in one
/// project directory (its build.sh). These tests express them as a patch set,
/// reading the patches from the local mirror (they are not part of this
/// repository) and are skipped where the mirror is absent.
@Suite struct WasmEdgePatchesTests {
    static let mirror = (ProcessInfo.processInfo.environment["SEL4IMG_TEST_MIRROR"] ?? "/nonexistent") + "/github.com"
    static let wasmedge = "\(mirror)/second-state/wasmedge-seL4.git"
    static var available: Bool { FileManager.default.fileExists(atPath: wasmedge) }

    /// patch file → the directory build.sh runs `patch -p1 -d` in.
    static let series: [(file: String, project: String)] = [
        ("01-camkes-tool.patch", "projects/camkes-tool"),
        ("02-llvm.patch", "projects/llvm"),
        ("03-seL4_libs.patch", "projects/seL4_libs"),
        ("04-seL4_projects_libs.patch", "projects/seL4_projects_libs"),
        ("05-vm-examples.patch", "projects/vm-examples"),
        ("06-vm-linux.patch", "projects/vm-linux"),
        ("07-wasmedge.patch", "projects/wasmedge"),
    ]

    /// Copies the named patches out of the mirror into `patches/wasmedge/` and writes their series.
    static func writeSet(_ fixture: Fixture, _ entries: [(file: String, project: String)]) throws -> PatchSet {
        let directory = fixture.patchesDirectory.appendingPathComponent("wasmedge")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var series = "# second-state/wasmedge-seL4 patches, in build.sh order\n"
        for entry in entries {
            try sh("git --git-dir='\(wasmedge)' show 'HEAD:patches/\(entry.file)' > '\(entry.file)'", in: directory)
            series += try PatchSet.hashLine(for: directory.appendingPathComponent(entry.file), project: entry.project,
                                            setDirectory: directory) + "\n"
        }
        try fixture.write(directory.appendingPathComponent("series"), series)
        return try PatchSet.load(named: "wasmedge", in: fixture.patchesDirectory)
    }

    @Test("all seven wasmedge-seL4 patches load and verify as one set", .enabled(if: WasmEdgePatchesTests.available))
    func allSevenVerify() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let set = try Self.writeSet(fixture, Self.series)
        let targets = Self.series.map {
            PatchTarget(name: String($0.project.split(separator: "/").last!), path: $0.project,
                        workTree: fixture.workspace.appendingPathComponent($0.project))
        }
        let verified = try set.verify(targets: targets)
        #expect(verified.map(\.target.path) == Self.series.map(\.project))
        #expect(verified.allSatisfy { !$0.files.isEmpty })
        // Only 02-llvm needs rewriting: it adds an empty libcxxabi/include/features.h (libgit2 1.5 bug).
        #expect(verified.map(\.converted) == [false, true, false, false, false, false, false])
        #expect(verified[1].files.contains("libcxxabi/include/features.h"))
        #expect(verified[2].files.contains("libsel4debug/src/sel4_arch/aarch64/stack_trace.c"))
    }

    @Test("patches 03 and 04 apply to seL4_libs and seL4_projects_libs exactly as patch -p1 does",
          .enabled(if: WasmEdgePatchesTests.available && FileManager.default.fileExists(atPath: WasmEdgePatchesTests.mirror + "/seL4/seL4_libs.git")))
    func realPatchesApply() throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        var targets: [PatchTarget] = []
        for (name, path, commit) in [("seL4_libs", "projects/seL4_libs", "9c0d209d67adda2558db28f5abbae994770d0340"),
                                     ("seL4_projects_libs", "projects/seL4_projects_libs", "2e30fdeb1d32f1ac252c94b8d6dcf2b9f4ee17b5")] {
            let tree = fixture.workspace.appendingPathComponent(path)
            try sh("git clone -q --no-checkout '\(Self.mirror)/seL4/\(name).git' '\(tree.path)' && git -C '\(tree.path)' checkout -q \(commit)")
            targets.append(PatchTarget(name: "\(name).git", path: path, workTree: tree))
        }
        let set = try Self.writeSet(fixture, Array(Self.series[2...3]))
        let copies = try targets.map { try fixture.copy($0, to: $0.name) }
        let pristine = try targets.map { try fixture.digest($0) }

        let report = try fixture.manager.apply(set: set, targets: targets)
        #expect(report.outcome == .applied)
        for (index, copy) in copies.enumerated() {
            try sh("patch -s -p1 < '\(set.directory.path)/\(Self.series[2 + index].file)'", in: copy)
            #expect(try fixture.digest(targets[index]) == fixture.digest(of: copy))
        }
        #expect(try fixture.manager.status(set: set, targets: targets) == .applied)

        _ = try fixture.manager.revert(set: "wasmedge", targets: targets)
        #expect(try targets.map { try fixture.digest($0) } == pristine)
    }
}
