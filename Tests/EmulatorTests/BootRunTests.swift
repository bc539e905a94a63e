import Foundation
import Testing
import TestSupport
@testable import Emulator

/// Tests that start processes and catch signals. They run one at a time, so a
/// signal raised by one test cannot reach another test's boot.
@Suite("Processes", .serialized)
struct ProcessTests {}

extension ProcessTests {
    @Suite("Watched boot with a scripted console")
    struct BootRunTests {
        @Test("a success line passes the boot with exit 0 and QEMU is stopped and reaped")
        func passes() throws {
            let fake = try FakeQEMU("""
                echo 'ELF-loader started'
                sleep 0.2
                echo 'All is well in the universe'
                exec sleep 1000
                """)
            defer { fake.remove() }
            let lines = LineRecorder()
            let result = try fake.boot { lines.add($0) }
            #expect(result.outcome == .passed(matched: "All is well in the universe"))
            #expect(result.exitCode == 0)
            #expect(result.reason == "Passed: the console showed \"All is well in the universe\".")
            #expect(Array(lines.lines.prefix(2)) == ["ELF-loader started", "All is well in the universe"])
            #expect(result.processIdentifier == fake.pid)
            #expect(isGone(result.processIdentifier), "QEMU (or its sleep) is still running")
            #expect(result.elapsed < 5)
        }

        @Test("QEMU is started with the configuration's arguments and no terminal on stdin")
        func argumentsAndStdin() throws {
            let fake = try FakeQEMU("""
                if [ -t 0 ]; then echo 'stdin is a terminal'; fi
                read line && echo "stdin gave: $line"
                echo 'All is well in the universe'
                exec sleep 1000
                """)
            defer { fake.remove() }
            let result = try fake.boot()
            #expect(result.outcome.isPassed)
            #expect(fake.arguments == Array(fake.configuration.arguments().dropFirst()))
            #expect(!result.lastLines.contains { $0.hasPrefix("stdin") })
        }

        @Test("a failure line fails the boot with exit 1")
        func fails() throws {
            let fake = try FakeQEMU("""
                echo 'Starting test 1'
                sleep 0.1
                echo 'Test suite failed. 120/121 tests passed.'
                exec sleep 1000
                """)
            defer { fake.remove() }
            let result = try fake.boot()
            #expect(result.outcome == .failed(matched: "Test suite failed. 120/121 tests passed."))
            #expect(result.exitCode == 1)
            #expect(isGone(result.processIdentifier))
        }

        @Test("a failure pattern beats a success pattern on the same line")
        func failureBeatsSuccess() throws {
            let fake = try FakeQEMU("""
                echo 'All is well in the universe... Test suite failed'
                exec sleep 1000
                """)
            defer { fake.remove() }
            let result = try fake.boot()
            #expect(result.outcome == .failed(matched: "All is well in the universe... Test suite failed"))
        }

        @Test("no matching line times out with exit 2 and QEMU is stopped")
        func timesOut() throws {
            let fake = try FakeQEMU("""
                echo 'Booting'
                sleep 0.2
                echo 'Still booting'
                exec sleep 1000
                """)
            defer { fake.remove() }
            let started = Date()
            let result = try fake.boot(timeout: 1.5)
            #expect(result.outcome == .timedOut(seconds: 1.5))
            #expect(result.exitCode == 2)
            #expect(Date().timeIntervalSince(started) < 4)
            #expect(result.reason == """
                Timed out after 1.5 s before the console showed 'All is well in the universe'; last lines:
                  | Booting
                  | Still booting
                """)
            #expect(isGone(result.processIdentifier))
        }

        @Test("QEMU that ignores SIGTERM is killed after the grace period")
        func ignoresSIGTERM() throws {
            let fake = try FakeQEMU("""
                trap '' TERM
                echo 'All is well in the universe'
                exec sleep 1000
                """)
            defer { fake.remove() }
            let started = Date()
            let result = try fake.boot()
            let took = Date().timeIntervalSince(started)
            #expect(result.outcome.isPassed)
            #expect(took >= BootRun.stopGracePeriod && took < BootRun.stopGracePeriod + 3)
            #expect(isGone(result.processIdentifier))
        }

        @Test("QEMU exiting before any pattern ends the boot with exit 1 and the last lines")
        func exitsEarly() throws {
            let fake = try FakeQEMU("""
                echo 'ELF-loader started'
                echo 'qemu: fatal: Trying to execute code outside RAM'
                exit 3
                """)
            defer { fake.remove() }
            let result = try fake.boot()
            #expect(result.outcome == .exitedEarly(status: 3))
            #expect(result.exitCode == 1)
            #expect(result.reason == """
                QEMU exited with status 3 before the console showed 'All is well in the universe'; last lines:
                  | ELF-loader started
                  | qemu: fatal: Trying to execute code outside RAM
                """)
        }

        @Test("a pattern on the last line before QEMU exits still decides the boot")
        func patternBeforeExit() throws {
            let fake = try FakeQEMU("printf 'All is well in the universe'; exit 0")
            defer { fake.remove() }
            #expect(try fake.boot().outcome == .passed(matched: "All is well in the universe"))
        }

        @Test("escape sequences and carriage returns are removed before matching")
        func stripsEscapes() throws {
            let fake = try FakeQEMU("""
                printf '\\033[1;32mAll is well\\033[0m in the universe\\r\\n'
                exec sleep 1000
                """)
            defer { fake.remove() }
            let lines = LineRecorder()
            let result = try fake.boot(expect: ["^All is well in the universe$"]) { lines.add($0) }
            #expect(result.outcome == .passed(matched: "All is well in the universe"))
            #expect(lines.lines.first == "All is well in the universe")
        }

        @Test("the log file holds the command line and the whole console, replacing an old log")
        func logFile() throws {
            let fake = try FakeQEMU("""
                echo 'ELF-loader started'
                echo 'warning on stderr' >&2
                printf '\\033[32mAll is well in the universe\\033[0m\\n'
                exec sleep 1000
                """)
            defer { fake.remove() }
            try fake.dir.write("logs/console.log", "an old boot\n")
            let result = try fake.boot(log: true)
            let log = try fake.dir.read("logs/console.log")
            #expect(result.logFile == fake.dir.path("logs/console.log"))
            let expectedStart = "$ \(fake.configuration.arguments().joined(separator: " "))\n"
                + "ELF-loader started\nwarning on stderr\n\u{1B}[32mAll is well in the universe\u{1B}[0m\n"
            #expect(log.hasPrefix(expectedStart), "log was: \(log)")
            #expect(!log.contains("an old boot"))
        }

        @Test("a throwing line callback stops QEMU and the error comes out of run")
        func callbackThrows() throws {
            let fake = try FakeQEMU("""
                echo 'ELF-loader started'
                exec sleep 1000
                """)
            defer { fake.remove() }
            #expect(throws: CallbackFailure()) {
                try fake.boot { _ in throw CallbackFailure() }
            }
            let pid = try #require(fake.pid)
            #expect(isGone(pid))
        }

        @Test("SIGINT during a boot stops QEMU, ends as interrupted and restores the handler")
        func interrupted() throws {
            let fake = try FakeQEMU("""
                echo 'ELF-loader started'
                exec sleep 1000
                """)
            defer { fake.remove() }
            let before = signalHandlerAddress(SIGINT)
            let result = try fake.boot { line in
                if line == "ELF-loader started" { kill(getpid(), SIGINT) }
            }
            #expect(result.outcome == .interrupted(signal: SIGINT))
            #expect(result.exitCode == 130)
            #expect(isGone(result.processIdentifier))
            #expect(signalHandlerAddress(SIGINT) == before)
        }

        @Test("a missing boot image is reported before QEMU starts")
        func missingImage() throws {
            let fake = try FakeQEMU("echo 'All is well in the universe'")
            defer { fake.remove() }
            try FileManager.default.removeItem(at: fake.dir.path("images"))
            #expect(throws: EmulatorError.self) { try fake.boot() }
            #expect(fake.pid == nil)
        }

        @Test("a timeout that is not positive is refused")
        func invalidTimeout() throws {
            let fake = try FakeQEMU("true")
            defer { fake.remove() }
            #expect(throws: EmulatorError.invalidTimeout(seconds: 0)) { try fake.boot(timeout: 0) }
        }
    }
}
