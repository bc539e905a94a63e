import Foundation
import Testing
import TestSupport

/// An air-gapped site carrying the product: wasm-vm's manifest leaves large
/// prebuilt images out with `<exclude>` (the mirror's partial copies lack
/// them), so its workspace's stores miss those blobs. `sel4img bundle` must
/// still write a bundle, and a second workspace synced `--locked` from the
/// bundle alone must leave out the same files, plan the same build, and build
/// the system (the default app) for every board with the same SHA256SUMS as
/// the first: qemu-virt, rpi4 as built for hardware (8G, 2 cores: no
/// `--emulated`), tx1 and tx2, each with greet.wasm in the guest's /wasm (as
/// WasmVMDiskMirrorTests builds them). The second workspace's sync and builds
/// run air-gapped (`unshare --mount`): the mirror and the first workspace are
/// empty read-only tmpfs mounts, so reaching either fails (a sync from the
/// mirror there is shown to). Boot blobs and the guest's packages come from
/// the blob cache, as on a site that copied it. (Not `--net` too: in a network
/// namespace of its own, sel4img's Foundation `Process.waitUntilExit` can
/// miss a child's exit; `sel4img doctor` hung there 3 times in 3.)
/// Both workspaces compile through one `--cache` directory (the second hits
/// it), which must keep their paths out of every output.
/// Needs GHC and camkes-deps (`scripts/setup.sh` installs them); about 40
/// minutes on 2 cores. SEL4IMG_TEST_KEEP=DIR keeps the workspaces below DIR.
@Suite(.serialized, .enabled(if: mirror != nil, "set SEL4IMG_TEST_MIRROR to an offline mirror of the seL4 and CAmkES repositories"))
struct WasmVMBundleMirrorTests {
    static let boards = ["qemu-virt", "rpi4", "tx1", "tx2"]

    @Test("wasm-vm's workspace, whose stores lack the excluded blobs, bundles; a workspace synced --locked from the bundle alone, with the mirror and the first workspace out of reach, leaves out the same files, plans the same build, and builds every board's system image with the same SHA256SUMS")
    func bundleWithExcludes() throws {
        let (root, keep) = try integrationRoot("wasm-vm-bundle")
        defer { if !keep { try? FileManager.default.removeItem(at: root) } }
        let ws = root.appendingPathComponent("ws"), bundle = root.appendingPathComponent("bundle"), other = root.appendingPathComponent("ws2")
        let cache = root.appendingPathComponent("cache")
        let manifest = repositoryRoot.appendingPathComponent("manifests/wasm-vm.xml").path
        func report(_ r: CommandResult, _ args: [String]) -> CommandResult {
            if r.status != 0 { print("sel4img \(args.joined(separator: " ")) exited \(r.status):\n\(r.stdout.suffix(1500))\n\(r.stderr.suffix(3000))") }
            return r
        }
        func run(_ args: [String], mirrored: Bool = false) throws -> CommandResult {
            report(try runSel4img(args, environment: mirrored ? ["SEL4IMG_MIRROR": mirror!] : [:]), args)
        }
        /// sel4img where the mirror and the first workspace are empty and
        /// read-only (tmpfs mounts in a mount namespace only this process
        /// and its children see); exit 97/98 if that could not be set up.
        func airGapped(_ args: [String]) throws -> CommandResult {
            let script = """
                mount -t tmpfs -o ro sel4img-air-gap "$1" && mount -t tmpfs -o ro sel4img-air-gap "$2" || exit 97
                [ -z "$(ls -A "$1")" ] && [ -z "$(ls -A "$2")" ] || exit 98
                shift 2
                exec "$@"
                """
            let user = getuid() == 0 ? [] : ["--map-root-user"]
            return report(try runSel4img(user + ["--mount", "--propagation", "private", "sh", "-c", script, "sh", mirror!, ws.path,
                                                 productsDirectory.appendingPathComponent("sel4img").path] + args,
                                         executable: URL(fileURLWithPath: "/usr/bin/unshare")), args)
        }
        // A kept first workspace and cache are reused (Ninja and ccache have little to do); the rest is made anew.
        for dir in [bundle, other] { try? FileManager.default.removeItem(at: dir) }
        if !FileManager.default.fileExists(atPath: ws.appendingPathComponent("sel4img.lock").path) {
            #expect(try run(["init", "--manifest", manifest, "-w", ws.path], mirrored: true).status == 0)
        }
        #expect(try run(["sync", "-w", ws.path], mirrored: true).status == 0)
        #expect(try run(["bundle", "-o", bundle.path, "-w", ws.path]).status == 0)
        // The bundle holds camkes-vm-images' pinned commit without the blobs nobody had (the case that failed).
        let images = bundle.appendingPathComponent("github.com/seL4/camkes-vm-images.git")
        let missing = try sh("git ls-tree -r --object-only bafad64282c14d0bbf15468bfd6265e648d87d6c | while read b; do git cat-file -e $b 2>/dev/null || echo $b; done | wc -l",
                             in: images)
        #expect((Int(missing.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 0)
        let marker = try JSONSerialization.jsonObject(with: Data(contentsOf: bundle.appendingPathComponent("sel4img-bundle.json"))) as? [String: Any]
        let excluded = marker?["excluded"] as? [String: [String]]
        #expect(excluded?["projects/vm-examples"]?.contains("linux/linux") == true)
        #expect(excluded?["projects/camkes-vm-images"]?.contains("exynos5422") == true)

        // The air gap holds: in it, the mirror is there but empty, so a sync from it fails.
        let control = root.appendingPathComponent("control")
        try? FileManager.default.removeItem(at: control)
        #expect(try airGapped(["init", "--manifest", manifest, "-w", control.path]).status == 0)
        let unreachable = try airGapped(["sync", "--mirror", mirror!, "-w", control.path])
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("the mirror \(URL(fileURLWithPath: mirror!).standardizedFileURL.path) has no copy of https://github.com/"),
                "\(unreachable.stderr.suffix(2000))")
        try? FileManager.default.removeItem(at: control)

        // The bundle is the only source (runSel4img clears SEL4IMG_MIRROR, and the mirror is out of reach).
        #expect(try airGapped(["init", "--manifest", bundle.path, "-w", other.path]).status == 0)
        #expect(try airGapped(["sync", "--locked", "-w", other.path]).status == 0)
        #expect(try Data(contentsOf: other.appendingPathComponent("sel4img.lock")) == Data(contentsOf: ws.appendingPathComponent("sel4img.lock")))
        for (project, paths) in excluded ?? [:] {
            for path in paths {
                #expect(!FileManager.default.fileExists(atPath: other.appendingPathComponent("\(project)/\(path)").path), "\(project)/\(path)")
            }
        }
        #expect(try run(["status", "-w", other.path]).status == 0)

        // No --app: the default, wasm-vm; the same plan as the first workspace's but for its paths.
        let first = try run(["build", "--plan", "-w", ws.path])
        let second = try run(["build", "--plan", "-w", other.path])
        #expect(first.status == 0 && second.status == 0)
        #expect(second.stdout.contains("\"app\" : \"wasm-vm\""))
        #expect(second.stdout.replacingOccurrences(of: other.path, with: "WS") == first.stdout.replacingOccurrences(of: ws.path, with: "WS"))

        // Every board's system, built in each workspace, one build at a time.
        let greet = try WasmVMDiskMirrorTests().module(in: root)
        for board in Self.boards {
            let label = "\(board)-wasm-vm"
            let args = ["build", "--board", board, "--wasm", greet.path, "--cache", cache.path, "--progress", "plain"]
            var started = Date()
            let mirrored = try run(args + ["-w", ws.path], mirrored: true)
            let firstSeconds = Date().timeIntervalSince(started)
            #expect(mirrored.status == 0, "\(board)")
            started = Date()
            let airGappedBuild = try airGapped(args + ["--locked", "-w", other.path])
            let secondSeconds = Date().timeIntervalSince(started)
            #expect(airGappedBuild.status == 0, "\(board)")
            guard mirrored.status == 0, airGappedBuild.status == 0 else { continue }

            let artifacts = [ws, other].map { $0.appendingPathComponent("artifacts/\(label)") }
            let sums = try artifacts.map { try String(contentsOf: $0.appendingPathComponent("SHA256SUMS"), encoding: .utf8) }
            #expect(sums[0] == sums[1], "\(board): SHA256SUMS differ:\n\(sums[0])\n---\n\(sums[1])")
            let names = sums[0].split(separator: "\n").map { String($0.dropFirst(66)) }
            #expect(names.contains("\(label).img"), "\(board): \(names)")
            let loader = names.first { $0.hasPrefix("capdl-loader-image-arm-") }
            #expect(loader != nil, "\(board): \(names)")
            for (dir, workspace) in zip(artifacts, [ws, other]) {
                // Every file the sums name is there with that hash (coreutils' sha256sum, not sel4img).
                let check = try sh("sha256sum --check --strict SHA256SUMS", in: dir)
                #expect(check == names.map { "\($0): OK\n" }.joined(), "\(board): \(check)")
                // Neither workspace's path is in any of them (ccache's and the compilers' path maps).
                for path in [ws.path, other.path] {
                    let leaks = try sh("grep -l -a -F -e '\(path)' -- \(names.map { "'\($0)'" }.joined(separator: " ")) || true", in: dir)
                    #expect(leaks.isEmpty, "\(board): \(path) is in \(leaks) of \(workspace.lastPathComponent)")
                }
            }
            let size = { (name: String) in (try? FileManager.default.attributesOfItem(atPath: artifacts[0].appendingPathComponent(name).path)[.size]) as? Int ?? -1 }
            print("\(board): mirror-synced build \(String(format: "%.0f", firstSeconds)) s, bundle-synced (air-gapped, cache warm) \(String(format: "%.0f", secondSeconds)) s; "
                  + "disk \(label).img \(size("\(label).img")) bytes, \(loader ?? "capDL loader image") \(size(loader ?? "-")) bytes; \(names.count) files in SHA256SUMS, equal: \(sums[0] == sums[1])")
        }
    }
}
