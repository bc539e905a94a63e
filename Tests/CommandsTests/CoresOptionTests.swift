import ArgumentParser
import Boards
import Boot
import Foundation
@testable import ImageBuild
import Testing
import TestSupport
@testable import Commands

/// `build --cores N` for apps written for a choice of core counts (wasm-vm:
/// 1 or 2), and `qemu` giving QEMU as many cores as the build was made for.
@Suite struct CoresOptionTests {
    static func catalogs() throws -> DataCatalogs { try DataCatalogs.load(from: repositoryRoot) }

    func plan(_ arguments: [String], workspace: String) throws -> BuildPlan {
        let command = try SEL4Img.parseAsRoot(["build"] + arguments + ["-w", workspace])
        return try #require(command as? Build).pipeline(catalogs: try Self.catalogs()).plan()
    }

    @Test("wasm-vm's app file offers 1 or 2 cores through NUM_NODES, 2 by default")
    func appFile() throws {
        let app = try Self.catalogs().apps.app(named: "wasm-vm")
        #expect(app.cores == App.Cores(setting: "NUM_NODES", choices: [1, 2], defaultCount: 2))
        #expect(try Self.catalogs().apps.app(named: "sel4test").cores == nil)
    }

    @Test("build --cores sets the app's core-count setting; without it the app's default; sel4test gets no such setting")
    func coresSetting() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws").path
        #expect(try plan(["--app", "wasm-vm"], workspace: ws).cmakeSettings["NUM_NODES"] == "2")
        #expect(try plan(["--app", "wasm-vm", "--cores", "1"], workspace: ws).cmakeSettings["NUM_NODES"] == "1")
        #expect(try plan(["--app", "wasm-vm", "--cores", "2"], workspace: ws).cmakeSettings["NUM_NODES"] == "2")
        #expect(try plan(["--app", "sel4test"], workspace: ws).cmakeSettings["NUM_NODES"] == nil)
    }

    @Test("a core count the app is not written for, and --cores for an app without a choice, are refused with what to do (exit 1)")
    func refused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws").path
        let three = #expect(throws: BoardError.self) { try plan(["--app", "wasm-vm", "--cores", "3"], workspace: ws) }
        #expect(three?.description == "apps/wasm-vm.yaml: key 'cores.choices': --cores 3: app 'wasm-vm' is written for 1 or 2 cores")
        #expect(three?.hint == "build with --cores 1 or --cores 2")
        #expect(SEL4Img.Failure(try #require(three))?.exitCode == 1)
        let fixed = #expect(throws: BoardError.self) { try plan(["--app", "sel4test", "--cores", "2"], workspace: ws) }
        #expect(fixed?.description == "apps/sel4test.yaml: --cores 2: app 'sel4test' is built for one fixed CPU layout (its file has no 'cores' section)")
        #expect(fixed?.hint == "leave out --cores; apps with a choice of cores list them under 'cores.choices' (wasm-vm: 1 or 2)")
    }

    @Test("--cores 0 and a word are usage errors (exit 64) with their message")
    func usage() throws {
        for value in ["0", "two"] {
            let message = "The value '\(value)' is invalid for '--cores <n>': give a whole number of CPU cores, like 1 or 2"
            let error = #expect(throws: (any Error).self) { try SEL4Img.parseAsRoot(["build", "--app", "wasm-vm", "--cores", value]) }
            #expect(SEL4Img.exitCode(for: try #require(error)) == .validationFailure)
            #expect(SEL4Img.message(for: try #require(error)) == message)
        }
    }

    @Test("qemu gives QEMU -smp N for a wasm-vm build made for N > 1 cores (read from its provenance), nothing for 1")
    func qemuSMP() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws")
        let artifacts = ws.appendingPathComponent("artifacts/qemu-virt-wasm-vm")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        try JSONEncoder().encode([Artifact(role: "image", file: "image.bin", size: 1, sha256: String(repeating: "0", count: 64))])
            .write(to: artifacts.appendingPathComponent("artifacts.json"))
        let qemu = try #require(try SEL4Img.parseAsRoot(["qemu", "--app", "wasm-vm", "-w", ws.path]) as? QEMU)
        func arguments(cores: String) throws -> [String] {
            let p = Provenance(board: "qemu-virt", app: "wasm-vm", sourceDateEpoch: 0, manifest: .init(file: "m.xml", sha256: ""), lockSHA256: "",
                               projects: [], patchSets: [], cmakeSettings: ["NUM_NODES": cores], tools: [:], outputs: [])
            try p.encoded().write(to: artifacts.appendingPathComponent("provenance.json"))
            return try qemu.boot(catalogs: try Self.catalogs()).plan().arguments
        }
        let image = artifacts.appendingPathComponent("image.bin").path
        #expect(try arguments(cores: "2") == ["qemu-system-aarch64", "-machine", "virt,virtualization=on,highmem=off,secure=off", "-cpu", "cortex-a53",
                                              "-nographic", "-m", "size=2G", "-smp", "2", "-kernel", image])
        #expect(try arguments(cores: "1") == ["qemu-system-aarch64", "-machine", "virt,virtualization=on,highmem=off,secure=off", "-cpu", "cortex-a53",
                                              "-nographic", "-m", "size=2G", "-kernel", image])
    }

    @Test("on a machine with a fixed core count (raspi4b: boards/rpi4.yaml's qemu.cpus 4) qemu gives no -smp; a build for more cores than it has is refused")
    func fixedCores() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws")
        let artifacts = ws.appendingPathComponent("artifacts/rpi4-wasm-vm")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let catalogs = try Self.catalogs()
        let board = try catalogs.boards.board(named: "rpi4")
        let qemu = try #require(board.qemu)
        #expect(qemu.cpus == 4)
        let command = try #require(try SEL4Img.parseAsRoot(["qemu", "--board", "rpi4", "--app", "wasm-vm", "-w", ws.path]) as? QEMU)
        func smp(cores: String, cpus: Int?) throws -> [String] {
            let p = Provenance(board: "rpi4", app: "wasm-vm", sourceDateEpoch: 0, manifest: .init(file: "m.xml", sha256: ""), lockSHA256: "",
                               projects: [], patchSets: [], cmakeSettings: ["NUM_NODES": cores], tools: [:], outputs: [])
            try p.encoded().write(to: artifacts.appendingPathComponent("provenance.json"))
            var machine = qemu
            machine.cpus = cpus
            return try command.boot(catalogs: catalogs).smpArguments(machine)
        }
        #expect(try smp(cores: "2", cpus: 4) == [])
        #expect(try smp(cores: "1", cpus: 4) == [])
        #expect(try smp(cores: "2", cpus: nil) == ["-smp", "2"])
        let error = #expect(throws: BoardError.self) { try smp(cores: "2", cpus: 1) }
        #expect(error?.description == "boards/rpi4.yaml: key 'qemu.cpus': the rpi4-wasm-vm build is for 2 cores, and QEMU's raspi4b has 1")
        #expect(error?.hint == "build with --cores 1 or fewer")
    }
}
