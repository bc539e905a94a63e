import ArgumentParser
import Foundation
import ImageBuild
import Support

struct SBOMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sbom",
        abstract: "Print an artifacts directory's SBOM (SPDX 2.3 JSON), made from its provenance.json.",
        discussion: """
            Every build writes sbom.spdx.json beside SHA256SUMS; this makes it again from the directory's provenance.json and output files (which must match their recorded SHA-256):
              sel4img sbom WS/artifacts/qemu-virt-sel4test > sbom.spdx.json
              pyspdxtools -i sbom.spdx.json
            """
    )

    @Argument(help: "The artifacts directory.") var directory: String

    func run() throws {
        let url = URL(fileURLWithPath: directory)
        guard FileManager.default.isDirectory(url) else {
            throw BuildError(.outputMissing, "\(url.path) is not a directory", hint: "name an artifacts directory written by 'sel4img build'")
        }
        let provenance = try Provenance.read(url.appendingPathComponent("provenance.json"))
        FileHandle.standardOutput.write(try SBOM.document(for: provenance, directory: url))
    }
}
