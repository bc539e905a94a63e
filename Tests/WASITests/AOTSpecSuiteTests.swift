import Foundation
import Testing
import WasmHost

/// The spec suite (SEL4IMG_WASM_TESTSUITE, as SpecSuiteTests) on the ahead-of-time tier, through
/// `AOTSpecDriver`: every command that can run on compiled code must pass; the table printed
/// says how many ran and why the rest did not.
@Suite struct AOTSpecSuiteTests {
    static var suiteDirectory: URL? {
        guard let path = ProcessInfo.processInfo.environment["SEL4IMG_WASM_TESTSUITE"], !path.isEmpty else { return nil }
        return URL(fileURLWithPath: path)
    }

    /// `SEL4IMG_AOT_SPEC_FILES=a.wast,b.wast` runs only those.
    static var only: Set<String>? {
        ProcessInfo.processInfo.environment["SEL4IMG_AOT_SPEC_FILES"].map { Set($0.split(separator: ",").map(String.init)) }
    }

    /// Both configurations of wasm2c's memory checks: the host's guard pages, the seL4 runner's
    /// explicit checks.
    @Test(.enabled(if: suiteDirectory != nil, "set SEL4IMG_WASM_TESTSUITE to a WebAssembly/testsuite checkout (a810159) to run the spec suite on the AOT tier"),
          arguments: ["host (guard pages)", "seL4 (bounds checks)"])
    func everyRunnableSpecCommandPassesOnTheAOTTier(configuration: String) throws {
        let defines = configuration.hasPrefix("host") ? AOTToolchain.hostDefines : AOTToolchain.defines
        let directory = try #require(Self.suiteDirectory)
        let toolchain = try AOTToolchain.locate()
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".wast") && !$0.hasPrefix("simd_") && (Self.only?.contains($0) ?? true) }.sorted()
        var total = 0, run = 0, passed = 0
        var notRun: [String: Int] = [:]
        var failures: [String] = []
        var table = "spec suite on the AOT tier, \(configuration) (\(directory.path))\nfile                              commands     run  passed\n"
        for name in names {
            let outcome = try AOTSpecDriver.run(wast: directory.appendingPathComponent(name), toolchain: toolchain, defines: defines)
            total += outcome.total
            run += outcome.run
            passed += outcome.passed
            failures += outcome.failures
            for (reason, count) in outcome.notRun { notRun[reason, default: 0] += count }
            table += name.padding(toLength: 34, withPad: " ", startingAt: 0) + "\(outcome.total)".leftPadded(8)
                + "\(outcome.run)".leftPadded(8) + "\(outcome.passed)".leftPadded(8) + "\n"
        }
        table += "TOTAL".padding(toLength: 34, withPad: " ", startingAt: 0) + "\(total)".leftPadded(8) + "\(run)".leftPadded(8) + "\(passed)".leftPadded(8) + "\n"
        for (reason, count) in notRun.sorted(by: { $0.value > $1.value }) { table += "not run: \(count) (\(reason))\n" }
        print(table)
        #expect(failures.isEmpty, "\(failures.prefix(50).joined(separator: "\n"))")
        #expect(passed == run)
        #expect(run > 0)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
