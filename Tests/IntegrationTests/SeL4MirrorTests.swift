import Foundation
import Testing
import TestSupport

/// The real thing, against a local mirror of the public seL4 repositories
/// (laid out as MIRROR/github.com/seL4/seL4.git, … by shared/tools/make-mirror).
/// Set SEL4IMG_TEST_MIRROR to run it; it syncs sel4img's pinned sel4test
/// manifest, builds with seL4's CMake/Ninja, and boots under QEMU.
/// SEL4IMG_TEST_KEEP=DIR keeps the workspace there for inspection.
let mirror = ProcessInfo.processInfo.environment["SEL4IMG_TEST_MIRROR"]

@Suite(.serialized, .enabled(if: mirror != nil, "set SEL4IMG_TEST_MIRROR to an offline mirror of the seL4 repositories"))
struct SeL4MirrorTests {
    let workspace: URL
    let keep: Bool

    init() throws {
        if let dir = ProcessInfo.processInfo.environment["SEL4IMG_TEST_KEEP"] {
            workspace = URL(fileURLWithPath: dir)
            keep = true
        } else {
            workspace = try TemporaryDirectory("sel4img-integration").url
            keep = false
        }
    }

    func sel4img(_ args: [String]) throws -> CommandResult {
        let r = try runSel4img(args + ["-w", workspace.path], environment: ["SEL4IMG_MIRROR": mirror!])
        if r.status != 0 { print("sel4img \(args.joined(separator: " ")) exited \(r.status):\n\(r.stderr.suffix(3000))") }
        return r
    }

    @Test("init and sync of the sel4test manifest give a tree seL4's own init-build.sh and ninja build, and sel4img builds and boots it")
    func sel4testOnQEMU() throws {
        defer { if !keep { try? FileManager.default.removeItem(at: workspace) } }
        let manifest = productsDirectory.appendingPathComponent("../../../manifests/sel4test.xml").standardizedFileURL
        #expect(try sel4img(["init", "--manifest", manifest.path]).status == 0)
        let sync = try sel4img(["sync", "--progress", "plain"])
        #expect(sync.status == 0)
        #expect(sync.stdout.hasPrefix("Synced 9 projects (9 checked out)"))
        // Checkouts hold .git as a file: seL4's musllibc step runs `rm -f src/.git` on a copy.
        var isDir: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: workspace.appendingPathComponent("projects/musllibc/.git").path, isDirectory: &isDir) && !isDir.boolValue)

        let again = try sel4img(["sync", "--locked"])
        #expect(again.status == 0)
        #expect(again.stdout.hasPrefix("All 9 projects up to date"))

        // seL4's own flow on the synced tree.
        let manual = workspace.appendingPathComponent("build-init-build-sh")
        try FileManager.default.createDirectory(at: manual, withIntermediateDirectories: true)
        try sh("../init-build.sh -DPLATFORM=qemu-arm-virt -DAARCH64=1 -DSIMULATION=TRUE >configure.log 2>&1 && ninja >ninja.log 2>&1", in: manual)
        #expect(FileManager.default.fileExists(atPath: manual.appendingPathComponent("images/sel4test-driver-image-arm-qemu-arm-virt").path))

        let build = try sel4img(["build", "--board", "qemu-virt", "--app", "sel4test", "--progress", "plain"])
        #expect(build.status == 0)
        #expect(build.stdout.contains("Built qemu-virt-sel4test in"))
        let noop = try sel4img(["build", "--board", "qemu-virt", "--app", "sel4test"])
        #expect(noop.status == 0)
        #expect(noop.stdout.contains("qemu-virt-sel4test is up to date: Ninja had no work to do"))

        let boot = try sel4img(["qemu", "--board", "qemu-virt", "--app", "sel4test", "--timeout", "600"])
        #expect(boot.status == 0)
        #expect(boot.stdout.contains("All is well in the universe"))
        let passed = boot.stdout.split(separator: "\n").first { $0.hasPrefix("Test suite passed.") }
        print("sel4test: \(passed ?? "no pass line")")
        #expect(passed != nil)

        // The same build's disk image, booted through U-Boot as an SD card would be.
        let disk = try sel4img(["qemu", "--app", "sel4test", "--disk", "--timeout", "600"])
        #expect(disk.status == 0)
        #expect(disk.stdout.contains("sel4img: loading sel4.uimg from virtio 0:1"))
        #expect(disk.stdout.contains("All is well in the universe"))

        // A pattern that never appears times out with status 2; a failure pattern gives 1.
        let timeout = try sel4img(["qemu", "--app", "sel4test", "--expect", "this never appears", "--timeout", "5"])
        #expect(timeout.status == 2)
        let failing = try sel4img(["qemu", "--app", "sel4test", "--fail", "Booting all finished", "--timeout", "120"])
        #expect(failing.status == 1)

        // Air-gapped: a bundle of this workspace builds, in another directory,
        // artifacts with the same bytes (paths and QEMU's DTB seeds do not leak in).
        let bundle = workspace.appendingPathComponent("../\(workspace.lastPathComponent)-bundle").standardizedFileURL
        let other = workspace.appendingPathComponent("../\(workspace.lastPathComponent)-second").standardizedFileURL
        defer { try? FileManager.default.removeItem(at: bundle); try? FileManager.default.removeItem(at: other) }
        try? FileManager.default.removeItem(at: bundle)
        try? FileManager.default.removeItem(at: other)
        #expect(try sel4img(["bundle", "-o", bundle.path]).status == 0)
        // runSel4img clears SEL4IMG_MIRROR: the bundle is the only source.
        #expect(try runSel4img(["init", "--manifest", bundle.path, "-w", other.path]).status == 0)
        #expect(try runSel4img(["sync", "--locked", "-w", other.path]).status == 0)
        let second = try runSel4img(["build", "--board", "qemu-virt", "--app", "sel4test", "-w", other.path])
        #expect(second.status == 0)
        let sums = { (root: URL) in try String(contentsOf: root.appendingPathComponent("artifacts/qemu-virt-sel4test/SHA256SUMS"), encoding: .utf8) }
        #expect(try sums(workspace) == sums(other))
        #expect(try runSel4img(["verify", other.appendingPathComponent("artifacts/qemu-virt-sel4test").path]).status == 0)
        // The SBOM (in SHA256SUMS, so the same bytes in both workspaces): valid SPDX 2.3 by
        // pyspdxtools, with the remote URLs and the patch sets, and 'sel4img sbom' writes it again.
        let artifacts = other.appendingPathComponent("artifacts/qemu-virt-sel4test")
        _ = try sh("pyspdxtools -i sbom.spdx.json", in: artifacts)
        let sbom = try String(contentsOf: artifacts.appendingPathComponent("sbom.spdx.json"), encoding: .utf8)
        #expect(sbom.contains("\"downloadLocation\" : \"git+https://github.com/seL4/seL4.git@"))
        #expect(sbom.contains("\"name\" : \"patch set reproducible\""))
        #expect(try runSel4img(["sbom", artifacts.path]).stdout == sbom)

        for board in ["rpi4", "tx1", "tx2"] {
            let r = try sel4img(["build", "--board", board, "--app", "sel4test", "--progress", "plain"])
            #expect(r.status == 0, "\(board)")
            let platform = ["rpi4": "bcm2711", "tx1": "tx1", "tx2": "tx2"][board]!
            #expect(FileManager.default.fileExists(atPath: workspace.appendingPathComponent("artifacts/\(board)-sel4test/sel4test-driver-image-arm-\(platform)").path), "\(board)")
            // Every U-Boot board gets a boot disk. rpi4's carries the firmware, DTB and U-Boot
            // from Debian packages (downloaded into the blob cache unless 'sel4img blobs fetch' seeded it).
            let diskImage = workspace.appendingPathComponent("artifacts/\(board)-sel4test/\(board)-sel4test.img").path
            #expect(FileManager.default.fileExists(atPath: diskImage), "\(board)")
            if board == "rpi4" {
                #expect(!r.stderr.contains("no disk image"))
                let listing = try sh("mdir -b -i \(diskImage)@@1M ::")
                #expect(listing == "::/bcm2711-rpi-4-b.dtb\n::/boot.scr\n::/config.txt\n::/fixup4.dat\n::/sel4.bin\n::/start4.elf\n::/u-boot.bin\n")
                // Its SBOM names each blob with its URL and hash.
                let sbomFile = workspace.appendingPathComponent("artifacts/rpi4-sel4test/sbom.spdx.json")
                _ = try sh("pyspdxtools -i \(sbomFile.path)")
                let sbom = try String(contentsOf: sbomFile, encoding: .utf8)
                #expect(sbom.contains("\"downloadLocation\" : \"https://deb.debian.org/debian/pool/non-free-firmware/r/raspi-firmware/raspi-firmware_1.20220830+ds-1_all.deb\""))
                #expect(sbom.contains("\"checksumValue\" : \"36d12ae9eda1a508430e65d7877aada4d6c8dbe61a6dd3bbf20da1ed6ca58f70\""))
            }
        }
    }
}
