import ArgumentParser
import Foundation
import ImageBuild

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check an artifacts directory against its SHA256SUMS.",
        discussion: """
            Every build writes SHA256SUMS and provenance.json beside its outputs:
              sel4img verify WS/artifacts/qemu-virt-sel4test
            Exit status 0 when every listed file is present and matches, 1 otherwise. Same format as 'sha256sum -c'.
            """
    )

    @Argument(help: "The artifacts directory.") var directory: String
    @Flag(help: "Print the report as JSON on stdout.") var json = false

    func run() throws {
        let report = try ArtifactVerifier.verify(URL(fileURLWithPath: directory))
        if json {
            try printJSON(report)
        } else {
            for name in report.verified { print("\(name): OK") }
            for (name, actual) in report.mismatched.sorted(by: { $0.key < $1.key }) { print("\(name): FAILED (content is \(actual))") }
            for name in report.missing { print("\(name): MISSING") }
            for name in report.unlisted { print("\(name): not listed in SHA256SUMS") }
            print(report.ok ? "All \(report.verified.count) files match." : "Verification failed: \(report.mismatched.count) changed, \(report.missing.count) missing.")
        }
        if !report.ok { throw ExitCode(1) }
    }
}
