import ArgumentParser
import Boards
import Boot
import Emulator
import Flash
import Foundation
@testable import ImageBuild
import Testing
import TestSupport
import WasmHost
@testable import Commands

/// In-process command tests: a command line is parsed as `sel4img` parses
/// it, and the plan the command derives is checked, without doing the work
/// (no workspace, no mirror, no QEMU). The data is the repository's own
/// boards/ and apps/.
@Suite struct CommandPlanTests {
    static func catalogs() throws -> DataCatalogs { try DataCatalogs.load(from: repositoryRoot) }

    func parse<Command: ParsableCommand>(_ arguments: [String], as type: Command.Type) throws -> Command {
        let command = try SEL4Img.parseAsRoot(arguments)
        return try #require(command as? Command, "parsed as \(Swift.type(of: command))")
    }

    /// A module that decodes and validates (the empty module).
    func module(in dir: TemporaryDirectory, _ name: String = "hello.wasm") throws -> URL {
        let url = dir.path(name)
        try Data([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]).write(to: url)
        return url
    }

    /// An artifacts directory as a build leaves it, listing `roles` (file name = role).
    func writeArtifacts(_ roles: [String], in workspace: URL, label: String) throws -> URL {
        let dir = workspace.appendingPathComponent("artifacts/\(label)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let artifacts = roles.map { Artifact(role: $0, file: $0 + ".bin", size: 1, sha256: String(repeating: "0", count: 64)) }
        try JSONEncoder().encode(artifacts).write(to: dir.appendingPathComponent("artifacts.json"))
        return dir
    }

    // MARK: - build

    @Test("build derives sel4test's plan for qemu-virt: settings, features, artifacts, host tools; nothing is written")
    func buildSel4test() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws").path
        let build = try parse(["build", "--board", "qemu-virt", "--app", "sel4test", "-w", ws, "--plan"], as: Build.self)
        #expect(build.plan)
        let plan = try build.pipeline(catalogs: try Self.catalogs()).plan()
        #expect(plan.board == "qemu-virt" && plan.app == "sel4test")
        #expect(plan.features == ["boardOverlays", "bootDisk"])
        #expect(plan.cmakeSettings == [
            "AARCH64": "TRUE", "ARM_CPU": "cortex-a53", "CROSS_COMPILER_PREFIX": "aarch64-linux-gnu-",
            "KernelCustomDTSOverlay": "\(ws)/build/qemu-virt-sel4test-overlays/00-sel4img-board.dts",
            "PLATFORM": "qemu-arm-virt", "QEMU_MEMORY": "2048", "RELEASE": "FALSE", "SEL4IMG_ELFLOADER_IMAGE": "uimage",
            "SIMULATION": "TRUE", "VERIFICATION": "FALSE",
        ])
        #expect(plan.hostTools == ["cmake", "ninja", "aarch64-linux-gnu-gcc", "dtc", "protoc", "xmllint", "cpio", "python3"])
        #expect(plan.configureChecks.first == "python3 module jinja2")
        // The outputs in role order, then the boot disk's (U-Boot runs the disk as QEMU's -bios).
        #expect(plan.artifacts == ["dtb", "elfloader", "image", "kernel", "rootServer", "disk", "blockmap"])
        #expect(plan.inputs.isEmpty)
        #expect(plan.sourceUpdate == .sync && plan.patchSets == ["reproducible", "reproducible-sel4test", "memoize", "uboot"])
        #expect(plan.manifest == repositoryRoot.appendingPathComponent("manifests/sel4test.xml").path)
        #expect(plan.buildDirectory == "\(ws)/build/qemu-virt-sel4test")
        #expect(!FileManager.default.fileExists(atPath: ws))
        // The printed plan is the plan: it reads back the same.
        #expect(try JSONDecoder().decode(BuildPlan.self, from: Data(plan.json().utf8)) == plan)
    }

    @Test("build for wasm-runner plans the modules archive, Swift modules and the module as an input; --no-sync skips patches")
    func buildWasmRunner() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws").path
        let hello = try module(in: dir)
        let build = try parse(["build", "--app", "wasm-runner", "--wasm", hello.path, "--args", "one 'two words'", "--no-sync", "-w", ws],
                              as: Build.self)
        let pipeline = try build.pipeline(catalogs: try Self.catalogs())
        #expect(pipeline.options.wasm?.arguments == ["one", "two words"])
        let plan = try pipeline.plan()
        #expect(plan.features == ["boardOverlays", "swiftModules", "wasmModules", "bootDisk"])
        #expect(plan.cmakeSettings["WASM_RUNNER_ARCHIVE"] == "\(ws)/build/qemu-virt-wasm-runner-wasm/modules.cpio")
        #expect(plan.cmakeSettings["SEL4IMG_SWIFT_MODULES"] == "WasmEngine;WASI")
        #expect(plan.cmakeSettings["SEL4IMG_SWIFT_TOOLCHAIN"] == (try SwiftToolchain.locate().root.path))
        #expect(plan.inputs == [BuildPlan.Input(role: "wasm module", path: hello.path)])
        #expect(plan.artifacts.suffix(3) == ["modules", "disk", "blockmap"])
        #expect(plan.sourceUpdate == .none && plan.patchSets.isEmpty)
    }

    @Test("build for wasm-vm plans the Linux guest's directory and artifacts and the boot disk, in the board's image format, with the uboot-camkes-vm patch set")
    func buildWasmVM() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws").path
        let build = try parse(["build", "--app", "wasm-vm", "--locked", "-w", ws], as: Build.self)
        let plan = try build.pipeline(catalogs: try Self.catalogs()).plan()
        #expect(plan.features == ["boardOverlays", "swiftModules", "linuxGuest", "bootDisk"])
        #expect(plan.cmakeSettings["SEL4IMG_GUEST_DIR"] == "\(ws)/build/qemu-virt-wasm-vm-guest")
        #expect(plan.cmakeSettings["SEL4IMG_ELFLOADER_IMAGE"] == "uimage")
        #expect(plan.artifacts == ["dtb", "elfloader", "image", "kernel", "guest-kernel", "guest-rootfs", "guest-dtb", "disk", "blockmap"])
        #expect(plan.inputs.first == BuildPlan.Input(role: "guest device tree", path: repositoryRoot.appendingPathComponent("runner/guest/qemu-arm-virt.dts").path))
        #expect(plan.sourceUpdate == .locked)
        #expect(plan.patchSets == ["capdl-offline", "reproducible-camkes-vm", "uboot-camkes-vm", "vm-vppi-masked", "camkes-vm-rpi4", "camkes-vm-tx1-channel", "gic-hyp-group0", "memoize"])
    }

    @Test("build for wasm-vm on rpi4 or a Jetson takes that board's guest device tree and image format, and plans its disk", arguments: [
        ("rpi4", "binary", "runner/guest/rpi4.dts"), ("tx1", "binary", "runner/guest/tx1.dts"), ("tx2", "uimage", "runner/guest/tx2.dts"),
    ])
    func buildWasmVMJetson(board: String, format: String, deviceTree: String) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws").path
        let build = try parse(["build", "--board", board, "--app", "wasm-vm", "-w", ws], as: Build.self)
        let plan = try build.pipeline(catalogs: try Self.catalogs()).plan()
        #expect(plan.cmakeSettings["PLATFORM"] == board)
        #expect(plan.cmakeSettings["SEL4IMG_ELFLOADER_IMAGE"] == format)
        #expect(plan.cmakeSettings["SEL4IMG_GUEST_DIR"] == "\(ws)/build/\(board)-wasm-vm-guest")
        #expect(plan.inputs.first == BuildPlan.Input(role: "guest device tree", path: repositoryRoot.appendingPathComponent(deviceTree).path))
        #expect(plan.artifacts.suffix(2) == ["disk", "blockmap"])
    }

    @Test("build --emulated for wasm-vm on rpi4 plans the guest's emulated overlay and SIMULATION; without it, neither; tx1 has no emulator to build for")
    func buildWasmVMEmulated() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws").path
        let overlay = BuildPlan.Input(role: "guest device tree overlay (emulated)", path: repositoryRoot.appendingPathComponent("runner/guest/rpi4-qemu.dtso").path)
        let emulated = try parse(["build", "--board", "rpi4", "--app", "wasm-vm", "--emulated", "-w", ws], as: Build.self).pipeline(catalogs: try Self.catalogs()).plan()
        #expect(emulated.inputs.prefix(2) == [BuildPlan.Input(role: "guest device tree", path: repositoryRoot.appendingPathComponent("runner/guest/rpi4.dts").path), overlay])
        #expect(emulated.cmakeSettings["SIMULATION"] == "TRUE" && emulated.cmakeSettings["RPI4_MEMORY"] == "2048")
        let hardware = try parse(["build", "--board", "rpi4", "--app", "wasm-vm", "-w", ws], as: Build.self).pipeline(catalogs: try Self.catalogs()).plan()
        #expect(!hardware.inputs.contains(overlay))
        #expect(hardware.cmakeSettings["SIMULATION"] == "FALSE" && hardware.cmakeSettings["RPI4_MEMORY"] == "8192")
        let error = #expect(throws: (any Error).self) {
            try parse(["build", "--board", "tx1", "--app", "wasm-vm", "--emulated", "-w", ws], as: Build.self).pipeline(catalogs: try Self.catalogs()).plan()
        }
        #expect(error.map { "\($0)" } == "--emulated builds for the board's QEMU machine, and board 'tx1' has none; build without --emulated and flash the image")
    }

    /// A data directory like the repository's, whose `wasm-vm` (the default
    /// app) is sel4test's file supporting only qemu-virt and tx2, so the
    /// refusal is checked whatever boards the real wasm-vm supports.
    func narrowDefaultApp(in dir: TemporaryDirectory) throws -> DataCatalogs {
        let data = dir.path("data")
        let fm = FileManager.default
        try fm.createDirectory(at: data.appendingPathComponent("apps"), withIntermediateDirectories: true)
        try fm.copyItem(at: repositoryRoot.appendingPathComponent("boards"), to: data.appendingPathComponent("boards"))
        for app in ["sel4test", "wasm-runner"] {
            try fm.copyItem(at: repositoryRoot.appendingPathComponent("apps/\(app).yaml"), to: data.appendingPathComponent("apps/\(app).yaml"))
        }
        let sel4test = try String(contentsOf: repositoryRoot.appendingPathComponent("apps/sel4test.yaml"), encoding: .utf8)
        let narrowed = sel4test.replacingOccurrences(of: "supportedBoards: [qemu-virt, rpi4, tx1, tx2]", with: "supportedBoards: [qemu-virt, tx2]")
        #expect(narrowed != sel4test)
        try narrowed.write(to: data.appendingPathComponent("apps/wasm-vm.yaml"), atomically: true, encoding: .utf8)
        return try DataCatalogs.load(from: data)
    }

    @Test("with no --app, build, test and qemu take wasm-vm (the guest + runner system); a board it does not support is refused before any work, naming its boards and the apps that support the board")
    func defaultApp() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws").path
        #expect(TargetOptions.defaultApp == "wasm-vm")
        let plan = try parse(["build", "-w", ws], as: Build.self).pipeline(catalogs: try Self.catalogs()).plan()
        #expect(plan.app == "wasm-vm" && plan.board == "qemu-virt")
        #expect(try parse(["test", "-w", ws], as: Test.self).options.target.app == "wasm-vm")
        #expect(try parse(["qemu", "-w", ws], as: QEMU.self).target.app == "wasm-vm")
        #expect(try parse(["qemu", "-a", "sel4test", "-w", ws], as: QEMU.self).target.app == "sel4test")

        let catalogs = try narrowDefaultApp(in: dir)
        let defaulted = #expect(throws: UnsupportedBoard.self) {
            try parse(["build", "--board", "rpi4", "-w", ws], as: Build.self).pipeline(catalogs: catalogs)
        }
        #expect(defaulted?.description == "the default app 'wasm-vm' (the Linux guest + Wasm runner system; no --app was given) does not support board 'rpi4'; it supports: qemu-virt, tx2")
        #expect(defaulted?.hint == "for rpi4 pass --app sel4test or --app wasm-runner, or pick one of its boards with --board")
        #expect(SEL4Img.Failure(try #require(defaulted))?.exitCode == 1)
        let qemu = #expect(throws: UnsupportedBoard.self) {
            try parse(["qemu", "--board", "tx1", "-w", ws], as: QEMU.self).boot(catalogs: catalogs)
        }
        #expect(qemu?.description == "the default app 'wasm-vm' (the Linux guest + Wasm runner system; no --app was given) does not support board 'tx1'; it supports: qemu-virt, tx2")
        let named = #expect(throws: UnsupportedBoard.self) {
            try parse(["build", "--board", "rpi4", "--app", "wasm-vm", "-w", ws], as: Build.self).pipeline(catalogs: catalogs)
        }
        #expect(named?.description == "app 'wasm-vm' does not support board 'rpi4'; it supports: qemu-virt, tx2")
        #expect(!FileManager.default.fileExists(atPath: ws))
        // The help says what the default is.
        #expect(SEL4Img.helpMessage(for: Build.self, columns: 400).contains("The app (default: wasm-vm, the Linux guest + Wasm runner system; also sel4test, wasm-runner: see 'sel4img boards')."))
    }

    @Test("--memory picks a board's memory size; a size the board file does not list is the board's error (exit 1), a malformed one a usage error")
    func buildMemory() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws").path
        let four = try parse(["build", "--board", "rpi4", "--app", "sel4test", "--memory", "4G", "-w", ws], as: Build.self)
        let plan = try four.pipeline(catalogs: try Self.catalogs()).plan()
        #expect(plan.cmakeSettings["RPI4_MEMORY"] == "4096")
        #expect(plan.cmakeSettings["PLATFORM"] == "rpi4")
        #expect(plan.hostTools.contains("aarch64-linux-gnu-gcc"))

        let three = try parse(["build", "--board", "rpi4", "--app", "sel4test", "--memory", "3G", "-w", ws], as: Build.self)
        let error = #expect(throws: BoardError.self) { try three.pipeline(catalogs: try Self.catalogs()).plan() }
        #expect(error?.description == "board 'rpi4' does not come with 3G of memory; choose one of 1G, 2G, 4G, 8G")
        #expect(SEL4Img.Failure(try #require(error))?.exitCode == 1)

        let usage = #expect(throws: (any Error).self) { try SEL4Img.parseAsRoot(["build", "--board", "rpi4", "--memory", "3Q"]) }
        #expect(SEL4Img.exitCode(for: try #require(usage)) == .validationFailure)
        #expect(SEL4Img.message(for: try #require(usage)) == "--memory must be a size like 4G or 4096M; got '3Q'")
    }

    @Test("build --emulated targets the board's QEMU machine: rpi4 for raspi4b's 2G with SIMULATION=TRUE; more memory or a board without one is refused")
    func buildEmulated() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws").path
        let catalogs = try Self.catalogs()
        let emulated = try parse(["build", "--app", "sel4test", "--board", "rpi4", "--emulated", "-w", ws], as: Build.self).pipeline(catalogs: catalogs).plan()
        #expect(emulated.cmakeSettings["RPI4_MEMORY"] == "2048")
        #expect(emulated.cmakeSettings["SIMULATION"] == "TRUE")
        let hardware = try parse(["build", "--app", "sel4test", "--board", "rpi4", "--memory", "2G", "-w", ws], as: Build.self).pipeline(catalogs: catalogs).plan()
        #expect(hardware.cmakeSettings["SIMULATION"] == "FALSE")
        // Only SIMULATION differs between the two 2G builds.
        #expect(emulated.cmakeSettings.filter { $0.key != "SIMULATION" } == hardware.cmakeSettings.filter { $0.key != "SIMULATION" })
        let small = try parse(["build", "--app", "sel4test", "--board", "rpi4", "--emulated", "--memory", "1G", "-w", ws], as: Build.self).pipeline(catalogs: catalogs).plan()
        #expect(small.cmakeSettings["RPI4_MEMORY"] == "1024")

        let big = try parse(["build", "--app", "sel4test", "--board", "rpi4", "--emulated", "--memory", "4G", "-w", ws], as: Build.self)
        let error = #expect(throws: BoardError.self) { try big.pipeline(catalogs: catalogs).plan() }
        #expect(error?.description == "--emulated builds for QEMU's raspi4b, which has 2G of memory; --memory 4G is more")
        let tx1 = try parse(["build", "--app", "sel4test", "--board", "tx1", "--emulated", "-w", ws], as: Build.self)
        let none = #expect(throws: BoardError.self) { try tx1.pipeline(catalogs: catalogs).plan() }
        #expect(none?.description == "--emulated builds for the board's QEMU machine, and board 'tx1' has none; build without --emulated and flash the image")
        // qemu-virt exists only as a QEMU machine: --emulated changes nothing.
        let virt = try parse(["build", "--app", "sel4test", "--emulated", "-w", ws], as: Build.self).pipeline(catalogs: catalogs).plan()
        #expect(virt.cmakeSettings == (try parse(["build", "--app", "sel4test", "-w", ws], as: Build.self).pipeline(catalogs: catalogs).plan().cmakeSettings))
    }

    // MARK: - qemu

    @Test("qemu boots the elfloader directly when the build collected it, else the image, with the board's QEMU line and the app's patterns")
    func qemuKernel() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws")
        let artifacts = try writeArtifacts(["image", "elfloader", "kernel"], in: ws, label: "qemu-virt-sel4test")
        let qemu = try parse(["qemu", "--app", "sel4test", "-w", ws.path, "--timeout", "30", "--plan"], as: QEMU.self)
        #expect(qemu.plan)
        let catalogs = try Self.catalogs()
        let plan = try qemu.boot(catalogs: catalogs).plan()
        #expect(plan.medium == BootPlan.Medium(kind: .kernel, image: artifacts.appendingPathComponent("elfloader.bin").path, bios: nil))
        #expect(plan.arguments == ["qemu-system-aarch64", "-machine", "virt", "-cpu", "cortex-a53", "-nographic", "-m", "size=2G",
                                   "-kernel", artifacts.appendingPathComponent("elfloader.bin").path])
        let app = try catalogs.apps.app(named: "sel4test")
        #expect(plan.console.success == app.console.success && plan.console.failure == app.console.failure)
        #expect(plan.console.timeoutSeconds == 30 && !plan.console.interactive && plan.console.script == nil)
        #expect(plan.console.log == artifacts.appendingPathComponent("console.log").path)
        #expect(try JSONDecoder().decode(BootPlan.self, from: Data(plan.json().utf8)) == plan)

        _ = try writeArtifacts(["image"], in: ws, label: "qemu-virt-sel4test")
        #expect(try qemu.boot(catalogs: catalogs).plan().medium.image == artifacts.appendingPathComponent("image.bin").path)
    }

    @Test("qemu --disk boots the disk image with the board's U-Boot from the blob cache; --interactive watches nothing")
    func qemuDisk() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws")
        let artifacts = try writeArtifacts(["image", "elfloader", "disk"], in: ws, label: "qemu-virt-sel4test")
        let catalogs = try Self.catalogs()
        let uBoot = try #require(try catalogs.boards.board(named: "qemu-virt").bootloader.blobs["u-boot.bin"])
        let plan = try parse(["qemu", "--app", "sel4test", "--disk", "--interactive", "-w", ws.path], as: QEMU.self).boot(catalogs: catalogs).plan()
        #expect(plan.medium.kind == .disk)
        #expect(plan.medium.image == artifacts.appendingPathComponent("disk.bin").path)
        #expect(plan.medium.bios?.hasSuffix("/" + uBoot.sha256) == true)
        #expect(plan.arguments.suffix(4) == ["-bios", plan.medium.bios!, "-drive", "file=\(plan.medium.image),format=raw,if=virtio,snapshot=on"])
        #expect(plan.console.interactive && plan.console.success.isEmpty)
    }

    @Test("qemu --board rpi4 boots the SD image on raspi4b: U-Boot and the DTB from the image, a padded scratch copy on if=sd, the mini UART on stdio")
    func qemuRaspberryPi() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws")
        let artifacts = try writeArtifacts(["image", "disk"], in: ws, label: "rpi4-sel4test")
        let catalogs = try Self.catalogs()
        let plan = try parse(["qemu", "--app", "sel4test", "--board", "rpi4", "-w", ws.path, "--plan"], as: QEMU.self).boot(catalogs: catalogs).plan()
        let scratch = ws.appendingPathComponent(".sel4img/qemu/rpi4-sel4test")
        #expect(plan.medium == BootPlan.Medium(
            kind: .disk, image: artifacts.appendingPathComponent("disk.bin").path, bios: scratch.appendingPathComponent("u-boot.bin").path,
            deviceTree: scratch.appendingPathComponent("bcm2711-rpi-4-b.dtb").path, firmwareFromImage: true,
            scratch: scratch.appendingPathComponent("disk.bin").path))
        #expect(plan.arguments == [
            "qemu-system-aarch64", "-machine", "raspi4b", "-cpu", "cortex-a72", "-nographic", "-m", "size=2G",
            "-serial", "null", "-serial", "mon:stdio",
            "-kernel", scratch.appendingPathComponent("u-boot.bin").path, "-dtb", scratch.appendingPathComponent("bcm2711-rpi-4-b.dtb").path,
            "-drive", "file=\(scratch.appendingPathComponent("disk.bin").path),format=raw,if=sd,snapshot=on"])
        let app = try catalogs.apps.app(named: "sel4test")
        #expect(plan.console.success == app.console.success && plan.console.failure == app.console.failure)
        #expect(try JSONDecoder().decode(BootPlan.self, from: Data(plan.json().utf8)) == plan)
        // --disk changes nothing: the Pi boots only from its card.
        #expect(try parse(["qemu", "--app", "sel4test", "--board", "rpi4", "--disk", "-w", ws.path], as: QEMU.self).boot(catalogs: catalogs).plan() == plan)
    }

    @Test("a QEMU older than the board's machine needs is refused before boot, with the backports hint; qemu-virt takes any")
    func qemuTooOld() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("qemu", "#!/bin/sh\necho 'QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)'\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path("qemu").path)
        let catalogs = try Self.catalogs()
        var rpi4 = try catalogs.boards.board(named: "rpi4")
        rpi4.qemu?.binary = dir.path("qemu").path
        let app = try catalogs.apps.app(named: "sel4test")
        let boot = QEMUBoot(board: rpi4, app: app, workspaceRoot: dir.path("ws"), request: BootRequest(), emulatedBoards: [])
        let error = #expect(throws: EmulatorError.self) { try boot.checkVersion() }
        #expect(error?.description == "'\(dir.path("qemu").path)' is QEMU 7.2.22, but QEMU's raspi4b machine (board rpi4) needs 9.0 or newer. Install it with: apt-get install -t bookworm-backports qemu-system-arm (scripts/setup.sh adds bookworm-backports to APT's sources)")
        var virt = try catalogs.boards.board(named: "qemu-virt")
        virt.qemu?.binary = dir.path("qemu").path
        try QEMUBoot(board: virt, app: app, workspaceRoot: dir.path("ws"), request: BootRequest(), emulatedBoards: []).checkVersion()
        try dir.write("qemu", "#!/bin/sh\necho 'QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)'\n")
        try boot.checkVersion()
    }

    @Test("an rpi4 build for more memory than raspi4b's 2 GiB is refused before boot, naming --memory; 2G and 1G builds boot")
    func qemuRaspberryPiMemory() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws")
        let artifacts = try writeArtifacts(["image", "disk"], in: ws, label: "rpi4-sel4test")
        let catalogs = try Self.catalogs()
        let qemu = try parse(["qemu", "--app", "sel4test", "--board", "rpi4", "-w", ws.path], as: QEMU.self)
        func provenance(_ mib: String) throws {
            let p = Provenance(board: "rpi4", app: "sel4test", sourceDateEpoch: 0, manifest: .init(file: "m.xml", sha256: ""), lockSHA256: "",
                               projects: [], patchSets: [], cmakeSettings: ["RPI4_MEMORY": mib, "PLATFORM": "rpi4"], tools: [:], outputs: [])
            try p.encoded().write(to: artifacts.appendingPathComponent("provenance.json"))
        }
        try provenance("8192")
        let error = #expect(throws: MemoryTooLarge.self) { try qemu.boot(catalogs: catalogs).plan() }
        #expect(error?.description == "rpi4-sel4test was built for 8G of memory (RPI4_MEMORY=8192), but QEMU's raspi4b has 2G; seL4 would fault on memory that is not there")
        #expect(error?.hint == "rebuild for the emulated machine with --memory 2G: sel4img build --board rpi4 --app sel4test --memory 2G")
        #expect(SEL4Img.Failure(try #require(error))?.exitCode == 1)
        try provenance("4096")
        #expect(throws: MemoryTooLarge.self) { try qemu.boot(catalogs: catalogs).plan() }
        try provenance("2048")
        #expect(try qemu.boot(catalogs: catalogs).plan().medium.kind == .disk)
        try provenance("1024")
        #expect(try qemu.boot(catalogs: catalogs).plan().medium.kind == .disk)
    }

    @Test("qemu --board rpi4 --app wasm-vm refuses a build for the board (no emulated overlay in its provenance) before boot, naming the image and --emulated; an --emulated build boots; sel4test and qemu-virt's wasm-vm are not asked")
    func qemuRaspberryPiWasmVMEmulated() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws")
        let catalogs = try Self.catalogs()
        // What each build's provenance lists, derived as `build` derives it.
        func provenance(_ arguments: [String], board: String, app: String, settings: [String: String]) throws {
            let label = "\(board)-\(app)"
            let artifacts = try writeArtifacts(["image", "disk"], in: ws, label: label)
            let pipeline = try parse(["build", "--board", board, "--app", app, "-w", ws.path] + arguments, as: Build.self).pipeline(catalogs: catalogs)
            let p = Provenance(board: board, app: app, sourceDateEpoch: 0, manifest: .init(file: "m.xml", sha256: ""), lockSHA256: "",
                               projects: [], patchSets: [], cmakeSettings: settings, tools: [:], outputs: [], components: try pipeline.components())
            try p.encoded().write(to: artifacts.appendingPathComponent("provenance.json"))
        }
        let qemu = try parse(["qemu", "--board", "rpi4", "--app", "wasm-vm", "-w", ws.path], as: QEMU.self)
        let image = ws.appendingPathComponent("artifacts/rpi4-wasm-vm/disk.bin").path
        // Built for the Pi with raspi4b's memory: only the guest's tree is wrong.
        try provenance(["--memory", "2G", "--cores", "1"], board: "rpi4", app: "wasm-vm", settings: ["RPI4_MEMORY": "2048", "NUM_NODES": "1"])
        let error = #expect(throws: NotBuiltForEmulator.self) { try qemu.boot(catalogs: catalogs).plan() }
        #expect(error?.description == "\(image) was built for the board, without --emulated: its guest's device tree lacks runner/guest/rpi4-qemu.dtso, so on QEMU's raspi4b the guest stalls before its shell")
        #expect(error?.hint == "rebuild it for QEMU's raspi4b: sel4img build --board rpi4 --app wasm-vm --emulated --cores 1")
        #expect(SEL4Img.Failure(try #require(error))?.exitCode == 1)
        // The default 8G build is refused for the same reason first: --emulated also gives 2G.
        try provenance(["--wasm", try module(in: dir).path], board: "rpi4", app: "wasm-vm",
                       settings: ["RPI4_MEMORY": "8192", "NUM_NODES": "2"])
        let eight = #expect(throws: NotBuiltForEmulator.self) { try qemu.boot(catalogs: catalogs).plan() }
        #expect(eight?.hint == "rebuild it for QEMU's raspi4b, with the --wasm modules it was built with: sel4img build --board rpi4 --app wasm-vm --emulated --wasm …")
        // The built binary: refused before QEMU starts or anything is written, exit 1.
        let refused = try runSel4img(["qemu", "--board", "rpi4", "--app", "wasm-vm", "-w", ws.path])
        #expect(refused.status == 1 && refused.stdout == "")
        #expect(refused.stderr == """
            error: \(image) was built for the board, without --emulated: its guest's device tree lacks runner/guest/rpi4-qemu.dtso, so on QEMU's raspi4b the guest stalls before its shell
            hint: rebuild it for QEMU's raspi4b, with the --wasm modules it was built with: sel4img build --board rpi4 --app wasm-vm --emulated --wasm …

            """)
        #expect(!FileManager.default.fileExists(atPath: ws.appendingPathComponent(".sel4img/qemu").path))
        // Built --emulated: the overlay is listed, and the boot goes ahead (one core, no -smp on raspi4b).
        try provenance(["--emulated", "--cores", "1"], board: "rpi4", app: "wasm-vm", settings: ["RPI4_MEMORY": "2048", "NUM_NODES": "1"])
        #expect(try qemu.boot(catalogs: catalogs).plan().medium.kind == .disk)
        let accepted = try runSel4img(["qemu", "--board", "rpi4", "--app", "wasm-vm", "--plan", "-w", ws.path])
        #expect(accepted.status == 0 && accepted.stderr == "")
        #expect(try JSONDecoder().decode(BootPlan.self, from: Data(accepted.stdout.utf8)).arguments.contains("raspi4b"))
        // sel4test on rpi4 and wasm-vm on qemu-virt have no emulated overlay: a build without --emulated boots.
        try provenance(["--memory", "2G"], board: "rpi4", app: "sel4test", settings: ["RPI4_MEMORY": "2048"])
        #expect(try parse(["qemu", "--board", "rpi4", "--app", "sel4test", "-w", ws.path], as: QEMU.self).boot(catalogs: catalogs).plan().medium.kind == .disk)
        try provenance([], board: "qemu-virt", app: "wasm-vm", settings: ["QEMU_MEMORY": "2048"])
        #expect(try parse(["qemu", "--board", "qemu-virt", "--app", "wasm-vm", "-w", ws.path], as: QEMU.self).boot(catalogs: catalogs).plan().medium.kind == .kernel)
    }

    @Test("qemu --disk on a board whose file declares no U-Boot is the board file's error, with file and key, not a usage error")
    func qemuDiskWithoutUBoot() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws")
        _ = try writeArtifacts(["image", "disk"], in: ws, label: "qemu-virt-sel4test")
        let catalogs = try Self.catalogs()
        var board = try catalogs.boards.board(named: "qemu-virt")
        board.bootloader.blobs["u-boot.bin"] = nil
        let boot = QEMUBoot(board: board, app: try catalogs.apps.app(named: "sel4test"), workspaceRoot: ws,
                            request: BootRequest(disk: true), emulatedBoards: ["qemu-virt"])
        let error = #expect(throws: BoardError.self) { try boot.plan() }
        #expect(error?.description == "boards/qemu-virt.yaml: key 'bootloader.blobs.u-boot.bin': --disk boots through U-Boot, and the board declares no u-boot.bin")
        #expect(error?.hint == "boot without --disk, or declare u-boot.bin under bootloader.blobs (see boards/README.md)")
        #expect(SEL4Img.Failure(try #require(error))?.exitCode == 1)
    }

    @Test("qemu for wasm-vm takes the app's -machine; before a build it names the build to run")
    func qemuWasmVM() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws")
        let catalogs = try Self.catalogs()
        let qemu = try parse(["qemu", "--app", "wasm-vm", "-w", ws.path], as: QEMU.self)
        let missing = #expect(throws: MissingArtifact.self) { try qemu.boot(catalogs: catalogs).plan() }
        #expect(missing?.description == "no image has been built in \(ws.path)/artifacts/qemu-virt-wasm-vm")
        #expect(missing?.hint == "run 'sel4img build --board qemu-virt --app wasm-vm' first")

        _ = try writeArtifacts(["image"], in: ws, label: "qemu-virt-wasm-vm")
        let plan = try qemu.boot(catalogs: catalogs).plan()
        #expect(plan.qemu.machine == "virt,virtualization=on,highmem=off,secure=off")
        #expect(plan.arguments.prefix(3) == ["qemu-system-aarch64", "-machine", "virt,virtualization=on,highmem=off,secure=off"])
        #expect(plan.console.timeoutSeconds == 300)
        // Without --disk QEMU starts the elfloader ELF (the image is a uImage for U-Boot).
        _ = try writeArtifacts(["image", "elfloader", "disk"], in: ws, label: "qemu-virt-wasm-vm")
        let direct = try qemu.boot(catalogs: catalogs).plan()
        #expect(direct.medium.kind == .kernel && direct.medium.image.hasSuffix("/elfloader.bin"))
        // With --disk, U-Boot (-bios) runs the disk's boot.scr, on the app's machine.
        let disk = try parse(["qemu", "--app", "wasm-vm", "--disk", "-w", ws.path], as: QEMU.self).boot(catalogs: catalogs).plan()
        #expect(disk.medium.kind == .disk && disk.medium.image.hasSuffix("/disk.bin"))
        #expect(disk.arguments.prefix(3) == ["qemu-system-aarch64", "-machine", "virt,virtualization=on,highmem=off,secure=off"])
        #expect(disk.arguments.contains("-bios"))
    }

    // MARK: - test

    @Test("test derives the same build plan as build, and boots with its --timeout and the app's patterns")
    func testCommand() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws")
        let hello = try module(in: dir)
        let catalogs = try Self.catalogs()
        let test = try parse(["test", "--app", "wasm-runner", "--wasm", hello.path, "--timeout", "45", "-w", ws.path], as: Test.self)
        let build = try parse(["build", "--app", "wasm-runner", "--wasm", hello.path, "-w", ws.path], as: Build.self)
        let plan = try test.options.pipeline(catalogs: catalogs, workspace: test.global.workspaceURL).plan()
        #expect(plan == (try build.pipeline(catalogs: catalogs).plan()))
        #expect(plan.features == ["boardOverlays", "swiftModules", "wasmModules", "bootDisk"])
        #expect(test.bootRequest == BootRequest(timeout: 45))

        let artifacts = try writeArtifacts(["image", "elfloader", "modules"], in: ws, label: "qemu-virt-wasm-runner")
        let app = try catalogs.apps.app(named: "wasm-runner")
        let bootPlan = try QEMUBoot(board: try catalogs.boards.board(named: "qemu-virt"), app: app, workspaceRoot: ws,
                                    request: test.bootRequest, emulatedBoards: catalogs.emulatedBoards).plan()
        #expect(bootPlan.medium.kind == .kernel && bootPlan.medium.image == artifacts.appendingPathComponent("elfloader.bin").path)
        #expect(bootPlan.console.timeoutSeconds == 45 && bootPlan.console.success == app.console.success)
    }

    @Test("build --plan and qemu --plan print the plan as JSON with sorted keys and do nothing")
    func printedPlans() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let ws = dir.path("ws")
        let build = try runSel4img(["build", "--app", "sel4test", "--plan", "-w", ws.path])
        #expect(build.status == 0 && build.stderr == "")
        let plan = try JSONDecoder().decode(BuildPlan.self, from: Data(build.stdout.utf8))
        let parsed = try parse(["build", "--app", "sel4test", "-w", ws.path], as: Build.self)
        #expect(plan == (try parsed.pipeline(catalogs: try Self.catalogs()).plan()))
        #expect(build.stdout == (try plan.json()) + "\n")
        #expect(build.stdout.hasPrefix("{\n  \"app\" : \"sel4test\",\n  \"artifacts\" : ["))
        #expect(!FileManager.default.fileExists(atPath: ws.path))

        let artifacts = try writeArtifacts(["image", "elfloader"], in: ws, label: "qemu-virt-sel4test")
        let qemu = try runSel4img(["qemu", "--app", "sel4test", "--plan", "-w", ws.path])
        #expect(qemu.status == 0 && qemu.stderr == "")
        let boot = try JSONDecoder().decode(BootPlan.self, from: Data(qemu.stdout.utf8))
        #expect(boot.medium == BootPlan.Medium(kind: .kernel, image: artifacts.appendingPathComponent("elfloader.bin").path, bios: nil))
        #expect(try FileManager.default.contentsOfDirectory(atPath: artifacts.path) == ["artifacts.json"])
    }

    // MARK: - flash, wasm run

    @Test("flash derives its plan: a missing file target is a new file written without asking, the block map scanned; --progress is checked at parse")
    func flash() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var image = Data(repeating: 0, count: 1 << 20)
        image.replaceSubrange(0..<4, with: [1, 2, 3, 4])
        try image.write(to: dir.path("sel4.img"))
        let command = try parse(["flash", dir.path("sel4.img").path, dir.path("copy.img").path, "--zero-unmapped", "--progress", "plain"],
                                as: FlashCommand.self)
        #expect(command.progressOptions.style == .plain)
        let plan = try command.plan()
        #expect(plan.target.kind == .newFile && !plan.needsConfirmation)
        #expect(plan.mapSource == .scanned && plan.map.imageSize == 1 << 20)
        #expect(plan.options.zeroUnmapped && !plan.options.force)
        #expect(!FileManager.default.fileExists(atPath: dir.path("copy.img").path))

        let bad = #expect(throws: (any Error).self) { try SEL4Img.parseAsRoot(["flash", "a.img", "b.img", "--progress", "fancy"]) }
        #expect(SEL4Img.message(for: try #require(bad)) == "--progress must be one of auto, terminal, plain, json, quiet; got 'fancy'")
    }

    @Test("wasm run derives its runner: arguments after '--' go to the module, directories and environment as given")
    func wasmRun() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(at: dir.path("data"), withIntermediateDirectories: true)
        let run = try parse(["wasm", "run", "tool.wasm", "in.txt", "--dir", dir.path("data").path + "::/data", "--env", "LANG=C",
                             "--fuel", "1000", "--", "--verbose"], as: WasmCommand.Run.self)
        let runner = run.runner
        #expect(runner.file == "tool.wasm")
        #expect(runner.arguments == ["in.txt", "--verbose"])
        #expect(runner.environment == ["LANG=C"])
        #expect(runner.preopens == [WasmRunner.Preopen(hostDirectory: dir.path("data"), guestPath: "/data")])
        #expect(runner.fuel == 1000)
        #expect(run.aotTier == nil)
        #expect(runner.timeLimit == nil)
        #expect(runner.configuration.timeLimit == nil)
    }

    @Test("wasm run --time-limit and --fuel: the store's bounds, and bad values refused with exact messages")
    func wasmRunBounds() throws {
        let run = try parse(["wasm", "run", "spin.wasm", "--time-limit", "250", "--fuel", "18446744073709551615"], as: WasmCommand.Run.self)
        #expect(run.runner.timeLimit == 250)
        #expect(run.runner.configuration.timeLimit?.nanoseconds == 250_000_000)
        #expect(run.runner.configuration.fuel == UInt64.max)
        let bad: [([String], String)] = [
            (["--fuel", "0"], "--fuel must be at least 1"),
            (["--fuel", "-5"], "The value '-5' is invalid for '--fuel <n>': give a whole number of units from 1 to 18446744073709551615"),
            (["--fuel", "ten"], "The value 'ten' is invalid for '--fuel <n>': give a whole number of units from 1 to 18446744073709551615"),
            (["--fuel", "18446744073709551616"], "The value '18446744073709551616' is invalid for '--fuel <n>': give a whole number of units from 1 to 18446744073709551615"),
            (["--fuel"], "Missing value for '--fuel <n>'"),
            (["--time-limit", "0"], "--time-limit must be at least 1 (milliseconds)"),
            (["--time-limit", "-1"], "The value '-1' is invalid for '--time-limit <ms>': give a whole number of milliseconds from 1 to 18446744073709"),
            (["--time-limit", "1.5"], "The value '1.5' is invalid for '--time-limit <ms>': give a whole number of milliseconds from 1 to 18446744073709"),
            (["--time-limit", "18446744073710"], "--time-limit must be at most 18446744073709 (milliseconds)"),
            (["--time-limit", "99999999999999999999"], "The value '99999999999999999999' is invalid for '--time-limit <ms>': give a whole number of milliseconds from 1 to 18446744073709"),
        ]
        for (options, message) in bad {
            let error = #expect(throws: (any Error).self, "\(options)") { try SEL4Img.parseAsRoot(["wasm", "run", "spin.wasm"] + options) }
            #expect(SEL4Img.message(for: try #require(error)) == message, "\(options)")
        }
        let largest = try parse(["wasm", "run", "spin.wasm", "--time-limit", "18446744073709"], as: WasmCommand.Run.self)
        #expect(largest.runner.configuration.timeLimit?.nanoseconds == 18_446_744_073_709_000_000)
    }

    @Test("wasm run --aot derives the AOT tier: the glue from the data directory, the cache from the environment")
    func wasmRunAOT() throws {
        let run = try parse(["wasm", "run", "--aot", "tool.wasm", "--", "--aot"], as: WasmCommand.Run.self)
        #expect(run.runner.arguments == ["--aot"])
        let tier = try #require(run.aotTier)
        #expect(tier.glue.path.hasSuffix("/runner/aot/wasi-glue.c"))
        #expect(FileManager.default.fileExists(atPath: tier.glue.path))
        #expect(AOTTier.defaultCacheDirectory(environment: ["SEL4IMG_AOT_CACHE": "/c", "XDG_CACHE_HOME": "/x", "HOME": "/h"]).path == "/c")
        #expect(AOTTier.defaultCacheDirectory(environment: ["XDG_CACHE_HOME": "/x", "HOME": "/h"]).path == "/x/sel4img/aot")
        #expect(AOTTier.defaultCacheDirectory(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"]).path == "/h/.cache/sel4img/aot")
    }
}
