import Foundation
import Testing
import TestSupport

/// An air-gapped site carrying the product: wasm-vm's manifest leaves large
/// prebuilt images out with `<exclude>` (the mirror's partial copies lack
/// them), so its workspace's stores miss those blobs. `sel4img bundle` must
/// still write a bundle, and a second workspace synced from the bundle alone
/// must leave out the same files and plan the same build.
/// SEL4IMG_TEST_KEEP=DIR keeps the workspaces below DIR.
@Suite(.serialized, .enabled(if: mirror != nil, "set SEL4IMG_TEST_MIRROR to an offline mirror of the seL4 and CAmkES repositories"))
struct WasmVMBundleMirrorTests {
    @Test("wasm-vm's workspace, whose stores lack the excluded blobs, bundles; a workspace synced --locked from the bundle alone leaves out the same files, is clean, and plans the same wasm-vm build")
    func bundleWithExcludes() throws {
        let (root, keep) = try integrationRoot("wasm-vm-bundle")
        defer { if !keep { try? FileManager.default.removeItem(at: root) } }
        let ws = root.appendingPathComponent("ws"), bundle = root.appendingPathComponent("bundle"), other = root.appendingPathComponent("ws2")
        let manifest = repositoryRoot.appendingPathComponent("manifests/wasm-vm.xml").path
        func run(_ args: [String], mirrored: Bool = false) throws -> CommandResult {
            let r = try runSel4img(args, environment: mirrored ? ["SEL4IMG_MIRROR": mirror!] : [:])
            if r.status != 0 { print("sel4img \(args.joined(separator: " ")) exited \(r.status):\n\(r.stderr.suffix(3000))") }
            return r
        }
        #expect(try run(["init", "--manifest", manifest, "-w", ws.path], mirrored: true).status == 0)
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

        // runSel4img clears SEL4IMG_MIRROR: the bundle is the only source.
        #expect(try run(["init", "--manifest", bundle.path, "-w", other.path]).status == 0)
        #expect(try run(["sync", "--locked", "-w", other.path]).status == 0)
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
    }
}
