import Foundation
import Testing
import Support
import TestSupport

/// Why `unshare --net` cannot be used here (CI containers may lack
/// CAP_SYS_ADMIN), found by trying it; nil when it works. Tried with
/// ProcessRunner, not TestSupport's Foundation-based runSel4img: Swift Testing
/// evaluates this condition even when a filter leaves the test out, so the
/// bundle run inside a namespace without loopback below evaluates it too.
private let netNamespaceRefusal: String? = {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") else { return "/usr/bin/unshare is missing" }
    guard let tried = try? ProcessRunner().run(["/usr/bin/unshare", "--net", "true"], check: false) else {
        return "/usr/bin/unshare could not be started"
    }
    return tried.status == 0 ? nil
        : "'unshare --net true' is not permitted here (exit \(tried.status): \(tried.output.trimmingCharacters(in: .whitespacesAndNewlines)))"
}()

/// A network namespace without loopback, as a container started with
/// `--network none` has: Foundation's Process never saw its children end there
/// (its CFSocket wakeup needs 127.0.0.1), so every command hung.
@Suite("No loopback interface")
struct NoLoopbackTests {
    @Test("doctor in a network namespace without loopback ends within 60 s with the same report and status as outside",
          .enabled(if: netNamespaceRefusal == nil, Comment(rawValue: netNamespaceRefusal ?? "")))
    func doctorWithoutLoopback() throws {
        let sel4img = productsDirectory.appendingPathComponent("sel4img").path
        let outside = try runSel4img(["doctor"])
        // timeout bounds the run: before the fix this waited forever.
        let inside = try runSel4img(["-s", "KILL", "60", "/usr/bin/unshare", "--net", sel4img, "doctor"],
                                    executable: URL(fileURLWithPath: "/usr/bin/timeout"))
        #expect(inside.status == outside.status, "stderr: \(inside.stderr)")
        #expect(!inside.stderr.contains("CFSocket"))
        #expect(inside.stdout == outside.stdout)
        #expect(inside.stderr == outside.stderr)
    }

    @Test("ProcessRunnerTests pass when this test bundle runs them in a network namespace without loopback",
          .enabled(if: netNamespaceRefusal == nil, Comment(rawValue: netNamespaceRefusal ?? "")))
    func processRunnerWithoutLoopback() throws {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        let inside = try runSel4img(
            ["-s", "KILL", "60", "/usr/bin/unshare", "--net", bundle, "--testing-library", "swift-testing", "--filter", "ProcessRunnerTests"],
            executable: URL(fileURLWithPath: "/usr/bin/timeout"))
        #expect(inside.status == 0, "stdout: \(inside.stdout)\nstderr: \(inside.stderr)")
        #expect((inside.stdout + inside.stderr).contains("Test run with 9 tests in 1 suite passed"))
        #expect(!inside.stderr.contains("CFSocket"))
    }
}
