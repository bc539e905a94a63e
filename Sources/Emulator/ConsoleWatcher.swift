import Foundation

/// Watches one boot's console: cleans each line, hands it to the caller,
/// remembers the last lines, and records the first thing that ends the boot
/// (a pattern, QEMU exiting, a signal, the caller's callback throwing).
/// Lines arrive on the output reader's thread; everything else may be called
/// from any thread.
final class ConsoleWatcher: @unchecked Sendable {
    /// What ended (or is ending) the boot. The first ending recorded wins.
    enum Ending: Sendable {
        case matched(ConsoleVerdict, line: String)
        case exited(status: Int32)
        case interrupted(signal: Int32)
        case callbackFailed(any Error)
    }

    private let expectations: ConsoleExpectations
    private let forward: @Sendable (String) throws -> Void
    private let tailLimit: Int
    private let lock = NSLock()
    private let decided = DispatchSemaphore(value: 0)
    private var endingStore: Ending?
    private var tail: [String] = []
    private var forwarding = true

    init(expectations: ConsoleExpectations, tailLimit: Int = 10, forward: @escaping @Sendable (String) throws -> Void) {
        self.expectations = expectations
        self.tailLimit = tailLimit
        self.forward = forward
    }

    /// Handles one raw console line.
    func consume(_ raw: String) {
        let line = ConsoleText.clean(raw)
        lock.lock()
        tail.append(line)
        if tail.count > tailLimit { tail.removeFirst(tail.count - tailLimit) }
        let shouldForward = forwarding
        let open = endingStore == nil
        lock.unlock()

        if shouldForward {
            do {
                try forward(line)
            } catch {
                stopForwarding()
                decide(.callbackFailed(error))
            }
        }
        if open, let verdict = expectations.verdict(for: line) {
            decide(.matched(verdict, line: line))
        }
    }

    /// Records `ending` unless another came first; returns whether it was recorded.
    @discardableResult
    func decide(_ ending: Ending) -> Bool {
        lock.lock()
        guard endingStore == nil else {
            lock.unlock()
            return false
        }
        endingStore = ending
        lock.unlock()
        decided.signal()
        return true
    }

    /// Waits until something ended the boot, or `seconds` pass (nil: no limit).
    /// Returns nil on timeout.
    func waitForEnding(timeout seconds: Double?) -> Ending? {
        if let seconds {
            guard decided.wait(timeout: .now() + seconds) == .success else { return nil }
        } else {
            decided.wait()
        }
        decided.signal()
        return ending
    }

    /// Stops handing lines to the caller (used once QEMU is being stopped, so
    /// its own "terminating on signal" message is only in the log).
    func stopForwarding() {
        lock.lock()
        forwarding = false
        lock.unlock()
    }

    var ending: Ending? {
        lock.lock(); defer { lock.unlock() }
        return endingStore
    }

    var lastLines: [String] {
        lock.lock(); defer { lock.unlock() }
        return tail
    }
}
