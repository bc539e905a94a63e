import Foundation
import Support

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs QEMU in the terminal for a person to use: QEMU inherits stdin, stdout
/// and stderr and nothing watches the console.
///
/// With `-nographic`, QEMU puts the terminal in raw mode and multiplexes the
/// guest's serial console with its monitor: Ctrl-C goes to the guest, and
/// **Ctrl-A X quits QEMU** (Ctrl-A C switches between console and monitor,
/// Ctrl-A H lists the other keys).
///
/// QEMU runs in sel4img's own process group, so it is in the terminal's
/// foreground and may read from it. While it runs, sel4img ignores SIGINT (a
/// Ctrl-C that reaches both goes to QEMU, as with `system()`), forwards SIGTERM
/// and SIGHUP to QEMU, and afterwards puts back the terminal settings QEMU
/// may have left changed.
public struct InteractiveSession: Sendable {
    public var configuration: QEMUConfiguration
    /// The build that produced the boot image (for the "not built yet" message).
    public var target: BootTarget

    public init(configuration: QEMUConfiguration, target: BootTarget) {
        self.configuration = configuration
        self.target = target
    }

    /// Runs QEMU until it exits and returns its exit status (128 + signal
    /// number when a signal ended it).
    public func run() throws -> Int32 {
        try configuration.checkPrerequisites(for: target)
        guard let executable = configuration.resolvedBinary() else {
            throw EmulatorError.qemuNotFound(binary: configuration.binary)
        }

        let child = ChildBox()
        let token = InterruptGuard.shared.register { signal in
            if signal != SIGINT { child.forward(signal) }
        }
        defer { InterruptGuard.shared.unregister(token) }

        let terminal = TerminalState.save()
        defer { terminal?.restore() }

        let pid = try Self.spawn(executable.path, configuration.arguments())
        child.started(pid)
        return Self.waitForExit(pid)
    }

    /// `posix_spawn` with the parent's file descriptors and process group, an
    /// empty signal mask and default handling for the signals sel4img catches.
    static func spawn(_ path: String, _ args: [String]) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in childDefaultSignals { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        defer { for arg in argv { free(arg) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, nil, &attributes, argv, environ)
        guard status == 0 else {
            if status == ENOENT { throw EmulatorError.qemuNotFound(binary: args[0]) }
            throw EmulatorError.cannotStart(binary: args[0], reason: String(cString: strerror(status)))
        }
        return pid
    }

    /// Waits for `pid` and decodes its wait status.
    static func waitForExit(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { return 127 }
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}

/// The child's pid once spawned, and signals that arrived before it was.
private final class ChildBox: @unchecked Sendable {
    private let lock = NSLock()
    private var pid: pid_t?
    private var pending: [Int32] = []

    func started(_ pid: pid_t) {
        lock.lock()
        self.pid = pid
        let early = pending
        pending.removeAll()
        lock.unlock()
        for sig in early { kill(pid, sig) }
    }

    func forward(_ signal: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if let pid { kill(pid, signal) } else { pending.append(signal) }
    }
}

/// The terminal settings of stdin, to put back after QEMU (which switches the
/// terminal to raw mode and cannot restore it when it is killed).
private struct TerminalState {
    var settings: termios

    static func save() -> TerminalState? {
        guard isatty(STDIN_FILENO) != 0 else { return nil }
        var settings = termios()
        guard tcgetattr(STDIN_FILENO, &settings) == 0 else { return nil }
        return TerminalState(settings: settings)
    }

    func restore() {
        var settings = self.settings
        _ = tcsetattr(STDIN_FILENO, TCSANOW, &settings)
    }
}
