import Foundation
import Testing
import TestSupport
@testable import Boards

/// `console.shellReady`: the line after which `sel4img qemu --script` types commands.
@Suite struct ShellReadyTests {
    static func app(console extra: String) -> String {
        """
        format: 1
        description: a guest with a shell
        manifest: guest.xml
        supportedBoards: [qemu-virt]
        console:
          success: ['^ready$']
          timeoutSeconds: 60
        \(extra)
        outputs:
          image: images/guest
        """
    }

    @Test("shellReady is read when present and nil when absent")
    func parsed() throws {
        let with = try App.parse(Self.app(console: "  shellReady: '^sel4img-guest: ready$'"), name: "guest", file: "apps/guest.yaml")
        #expect(with.console.shellReady == "^sel4img-guest: ready$")
        let without = try App.parse(Self.app(console: ""), name: "guest", file: "apps/guest.yaml")
        #expect(without.console.shellReady == nil)
        let decoded = try JSONDecoder().decode(App.self, from: JSONEncoder().encode(with))
        #expect(decoded == with)
    }

    @Test("an empty shellReady is refused")
    func empty() throws {
        let error = #expect(throws: BoardError.self) {
            try App.parse(Self.app(console: "  shellReady: ''"), name: "guest", file: "apps/guest.yaml")
        }
        #expect(error?.description == "apps/guest.yaml:8: key 'console.shellReady': must not be empty")
    }

    @Test("wasm-vm's shellReady matches the line its guest init prints before starting the shell")
    func wasmVMMatchesInit() throws {
        let appFile = repositoryRoot.appendingPathComponent("apps/wasm-vm.yaml")
        let initFile = repositoryRoot.appendingPathComponent("runner/guest/init")
        guard FileManager.default.fileExists(atPath: appFile.path), FileManager.default.fileExists(atPath: initFile.path) else { return }
        let app = try App.load(from: appFile)
        let pattern = try NSRegularExpression(pattern: try #require(app.console.shellReady))
        let printed = try String(contentsOf: initFile, encoding: .utf8).split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("echo \"sel4img-guest: ready") }
            .map { String($0.dropFirst(6).dropLast()) }
        #expect(printed.count == 1)
        for line in printed {
            #expect(pattern.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil, "'\(line)'")
        }
    }
}
