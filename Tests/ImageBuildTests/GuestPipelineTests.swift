import Boards
import Foundation
import GuestImage
import ImageAssembly
import Support
import Testing
import TestSupport
@testable import ImageBuild

/// How `sel4img build` handles an app with a Linux guest: inputs, the guest
/// directory handed to CMake, and the guest's files among the artifacts.
@Suite struct GuestPipelineTests {
    /// A checkout with guest files, a workspace with a CMake project, and blob files.
    struct Setup {
        let dir: TemporaryDirectory
        let pipeline: BuildPipeline

        init(wasm: WasmBundle? = nil, files: [App.Guest.File]? = nil) throws {
            let dir = try TemporaryDirectory("sel4img-guest-pipeline")
            self.dir = dir
            let checkout = dir.path("checkout")
            try dir.write("checkout/guest/init", "#!/bin/busybox sh\nexec /bin/busybox sh\n")
            try dir.write("checkout/guest/board.dts", """
                /dts-v1/;
                / {
                \t#address-cells = <2>;
                \t#size-cells = <2>;
                \tchosen { stdout-path = "/pl011@9000000"; };
                \tmemory@40000000 { device_type = "memory"; reg = <0x0 0x40000000 0x0 0x20000000>; };
                };

                """)
            try dir.write("workspace/CMakeLists.txt", "# stands for seL4's top-level project\n")
            var kernel = Data(repeating: 0, count: 64)
            kernel.replaceSubrange(56..<60, with: [0x41, 0x52, 0x4D, 0x64])
            try dir.write("blobs/busybox", "#!fake busybox\n")
            try kernel.write(to: dir.path("blobs/Image"))
            let blob = { (name: String) in
                Blob(sha256: try! SHA256Hex.ofFile(at: dir.path("blobs/\(name)")), path: dir.path("blobs/\(name)").path, package: nil)
            }
            let guest = App.Guest(kernel: blob("Image"), busybox: blob("busybox"), deviceTree: "guest/board.dts",
                                  bootargs: "console=ttyAMA0 rdinit=/init", initrdAddress: 0x4d70_0000,
                                  files: files ?? [.init(source: "guest/init", path: "/init", mode: 0o755)],
                                  directorySetting: "SEL4IMG_GUEST_DIR")
            let app = App(name: "test-vm", description: "a guest", manifest: "test-vm.xml", patchSets: [],
                          cmake: .init(settings: [:], boards: [:]), supportedBoards: ["qemu-virt"],
                          console: .init(success: ["ok"], failure: [], timeoutSeconds: 10), outputs: ["image": "images/x"],
                          guest: guest)
            let board = try Board.load(from: repositoryRoot.appendingPathComponent("boards/qemu-virt.yaml"))
            try FileManager.default.createSymbolicLink(at: checkout.appendingPathComponent("boards"),
                                                       withDestinationURL: repositoryRoot.appendingPathComponent("boards"))
            var options = BuildPipeline.Options(wasm: wasm)
            options.guestBlobs = BlobCache(directory: dir.path("cache"))
            pipeline = BuildPipeline(dataDirectory: checkout, workspaceRoot: dir.path("workspace"), board: board, app: app, options: options)
        }

        func module(_ name: String) throws -> URL {
            let url = dir.path("modules/\(name)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]).write(to: url)
            return url
        }
    }

    @Test("--wasm is optional for a guest app, and --args is refused: the guest gives the arguments")
    func inputs() throws {
        let plain = try Setup()
        defer { plain.dir.remove() }
        try plain.pipeline.checkInputs()

        let withModules = try Setup(wasm: WasmBundle(modules: [try plain.module("hello.wasm")]))
        defer { withModules.dir.remove() }
        try withModules.pipeline.checkInputs()

        let withArgs = try Setup(wasm: WasmBundle(modules: [try plain.module("hello.wasm")], arguments: ["one"]))
        defer { withArgs.dir.remove() }
        let error = #expect(throws: BuildError.self) { try withArgs.pipeline.checkInputs() }
        #expect(error?.description == "--args is not used by app 'test-vm': arguments are given in the guest: emit FILE.wasm ARGS")
        #expect(error?.hint == "build with --wasm only; the modules are in /wasm in the guest")
    }

    @Test("a missing guest file stops the build before any work, naming the app file and the key")
    func missingFile() throws {
        let setup = try Setup(files: [.init(source: "guest/init", path: "/init", mode: 0o755), .init(source: "guest/agent", path: "/usr/bin/agent")])
        defer { setup.dir.remove() }
        let error = #expect(throws: GuestImageError.self) { try setup.pipeline.checkInputs() }
        #expect(error?.description == "apps/test-vm.yaml: key 'guest.files.guest/agent': guest/agent does not exist in the sel4img checkout at \(setup.dir.path("checkout").path)")
    }

    @Test("CMake gets the guest directory in the app's directorySetting, beside the build directory")
    func cmakeSetting() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        let invocation = try setup.pipeline.cmakeInvocation()
        #expect(setup.pipeline.guestDirectory.path == setup.dir.path("workspace/build/qemu-virt-test-vm-guest").path)
        #expect(invocation.definitions["SEL4IMG_GUEST_DIR"] == setup.dir.path("workspace/build/qemu-virt-test-vm-guest").path)
    }

    @Test("the guest's files are built with the --wasm modules and become artifacts with their roles")
    func buildAndArtifacts() throws {
        let setup = try Setup()
        defer { setup.dir.remove() }
        let bundle = WasmBundle(modules: [try setup.module("hello.wasm")], arguments: [])
        var options = setup.pipeline.options
        options.wasm = bundle
        let pipeline = BuildPipeline(dataDirectory: setup.pipeline.dataDirectory, workspaceRoot: setup.pipeline.workspaceRoot,
                                     board: setup.pipeline.board, app: setup.pipeline.app, options: options)
        let outputs = try #require(try pipeline.buildGuest(progress: QuietProgress()))
        #expect(outputs.directory.path == pipeline.guestDirectory.path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: pipeline.guestDirectory.path).sorted() == ["linux", "linux.dtb", "rootfs.cpio.gz"])
        #expect(try sh("gzip -dc rootfs.cpio.gz | cpio -it --quiet wasm/hello.wasm", in: pipeline.guestDirectory) == "wasm/hello.wasm\n")

        let builder = try pipeline.builder()
        let staging = setup.dir.path("staging")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        var artifacts: [Artifact] = []
        let extra = try builder.extraFiles(&artifacts, staging)
        #expect(artifacts.map(\.role) == ["guest-kernel", "guest-rootfs", "guest-dtb"])
        #expect(artifacts.map(\.file) == ["linux", "rootfs.cpio.gz", "linux.dtb"])
        for artifact in artifacts {
            #expect(artifact.sha256 == (try SHA256Hex.ofFile(at: pipeline.guestDirectory.appendingPathComponent(artifact.file))))
            #expect(try Data(contentsOf: staging.appendingPathComponent(artifact.file)).count == artifact.size)
        }
        let provenance = try #require(extra["provenance.json"].map { String(decoding: $0, as: UTF8.self) })
        #expect(provenance.contains("\"guest-rootfs\""))
        #expect(provenance.contains("\"SEL4IMG_GUEST_DIR\" : \"${WORKSPACE}/build/qemu-virt-test-vm-guest\""))
        // The SBOM beside it: the guest's kernel and busybox and the module, with their hashes, and pyspdxtools accepts it.
        let sbomData = try #require(extra[SBOM.fileName])
        let sbom = try jsonObject(sbomData)
        try extra["provenance.json"]!.write(to: setup.dir.path("provenance.json"))
        let recorded = try Provenance.read(setup.dir.path("provenance.json"))
        let kernel = try #require(recorded.components?.first { $0.name == "kernel" })
        #expect(kernel.kind == "guest component")
        #expect(try element(sbom, "packages", named: "kernel")["checksums"] as? [[String: String]] == [["algorithm": "SHA256", "checksumValue": kernel.sha256]])
        let module = try element(sbom, "packages", named: "hello.wasm")
        #expect(module["checksums"] as? [[String: String]] == [["algorithm": "SHA256", "checksumValue": try SHA256Hex.ofFile(at: try setup.module("hello.wasm"))]])
        #expect(sbomData == (try SBOM.document(for: recorded, directory: staging)))
        try sbomData.write(to: setup.dir.path("sbom.spdx.json"))
        _ = try sh("pyspdxtools -i sbom.spdx.json", in: setup.dir.url)

        // Another guest, another collection context: the artifacts are collected again.
        let before = builder.collectionContext
        try setup.dir.write("checkout/guest/init", "#!/bin/busybox sh\nexec /bin/busybox sh -l\n")
        try pipeline.buildGuest(progress: QuietProgress())
        #expect(try pipeline.builder().collectionContext != before)
    }
}
