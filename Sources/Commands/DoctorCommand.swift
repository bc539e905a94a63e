import ArgumentParser
import Doctor
import Foundation

struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the host tools and Python modules seL4's build needs.",
        discussion: "Lists every tool with its version, and for what is missing the Debian or PyPI package that provides it. Exits 1 when a required one is missing."
    )

    @Flag(help: "Print the report as JSON on stdout.")
    var json = false

    func run() throws {
        let report = Doctor.run()
        print(json ? try report.renderJSON() : report.renderTable())
        if !report.isReady { throw ExitCode(1) }
    }
}
