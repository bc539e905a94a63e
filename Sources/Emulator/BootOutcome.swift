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
    /// A script ran: every command exited with the status it was expected to.
    case scriptPassed(commands: Int)
    /// A script command exited with another status than expected; the
    /// commands after it were not run.
    case commandFailed(ScriptStep, status: Int)
    /// A script command did not finish within the command timeout.
    case commandTimedOut(ScriptStep, seconds: Double)

    /// The exit status for `sel4img qemu`: 0 passed, 1 failed (a failure
    /// pattern, a script command's status) or QEMU exited early, 2 timed out
    /// (also a script command), 128 + signal when interrupted.
    public var exitCode: Int32 {
        switch self {
        case .passed, .scriptPassed: return 0
        case .failed, .exitedEarly, .commandFailed: return 1
        case .timedOut, .commandTimedOut: return 2
        case .interrupted(let signal): return 128 + signal
        }
    }

    public var isPassed: Bool {
        switch self {
        case .passed, .scriptPassed: return true
        default: return false
        }
    }
}

/// One command of a script, as progress and outcomes name it.
public struct ScriptStep: Sendable, Equatable {
    /// 1-based position among the script's commands.
    public var number: Int
    /// How many commands the script has.
    public var total: Int
    public var command: ShellScript.Command

    public init(number: Int, total: Int, command: ShellScript.Command) {
        self.number = number
        self.total = total
        self.command = command
    }

    /// `command 2 of 5 (tests.sh:4: emit /wasm/trap.wasm)`
    public var description: String {
        "command \(number) of \(total) (\(command.file):\(command.line): \(command.text))"
    }
}

/// A script command that finished, for progress lines.
public struct ScriptCommandResult: Sendable, Equatable {
    public var step: ScriptStep
    /// The exit status the guest's shell reported.
    public var status: Int
    /// Seconds from sending the command to its exit status.
    public var seconds: Double

    public var matched: Bool { status == step.command.expectedStatus }

    /// `[2/5] emit /wasm/hello.wasm … exit 0 (1.2 s)`; a mismatch adds
    /// `, expected 134`.
    public var progressLine: String {
        let expected = matched ? "" : ", expected \(step.command.expectedStatus)"
        return "[\(step.number)/\(step.total)] \(step.command.text) … exit \(status)\(expected) (\(String(format: "%.1f", seconds)) s)"
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
    /// The script commands that finished, in order (empty without a script).
    public var commands: [ScriptCommandResult] = []

    public var exitCode: Int32 { outcome.exitCode }

    static func reason(for outcome: BootOutcome, expectations: ConsoleExpectations, lastLines: [String]) -> String {
        reason(for: outcome, awaited: expectations.successDescription.map { "the console showed \($0)" }, lastLines: lastLines)
    }

    /// `awaited` says what the boot was waiting for when it timed out or QEMU
    /// exited, e.g. `the console showed 'All is well'`.
    static func reason(for outcome: BootOutcome, awaited: String?, lastLines: [String]) -> String {
        switch outcome {
        case .passed(let line):
            return "Passed: the console showed \"\(line)\"."
        case .failed(let line):
            return "Failed: the console showed \"\(line)\"."
        case .timedOut(let seconds):
            return "Timed out after \(formatSeconds(seconds)) s before \(awaited ?? "the boot was stopped")" + lastLinesText(lastLines)
        case .exitedEarly(let status):
            let what = awaited.map { " before \($0)" } ?? ""
            return "QEMU exited with status \(status)\(what)" + lastLinesText(lastLines)
        case .interrupted(let signal):
            return "Interrupted by signal \(signal); QEMU was stopped."
        case .scriptPassed(let count):
            return "Passed: \(count == 1 ? "the script's command" : "all \(count) script commands") exited as expected."
        case .commandFailed(let step, let status):
            return "Failed: \(step.description) exited with status \(status), expected \(step.command.expectedStatus)."
        case .commandTimedOut(let step, let seconds):
            return "Timed out after \(formatSeconds(seconds)) s waiting for \(step.description) to finish" + lastLinesText(lastLines)
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
