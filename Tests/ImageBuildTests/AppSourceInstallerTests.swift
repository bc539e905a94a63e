import Boards
import Foundation
import Testing
import TestSupport
@testable import ImageBuild

/// Copying an app's own sources into the workspace (`sources` in apps/*.yaml).
@Suite struct AppSourceInstallerTests {
    /// A fake sel4img checkout (repo/) and an empty workspace (ws/).
    struct Fixture {
        let dir: TemporaryDirectory
        var repo: URL { dir.path("repo") }
        var ws: URL { dir.path("ws") }

        init() throws {
            dir = try TemporaryDirectory("sel4img-sources")
            try dir.write("repo/runner/sel4/CMakeLists.txt", "project(r)\n")
            try dir.write("repo/runner/sel4/easy-settings.cmake", "set(X 1)\n")
            try dir.write("repo/runner/sel4/src/main.c", "int main(void) { return 0; }\n")
            try dir.write("repo/Sources/Engine/A.swift", "struct A {}\n")
            try FileManager.default.createDirectory(at: dir.path("ws"), withIntermediateDirectories: true)
        }

        var sources: App.Sources {
            App.Sources(copies: [.init(from: "runner/sel4", to: "projects/r"),
                                 .init(from: "Sources/Engine", to: "projects/r/swift-modules/Engine")],
                        links: [.init(path: "easy-settings.cmake", target: "projects/r/easy-settings.cmake")],
                        swiftModules: ["Engine"])
        }

        func install(_ sources: App.Sources? = nil) throws -> AppSourceInstaller.Report {
            try AppSourceInstaller(repository: repo, workspace: ws, sources: sources ?? self.sources).install()
        }

        func mtime(_ relative: String) throws -> Date {
            try FileManager.default.attributesOfItem(atPath: ws.appendingPathComponent(relative).path)[.modificationDate] as! Date
        }
    }

    @Test("copies every file, nested copies included, and links easy-settings.cmake")
    func copies() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        let report = try f.install()
        #expect(report.written.sorted() == ["projects/r/CMakeLists.txt", "projects/r/easy-settings.cmake", "projects/r/src/main.c",
                                            "projects/r/swift-modules/Engine/A.swift"])
        #expect(try f.dir.read("ws/projects/r/src/main.c") == "int main(void) { return 0; }\n")
        #expect(try f.dir.read("ws/projects/r/swift-modules/Engine/A.swift") == "struct A {}\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: f.ws.appendingPathComponent("easy-settings.cmake").path)
                == "projects/r/easy-settings.cmake")
        #expect(try f.dir.read("ws/easy-settings.cmake") == "set(X 1)\n")
        #expect(FileManager.default.fileExists(atPath: f.ws.appendingPathComponent("projects/r/.sel4img-sources").path))
    }

    @Test("a second install with nothing changed writes nothing and keeps mtimes; a changed file is rewritten")
    func noOp() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        _ = try f.install()
        let old = Date(timeIntervalSince1970: 1_000_000)
        for file in ["projects/r/src/main.c", "projects/r/CMakeLists.txt"] {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: f.ws.appendingPathComponent(file).path)
        }
        let again = try f.install()
        #expect(again.nothingChanged)
        #expect(again.unchanged == 4)
        #expect(again.summary == "up to date (4 files)")
        #expect(try f.mtime("projects/r/src/main.c") == old)

        try f.dir.write("repo/runner/sel4/src/main.c", "int main(void) { return 1; }\n")
        let changed = try f.install()
        #expect(changed.written == ["projects/r/src/main.c"])
        #expect(try f.mtime("projects/r/src/main.c") != old)
        #expect(try f.mtime("projects/r/CMakeLists.txt") == old)
    }

    @Test("files gone from the source are removed from its destination, and only there")
    func staleFiles() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        _ = try f.install()
        try f.dir.write("ws/projects/r/src/old.c", "stale\n")
        try f.dir.write("ws/projects/r/old-dir/x.txt", "stale\n")
        try f.dir.write("ws/projects/r/swift-modules/Gone/B.swift", "stale\n")
        try f.dir.write("ws/projects/other/keep.c", "not ours\n")
        try f.dir.write("ws/projects/r-keep.txt", "not ours\n")
        let report = try f.install()
        #expect(report.removed.sorted() == ["projects/r/old-dir", "projects/r/src/old.c", "projects/r/swift-modules/Gone"])
        #expect(!FileManager.default.fileExists(atPath: f.ws.appendingPathComponent("projects/r/old-dir").path))
        // The nested copy is not stale for the outer one.
        #expect(try f.dir.read("ws/projects/r/swift-modules/Engine/A.swift") == "struct A {}\n")
        #expect(try f.dir.read("ws/projects/other/keep.c") == "not ours\n")
        #expect(try f.dir.read("ws/projects/r-keep.txt") == "not ours\n")
    }

    @Test("a directory sel4img did not make, or a checkout, is not overwritten")
    func refusesForeignDirectory() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        try f.dir.write("ws/projects/r/mine.c", "user's\n")
        let error = #expect(throws: BuildError.self) { try f.install() }
        #expect(error?.description == "\(f.ws.path)/projects/r exists and was not made by sel4img; refusing to replace it with runner/sel4")
        #expect(try f.dir.read("ws/projects/r/mine.c") == "user's\n")

        try FileManager.default.removeItem(at: f.ws.appendingPathComponent("projects/r"))
        try f.dir.write("ws/projects/r/.git", "gitdir: ../../.sel4img/projects/r.git\n")
        let checkout = #expect(throws: BuildError.self) { try f.install() }
        #expect(checkout?.description == "\(f.ws.path)/projects/r is a checkout; sel4img will not copy runner/sel4 over it")
    }

    @Test("paths that leave the workspace or the checkout are refused")
    func refusesEscapes() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        // A symlink in the workspace leading out of it.
        try FileManager.default.createDirectory(at: f.dir.path("elsewhere"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: f.ws.appendingPathComponent("projects").path, withDestinationPath: f.dir.path("elsewhere").path)
        let out = #expect(throws: BuildError.self) { try f.install() }
        #expect(out?.description == "'projects/r' goes through 'projects', a symbolic link to '\(f.dir.path("elsewhere").path)', which leads outside the workspace")
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.dir.path("elsewhere").path).isEmpty)
        try FileManager.default.removeItem(at: f.ws.appendingPathComponent("projects"))

        let dotdot = #expect(throws: BuildError.self) { try f.install(App.Sources(copies: [.init(from: "../x", to: "projects/r")])) }
        #expect(dotdot?.description == "the source path '../x' contains '..'")
        let absolute = #expect(throws: BuildError.self) { try f.install(App.Sources(copies: [.init(from: "runner/sel4", to: "/tmp/x")])) }
        #expect(absolute?.description == "the workspace path '/tmp/x' is absolute")

        // A source directory that is a link out of the checkout.
        try FileManager.default.createSymbolicLink(atPath: f.repo.appendingPathComponent("outside").path, withDestinationPath: f.dir.path("elsewhere").path)
        let linked = #expect(throws: BuildError.self) { try f.install(App.Sources(copies: [.init(from: "outside", to: "projects/o")])) }
        #expect(linked?.description == "outside leads outside the sel4img checkout (to \(f.dir.path("elsewhere").path))")

        let missing = #expect(throws: BuildError.self) { try f.install(App.Sources(copies: [.init(from: "runner/none", to: "projects/n")])) }
        #expect(missing?.description == "runner/none is not a directory in \(f.repo.path)")
    }

    @Test("a link is replaced when it points elsewhere, a file in its place is refused")
    func links() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        try FileManager.default.createSymbolicLink(atPath: f.ws.appendingPathComponent("easy-settings.cmake").path,
                                                   withDestinationPath: "projects/sel4test/easy-settings.cmake")
        let report = try f.install()
        #expect(report.linksMade == ["easy-settings.cmake"])
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: f.ws.appendingPathComponent("easy-settings.cmake").path)
                == "projects/r/easy-settings.cmake")

        try FileManager.default.removeItem(at: f.ws.appendingPathComponent("easy-settings.cmake"))
        try f.dir.write("ws/easy-settings.cmake", "mine\n")
        let error = #expect(throws: BuildError.self) { try f.install() }
        #expect(error?.description == "\(f.ws.path)/easy-settings.cmake exists and is not a link; sel4img will not replace it with a link to projects/r/easy-settings.cmake")
    }
}

extension AppSourceInstallerTests {
    @Test("a link inside a destination where the source has a directory is replaced, not followed")
    func linkInsideDestination() throws {
        let f = try Fixture()
        defer { f.dir.remove() }
        _ = try f.install()
        try FileManager.default.createDirectory(at: f.dir.path("elsewhere"), withIntermediateDirectories: true)
        try FileManager.default.removeItem(at: f.ws.appendingPathComponent("projects/r/src"))
        try FileManager.default.createSymbolicLink(atPath: f.ws.appendingPathComponent("projects/r/src").path, withDestinationPath: f.dir.path("elsewhere").path)
        _ = try f.install()
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.dir.path("elsewhere").path).isEmpty)
        #expect(FileManager.default.isDirectory(f.ws.appendingPathComponent("projects/r/src")))
        #expect(try f.dir.read("ws/projects/r/src/main.c") == "int main(void) { return 0; }\n")
    }
}
