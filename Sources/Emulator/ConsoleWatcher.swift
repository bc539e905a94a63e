import Foundation

/// Watches one boot's console: cleans each line, hands it to the caller,
/// remembers the last lines, and records the first thing that ends the boot
/// (a pattern, QEMU exiting, a signal, the caller's callback throwing, or the
/// script driving the boot). Lines arrive on the output reader's thread;
/// everything else may be called from any thread.
final class ConsoleWatcher: @unchecked Sendable {
    /// What ended (or is ending) the boot. The first ending recorded wins.
    enum Ending: Sendable {
        case matched(ConsoleVerdict, line: String)
        case exited(status: Int32)
        case interrupted(signal: Int32)
        case callbackFailed(any Error)
        /// The thread driving a script decided the boot (see `BootRun+Script.swift`).
        case script(BootOutcome)
    }

    /// What `nextLine` returns.
    enum Next: Sendable {
        case line(String)
        case ended(Ending)
        case timedOut
    }

    private let expectations: ConsoleExpectations
    /// Whether a success pattern ends the boot (not when a script decides it).
    private let successEnds: Bool
    private let forward: @Sendable (String) throws -> Void
    private let tailLimit: Int
    private let condition = NSCondition()
    private var endingStore: Ending?
    private var tail: [String] = []
    private var forwarding = true
    /// Lines not yet taken by `nextLine`; nil unless `collectsLines`.
    private var inbox: [String]?

    /// `collectsLines` keeps every cleaned line for `nextLine` (a script
    /// driver reads them); `successEnds` false ignores the success patterns.
    init(expectations: ConsoleExpectations, tailLimit: Int = 10, collectsLines: Bool = false, successEnds: Bool = true,
         forward: @escaping @Sendable (String) throws -> Void) {
        self.expectations = expectations
        self.tailLimit = tailLimit
        self.successEnds = successEnds
        self.forward = forward
        inbox = collectsLines ? [] : nil
    }

    /// Handles one raw console line.
    func consume(_ raw: String) {
        let line = ConsoleText.clean(raw)
        condition.lock()
        tail.append(line)
        if tail.count > tailLimit { tail.removeFirst(tail.count - tailLimit) }
        let shouldForward = forwarding
        let open = endingStore == nil
        condition.unlock()

        if shouldForward {
            do {
                try forward(line)
            } catch {
                stopForwarding()
                decide(.callbackFailed(error))
            }
        }
        if open, let verdict = expectations.verdict(for: line), verdict == .failed || successEnds {
            decide(.matched(verdict, line: line))
        }
        // Queued only after a failure pattern on this line was recorded, so a
        // driver that reads a later line always sees that ending first.
        condition.lock()
        inbox?.append(line)
        condition.broadcast()
        condition.unlock()
    }

    /// Records `ending` unless another came first; returns whether it was recorded.
    @discardableResult
    func decide(_ ending: Ending) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard endingStore == nil else { return false }
        endingStore = ending
        condition.broadcast()
        return true
    }

    /// Waits until something ended the boot, or `seconds` pass (nil: no limit).
    /// Returns nil on timeout.
    func waitForEnding(timeout seconds: Double?) -> Ending? {
        let deadline = seconds.map { Date(timeIntervalSinceNow: $0) }
        condition.lock()
        defer { condition.unlock() }
        while endingStore == nil {
            if let deadline {
                if !condition.wait(until: deadline) && endingStore == nil { return nil }
            } else {
                condition.wait()
            }
        }
        return endingStore
    }

    /// The next console line not yet taken, unless the boot has ended (an
    /// ending is reported before lines still queued) or `deadline` passes
    /// first. Only for a watcher made with `collectsLines`.
    func nextLine(until deadline: Date) -> Next {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let endingStore { return .ended(endingStore) }
            if let first = inbox?.first {
                inbox?.removeFirst()
                return .line(first)
            }
            if !condition.wait(until: deadline) {
                if let endingStore { return .ended(endingStore) }
                if inbox?.isEmpty == false { continue }
                return .timedOut
            }
        }
    }

    /// Stops handing lines to the caller (used once QEMU is being stopped, so
    /// its own "terminating on signal" message is only in the log).
    func stopForwarding() {
        condition.lock()
        forwarding = false
        condition.unlock()
    }

    var ending: Ending? {
        condition.lock(); defer { condition.unlock() }
        return endingStore
    }

    var lastLines: [String] {
        condition.lock(); defer { condition.unlock() }
        return tail
    }
}
