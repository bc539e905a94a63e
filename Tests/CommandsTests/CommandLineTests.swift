import Foundation
import Testing
import TestSupport

/// Runs the built binary and checks stdout, stderr and exit status.
@Suite struct CommandLineTests {
    @Test("an unknown board is refused with the list of valid boards")
    func unknownBoard() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let r = try runSel4img(["build", "--board", "rpi5", "--app", "sel4test", "-w", dir.url.path])
        #expect(r.status == 1)
        #expect(r.stderr == "error: unknown board 'rpi5'; valid boards: qemu-virt, rpi4, tx1, tx2\n")
    }

    @Test("an unknown app is refused with the list of valid apps")
    func unknownApp() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let r = try runSel4img(["build", "--board", "qemu-virt", "--app", "nope", "-w", dir.url.path])
        #expect(r.status == 1)
        #expect(r.stderr == "error: unknown app 'nope'; valid apps: sel4test, wasm-runner, wasm-vm\n")
    }

    @Test("qemu on a board without an emulator names the boards that have one")
    func noEmulator() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let r = try runSel4img(["qemu", "--board", "tx1", "-w", dir.url.path])
        #expect(r.status == 1)
        #expect(r.stderr == """
            error: board 'tx1' has no emulator; boards that boot under QEMU: qemu-virt, rpi4
            hint: build an image for tx1 and flash it ('sel4img build --board tx1')

            """)
    }

    @Test("qemu before any build says which build to run")
    func qemuBeforeBuild() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // With no --app: the default, wasm-vm.
        let r = try runSel4img(["qemu", "-w", dir.url.path])
        #expect(r.status == 1)
        #expect(r.stderr == """
            error: no image has been built in \(dir.url.path)/artifacts/qemu-virt-wasm-vm
            hint: run 'sel4img build --board qemu-virt --app wasm-vm' first

            """)
    }

    @Test("sync outside a workspace says how to start one")
    func syncOutsideWorkspace() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let r = try runSel4img(["sync", "-w", dir.url.path])
        #expect(r.status == 1)
        #expect(r.stderr == """
            error: \(dir.url.path) is not a sel4img workspace (no .sel4img directory)
            hint: run 'sel4img init --manifest PATH|URL --workspace \(dir.url.path)' first

            """)
    }

    @Test("a missing cross compiler points at sel4img doctor before any work starts")
    func missingCrossCompiler() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // A PATH with cmake and friends but no aarch64 compiler.
        for tool in ["cmake", "ninja", "dtc", "protoc", "xmllint", "cpio", "python3"] {
            if let real = ["/usr/bin/\(tool)", "/usr/local/bin/\(tool)"].first(where: { FileManager.default.fileExists(atPath: $0) }) {
                try FileManager.default.createDirectory(at: dir.path("bin"), withIntermediateDirectories: true)
                try FileManager.default.createSymbolicLink(atPath: dir.path("bin/\(tool)").path, withDestinationPath: real)
            }
        }
        let r = try runSel4img(["build", "--app", "sel4test", "-w", dir.path("ws").path], environment: ["PATH": dir.path("bin").path])
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("error: Could not find 'aarch64-linux-gnu-gcc', which is required to"))
        #expect(r.stderr.contains("apt-get install gcc-aarch64-linux-gnu"))
        #expect(r.stderr.contains("(run 'sel4img doctor' for a full check)"))
        #expect(!FileManager.default.fileExists(atPath: dir.path("ws/.sel4img").path))
    }

    @Test("bad option values are refused before any work")
    func validation() throws {
        let r = try runSel4img(["sync", "-j", "0"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("Error: -j must be between 1 and 64; got 0"))
        let t = try runSel4img(["qemu", "--timeout=-3"])
        #expect(t.status == 64)
        #expect(t.stderr.contains("--timeout must be a positive number of seconds; got -3.0"))
    }

    @Test("boards --json lists the four boards and the sel4test app")
    func boardsJSON() throws {
        let r = try runSel4img(["boards", "--json"])
        #expect(r.status == 0)
        struct Listing: Decodable {
            struct Named: Decodable { var name: String }
            var boards: [Named]
            var apps: [Named]
        }
        let listing = try JSONDecoder().decode(Listing.self, from: Data(r.stdout.utf8))
        #expect(listing.boards.map(\.name) == ["qemu-virt", "rpi4", "tx1", "tx2"])
        #expect(listing.apps.map(\.name) == ["sel4test", "wasm-runner", "wasm-vm"])
    }

    @Test("boards prints every board and app name whole, in aligned columns")
    func boardsTable() throws {
        let r = try runSel4img(["boards"])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        let apps = Array(lines.drop { !$0.hasPrefix("Apps (") }.dropFirst())
        #expect(apps.map { $0.split(separator: " ").first.map(String.init) } == ["sel4test", "wasm-runner", "wasm-vm"], "\(r.stdout)")
        #expect(apps.map { $0.range(of: " boards: ")?.lowerBound.utf16Offset(in: $0) } == [13, 13, 13], "\(r.stdout)")
        let boards = lines.drop { !$0.hasPrefix("Boards (") }.dropFirst().prefix { !$0.hasPrefix("Apps (") }
        #expect(boards.map { $0.split(separator: " ").first.map(String.init) } == ["qemu-virt", "rpi4", "tx1", "tx2"])
        #expect(Set(boards.map { $0.range(of: "PLATFORM=")?.lowerBound.utf16Offset(in: $0) }).count == 1)
    }

    @Test("--help teaches the main flow and lists every command")
    func help() throws {
        let r = try runSel4img(["--help"])
        #expect(r.status == 0)
        for command in ["init", "sync", "status", "bundle", "patch", "boards", "doctor", "build", "qemu", "test"] {
            #expect(r.stdout.contains("\n  \(command) "), "missing \(command)")
        }
        // The default app, wasm-vm, with the example module run from the guest's shell; sel4test named.
        #expect(r.stdout.contains("sel4img build --board qemu-virt --wasm examples/hello.wasm\n"))
        #expect(r.stdout.contains("sel4img qemu --board qemu-virt --script examples/hello.sh\n"))
        #expect(r.stdout.contains("sel4img test --board qemu-virt --app sel4test"))
    }

    @Test("bundle --help gives an air-gapped site's three steps and says the boot blobs travel in the blob cache")
    func bundleHelp() throws {
        let r = try runSel4img(["bundle", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("  sel4img init --manifest BUNDLE -w WS\n  sel4img sync --locked -w WS\n  sel4img build --locked --board B -w WS\n"), "\(r.stdout)")
        let text = r.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("run 'sel4img blobs fetch' here and copy the blob cache (~/.cache/sel4img/blobs) there too."), "\(r.stdout)")
    }
}
