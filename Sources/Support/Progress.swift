import Foundation

/// How long work reports itself: a live display on a terminal, plain lines in
/// CI logs, or JSON lines for machines. Commands receive one reporter and pass
/// it down; nothing below the command layer prints directly.
public protocol ProgressReporter: Sendable {
    /// A unit of work (a project, a build step) changed state.
    func update(_ item: String, _ state: String)
    /// A line worth keeping in the output (a warning, a summary).
    func note(_ message: String)
    /// A line of streamed tool output; terminals show it briefly, plain mode prints it.
    func output(_ line: String)
}

public enum ProgressStyle: String, Sendable, CaseIterable {
    case terminal, plain, json, quiet

    /// Terminal when stderr is a TTY, plain otherwise.
    public static var automatic: ProgressStyle {
        isatty(STDERR_FILENO) != 0 ? .terminal : .plain
    }

    public func makeReporter(verbose: Bool = false) -> any ProgressReporter {
        switch self {
        case .terminal: return TerminalProgress(verbose: verbose)
        case .plain: return PlainProgress(showOutput: verbose)
        case .json: return JSONLinesProgress()
        case .quiet: return QuietProgress()
        }
    }
}

private let stderrLock = NSLock()

func writeStderr(_ text: String) {
    stderrLock.lock()
    FileHandle.standardError.write(Data(text.utf8))
    stderrLock.unlock()
}

/// Plain lines: one per state change, as CI logs want.
public struct PlainProgress: ProgressReporter {
    var showOutput: Bool
    public init(showOutput: Bool = false) { self.showOutput = showOutput }
    public func update(_ item: String, _ state: String) { writeStderr("\(item): \(state)\n") }
    public func note(_ message: String) { writeStderr(message + "\n") }
    public func output(_ line: String) { if showOutput { writeStderr(line + "\n") } }
}

/// One status line rewritten in place; notes scroll above it.
public final class TerminalProgress: ProgressReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var statusShown = false
    private let verbose: Bool
    private var width: Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 10 { return Int(size.ws_col) }
        return 80
    }

    public init(verbose: Bool = false) { self.verbose = verbose }

    private func status(_ text: String) {
        let clipped = String(text.prefix(width - 1))
        lock.lock()
        writeStderr("\r\u{1B}[K" + clipped)
        statusShown = true
        lock.unlock()
    }

    private func line(_ text: String) {
        lock.lock()
        writeStderr((statusShown ? "\r\u{1B}[K" : "") + text + "\n")
        statusShown = false
        lock.unlock()
    }

    public func update(_ item: String, _ state: String) {
        if state.hasPrefix("done") || state.hasPrefix("failed") || state.hasPrefix("up to date") {
            line("\(item): \(state)")
        } else {
            status("\(item): \(state)")
        }
    }

    public func note(_ message: String) { line(message) }

    public func output(_ line: String) {
        if verbose { self.line(line) } else { status(line) }
    }
}

/// JSON objects, one per line, for CI dashboards.
public struct JSONLinesProgress: ProgressReporter {
    public init() {}
    private func emit(_ fields: [String: String]) {
        if let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) {
            writeStderr(String(decoding: data, as: UTF8.self) + "\n")
        }
    }
    public func update(_ item: String, _ state: String) { emit(["event": "update", "item": item, "state": state]) }
    public func note(_ message: String) { emit(["event": "note", "message": message]) }
    public func output(_ line: String) { emit(["event": "output", "line": line]) }
}

public struct QuietProgress: ProgressReporter {
    public init() {}
    public func update(_ item: String, _ state: String) {}
    public func note(_ message: String) {}
    public func output(_ line: String) {}
}

/// Collects everything; used by tests to assert what a command reported.
public final class RecordingProgress: ProgressReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var store: [String] = []
    public init() {}
    public var lines: [String] { lock.lock(); defer { lock.unlock() }; return store }
    private func add(_ s: String) { lock.lock(); store.append(s); lock.unlock() }
    public func update(_ item: String, _ state: String) { add("\(item): \(state)") }
    public func note(_ message: String) { add(message) }
    public func output(_ line: String) {}
}
