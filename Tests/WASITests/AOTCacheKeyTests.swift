import Foundation
import Testing
import TestSupport
@testable import WasmHost

/// What the AOT cache key covers, and what a warm run skips: a changed glue, WASI list, runtime
/// file, compiler or wasm2c misses the cache (even a same-size rewrite with the old modification
/// time), and a file known by its stat fields is not read again (`AOTFileDigests`).
@Suite struct AOTCacheKeyTests {
    /// Ages a file's modification time (its change time stays now: only time ages it).
    static func age(_ url: URL) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: url.path)
    }

    @Test("a file's digest is remembered by its stat fields once they are older than two seconds, and a same-size rewrite with the old modification time is read again")
    func digests() throws {
        let dir = try TemporaryDirectory("aot-digests")
        defer { dir.remove() }
        let file = dir.path("glue.c"), memo = dir.path("cache/digests")
        try dir.write("glue.c", "int a;\n")
        try Self.age(file)
        var fresh = AOTFileDigests(memo: memo)
        let digest = try fresh.digest(of: file)
        #expect(digest == (try sh("sha256sum glue.c | cut -c1-64", in: dir.url)).trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(fresh.hashed == 1)
        // Its change time is still now: not remembered yet.
        #expect(AOTFileDigests.stamp(file.path) == nil)
        fresh.save()
        #expect(!FileManager.default.fileExists(atPath: memo.path))
        Thread.sleep(forTimeInterval: Double(AOTFileDigests.settleSeconds) + 0.2)
        var learning = AOTFileDigests(memo: memo)
        #expect(try learning.digest(of: file) == digest)
        #expect(learning.hashed == 1)
        learning.save()
        let text = try String(contentsOf: memo, encoding: .utf8)
        #expect(text.hasPrefix("\(digest) ") && text.hasSuffix("\t\(file.path)\n"))
        var warm = AOTFileDigests(memo: memo)
        #expect(try warm.digest(of: file) == digest)
        #expect(warm.hashed == 0)
        // Same size, the old modification time back: the change time and inode data differ.
        let old = try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as! Date
        try Data("int b;\n".utf8).write(to: file)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: file.path)
        var changed = AOTFileDigests(memo: memo)
        let again = try changed.digest(of: file)
        #expect(changed.hashed == 1)
        #expect(again != digest)
        #expect(again == (try sh("sha256sum glue.c | cut -c1-64", in: dir.url)).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// sel4img's data directory with only what `wasm run --aot` reads (the glue and the WASI
    /// list), wasm2c's runtime copied, and wrappers for wasm2c and cc that say their version.
    static func setUp(_ dir: TemporaryDirectory) throws -> [String: String] {
        let fm = FileManager.default
        let (wasm2c, runtime, _) = try AOTToolchain.translator()
        try fm.createDirectory(at: dir.path("data/runner/aot"), withIntermediateDirectories: true)
        try fm.createDirectory(at: dir.path("data/runner/sel4/include"), withIntermediateDirectories: true)
        try fm.copyItem(at: repositoryRoot.appendingPathComponent("runner/aot/wasi-glue.c"), to: dir.path("data/runner/aot/wasi-glue.c"))
        try fm.copyItem(at: repositoryRoot.appendingPathComponent("runner/sel4/include/wasi-imports.h"),
                        to: dir.path("data/runner/sel4/include/wasi-imports.h"))
        try fm.copyItem(at: runtime, to: dir.path("runtime"))
        try dir.write("wasm2c", "#!/bin/sh\ncase \"$1\" in --version) echo 'wasm2c wrapper 1';; *) exec '\(wasm2c.path)' \"$@\";; esac\n")
        try dir.write("cc", "#!/bin/sh\ncase \"$1\" in --version) echo 'cc wrapper 1';; *) exec cc \"$@\";; esac\n")
        try sh("chmod +x wasm2c cc", in: dir.url)
        try dir.write("hello.wat", AOTTests.hello)
        try sh("wat2wasm hello.wat -o hello.wasm", in: dir.url)
        return ["SEL4IMG_AOT_CACHE": dir.path("cache").path, "SEL4IMG_DATA_DIR": dir.path("data").path,
                "SEL4IMG_WASM2C": dir.path("wasm2c").path, "SEL4IMG_WASM2C_RUNTIME": dir.path("runtime").path,
                "CC": dir.path("cc").path]
    }

    @Test("on a 64-bit host compiled modules use wasm2c's guard pages, and the key's flags say so; the seL4 runner's header keeps explicit bounds checks")
    func hostGuardPages() throws {
        #expect(AOTToolchain.hostDefines == [
            "-DWASM_RT_MEMCHECK_BOUNDS_CHECK=0", "-DWASM_RT_MEMCHECK_GUARD_PAGES=1", "-DWASM_RT_USE_MMAP=1",
            "-DWASM_RT_STACK_DEPTH_COUNT=1", "-DWASM_RT_STACK_EXHAUSTION_HANDLER=0",
            "-DWASM_RT_MAX_CALL_STACK_DEPTH=4096", "-DWASM_RT_SKIP_SIGNAL_RECOVERY=1",
        ])
        let toolchain = try AOTToolchain.locate()
        let identity = try toolchain.identity(glue: repositoryRoot.appendingPathComponent(AOTTier.gluePath))
        let flags = try #require(identity.split(separator: "\n").first { $0.hasPrefix("flags ") })
        #expect(flags == "flags " + (AOTToolchain.hostDefines + AOTToolchain.optimization).joined(separator: " "))
        #expect(AOTTranslation.definesHeader.contains("\n#define WASM_RT_MEMCHECK_BOUNDS_CHECK 1\n#define WASM_RT_MEMCHECK_GUARD_PAGES 0\n#define WASM_RT_USE_MMAP 0\n"))
    }

    @Test("a changed glue, WASI list, runtime file (even rewritten at its size and old time), compiler or wasm2c misses the cache; nothing else does")
    func misses() throws {
        let dir = try TemporaryDirectory("aot-key")
        defer { dir.remove() }
        let environment = try Self.setUp(dir)
        let cache = dir.path("cache")
        func run() throws -> Int {
            let r = try runSel4img(["wasm", "run", "--aot", "hello.wasm"], in: dir.url, environment: environment)
            #expect(r.status == 0 && r.stdout == "hello\n" && r.stderr == "", "\(r.stderr)")
            return AOTTests.entries(cache).count
        }
        #expect(try run() == 1)
        // Past the settle time, so the files' digests are remembered: hits stay hits.
        Thread.sleep(forTimeInterval: Double(AOTFileDigests.settleSeconds) + 0.2)
        #expect(try run() == 1)
        #expect(try run() == 1)
        #expect(FileManager.default.fileExists(atPath: cache.appendingPathComponent("digests").path))
        func append(_ path: String) throws {
            let handle = try FileHandle(forWritingTo: dir.path(path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("\n/* changed */\n".utf8))
            try handle.close()
        }
        try append("data/runner/aot/wasi-glue.c")
        #expect(try run() == 2)
        try append("data/runner/sel4/include/wasi-imports.h")
        #expect(try run() == 3)
        try append("runtime/wasm-rt-impl.c")
        #expect(try run() == 4)
        // One byte changed, the size and modification time as they were.
        let file = dir.path("runtime/wasm-rt-mem-impl.c")
        let old = try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as! Date
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("Copyright 2018"))
        try text.replacingOccurrences(of: "Copyright 2018", with: "COPYRIGHT 2018").write(to: file, atomically: false, encoding: .utf8)
        #expect(try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int == text.utf8.count)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: file.path)
        #expect(try run() == 5)
        try dir.write("cc", "#!/bin/sh\ncase \"$1\" in --version) echo 'cc wrapper 2';; *) exec cc \"$@\";; esac\n")
        #expect(try run() == 6)
        let (wasm2c, _, _) = try AOTToolchain.translator()
        try dir.write("wasm2c", "#!/bin/sh\ncase \"$1\" in --version) echo 'wasm2c wrapper 2';; *) exec '\(wasm2c.path)' \"$@\";; esac\n")
        #expect(try run() == 7)
        Thread.sleep(forTimeInterval: Double(AOTFileDigests.settleSeconds) + 0.2)
        #expect(try run() == 7)
    }
}
