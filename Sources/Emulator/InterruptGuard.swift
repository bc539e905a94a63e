import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Catches SIGINT, SIGTERM and SIGHUP while QEMU runs, so that sel4img can
/// stop QEMU before it goes away itself.
///
/// ProcessRunner starts every child in a process group of its own,
/// so Ctrl-C in the terminal reaches sel4img but not QEMU: without this, QEMU
/// would keep running after sel4img died. The handler only writes the signal
/// number to a pipe; a thread reads it and calls the registered closures.
/// Registrations nest (several boots may run at once); the previous signal
/// dispositions come back when the last one ends. A signal that was ignored
/// when the first registration came (as under `nohup`) stays ignored.
final class InterruptGuard: @unchecked Sendable {
    static let shared = InterruptGuard()
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    private let lock = NSLock()
    private var handlers: [Int: @Sendable (Int32) -> Void] = [:]
    private var nextToken = 0
    private var previous: [Int32: sigaction] = [:]
    private var readerStarted = false

    private init() {}

    /// Starts delivering the signals to `handler` (on a background thread)
    /// until `unregister` is called with the returned token.
    func register(_ handler: @escaping @Sendable (Int32) -> Void) -> Int {
        lock.lock()
        defer { lock.unlock() }
        startReaderIfNeeded()
        let token = nextToken
        nextToken += 1
        if handlers.isEmpty { install() }
        handlers[token] = handler
        return token
    }

    func unregister(_ token: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard handlers.removeValue(forKey: token) != nil else { return }
        if handlers.isEmpty { uninstall() }
    }

    /// Calls every registered handler; what the reader thread does per signal.
    func deliver(_ signal: Int32) {
        lock.lock()
        let current = Array(handlers.values)
        lock.unlock()
        for handler in current { handler(signal) }
    }

    private func install() {
        for sig in Self.signals {
            var old = sigaction()
            sigaction(sig, nil, &old)
            if Self.isIgnored(old) { continue }
            var new = sigaction()
            Self.setHandler(&new)
            sigemptyset(&new.sa_mask)
            new.sa_flags = SA_RESTART
            sigaction(sig, &new, &old)
            previous[sig] = old
        }
    }

    private func uninstall() {
        for (sig, old) in previous {
            var restore = old
            sigaction(sig, &restore, nil)
        }
        previous.removeAll()
    }

    private func startReaderIfNeeded() {
        guard !readerStarted else { return }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        interruptPipeWriteEnd = fds[1]
        readerStarted = true
        let readEnd = fds[0]
        let thread = Thread { [self] in
            var byte: UInt8 = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n == 1 {
                    deliver(Int32(byte))
                } else if n < 0, errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
        thread.name = "sel4img-interrupts"
        thread.start()
    }

    private static func isIgnored(_ action: sigaction) -> Bool {
        if action.sa_flags & SA_SIGINFO != 0 { return false }
        #if os(Linux)
        let handler = action.__sigaction_handler.sa_handler
        #else
        let handler = action.__sigaction_u.__sa_handler
        #endif
        return unsafeBitCast(handler, to: Int.self) == 1  // SIG_IGN
    }

    private static func setHandler(_ action: inout sigaction) {
        #if os(Linux)
        action.__sigaction_handler.sa_handler = interruptSignalHandler
        #else
        action.__sigaction_u.__sa_handler = interruptSignalHandler
        #endif
    }
}

/// Write end of the self-pipe; set once, before any handler is installed.
nonisolated(unsafe) private var interruptPipeWriteEnd: Int32 = -1

/// The signal handler: async-signal-safe, it only writes one byte.
private func interruptSignalHandler(_ signal: Int32) {
    let savedErrno = errno
    var byte = UInt8(truncatingIfNeeded: signal)
    _ = write(interruptPipeWriteEnd, &byte, 1)
    errno = savedErrno
}
