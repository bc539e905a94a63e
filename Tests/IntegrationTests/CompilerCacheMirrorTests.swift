import Foundation
import Testing
import TestSupport

/// sel4test for qemu-virt built in three fresh workspaces: without a cache, then
/// twice with one `--cache DIR`. The third build's compilations hit and its
/// musllibc comes whole from seL4's memoize store in the cache directory (the
/// `memoize` patch set keeps the workspace out of its key), and all three give
/// the same SHA256SUMS (ccache's rewritten paths match the uncached build's).
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
        let coldCompilations = try #require(first["compilations"] as? Int)
        let compilations = try #require(second["compilations"] as? Int)
        let hits = try #require(second["hits"] as? Int)
        print("compiler cache: cold \(first["hits"] ?? "?")/\(coldCompilations), warm \(hits)/\(compilations), memoized \(second["memoized"] ?? "?")")
        // Four compilations repeat within one build of sel4test, so even a cold cache hits four times.
        #expect(first["hits"] as? Int == 4)
        // The cold build compiles musllibc too (its make, through ccache) and stores it in the memoize store ...
        #expect(coldCompilations > 1000)
        #expect(first["memoized"] as? [String] == [])
        let store = cache.appendingPathComponent("seL4-memoize/musllibc")
        let keys = try FileManager.default.contentsOfDirectory(atPath: store.path)
        #expect(keys.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.appendingPathComponent(keys.first ?? "-").path) == ["code.tar.gz"])
        // ... which the second workspace takes whole: musllibc's ~1,400 compilations do not run at all.
        #expect(second["memoized"] as? [String] == ["musllibc"])
        let log = try String(contentsOf: root.appendingPathComponent("two/build/qemu-virt-sel4test/sel4img-build.log"), encoding: .utf8)
        #expect(log.contains("Key for musllibc: \(keys.first ?? "-")"))
        #expect(log.contains("Found valid cache entry for musllibc"))
        #expect(compilations > 100 && compilations + 1000 < coldCompilations)
        // Every compilation left hits: seL4's and its libraries' through CMake.
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
        // The very libc.a the uncached build made.
        let libc = { (name: String) in
            try Data(contentsOf: root.appendingPathComponent("\(name)/build/qemu-virt-sel4test/apps/sel4test-driver/musllibc/build-temp/stage/lib/libc.a"))
        }
        #expect(try libc("two") == libc("uncached"))
        // The summary line says so.
        let again = try runSel4img(["build", "--board", "qemu-virt", "--app", "sel4test", "-w", root.appendingPathComponent("two").path,
                                    "--cache", cache.path, "--no-sync"])
        #expect(again.stdout.contains("Compiler cache \(cache.path): nothing was compiled."))
    }
}
