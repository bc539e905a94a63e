import Foundation

/// How a watched boot ended.
public enum BootOutcome: Sendable, Equatable {
    /// A console line matched a success pattern (and no failure pattern).
    case passed(matched: String)
    /// A console line matched a failure pattern.
    case failed(matched: String)
    /// No pattern matched within the timeout.
    case timedOut(seconds: Double)
    /// QEMU exited by itself before any pattern matched. `status` is its exit
    /// status, or 128 + the signal number when a signal ended it.
    case exitedEarly(status: Int32)
    /// sel4img received SIGINT, SIGTERM or SIGHUP and stopped QEMU.
    case interrupted(signal: Int32)

    /// The exit status for `sel4img run`: 0 passed, 1 failed or QEMU exited
    /// early, 2 timed out, 128 + signal when interrupted.
    public var exitCode: Int32 {
        switch self {
        case .passed: return 0
        case .failed, .exitedEarly: return 1
        case .timedOut: return 2
        case .interrupted(let signal): return 128 + signal
        }
    }

    public var isPassed: Bool {
        if case .passed = self { return true }
        return false
    }
}

/// The result of a watched boot: the outcome, a one-paragraph reason a person
/// can read, the last console lines and where the whole console was saved.
public struct BootResult: Sendable, Equatable {
    public var outcome: BootOutcome
    /// A sentence (plus, where useful, the last console lines) saying why the boot ended.
    public var reason: String
    /// The last console lines, cleaned of escape sequences.
    public var lastLines: [String]
    /// The console log, when one was asked for.
    public var logFile: URL?
    /// QEMU's process id (it has been stopped and reaped by the time this exists).
    public var processIdentifier: Int32
    /// Seconds from starting QEMU to the end of the boot.
    public var elapsed: Double

    public var exitCode: Int32 { outcome.exitCode }

    static func reason(for outcome: BootOutcome, expectations: ConsoleExpectations, lastLines: [String]) -> String {
        let shown = expectations.successDescription
        switch outcome {
        case .passed(let line):
            return "Passed: the console showed \"\(line)\"."
        case .failed(let line):
            return "Failed: the console showed \"\(line)\"."
        case .timedOut(let seconds):
            let what = shown.map { "the console showed \($0)" } ?? "the boot was stopped"
            return "Timed out after \(formatSeconds(seconds)) s before \(what)" + lastLinesText(lastLines)
        case .exitedEarly(let status):
            let what = shown.map { " before the console showed \($0)" } ?? ""
            return "QEMU exited with status \(status)\(what)" + lastLinesText(lastLines)
        case .interrupted(let signal):
            return "Interrupted by signal \(signal); QEMU was stopped."
        }
    }

    static func lastLinesText(_ lines: [String]) -> String {
        let shown = lines.reversed().drop(while: { $0.trimmingCharacters(in: .whitespaces).isEmpty }).reversed()
        guard !shown.isEmpty else { return "; the console showed nothing." }
        return "; last lines:\n" + shown.map { "  | " + $0 }.joined(separator: "\n")
    }

    static func formatSeconds(_ seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int64(seconds)) : String(seconds)
    }
}
