import Foundation
import Testing
import WasmEngine

/// The WebAssembly spec test suite (github.com/WebAssembly/testsuite, commit a810159: the last
/// Wasm 2.0 top-level layout), from a local copy named by SEL4IMG_WASM_TESTSUITE. Never
/// committed; skipped with a message when the variable is unset (CI has no copy).
@Suite struct SpecSuiteTests {
    /// Top-level scripts not run, each with the reason.
    static let excluded: [String: String] = [:]

    /// Prefixes of scripts not run.
    static let excludedPrefixes: [(prefix: String, reason: String)] = [
        // SIMD (v128) is not a claimed feature of WasmEngine.
        ("simd_", "SIMD is not supported"),
    ]

    static func isExcluded(_ name: String) -> Bool {
        excluded[name] != nil || excludedPrefixes.contains { name.hasPrefix($0.prefix) }
    }

    static var suiteDirectory: URL? {
        guard let path = ProcessInfo.processInfo.environment["SEL4IMG_WASM_TESTSUITE"], !path.isEmpty else { return nil }
        return URL(fileURLWithPath: path)
    }

    @Test(.enabled(if: suiteDirectory != nil, "set SEL4IMG_WASM_TESTSUITE to a WebAssembly/testsuite checkout (a810159) to run the spec suite"))
    func everyClaimedSpecScriptPassesCompletely() throws {
        let directory = try #require(Self.suiteDirectory)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".wast") }.sorted()
        #expect(!names.isEmpty, "no .wast files in \(directory.path)")
        var rows: [(String, Int, Int, Int)] = []
        var failures: [String] = []
        for name in names where !Self.isExcluded(name) {
            let outcome = try WastRunner.run(wast: directory.appendingPathComponent(name))
            rows.append((name, outcome.total, outcome.passed, outcome.skipped))
            failures += outcome.failures
        }
        // "text" counts assert_malformed/assert_invalid commands on text-format modules, which
        // only a text parser can check: they are not assertions about a binary engine.
        var table = "spec suite (\(directory.path))\nfile                              assertions  passed  text\n"
        var total = 0, passed = 0, text = 0
        for (name, count, ok, skipped) in rows {
            table += name.padding(toLength: 34, withPad: " ", startingAt: 0)
                + String(count).leftPadded(10) + String(ok).leftPadded(8) + String(skipped).leftPadded(6) + "\n"
            total += count
            passed += ok
            text += skipped
        }
        table += "TOTAL".padding(toLength: 34, withPad: " ", startingAt: 0) + String(total).leftPadded(10) + String(passed).leftPadded(8) + String(text).leftPadded(6) + "\n"
        let skipped = names.filter(Self.isExcluded)
        table += "excluded: \(skipped.count) files (simd_*.wast: SIMD is not supported)\n"
        print(table)
        #expect(failures.isEmpty, "\(failures.prefix(50).joined(separator: "\n"))")
        #expect(passed == total)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
