import Foundation
import Testing
import TestSupport

/// sel4test for qemu-virt built in two fresh workspaces with one `--cache DIR`:
/// the second build's compilations hit, and both give the same SHA256SUMS.
@Suite(.serialized, .enabled(if: mirror != nil, "set SEL4IMG_TEST_MIRROR to an offline mirror of the seL4 repositories"))
struct CompilerCacheMirrorTests {
    @Test("a second workspace building sel4test with the same --cache directory hits the cache and builds identical artifacts")
    func sharedCacheDirectory() throws {
        let (root, keep) = try integrationRoot("compiler-cache")
        defer { if !keep { try? FileManager.default.removeItem(at: root) } }
        let cache = root.appendingPathComponent("cache")
        try? FileManager.default.removeItem(at: cache)
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
        #expect(try sums("one") == sums("two"))
        // The summary line says so.
        let again = try runSel4img(["build", "--board", "qemu-virt", "--app", "sel4test", "-w", root.appendingPathComponent("two").path,
                                    "--cache", cache.path, "--no-sync"])
        #expect(again.stdout.contains("Compiler cache \(cache.path): nothing was compiled."))
    }
}
