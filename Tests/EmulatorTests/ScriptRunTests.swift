import Foundation
import Testing
import TestSupport
@testable import Emulator

extension ProcessTests {
    /// The whole `--script` protocol against a fake QEMU whose "guest" is a
    /// shell loop reading the console from stdin.
    @Suite("Script typed into the guest's shell")
    struct ScriptRunTests {
        @Test("every command with its expected status passes, in order, and QEMU is stopped after the last")
        func passes() throws {
            let fake = try FakeQEMU(FakeQEMU.guestShell)
            defer { fake.remove() }
            let lines = LineRecorder()
            var finished: [ScriptCommandResult] = []
            let result = try fake.bootScript("""
                # Checks
                echo hello from the guest

                echo "two words"; true   # a plain comment is not typed
                sh -c 'exit 3'  #=> 3
                """, onLine: { lines.add($0) }, onCommand: { finished.append($0) })
            #expect(result.outcome == .scriptPassed(commands: 3))
            #expect(result.exitCode == 0)
            #expect(result.reason == "Passed: all 3 script commands exited as expected.")
            #expect(finished.map(\.status) == [0, 0, 3])
            #expect(finished.map(\.step.number) == [1, 2, 3])
            #expect(finished.map(\.step.command.line) == [2, 4, 5])
            #expect(result.commands == finished)
            #expect(finished[2].progressLine.hasPrefix("[3/3] sh -c 'exit 3' … exit 3 ("))
            #expect(finished[2].progressLine.hasSuffix(" s)"))
            // The transcript: the terminal's echo of each typed line, the output, the marker.
            let transcript = lines.lines
            let start = try #require(transcript.firstIndex(of: "sel4img-guest: ready"))
            #expect(Array(transcript[start...].prefix(9)) == [
                "sel4img-guest: ready",
                "/ # echo \"sel4img-script: $? 0\"",
                "sel4img-script: 0 0",
                "/ # echo hello from the guest; echo \"sel4img-script: $? 1\"",
                "hello from the guest",
                "sel4img-script: 0 1",
                "/ # echo \"two words\"; true; echo \"sel4img-script: $? 2\"",
                "two words",
                "sel4img-script: 0 2",
            ])
            #expect(isGoneSoon(result.processIdentifier))
            let log = try fake.dir.read("logs/console.log")
            #expect(log.contains("hello from the guest\r\nsel4img-script: 0 1\r\n"))
        }

        @Test("a command expected to exit non-zero fails the run when it exits 0")
        func expectedNonZero() throws {
            let fake = try FakeQEMU(FakeQEMU.guestShell)
            defer { fake.remove() }
            let result = try fake.bootScript("true #=> 3\n")
            let step = ScriptStep(number: 1, total: 1, command: .init(file: "script.txt", line: 1, text: "true", expectedStatus: 3))
            #expect(result.outcome == .commandFailed(step, status: 0))
            #expect(result.reason == "Failed: command 1 of 1 (script.txt:1: true) exited with status 0, expected 3.")
        }

        @Test("the first status mismatch fails the run with exit 1 and later commands are not typed")
        func mismatch() throws {
            let fake = try FakeQEMU(FakeQEMU.guestShell)
            defer { fake.remove() }
            let lines = LineRecorder()
            var finished: [ScriptCommandResult] = []
            let result = try fake.bootScript("""
                true
                ls /no/such/file
                echo never typed
                """, onLine: { lines.add($0) }, onCommand: { finished.append($0) })
            let step = ScriptStep(number: 2, total: 3, command: .init(file: "script.txt", line: 2, text: "ls /no/such/file"))
            #expect(result.outcome == .commandFailed(step, status: 2))
            #expect(result.exitCode == 1)
            #expect(result.reason == "Failed: command 2 of 3 (script.txt:2: ls /no/such/file) exited with status 2, expected 0.")
            #expect(finished.map(\.status) == [0, 2])
            #expect(finished[1].progressLine.hasPrefix("[2/3] ls /no/such/file … exit 2, expected 0 ("))
            #expect(!lines.lines.contains { $0.contains("never typed") })
            #expect(isGoneSoon(result.processIdentifier))
        }

        @Test("a command that does not finish in time ends the run as timed out, naming it")
        func commandTimeout() throws {
            let fake = try FakeQEMU(FakeQEMU.guestShell)
            defer { fake.remove() }
            let started = Date()
            let result = try fake.bootScript("true\nsleep 30\n", commandTimeout: 1)
            let step = ScriptStep(number: 2, total: 2, command: .init(file: "script.txt", line: 2, text: "sleep 30"))
            #expect(result.outcome == .commandTimedOut(step, seconds: 1))
            #expect(result.exitCode == 2)
            #expect(result.commands.map(\.status) == [0])
            #expect(result.reason == """
                Timed out after 1 s waiting for command 2 of 2 (script.txt:2: sleep 30) to finish; last lines:
                  | Booting Linux on physical CPU 0x0
                  | All is well in the universe
                  | sel4img-guest: ready
                  | / # echo "sel4img-script: $? 0"
                  | sel4img-script: 0 0
                  | / # true; echo "sel4img-script: $? 1"
                  | sel4img-script: 0 1
                  | / # sleep 30; echo "sel4img-script: $? 2"
                """)
            #expect(Date().timeIntervalSince(started) < 8)
            #expect(isGoneSoon(result.processIdentifier))
        }

        @Test("a guest whose shell never says it is ready times out with exit 2")
        func shellNeverReady() throws {
            let fake = try FakeQEMU("""
                echo 'Booting Linux on physical CPU 0x0'
                echo 'All is well in the universe'
                exec sleep 1000
                """)
            defer { fake.remove() }
            let result = try fake.bootScript("true\n", timeout: 1.5)
            #expect(result.outcome == .timedOut(seconds: 1.5))
            #expect(result.exitCode == 2)
            #expect(result.commands.isEmpty)
            #expect(result.reason == """
                Timed out after 1.5 s before the guest's shell was ready (no console line matched '^sel4img-guest: ready$'); last lines:
                  | Booting Linux on physical CPU 0x0
                  | All is well in the universe
                """)
            #expect(isGoneSoon(result.processIdentifier))
        }

        @Test("a failure pattern while a command runs fails the run")
        func failurePattern() throws {
            let fake = try FakeQEMU(FakeQEMU.guestShell)
            defer { fake.remove() }
            let result = try fake.bootScript("printf 'Kernel %s - not syncing\\n' panic\n")
            #expect(result.outcome == .failed(matched: "Kernel panic - not syncing"))
            #expect(result.exitCode == 1)
            #expect(result.commands.isEmpty)
        }

        @Test("output without a final newline still lets the command finish")
        func unterminatedOutput() throws {
            let fake = try FakeQEMU(FakeQEMU.guestShell)
            defer { fake.remove() }
            let lines = LineRecorder()
            let result = try fake.bootScript("printf partial\n", onLine: { lines.add($0) })
            #expect(result.outcome == .scriptPassed(commands: 1))
            #expect(lines.lines.contains("partialsel4img-script: 0 1"))
        }

        @Test("QEMU exiting during a command ends the run with exit 1, naming the command")
        func exitsDuringCommand() throws {
            let fake = try FakeQEMU(FakeQEMU.guestShell)
            defer { fake.remove() }
            let result = try fake.bootScript("true\npoweroff 7\n")
            #expect(result.outcome == .exitedEarly(status: 7))
            #expect(result.exitCode == 1)
            #expect(result.reason.hasPrefix("QEMU exited with status 7 before command 2 of 2 (script.txt:2: poweroff 7) finished; last lines:\n"))
        }

        @Test("a marker for another command number is not taken as this command's status")
        func staleMarker() throws {
            let fake = try FakeQEMU("""
                echo 'sel4img-guest: ready'
                read -r line
                echo 'sel4img-script: 0 0'
                read -r line
                echo 'sel4img-script: 5 2'
                echo 'sel4img-script: 4 1'
                exec sleep 1000
                """)
            defer { fake.remove() }
            let result = try fake.bootScript("true\n")
            let step = ScriptStep(number: 1, total: 1, command: .init(file: "script.txt", line: 1, text: "true"))
            #expect(result.outcome == .commandFailed(step, status: 4))
        }

        @Test("input lost before the shell reads the terminal is made up for by probing again")
        func lostInput() throws {
            // Like U-Boot, which reads and drops keys while its boot command runs.
            let fake = try FakeQEMU("""
                echo 'sel4img-guest: ready'
                read -r lost
                echo 'still booting'
                \(FakeQEMU.guestShell.split(separator: "\n").drop(while: { !$0.hasPrefix("while") }).joined(separator: "\n"))
                """)
            defer { fake.remove() }
            let lines = LineRecorder()
            let started = Date()
            let result = try fake.bootScript("echo typed\n", probeInterval: 0.5, onLine: { lines.add($0) })
            #expect(result.outcome == .scriptPassed(commands: 1))
            #expect(Date().timeIntervalSince(started) >= 0.5)
            #expect(lines.lines.filter { $0 == "sel4img-script: 0 0" }.count == 1)
            #expect(lines.lines.contains("typed"))
        }

        @Test("a shell that runs nothing typed times out after the command timeout")
        func shellDeaf() throws {
            let fake = try FakeQEMU("""
                echo 'sel4img-guest: ready'
                exec sleep 1000
                """)
            defer { fake.remove() }
            let result = try fake.bootScript("true\n", commandTimeout: 1, probeInterval: 0.3)
            #expect(result.outcome == .timedOut(seconds: 1))
            #expect(result.exitCode == 2)
            #expect(result.reason == """
                Timed out after 1 s before the guest's shell ran what sel4img typed (its ready line appeared, but no 'sel4img-script: … 0' came back); last lines:
                  | sel4img-guest: ready
                """)
        }

        @Test("the typed line and the marker it asks for")
        func protocolText() {
            let command = ShellScript.Command(file: "s", line: 3, text: "emit /wasm/trap.wasm", expectedStatus: 134)
            #expect(ScriptSession.typed(command, number: 2) == "emit /wasm/trap.wasm; echo \"sel4img-script: $? 2\"\n")
            #expect(ScriptSession.probe == "\u{03}echo \"sel4img-script: $? 0\"\n")
            #expect(ScriptSession.marker(in: "sel4img-script: 134 2")! == (134, 2))
            #expect(ScriptSession.marker(in: "no newline sel4img-script: 0 12")! == (0, 12))
            #expect(ScriptSession.marker(in: "/ # emit /wasm/trap.wasm; echo \"sel4img-script: $? 2\"") == nil)
            #expect(ScriptSession.marker(in: "sel4img-script: $? 2") == nil)
            #expect(ScriptSession.marker(in: "sel4img-script: 0 2 and more") == nil)
        }

        @Test("a bad shellReady pattern or command timeout is refused")
        func badSession() throws {
            let script = ShellScript(file: "s", commands: [.init(file: "s", line: 1, text: "true")])
            let bad = #expect(throws: EmulatorError.self) {
                try ScriptSession(script: script, shellReady: "ready (", shellReadyOption: "apps/x.yaml console.shellReady")
            }
            #expect(bad?.description == "The apps/x.yaml console.shellReady pattern 'ready (' is not a valid regular expression.")
            #expect(throws: EmulatorError.invalidTimeout(seconds: 0)) {
                try ScriptSession(script: script, shellReady: "ready", commandTimeout: 0)
            }
        }
    }
}
