import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A command that failed, with what a person needs to see: the command line,
/// the directory, how it ended, and the last lines it printed.
public struct ProcessError: UserFacingError {
    public enum Ending: Sendable, Equatable {
        case exit(Int32)
        case signal(Int32)
        case notFound
    }

    public var commandLine: String
    public var directory: String?
    public var ending: Ending
    public var tail: [String]
    public var logFile: String?

    public var description: String {
        var text: String
        switch ending {
        case .notFound:
            text = "Could not run '\(commandLine)': the program was not found"
        case .exit(let code):
            text = "'\(commandLine)' failed with exit status \(code)"
        case .signal(let sig):
            text = "'\(commandLine)' was killed by signal \(sig)"
        }
        if let directory { text += " (in \(directory))" }
        if !tail.isEmpty {
            text += "\nLast lines of its output:\n" + tail.map { "  | " + $0 }.joined(separator: "\n")
        }
        if let logFile { text += "\nFull log: \(logFile)" }
        return text
    }

    public var hint: String? {
        ending == .notFound ? "run 'sel4img doctor' to see which host tools are missing" : nil
    }
}

/// The one way sel4img runs other programs (cmake, ninja, qemu, mkimage).
/// It quotes the command line for logs, streams output line by line, keeps
/// the tail for error messages, and can copy everything to a log file.
public struct ProcessRunner: Sendable {
    /// Variables laid over this process's environment for every command
    /// (tests put fake tools first on PATH this way).
    public var environment: [String: String]
    /// Variables of this process whose names start with one of these are not
    /// passed on (the build sets every CCACHE_ variable itself).
    public var removedPrefixes: [String] = []

    public init(environment: [String: String] = [:]) {
        self.environment = environment
    }

    private func mergedEnvironment(_ extra: [String: String]?) -> [String: String]? {
        if environment.isEmpty, extra == nil, removedPrefixes.isEmpty { return nil }
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where removedPrefixes.contains(where: { key.hasPrefix($0) }) { env[key] = nil }
        for (k, v) in environment { env[k] = v }
        for (k, v) in extra ?? [:] { env[k] = v }
        return env
    }

    public struct Result: Sendable {
        public var status: Int32
        public var output: String
    }

    /// Quotes arguments so a logged command line can be pasted into a shell.
    public static func quote(_ args: [String]) -> String {
        args.map { arg in
            if arg.isEmpty { return "''" }
            let safe = arg.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
            return safe ? arg : "'" + arg.replacingOccurrences(of: "'", with: "'\\''") + "'"
        }.joined(separator: " ")
    }

    /// Finds an executable on PATH (or checks an explicit path).
    public static func which(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> URL? {
        if name.contains("/") {
            return FileManager.default.isExecutableFile(atPath: name) ? URL(fileURLWithPath: name) : nil
        }
        for dir in (path ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Runs a command to completion, calling `onLine` for every line of combined
    /// stdout/stderr, and appending everything to `log` when given. Throws
    /// `ProcessError` on a non-zero exit unless `check` is false.
    @discardableResult
    public func run(
        _ args: [String],
        in directory: URL? = nil,
        environment: [String: String]? = nil,
        log: URL? = nil,
        check: Bool = true,
        tailLines: Int = 30,
        onLine: (@Sendable (String) -> Void)? = nil
    ) throws -> Result {
        let running = try start(args, in: directory, environment: environment, log: log, tailLines: tailLines, onLine: onLine)
        let result = running.wait()
        if check, result.status != 0 {
            throw running.error(for: result.status)
        }
        return result
    }

    /// Starts a command and returns at once; the caller can watch its output,
    /// terminate it, and wait for it.
    public func start(
        _ args: [String],
        in directory: URL? = nil,
        environment: [String: String]? = nil,
        log: URL? = nil,
        stdin: FileHandle? = nil,
        tailLines: Int = 30,
        onLine: (@Sendable (String) -> Void)? = nil
    ) throws -> RunningProcess {
        precondition(!args.isEmpty, "empty command line")
        let environment = mergedEnvironment(environment)
        let commandLine = Self.quote(args)
        guard let executable = Self.which(args[0], path: environment?["PATH"] ?? ProcessInfo.processInfo.environment["PATH"]) else {
            throw ProcessError(commandLine: commandLine, directory: directory?.path, ending: .notFound, tail: [], logFile: nil)
        }
        var logHandle: FileHandle?
        if let log {
            try FileManager.default.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: log.path) {
                _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            }
            logHandle = try FileHandle(forWritingTo: log)
            logHandle?.seekToEndOfFile()
            logHandle?.write(Data("$ \(commandLine)\n".utf8))
        }
        let collector = OutputCollector(tailLines: tailLines, log: logHandle, onLine: onLine)
        let input = stdin.flatMap { $0 === FileHandle.nullDevice ? nil : $0.fileDescriptor }
        let spawned: (pid: pid_t, output: Int32)
        do {
            spawned = try ChildProcess.spawn(
                executable: executable.path, arguments: [executable.path] + args.dropFirst(), environment: environment,
                directory: directory?.path, stdin: input)
        } catch let failure as ChildProcess.SpawnFailure {
            try? logHandle?.close()
            throw ProcessStartError(commandLine: commandLine, directory: directory?.path, errorNumber: failure.errorNumber)
        }
        let output = spawned.output
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(output, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                collector.append(Data(buffer[0..<count]))
            }
            close(output)
            collector.finish()
        }
        reader.name = "sel4img-process-output"
        reader.start()
        return RunningProcess(pid: spawned.pid, collector: collector, commandLine: commandLine, directory: directory?.path, logFile: log?.path)
    }
}

/// A program that could not be started at all (its directory is missing, it is
/// not executable, the system is out of processes): the command line, the
/// directory and the system's reason.
public struct ProcessStartError: UserFacingError {
    public var commandLine: String
    public var directory: String?
    public var errorNumber: Int32

    public var description: String {
        var text = "Could not start '\(commandLine)'"
        if let directory { text += " in \(directory.escapingControlCharacters)" }
        return text + ": " + String(cString: strerror(errorNumber))
    }

    public var hint: String? {
        errorNumber == ENOENT && directory != nil ? "check that the directory exists" : nil
    }
}

/// A started process. `wait()` returns once the process ended and all of its
/// output was read.
///
/// A thread of its own waits for the child with `waitid(WNOWAIT)` and reaps it
/// only while holding `state`, so `terminate()` and `kill()`, which signal under
/// the same lock, never reach another process that reused the number.
/// (Foundation's `Process` is not used: on Linux it learns of a child's exit
/// through a CFSocket whose run loop needs a loopback interface, so without
/// one, as under `unshare --net` or `docker --network none`, `waitUntilExit()`
/// never returns.)
public final class RunningProcess: @unchecked Sendable {
    let collector: OutputCollector
    public let commandLine: String
    let directory: String?
    let logFile: String?
    public let processIdentifier: Int32
    private let state = NSCondition()
    private var ending: ProcessError.Ending?

    init(pid: pid_t, collector: OutputCollector, commandLine: String, directory: String?, logFile: String?) {
        self.processIdentifier = pid
        self.collector = collector
        self.commandLine = commandLine
        self.directory = directory
        self.logFile = logFile
        let waiter = Thread { [self] in reap() }
        waiter.name = "sel4img-process-waiter"
        waiter.start()
    }

    private func reap() {
        var info = siginfo_t()
        while waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOWAIT) == -1, errno == EINTR {}
        state.lock()
        var status: Int32 = 0
        var result: pid_t
        repeat { result = waitpid(processIdentifier, &status, 0) } while result == -1 && errno == EINTR
        if result == -1 {
            ending = .exit(255)  // reaped elsewhere (SIGCHLD ignored): the status is lost
        } else if status & 0x7f == 0 {
            ending = .exit((status >> 8) & 0xff)
        } else {
            ending = .signal(status & 0x7f)
        }
        state.broadcast()
        state.unlock()
    }

    public var isRunning: Bool {
        state.lock(); defer { state.unlock() }
        return ending == nil
    }

    public func terminate() { send(SIGTERM) }

    public func kill() { send(SIGKILL) }

    private func send(_ signal: Int32) {
        state.lock(); defer { state.unlock() }
        if ending == nil { _ = Foundation.kill(processIdentifier, signal) }
    }

    private func waitForEnding() -> ProcessError.Ending {
        state.lock(); defer { state.unlock() }
        while ending == nil { state.wait() }
        return ending!
    }

    public func wait() -> ProcessRunner.Result {
        let ending = waitForEnding()
        collector.waitUntilFinished()
        let status: Int32
        switch ending {
        case .exit(let code): status = code
        case .signal(let number): status = 128 + number
        case .notFound: status = 127
        }
        return .init(status: status, output: collector.text)
    }

    public func error(for status: Int32) -> ProcessError {
        let ending: ProcessError.Ending
        if case .signal(let number) = waitForEnding() { ending = .signal(number) } else { ending = .exit(status) }
        return ProcessError(commandLine: commandLine, directory: directory, ending: ending, tail: collector.tail, logFile: logFile)
    }
}

/// Splits a byte stream into lines, keeping a bounded tail and (optionally) the whole text.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()
    private var all = Data()
    private var tailStore: [String] = []
    private let tailLines: Int
    private let log: FileHandle?
    private let onLine: (@Sendable (String) -> Void)?
    private let done = DispatchSemaphore(value: 0)
    private static let keepLimit = 8 << 20

    init(tailLines: Int, log: FileHandle?, onLine: (@Sendable (String) -> Void)?) {
        self.tailLines = tailLines
        self.log = log
        self.onLine = onLine
    }

    func append(_ data: Data) {
        log?.write(data)
        var lines: [String] = []
        lock.lock()
        if all.count < Self.keepLimit { all.append(data) }
        buffer.append(data)
        while let nl = buffer.firstIndex(of: 0x0A) {
            let lineData = buffer[buffer.startIndex..<nl]
            buffer.removeSubrange(buffer.startIndex...nl)
            var line = String(decoding: lineData, as: UTF8.self)
            if line.hasSuffix("\r") { line.removeLast() }
            lines.append(line)
            remember(line)
        }
        lock.unlock()
        for line in lines { onLine?(line) }
    }

    private func remember(_ line: String) {
        tailStore.append(line)
        if tailStore.count > tailLines { tailStore.removeFirst(tailStore.count - tailLines) }
    }

    /// The unterminated last line, if any, so a prompt without a newline is still seen.
    func finish() {
        lock.lock()
        var last: String?
        if !buffer.isEmpty {
            last = String(decoding: buffer, as: UTF8.self)
            remember(last!)
            buffer.removeAll()
        }
        lock.unlock()
        if let last { onLine?(last) }
        try? log?.close()
        done.signal()
    }

    func waitUntilFinished() {
        done.wait()
        done.signal()
    }

    var tail: [String] {
        lock.lock(); defer { lock.unlock() }
        return tailStore
    }

    var text: String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: all, as: UTF8.self)
    }
}
