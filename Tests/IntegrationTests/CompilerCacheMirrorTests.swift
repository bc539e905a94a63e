import Foundation
import Testing
import TestSupport

/// sel4test for qemu-virt built in three fresh workspaces: without a cache, then
/// twice with one `--cache DIR`. The third build's compilations hit, and all three
/// give the same SHA256SUMS (ccache's rewritten paths match the uncached build's).
@Suite(.serialized, .enabled(if: mirror != nil, "set SEL4IMG_TEST_MIRROR to an offline mirror of the seL4 repositories"))
struct CompilerCacheMirrorTests {
    @Test("a second workspace building sel4test with the same --cache directory hits the cache, and cached and uncached builds are identical")
    func sharedCacheDirectory() throws {
        let (root, keep) = try integrationRoot("compiler-cache")
        defer { if !keep { try? FileManager.default.removeItem(at: root) } }
        let cache = root.appendingPathComponent("cache")
        try? FileManager.default.removeItem(at: cache)
        let uncached = root.appendingPathComponent("uncached")
        try? FileManager.default.removeItem(at: uncached)
        let plain = try runSel4img(["build", "--board", "qemu-virt", "--app", "sel4test", "-w", uncached.path, "--no-cache", "--json"],
                                   environment: ["SEL4IMG_MIRROR": mirror!])
        #expect(plain.status == 0, "\(plain.stderr.suffix(3000))")
        let plainJSON = try #require(try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any])
        #expect(plainJSON["compilerCache"] == nil)
        var results: [[String: Any]] = []
        for name in ["one", "two"] {
            let ws = root.appendingPathComponent(name)
            try? FileManager.default.removeItem(at: ws)
            let r = try runSel4img(["build", "--board", "qemu-virt", "--app", "sel4test", "-w", ws.path, "--cache", cache.path, "--json"],
                                   environment: ["SEL4IMG_MIRROR": mirror!])
            #expect(r.status == 0, "\(r.stderr.suffix(3000))")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            results.append(try #require(json["compilerCache"] as? [String: Any]))
        }
        let (first, second) = (results[0], results[1])
        let compilations = try #require(second["compilations"] as? Int)
        let hits = try #require(second["hits"] as? Int)
        print("compiler cache: cold \(first["hits"] ?? "?")/\(first["compilations"] ?? "?"), warm \(hits)/\(compilations)")
        // Four compilations repeat within one build of sel4test, so even a cold cache hits four times.
        #expect(first["hits"] as? Int == 4)
        #expect(first["compilations"] as? Int == compilations)
        // Every compilation hits: seL4's and its libraries' through CMake, musllibc's through its make.
        #expect(compilations > 1000)
        #expect(hits == compilations)
        let sums = { (name: String) in
            try String(contentsOf: root.appendingPathComponent("\(name)/artifacts/qemu-virt-sel4test/SHA256SUMS"), encoding: .utf8)
        }
        // Byte-identical outputs with the cache, cold or warm, and without it: the
        // `reproducible` and `reproducible-sel4test` patch sets spell the two
        // directories ccache would normalise (libfdt's "/.", nanopb's "/../..") plainly.
        #expect(try sums("one") == sums("two"))
        #expect(try sums("uncached") == sums("one"))
        #expect(try sums("uncached").split(separator: "\n").count >= 5)
        // The summary line says so.
        let again = try runSel4img(["build", "--board", "qemu-virt", "--app", "sel4test", "-w", root.appendingPathComponent("two").path,
                                    "--cache", cache.path, "--no-sync"])
        #expect(again.stdout.contains("Compiler cache \(cache.path): nothing was compiled."))
    }
}
