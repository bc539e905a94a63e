import Foundation
import Support

/// Boots a system under QEMU and decides from its console whether it passed.
///
/// QEMU runs with stdin from /dev/null (it must not read the terminal) and
/// its console (serial and monitor on stdio, plus its own messages on stderr)
/// read line by line. Each line is cleaned of escape sequences, handed to
/// `onLine` and matched against the expectations; the whole console is saved
/// to `logFile`. QEMU never stops by itself after an seL4 system finished, so
/// the run stops it: when a pattern matches, when the timeout passes, when
/// `onLine` throws, or when sel4img receives SIGINT/SIGTERM/SIGHUP. Stopping
/// sends SIGTERM to QEMU's process group, then SIGKILL after
/// `stopGracePeriod` seconds, and waits until QEMU has been reaped.
///
/// With a `script`, QEMU's stdin is a socket sel4img types into instead, the
/// success patterns are not used, and the script's commands decide the run
/// (see `BootRun+Script.swift`).
public struct BootRun: Sendable {
    public var configuration: QEMUConfiguration
    /// The build that produced the boot image (for the "not built yet" message).
    public var target: BootTarget
    public var expectations: ConsoleExpectations
    /// Seconds to wait for a pattern (with a script: for the guest's shell to
    /// be ready); nil waits until a pattern matches or QEMU exits.
    public var timeout: Double?
    /// Where to save the console. An existing file is replaced; its first line
    /// is the QEMU command line (`$ qemu-system-aarch64 …`).
    public var logFile: URL?
    /// Whether to catch SIGINT/SIGTERM/SIGHUP during the boot and stop QEMU
    /// (the run then ends as `.interrupted`). Leave on unless the caller
    /// handles these signals itself and stops the run another way.
    public var handlesInterrupts: Bool
    /// Shell commands to type into the guest once its shell is ready; nil
    /// only watches the console.
    public var script: ScriptSession?

    /// Seconds between SIGTERM and SIGKILL when stopping QEMU.
    public static let stopGracePeriod: Double = 2
    /// Seconds to wait for the console to close after SIGKILL before giving up on it.
    static let reapLimit: Double = 10

    public init(
        configuration: QEMUConfiguration,
        target: BootTarget,
        expectations: ConsoleExpectations,
        timeout: Double?,
        logFile: URL? = nil,
        handlesInterrupts: Bool = true,
        script: ScriptSession? = nil
    ) throws {
        if let timeout, !(timeout > 0 && timeout.isFinite) {
            throw EmulatorError.invalidTimeout(seconds: timeout)
        }
        self.configuration = configuration
        self.target = target
        self.expectations = expectations
        self.timeout = timeout
        self.logFile = logFile
        self.handlesInterrupts = handlesInterrupts
        self.script = script
    }

    /// Boots, watches and stops QEMU. `onLine` gets every cleaned console line
    /// (on a background thread, in order). If `onLine` throws, QEMU is stopped
    /// and the error is rethrown. With a script, `onCommand` gets each command
    /// that finished (on the calling thread). QEMU is never left running when
    /// this returns or throws.
    public func run(
        onLine: @escaping @Sendable (String) throws -> Void = { _ in },
        onCommand: (ScriptCommandResult) -> Void = { _ in }
    ) throws -> BootResult {
        try configuration.checkPrerequisites(for: target)
        if let logFile, FileManager.default.fileExists(atPath: logFile.path) {
            try FileManager.default.removeItem(at: logFile)
        }

        let input = try script.map { _ in try ConsoleInput() }
        defer { input?.close() }
        let watcher = ConsoleWatcher(expectations: expectations, collectsLines: script != nil,
                                     successEnds: script == nil, forward: onLine)
        var interruptToken: Int?
        if handlesInterrupts {
            interruptToken = InterruptGuard.shared.register { signal in
                watcher.decide(.interrupted(signal: signal))
            }
        }
        defer { interruptToken.map { InterruptGuard.shared.unregister($0) } }

        let started = ContinuousClock.now
        // The child starts with an empty signal mask whatever this thread's
        // (ChildProcess sets it), so QEMU takes the SIGTERM ProcessStopper sends.
        let process = try ProcessRunner().start(
            configuration.arguments(),
            log: logFile,
            stdin: input?.childEnd ?? FileHandle.nullDevice,
            onLine: { watcher.consume($0) }
        )
        input?.childStarted()
        let stopper = ProcessStopper(process)
        let reaped = DispatchSemaphore(value: 0)
        let reaper = Thread {
            let result = process.wait()
            watcher.decide(.exited(status: result.status))
            reaped.signal()
        }
        reaper.name = "sel4img-qemu-reaper"
        reaper.start()

        var awaited = expectations.successDescription.map { "the console showed \($0)" }
        var commands: [ScriptCommandResult] = []
        let ending: ConsoleWatcher.Ending?
        if let script, let input {
            let driven = drive(script, input: input, watcher: watcher, onCommand: onCommand)
            ending = driven.ending
            awaited = driven.awaited
            commands = driven.commands
        } else {
            ending = watcher.waitForEnding(timeout: timeout)
        }
        let elapsed = seconds(since: started)
        watcher.stopForwarding()
        stopper.stop(reaped: reaped)

        let outcome: BootOutcome
        switch ending {
        case nil:
            outcome = .timedOut(seconds: timeout ?? elapsed)
        case .matched(.passed, let line)?:
            outcome = .passed(matched: line)
        case .matched(.failed, let line)?:
            outcome = .failed(matched: line)
        case .exited(let status)?:
            outcome = .exitedEarly(status: status)
        case .interrupted(let signal)?:
            outcome = .interrupted(signal: signal)
        case .script(let decided)?:
            outcome = decided
        case .callbackFailed(let error)?:
            throw error
        }
        let lastLines = watcher.lastLines
        return BootResult(
            outcome: outcome,
            reason: BootResult.reason(for: outcome, awaited: awaited, lastLines: lastLines),
            lastLines: lastLines,
            logFile: logFile,
            processIdentifier: process.processIdentifier,
            elapsed: elapsed,
            commands: commands
        )
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock.now - start
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

/// Stops a started QEMU: SIGTERM, SIGKILL after the grace period, then waits
/// for the reaper. Signals go to the whole process group when QEMU leads one
/// (ProcessRunner starts children that way), so helpers it started go too and
/// the console pipe closes.
struct ProcessStopper {
    let process: RunningProcess
    let pid: Int32
    let leadsGroup: Bool

    init(_ process: RunningProcess) {
        self.process = process
        pid = process.processIdentifier
        leadsGroup = pid > 0 && getpgid(pid) == pid
    }

    func stop(reaped: DispatchSemaphore) {
        if reaped.wait(timeout: .now()) == .success {
            reaped.signal()
            return
        }
        send(SIGTERM)
        if reaped.wait(timeout: .now() + BootRun.stopGracePeriod) == .success {
            reaped.signal()
            return
        }
        send(SIGKILL)
        if reaped.wait(timeout: .now() + BootRun.reapLimit) == .success {
            reaped.signal()
        }
    }

    private func send(_ signal: Int32) {
        if leadsGroup {
            _ = kill(-pid, signal)
        } else if process.isRunning {
            _ = kill(pid, signal)
        }
    }
}
