import Foundation
import Testing
import TestSupport
@testable import Emulator

extension ProcessTests {
    @Suite("Interactive QEMU")
    struct InteractiveSessionTests {
        @Test("QEMU's exit status is returned and it gets the configuration's arguments")
        func exitStatus() throws {
            let fake = try FakeQEMU("exit 7")
            defer { fake.remove() }
            let status = try InteractiveSession(configuration: fake.configuration, target: FakeQEMU.target).run()
            #expect(status == 7)
            #expect(fake.arguments == Array(fake.configuration.arguments().dropFirst()))
        }

        @Test("QEMU ended by a signal returns 128 plus the signal number")
        func killedBySignal() throws {
            let fake = try FakeQEMU("kill -TERM $$")
            defer { fake.remove() }
            let status = try InteractiveSession(configuration: fake.configuration, target: FakeQEMU.target).run()
            #expect(status == 128 + SIGTERM)
        }

        @Test("QEMU runs in sel4img's process group, so it can own the terminal")
        func sameProcessGroup() throws {
            let fake = try FakeQEMU("[ \"$(ps -o pgid= -p $$ | tr -d ' ')\" = \"\(getpgrp())\" ] && exit 0 || exit 9")
            defer { fake.remove() }
            #expect(try InteractiveSession(configuration: fake.configuration, target: FakeQEMU.target).run() == 0)
        }

        @Test("SIGTERM to sel4img is passed on to QEMU and the handler is put back")
        func forwardsSIGTERM() throws {
            let fake = try FakeQEMU("kill -TERM $PPID; exec sleep 1000")
            defer { fake.remove() }
            let before = signalHandlerAddress(SIGTERM)
            let status = try InteractiveSession(configuration: fake.configuration, target: FakeQEMU.target).run()
            #expect(status == 128 + SIGTERM)
            #expect(signalHandlerAddress(SIGTERM) == before)
        }

        @Test("a missing QEMU is reported before anything starts")
        func missingQEMU() throws {
            let fake = try FakeQEMU("exit 0")
            defer { fake.remove() }
            var config = fake.configuration
            config.binary = "qemu-system-aarch64-not-installed"
            #expect(throws: EmulatorError.qemuNotFound(binary: "qemu-system-aarch64-not-installed")) {
                try InteractiveSession(configuration: config, target: FakeQEMU.target).run()
            }
        }
    }
}
