import Foundation
import TestSupport
@testable import Emulator

/// A shell script standing in for QEMU: it prints a scripted console and
/// ignores its arguments, except that it records them and its pid.
struct FakeQEMU {
    let dir: TemporaryDirectory
    let configuration: QEMUConfiguration
    static let target = BootTarget(board: "qemu-virt", app: "hello")

    init(_ body: String) throws {
        dir = try TemporaryDirectory("emu-fake-qemu")
        try dir.write("images/hello-image-arm-qemu-arm-virt", "not really an image")
        let script = """
            #!/bin/sh
            echo $$ > '\(dir.path("pid").path)'
            printf '%s\\n' "$@" > '\(dir.path("args").path)'
            \(body)

            """
        try dir.write("qemu-system-aarch64", script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path("qemu-system-aarch64").path)
        configuration = QEMUConfiguration(
            boot: .kernel(dir.path("images/hello-image-arm-qemu-arm-virt")),
            binary: dir.path("qemu-system-aarch64").path)
    }

    func boot(
        expect: [String] = ["All is well in the universe"],
        fail: [String] = ["Test suite failed"],
        timeout: Double? = 10,
        log: Bool = false,
        onLine: @escaping @Sendable (String) throws -> Void = { _ in }
    ) throws -> BootResult {
        let run = try BootRun(
            configuration: configuration,
            target: Self.target,
            expectations: ConsoleExpectations(success: expect, failure: fail),
            timeout: timeout,
            logFile: log ? dir.path("logs/console.log") : nil)
        return try Self.retryingBusyText { try run.run(onLine: onLine) }
    }

    /// Runs `start` again while starting the fake fails with ETXTBSY. The
    /// script was written by this process; a process another test forks at
    /// the same moment holds a copy of the writing descriptor until it execs,
    /// and exec of a file open for writing fails with "Text file busy". The
    /// fake never started then, so trying again is safe.
    static func retryingBusyText<T>(_ start: () throws -> T) throws -> T {
        var attempt = 0
        while true {
            do {
                return try start()
            } catch let error as NSError where attempt < 20 && error.isTextFileBusy {
                attempt += 1
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    /// Boots with `commands` as a script file (`script.txt` in the fake's
    /// directory), typed once a line matches `shellReady`.
    func bootScript(
        _ commands: String,
        shellReady: String = "^sel4img-guest: ready$",
        expect: [String] = ["All is well in the universe"],
        fail: [String] = ["Kernel panic"],
        timeout: Double? = 10,
        commandTimeout: Double = 10,
        probeInterval: Double = 2,
        onLine: @escaping @Sendable (String) throws -> Void = { _ in },
        onCommand: (ScriptCommandResult) -> Void = { _ in }
    ) throws -> BootResult {
        try dir.write("script.txt", commands)
        let script = try ShellScript.load(from: dir.path("script.txt"), shown: "script.txt")
        var session = try ScriptSession(script: script, shellReady: shellReady, commandTimeout: commandTimeout)
        session.probeInterval = probeInterval
        let run = try BootRun(
            configuration: configuration,
            target: Self.target,
            expectations: ConsoleExpectations(success: expect, failure: fail),
            timeout: timeout,
            logFile: dir.path("logs/console.log"),
            script: session)
        return try Self.retryingBusyText { try run.run(onLine: onLine, onCommand: onCommand) }
    }

    /// A guest that boots, says its shell is ready and then behaves like a
    /// shell on a serial terminal (`fakeGuestShellLoop`).
    static let guestShell = """
        echo 'Booting Linux on physical CPU 0x0'
        echo 'All is well in the universe'
        printf 'sel4img-guest: ready\\r\\n'

        """ + fakeGuestShellLoop

    /// The pid the script recorded.
    var pid: Int32? {
        (try? dir.read("pid")).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// The arguments the script was started with, one per line.
    var arguments: [String] {
        ((try? dir.read("args")) ?? "").split(separator: "\n").map(String.init)
    }

    func remove() { dir.remove() }
}

/// True when no process (not even a zombie) has this pid, and no live
/// process is left in its process group. (A helper the script started may
/// linger briefly as a zombie until init reaps it; that one is dead.)
func isGone(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == -1, errno == ESRCH else { return false }
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    for entry in entries where entry.allSatisfy(\.isNumber) {
        guard let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        // Fields after "(comm)": state, ppid, pgrp, ...
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 2, fields[2] == "\(pid)", fields[0] != "Z" { return false }
    }
    return true
}

/// `isGone`, allowing the group's other processes (the fake guest's
/// pipelines) up to `seconds` to act on the SIGTERM they were sent.
func isGoneSoon(_ pid: Int32, within seconds: Double = 2) -> Bool {
    let deadline = Date(timeIntervalSinceNow: seconds)
    while !isGone(pid) {
        if Date() >= deadline { return false }
        usleep(20_000)
    }
    return true
}

/// The current disposition of a signal, to check it is put back.
func signalHandlerAddress(_ sig: Int32) -> Int {
    var action = sigaction()
    sigaction(sig, nil, &action)
    return unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
}

struct CallbackFailure: Error, Equatable {}

extension NSError {
    /// ETXTBSY, directly or as the underlying error of a Foundation error.
    var isTextFileBusy: Bool {
        if domain == NSPOSIXErrorDomain && code == Int(ETXTBSY) { return true }
        return (userInfo[NSUnderlyingErrorKey] as? NSError)?.isTextFileBusy ?? false
    }
}
