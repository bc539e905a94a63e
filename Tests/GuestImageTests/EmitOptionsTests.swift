import Foundation
import Testing
import TestSupport

/// The guest agent's `--fuel` and `--time-limit` (runner/guest/emit.c), compiled for this host
/// with the guest's warning flags: bad values stop it with status 64 and an exact message before
/// it looks for the runner; good ones let it go on to the module file.
@Suite struct EmitOptionsTests {
    static let bad: [(arguments: [String], message: String)] = [
        (["--fuel", "0", "x.wasm"], "emit: --fuel must be a whole number of units from 1 to 18446744073709551615, got '0'"),
        (["--fuel", "-5", "x.wasm"], "emit: --fuel must be a whole number of units from 1 to 18446744073709551615, got '-5'"),
        (["--fuel", "ten", "x.wasm"], "emit: --fuel must be a whole number of units from 1 to 18446744073709551615, got 'ten'"),
        (["--fuel", "18446744073709551616", "x.wasm"], "emit: --fuel must be a whole number of units from 1 to 18446744073709551615, got '18446744073709551616'"),
        (["--fuel", "1\u{1B}", "x.wasm"], "emit: --fuel must be a whole number of units from 1 to 18446744073709551615, got '1\\x1b'"),
        (["--fuel"], "emit: --fuel needs a value: a whole number of units from 1 to 18446744073709551615"),
        (["--time-limit", "0", "x.wasm"], "emit: --time-limit must be a whole number of milliseconds from 1 to 18446744073709, got '0'"),
        (["--time-limit", "1.5", "x.wasm"], "emit: --time-limit must be a whole number of milliseconds from 1 to 18446744073709, got '1.5'"),
        (["--time-limit", "18446744073710", "x.wasm"], "emit: --time-limit must be a whole number of milliseconds from 1 to 18446744073709, got '18446744073710'"),
        (["--time-limit", "", "x.wasm"], "emit: --time-limit must be a whole number of milliseconds from 1 to 18446744073709, got ''"),
        (["--repeat", "0", "x.wasm"], "emit: --repeat must be a whole number of runs from 1 to 1000000, got '0'"),
        (["--repeat", "1000001", "x.wasm"], "emit: --repeat must be a whole number of runs from 1 to 1000000, got '1000001'"),
        (["--repeat", "x.wasm"], "emit: --repeat must be a whole number of runs from 1 to 1000000, got 'x.wasm'"),
        (["--timing", "--repeat"], "emit: --repeat needs a value: a whole number of runs from 1 to 1000000"),
    ]

    @Test("bad --fuel, --time-limit and --repeat values exit 64 with exact messages; good ones, --poll, --heap and --timing reach the file")
    func options() throws {
        let dir = try TemporaryDirectory("emit")
        defer { dir.remove() }
        let source = repositoryRoot.appendingPathComponent("runner/guest/emit.c").path
        try sh("cc -Os -Wall -Werror -o emit '\(source)'", in: dir.url)
        let emit = dir.path("emit")
        for (arguments, message) in Self.bad {
            let r = try run(emit, arguments)
            #expect(r.status == 64, "\(arguments)")
            #expect(r.stderr == message + "\n", "\(arguments)")
        }
        // The largest values are accepted; the next word is the module (absent here: 126).
        let good = try run(emit, ["--time-limit", "18446744073709", "--fuel", "18446744073709551615", "/nonexistent/x.wasm"])
        #expect(good.status == 126)
        #expect(good.stderr == "emit: cannot read /nonexistent/x.wasm: No such file or directory\n")
        let help = try run(emit, ["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.hasPrefix("usage: emit [--fuel N] [--time-limit MS] [--poll] [--heap] [--repeat N] [--timing] FILE.wasm [ARGS...]\n"))
        #expect(help.stdout.contains("--repeat N sends the module N times from this one process"))
        #expect(help.stdout.contains("152 when --fuel or --time-limit stopped it"))
        #expect(help.stdout.contains("--poll polls the buffer instead (without the driver it polls anyway and says so).\n"))
        // --poll and --heap take no value: the next word is the module.
        let flags = try run(emit, ["--poll", "--heap", "--fuel", "5", "/nonexistent/y.wasm"])
        #expect(flags.status == 126)
        #expect(flags.stderr == "emit: cannot read /nonexistent/y.wasm: No such file or directory\n")
        // --timing takes no value, --repeat the largest count: the next word is the module.
        let repeated = try run(emit, ["--timing", "--repeat", "1000000", "/nonexistent/z.wasm"])
        #expect(repeated.status == 126)
        #expect(repeated.stderr == "emit: cannot read /nonexistent/z.wasm: No such file or directory\n")
    }

    func run(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }
}
