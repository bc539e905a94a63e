import Foundation
import Testing
import TestSupport
@testable import Support

/// ProcessRunner starts children with posix_spawn and waits with waitid/waitpid
/// (not Foundation's Process): these pin what callers rely on.
@Suite struct ProcessRunnerTests {
    @Test("output of stdout and stderr arrives in order, line by line, with the exit status")
    func outputAndStatus() throws {
        let lines = Lines()
        let result = try ProcessRunner().run(["sh", "-c", "echo one; echo two >&2; printf three; exit 3"], check: false) { lines.add($0) }
        #expect(result.status == 3)
        #expect(result.output == "one\ntwo\nthree")
        #expect(lines.all == ["one", "two", "three"])
    }

    @Test("a failing command throws ProcessError with its command line, directory, tail and log file")
    func failure() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let log = dir.path("logs/run.log")
        #expect {
            try ProcessRunner().run(["sh", "-c", "echo a; echo b; exit 2"], in: dir.url, log: log, tailLines: 1)
        } throws: { error in
            (error as? ProcessError)?.description == """
                'sh -c 'echo a; echo b; exit 2'' failed with exit status 2 (in \(dir.url.path))
                Last lines of its output:
                  | b
                Full log: \(log.path)
                """
        }
        #expect(try dir.read("logs/run.log") == "$ sh -c 'echo a; echo b; exit 2'\na\nb\n")
    }

    @Test("a command killed by a signal has status 128+signal and a ProcessError that names the signal")
    func signal() throws {
        let running = try ProcessRunner().start(["sh", "-c", "kill -TERM $$"])
        let result = running.wait()
        #expect(result.status == 128 + SIGTERM)
        #expect(running.error(for: result.status).ending == .signal(SIGTERM))
        #expect(!running.isRunning)
    }

    @Test("terminate stops a running command; isRunning and processIdentifier follow it")
    func terminate() throws {
        let running = try ProcessRunner().start(["sleep", "1000"])
        #expect(running.processIdentifier > 0)
        #expect(running.isRunning)
        running.terminate()
        #expect(running.wait().status == 128 + SIGTERM)
        #expect(!running.isRunning)
        running.kill()  // after the end: signals nothing
    }

    @Test("a missing program is .notFound, a missing directory a ProcessStartError naming it")
    func cannotStart() throws {
        #expect { try ProcessRunner().run(["no-such-program-h38"]) } throws: { error in
            (error as? ProcessError)?.ending == .notFound
        }
        #expect { try ProcessRunner().run(["true"], in: URL(fileURLWithPath: "/nonexistent/dir\u{1B}x")) } throws: { error in
            let error = error as? ProcessStartError
            return error?.description == "Could not start 'true' in /nonexistent/dir\\u{1B}x: No such file or directory"
                && error?.hint == "check that the directory exists"
        }
    }

    @Test("the child runs in the directory, with argv[0] the resolved path, stdin /dev/null and the merged environment")
    func childSetup() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        setenv("SEL4IMG_H38_DROPPED", "gone", 1)
        defer { unsetenv("SEL4IMG_H38_DROPPED") }
        var runner = ProcessRunner(environment: ["SEL4IMG_H38_A": "a"])
        runner.removedPrefixes = ["SEL4IMG_H38_DROP"]
        let output = try runner.run(
            ["sh", "-c", "pwd; echo \"$0\"; readlink /proc/self/fd/0; echo \"$SEL4IMG_H38_A $SEL4IMG_H38_B [$SEL4IMG_H38_DROPPED]\""],
            in: dir.url, environment: ["SEL4IMG_H38_B": "b"]).output
        let sh = try #require(ProcessRunner.which("sh")).path
        #expect(output == "\(dir.url.path)\n\(sh)\n/dev/null\na b []\n")
    }

    @Test("the child gets only fds 0-2, leads its own process group and has no blocked signals, even from a thread that blocks them")
    func isolation() throws {
        // An fd of ours without close-on-exec must not reach the child.
        let leaked = open("/dev/null", O_RDONLY)
        defer { close(leaked) }
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        sigaddset(&blocked, SIGINT)
        var saved = sigset_t()
        pthread_sigmask(SIG_BLOCK, &blocked, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        // Simple commands only: a pipeline's pipes would show up in the shell's
        // fds, and dash blocks every signal while it waits for a command, so
        // the mask is read by the exec'd grep, which keeps the one it started with.
        let output = try ProcessRunner().run(
            ["sh", "-c", "ls /proc/$$/fd; ps -o pid=,pgid= -p $$; exec grep SigBlk /proc/self/status"]).output
        let lines = output.split(separator: "\n").map(String.init)
        try #require(lines.count == 5, "\(output)")
        #expect(Array(lines[0..<3]) == ["0", "1", "2"])
        let ids = lines[3].split(separator: " ")
        #expect(ids.count == 2 && ids[0] == ids[1], "pid and process group: \(lines[3])")
        #expect(lines[4] == "SigBlk:\t0000000000000000")
    }

    @Test("a signal sel4img ignores (flash ignores SIGINT and SIGTERM) is at its default in the child")
    func ignoredSignalsReset() throws {
        var ignore = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        var old = sigaction()
        sigaction(SIGHUP, &ignore, &old)
        defer { sigaction(SIGHUP, &old, nil) }
        let output = try ProcessRunner().run(["grep", "SigIgn", "/proc/self/status"]).output
        // The mask's bit 0 is SIGHUP (the test runner may ignore others of its own).
        let mask = output.split(separator: "\t").last.flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines), radix: 16) }
        let ignored = try #require(mask, "\(output)")
        #expect(ignored & 1 == 0, "\(output)")
    }

    @Test("stdin can be a given file handle")
    func stdinHandle() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("in.txt", "from the file\n")
        let handle = try FileHandle(forReadingFrom: dir.path("in.txt"))
        defer { try? handle.close() }
        let running = try ProcessRunner().start(["cat"], stdin: handle)
        #expect(running.wait().output == "from the file\n")
    }
}

private final class Lines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
