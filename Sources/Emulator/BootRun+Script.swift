import Foundation

/// Commands to type into a guest's shell on the serial console, and how to
/// tell that the shell is ready (`sel4img qemu --script`).
///
/// The protocol: sel4img waits until a console line matches `shellReady`
/// (within the run's timeout). Then it makes sure the shell reads what is
/// typed: it types `echo "sel4img-script: $? 0"` and repeats that every
/// `probeInterval` seconds until a line ends in `sel4img-script: S 0`
/// (within `commandTimeout`); input that arrives before the shell reads the
/// terminal may be lost (U-Boot, for one, reads and drops keys while it
/// boots), and a repeated probe only runs again. Then for command N it types
///
///     COMMAND; echo "sel4img-script: $? N"
///
/// and a newline, and waits up to `commandTimeout` seconds for a console line
/// ending in `sel4img-script: STATUS N` (STATUS in decimal). The guest's
/// terminal echoes the typed line, but that echo holds `$?`, not a number, so
/// it never matches; a line ending in another command's number is ignored.
/// Matching the end of the line rather than the whole line lets a command
/// whose output does not end in a newline still be seen to finish. The next
/// command is typed only after the previous one's status arrived, so nothing
/// typed can be read by a running command or mixed into its output.
public struct ScriptSession: Sendable, Equatable {
    public var script: ShellScript
    /// The regular expression for the line that means the guest's shell is ready.
    public let shellReady: String
    /// Seconds each command may take, from typing it to its exit status.
    public var commandTimeout: Double
    /// Seconds between probes while waiting for the shell to run the first one.
    var probeInterval: Double = 2
    let shellReadyMatcher: ConsolePattern

    public static let defaultCommandTimeout: Double = 120

    /// Compiles `shellReady`; a bad pattern is reported with `shellReadyOption`
    /// (where it came from).
    public init(script: ShellScript, shellReady: String, shellReadyOption: String = "console.shellReady",
                commandTimeout: Double = ScriptSession.defaultCommandTimeout) throws {
        guard commandTimeout > 0 && commandTimeout.isFinite else {
            throw EmulatorError.invalidTimeout(seconds: commandTimeout)
        }
        self.script = script
        self.shellReady = shellReady
        self.commandTimeout = commandTimeout
        shellReadyMatcher = try ConsolePattern(shellReady, option: shellReadyOption)
    }

    public static func == (lhs: ScriptSession, rhs: ScriptSession) -> Bool {
        lhs.script == rhs.script && lhs.shellReady == rhs.shellReady && lhs.commandTimeout == rhs.commandTimeout
    }

    /// The text of the marker line, before its status and number.
    static let markerPrefix = "sel4img-script:"

    /// What is typed for the `number`th command (1-based), newline included.
    static func typed(_ command: ShellScript.Command, number: Int) -> String {
        "\(command.text); echo \"\(markerPrefix) $? \(number)\"\n"
    }

    /// What is typed to see that the shell runs what it is given: marker 0.
    /// It starts with Ctrl-C, which makes the shell drop a half-read line: if
    /// the previous probe lost keys (its closing quote, say), the shell would
    /// otherwise wait for the rest of it.
    static let probe = "\u{03}echo \"\(markerPrefix) $? 0\"\n"

    private static let markerExpression = try! NSRegularExpression(pattern: "sel4img-script: ([0-9]{1,3}) ([0-9]{1,9})$")

    /// The exit status and command number a cleaned console line reports, if
    /// it ends in a marker.
    static func marker(in line: String) -> (status: Int, number: Int)? {
        guard line.contains(markerPrefix),
              let match = markerExpression.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
              let statusRange = Range(match.range(at: 1), in: line),
              let numberRange = Range(match.range(at: 2), in: line),
              let status = Int(line[statusRange]), let number = Int(line[numberRange]) else { return nil }
        return (status, number)
    }
}

extension BootRun {
    struct Driven {
        var ending: ConsoleWatcher.Ending?
        /// What the run was waiting for when it ended, for the reason text.
        var awaited: String
        var commands: [ScriptCommandResult]
    }

    /// Waits for the shell, then types the commands one by one. Returns the
    /// watcher's ending: the first of a failure pattern, QEMU exiting, a
    /// signal, a failed callback, or what the script decided.
    func drive(_ session: ScriptSession, input: ConsoleInput, watcher: ConsoleWatcher,
               onCommand: (ScriptCommandResult) -> Void) -> Driven {
        let ready = "the guest's shell was ready (no console line matched '\(session.shellReady)')"
        var results: [ScriptCommandResult] = []

        let bootDeadline = timeout.map { Date(timeIntervalSinceNow: $0) } ?? .distantFuture
        waitingForShell: while true {
            switch watcher.nextLine(until: bootDeadline) {
            case .ended(let ending):
                return Driven(ending: ending, awaited: ready, commands: results)
            case .timedOut:
                watcher.decide(.script(.timedOut(seconds: timeout ?? 0)))
                return Driven(ending: watcher.ending, awaited: ready, commands: results)
            case .line(let line):
                if session.shellReadyMatcher.matches(line) { break waitingForShell }
            }
        }

        // Probe until the shell runs what is typed.
        let answered = "the guest's shell ran what sel4img typed (its ready line appeared, but no 'sel4img-script: … 0' came back)"
        let probeDeadline = Date(timeIntervalSinceNow: session.commandTimeout)
        var nextProbe = Date()
        probing: while true {
            if Date() >= nextProbe {
                do {
                    try input.send(ScriptSession.probe)
                } catch {
                    return Driven(ending: watcher.waitForEnding(timeout: Self.reapLimit), awaited: answered, commands: results)
                }
                nextProbe = Date(timeIntervalSinceNow: session.probeInterval)
            }
            switch watcher.nextLine(until: min(nextProbe, probeDeadline)) {
            case .ended(let ending):
                return Driven(ending: ending, awaited: answered, commands: results)
            case .timedOut:
                if Date() >= probeDeadline {
                    watcher.decide(.script(.timedOut(seconds: session.commandTimeout)))
                    return Driven(ending: watcher.ending, awaited: answered, commands: results)
                }
            case .line(let line):
                if ScriptSession.marker(in: line)?.number == 0 { break probing }
            }
        }

        let commands = session.script.commands
        for (index, command) in commands.enumerated() {
            let step = ScriptStep(number: index + 1, total: commands.count, command: command)
            let awaited = "\(step.description) finished"
            let sent = Date()
            do {
                try input.send(ScriptSession.typed(command, number: step.number))
            } catch {
                // QEMU closed its console: it is exiting, and the reaper says how.
                return Driven(ending: watcher.waitForEnding(timeout: Self.reapLimit), awaited: awaited, commands: results)
            }
            let deadline = sent.addingTimeInterval(session.commandTimeout)
            waitingForStatus: while true {
                switch watcher.nextLine(until: deadline) {
                case .ended(let ending):
                    return Driven(ending: ending, awaited: awaited, commands: results)
                case .timedOut:
                    watcher.decide(.script(.commandTimedOut(step, seconds: session.commandTimeout)))
                    return Driven(ending: watcher.ending, awaited: awaited, commands: results)
                case .line(let line):
                    guard let marker = ScriptSession.marker(in: line), marker.number == step.number else { continue }
                    let result = ScriptCommandResult(step: step, status: marker.status, seconds: Date().timeIntervalSince(sent))
                    results.append(result)
                    onCommand(result)
                    if !result.matched {
                        watcher.decide(.script(.commandFailed(step, status: marker.status)))
                        return Driven(ending: watcher.ending, awaited: awaited, commands: results)
                    }
                    break waitingForStatus
                }
            }
        }
        watcher.decide(.script(.scriptPassed(commands: commands.count)))
        return Driven(ending: watcher.ending, awaited: "the script finished", commands: results)
    }
}
