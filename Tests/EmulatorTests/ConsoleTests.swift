import Foundation
import Testing
@testable import Emulator

@Suite("Console text and patterns")
struct ConsoleTests {
    @Test("colour, cursor and title escapes and carriage returns are removed")
    func cleansEscapes() {
        #expect(ConsoleText.clean("\u{1B}[1;32mAll is well\u{1B}[0m in the universe\r") == "All is well in the universe")
        #expect(ConsoleText.clean("\u{1B}[2K\rprogress 50%\rprogress 100%") == "progress 50%progress 100%")
        #expect(ConsoleText.clean("\u{1B}]0;title\u{07}boot\u{1B}(B ok\u{1B}7") == "boot ok")
        #expect(ConsoleText.clean("tab\tkept, bell\u{07} dropped") == "tab\tkept, bell dropped")
        #expect(ConsoleText.clean("ends in escape \u{1B}[") == "ends in escape ")
    }

    @Test("a failure pattern wins over a success pattern on the same line")
    func failureWins() throws {
        let expectations = try ConsoleExpectations(success: ["All is well"], failure: ["FAILED"])
        #expect(expectations.verdict(for: "All is well, 3 tests FAILED") == .failed)
        #expect(expectations.verdict(for: "All is well in the universe") == .passed)
        #expect(expectations.verdict(for: "Booting all finished") == nil)
    }

    @Test("an invalid regular expression names the pattern and its option")
    func invalidPattern() {
        let expectError = #expect(throws: EmulatorError.self) { try ConsoleExpectations(success: ["passed ("]) }
        #expect(expectError?.description == "The --expect pattern 'passed (' is not a valid regular expression.")
        let failError = #expect(throws: EmulatorError.self) { try ConsoleExpectations(success: ["ok"], failure: ["[unclosed"]) }
        #expect(failError?.description == "The --fail pattern '[unclosed' is not a valid regular expression.")
    }

    @Test("an empty pattern is refused because it would match every line")
    func emptyPattern() {
        #expect(throws: EmulatorError.emptyPattern(option: "--fail")) {
            try ConsoleExpectations(success: ["ok"], failure: [""])
        }
    }

    @Test("the watcher cleans lines, keeps the last ones and records only the first ending")
    func watcherFirstEndingWins() throws {
        let seen = LineRecorder()
        let watcher = ConsoleWatcher(expectations: try ConsoleExpectations(success: ["^done$"]), tailLimit: 2) { seen.add($0) }
        watcher.consume("one")
        watcher.consume("\u{1B}[32mdone\u{1B}[0m")
        watcher.consume("three")
        watcher.decide(.exited(status: 0))
        #expect(seen.lines == ["one", "done", "three"])
        #expect(watcher.lastLines == ["done", "three"])
        guard case .matched(.passed, let line)? = watcher.waitForEnding(timeout: 0.1) else {
            Issue.record("expected a pass, got \(String(describing: watcher.ending))")
            return
        }
        #expect(line == "done")
    }

    @Test("the reason for an early exit names the expected pattern and the last lines")
    func earlyExitReason() throws {
        let expectations = try ConsoleExpectations(success: ["All is well"])
        let reason = BootResult.reason(for: .exitedEarly(status: 3), expectations: expectations, lastLines: ["booting", "panic", ""])
        #expect(reason == "QEMU exited with status 3 before the console showed 'All is well'; last lines:\n  | booting\n  | panic")
        #expect(BootResult.reason(for: .timedOut(seconds: 1.5), expectations: expectations, lastLines: [])
            == "Timed out after 1.5 s before the console showed 'All is well'; the console showed nothing.")
    }

    @Test("outcomes map to the documented exit statuses")
    func exitCodes() {
        #expect(BootOutcome.passed(matched: "x").exitCode == 0)
        #expect(BootOutcome.failed(matched: "x").exitCode == 1)
        #expect(BootOutcome.exitedEarly(status: 0).exitCode == 1)
        #expect(BootOutcome.timedOut(seconds: 3).exitCode == 2)
        #expect(BootOutcome.interrupted(signal: SIGINT).exitCode == 130)
    }
}

/// Collects lines from a callback on another thread.
final class LineRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var store: [String] = []
    func add(_ line: String) { lock.lock(); store.append(line); lock.unlock() }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return store }
}
