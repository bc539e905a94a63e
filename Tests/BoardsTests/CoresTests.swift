import Foundation
import Testing
@testable import Boards

/// An app's `cores` section: parsed, and turned into its CMake setting.
@Suite struct AppCoresTests {
    let board = try! Board.load(from: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("boards/qemu-virt.yaml"))
    let text = """
        format: 1
        description: demo
        manifest: demo.xml
        supportedBoards: [qemu-virt]
        console:
          success: [done]
          timeoutSeconds: 30
        outputs:
          image: images/demo-image-arm-*
        cores:
          setting: DEMO_CORES
          choices: [1, 2, 4]
          default: 4
        """

    @Test("the count goes to the named setting; --cores replaces the default; three choices read '1, 2 or 4'")
    func setting() throws {
        let app = try App.parse(text, name: "demo", file: "apps/demo.yaml")
        #expect(app.cores == App.Cores(setting: "DEMO_CORES", choices: [1, 2, 4], defaultCount: 4))
        #expect(try app.cmakeSettings(for: board)["DEMO_CORES"] == "4")
        #expect(try app.cmakeSettings(for: board, cores: 1)["DEMO_CORES"] == "1")
        let error = #expect(throws: BoardError.self) { try app.cmakeSettings(for: board, cores: 3) }
        #expect(error?.description == "apps/demo.yaml: key 'cores.choices': --cores 3: app 'demo' is written for 1, 2 or 4 cores")
    }

    @Test("a missing key and a count that is not a positive integer are refused at their line")
    func malformed() {
        let missing = #expect(throws: BoardError.self) {
            try App.parse(text.replacingOccurrences(of: "  default: 4\n", with: "").replacingOccurrences(of: "  default: 4", with: ""),
                          name: "demo", file: "apps/demo.yaml")
        }
        #expect(missing?.description == "apps/demo.yaml:10: key 'cores.default': required key is missing")
        let zero = #expect(throws: BoardError.self) {
            try App.parse(text.replacingOccurrences(of: "[1, 2, 4]", with: "[0, 2, 4]"), name: "demo", file: "apps/demo.yaml")
        }
        #expect(zero?.description == "apps/demo.yaml:12: key 'cores.choices[0]': must be greater than 0, got 0")
    }
}
