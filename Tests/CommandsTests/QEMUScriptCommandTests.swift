import Foundation
import Testing
import TestSupport

/// `sel4img qemu --script` run as a binary, with a data directory holding an
/// app whose "guest" runs a shell, and a fake `qemu-system-aarch64` on PATH
/// that plays that guest on its stdin and stdout.
struct ScriptedGuest {
    let dir: TemporaryDirectory

    static let app = """
        format: 1
        description: A guest whose shell takes commands on the console (test)
        manifest: sel4test.xml
        supportedBoards: [qemu-virt]
        console:
          success: ['^never printed$']
          failure: ['Kernel panic']
          timeoutSeconds: 10
          shellReady: '^sel4img-guest: ready'
        outputs:
          image: images/guest-image
        """

    /// Echoes each typed line after a prompt, as a terminal does, and runs it (`fakeGuestShellLoop`).
    static let guest = """
        #!/bin/sh
        echo $$ > "$(dirname "$0")/pid"
        echo 'Booting Linux on physical CPU 0x0'
        printf 'sel4img-guest: ready\\r\\n'

        """ + fakeGuestShellLoop + "\n"

    init() throws {
        dir = try TemporaryDirectory("cmd-qemu-script")
        try FileManager.default.createDirectory(at: dir.path("data"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("boards"), to: dir.path("data/boards"))
        try dir.write("data/apps/sel4test.yaml", String(contentsOf: repositoryRoot.appendingPathComponent("apps/sel4test.yaml"), encoding: .utf8))
        try dir.write("data/apps/guest.yaml", Self.app)
        try FileManager.default.createDirectory(at: dir.path("data/manifests"), withIntermediateDirectories: true)
        try dir.write("bin/qemu-system-aarch64", Self.guest)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path("bin/qemu-system-aarch64").path)
        try dir.write("ws/artifacts/qemu-virt-guest/elfloader", "not really an elfloader")
        try dir.write("ws/artifacts/qemu-virt-guest/artifacts.json", """
            [{"role": "elfloader", "file": "elfloader", "size": 23, "sha256": "0"}]
            """)
    }

    /// Runs `sel4img qemu -w WS ARGS` in the test directory.
    func qemu(_ args: [String]) throws -> CommandResult {
        let path = dir.path("bin").path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        return try runSel4img(["qemu", "-w", dir.path("ws").path] + args, in: dir.url,
                              environment: ["SEL4IMG_DATA_DIR": dir.path("data").path, "PATH": path])
    }

    /// Whether the fake QEMU was started.
    var started: Bool { FileManager.default.fileExists(atPath: dir.path("bin/pid").path) }

    func remove() { dir.remove() }
}

@Suite("sel4img qemu --script", .serialized)
struct QEMUScriptCommandTests {
    @Test("the commands run in the guest's shell one by one; progress on stderr, the console on stdout and in the log")
    func passes() throws {
        let guest = try ScriptedGuest()
        defer { guest.remove() }
        try guest.dir.write("s.txt", "# the guest\necho hello from the guest\nsh -c 'exit 3'   #=> 3\n")
        let r = try guest.qemu(["--app", "guest", "--script", "s.txt"])
        #expect(r.status == 0, "stderr: \(r.stderr)")
        #expect(r.stdout.contains("""
            sel4img-guest: ready
            / # echo "sel4img-script: $? 0"
            sel4img-script: 0 0
            / # echo hello from the guest; echo "sel4img-script: $? 1"
            hello from the guest
            sel4img-script: 0 1
            / # sh -c 'exit 3'; echo "sel4img-script: $? 2"
            sel4img-script: 3 2

            """))
        let stderr = r.stderr.split(separator: "\n").map(String.init)
        #expect(stderr.count == 4, "stderr: \(r.stderr)")
        #expect(stderr.first?.hasPrefix("$ qemu-system-aarch64 ") == true)
        #expect(stderr.dropFirst().first?.hasPrefix("[1/2] echo hello from the guest … exit 0 (") == true)
        #expect(stderr.dropFirst(2).first?.hasPrefix("[2/2] sh -c 'exit 3' … exit 3 (") == true)
        #expect(stderr.last?.hasPrefix("PASS: Passed: all 2 script commands exited as expected. (") == true)
        let log = try guest.dir.read("ws/artifacts/qemu-virt-guest/console.log")
        #expect(log.contains("hello from the guest\r\nsel4img-script: 0 1\r\n"))
    }

    @Test("a command with another exit status than expected fails with exit 1, naming it and both statuses")
    func mismatch() throws {
        let guest = try ScriptedGuest()
        defer { guest.remove() }
        try guest.dir.write("s.txt", "true\nfalse\ntrue\n")
        let r = try guest.qemu(["--app", "guest", "--script", "s.txt"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\n[2/3] false … exit 1, expected 0 ("))
        #expect(r.stderr.contains("\nFAIL: Failed: command 2 of 3 (s.txt:2: false) exited with status 1, expected 0. ("))
        #expect(!r.stderr.contains("[3/3]"))
    }

    @Test("a command that outlasts --command-timeout ends with exit 2, naming it")
    func commandTimeout() throws {
        let guest = try ScriptedGuest()
        defer { guest.remove() }
        try guest.dir.write("s.txt", "sleep 30\n")
        let r = try guest.qemu(["--app", "guest", "--script", "s.txt", "--command-timeout", "1"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\nFAIL: Timed out after 1 s waiting for command 1 of 1 (s.txt:1: sleep 30) to finish; last lines:\n"))
    }

    @Test("a bad script is refused before QEMU starts, with file and line")
    func badScript() throws {
        let guest = try ScriptedGuest()
        defer { guest.remove() }
        try guest.dir.write("s.txt", "true\nfalse #=> 256\n")
        let r = try guest.qemu(["--app", "guest", "--script", "s.txt"])
        #expect(r.status == 1)
        #expect(r.stderr == """
            error: s.txt:2: '#=> 256': the expected exit status must be a number from 0 to 255
            hint: A script has one shell command per line; '#' starts a comment line, and a trailing '#=> N' gives the exit status N (0-255) a command must have instead of 0.

            """)
        #expect(!guest.started)
        let missing = try guest.qemu(["--app", "guest", "--script", "missing.txt"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "error: missing.txt: cannot read the script: no such file\n")
    }

    @Test("--script on an app without console.shellReady names the app")
    func appWithoutShell() throws {
        let guest = try ScriptedGuest()
        defer { guest.remove() }
        try guest.dir.write("s.txt", "true\n")
        let r = try guest.qemu(["--app", "sel4test", "--script", "s.txt"])
        #expect(r.status == 1)
        #expect(r.stderr == """
            error: app 'sel4test' has no console.shellReady pattern, so sel4img cannot tell when its guest's shell takes --script commands
            hint: --script is for apps whose guest runs a shell on the console; such an app sets 'shellReady' under 'console:' in apps/sel4test.yaml

            """)
    }

    @Test("options that do not go with --script are refused")
    func validation() throws {
        let interactive = try runSel4img(["qemu", "--script", "s.txt", "--interactive"])
        #expect(interactive.status == 64)
        #expect(interactive.stderr.contains("--script and --interactive cannot be used together"))
        let expect = try runSel4img(["qemu", "--script", "s.txt", "--expect", "ok"])
        #expect(expect.status == 64)
        #expect(expect.stderr.contains("--script and --expect cannot be used together: the script's exit statuses decide the run"))
        let timeout = try runSel4img(["qemu", "--command-timeout", "5"])
        #expect(timeout.status == 64)
        #expect(timeout.stderr.contains("--command-timeout only applies with --script"))
        let negative = try runSel4img(["qemu", "--script", "s.txt", "--command-timeout", "0"])
        #expect(negative.status == 64)
        #expect(negative.stderr.contains("--command-timeout must be a positive number of seconds; got 0.0"))
    }
}
