import Foundation

/// A test hook that makes the process kill itself with SIGKILL in the middle
/// of a git operation, so tests can check that interrupted work recovers
/// (a real kill, not a simulated journal). Off unless the environment names
/// a point: `SEL4IMG_TEST_SIGKILL_AT=checkout:N` dies as the N-th file of a
/// checkout is written, `apply:N` as the N-th file of a patch is applied,
/// `copy:N` after the N-th object file is copied from a local source
/// (each counted over the whole process).
enum TestKillPoint {
    private static let target: (kind: String, count: Int)? = {
        guard let spec = ProcessInfo.processInfo.environment["SEL4IMG_TEST_SIGKILL_AT"],
              let colon = spec.firstIndex(of: ":"), let n = Int(spec[spec.index(after: colon)...]), n > 0 else { return nil }
        return (String(spec[..<colon]), n)
    }()
    private static let counter = Counter()

    static var isArmed: Bool { target != nil }

    /// Counts one event of `kind`; at the chosen one, the process dies.
    static func reached(_ kind: String) {
        guard let target, target.kind == kind else { return }
        if counter.increment() == target.count {
            kill(getpid(), SIGKILL)
        }
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    }
}
