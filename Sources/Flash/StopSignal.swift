import Dispatch
import Foundation

/// A request to stop writing, from SIGINT/SIGTERM or from a test. The writer
/// checks it between chunks, so a stop leaves the target in a known state:
/// everything before the check written and synced, block 0 not written.
public final class StopSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var reason: String?

    public init() {}

    /// Asks the writer to stop; `reason` names the cause ("SIGINT").
    public func request(_ reason: String) {
        lock.lock()
        if self.reason == nil { self.reason = reason }
        lock.unlock()
    }

    /// The first reason given, or nil while no stop was requested.
    public var requested: String? {
        lock.lock(); defer { lock.unlock() }
        return reason
    }

    /// Runs `body` with SIGINT and SIGTERM turned into stop requests instead
    /// of ending the process; the previous dispositions come back afterwards.
    public func catchingSignals<T>(_ body: () throws -> T) rethrows -> T {
        let signals: [(Int32, String)] = [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")]
        var sources: [any DispatchSourceSignal] = []
        var previous: [sigaction] = []
        for (number, name) in signals {
            var ignore = sigaction()
            ignore.__sigaction_handler.sa_handler = SIG_IGN
            var old = sigaction()
            sigaction(number, &ignore, &old)
            previous.append(old)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.request(name) }
            source.resume()
            sources.append(source)
        }
        defer {
            for source in sources { source.cancel() }
            for (i, (number, _)) in signals.enumerated() { var old = previous[i]; sigaction(number, &old, nil) }
        }
        return try body()
    }
}
