import Foundation
import Testing
import TestSupport

/// benchmarks/boot.sh's BOARD: qemu-virt (default) or rpi4; anything else
/// stops before any build with exit status 2 and the boards it takes.
@Suite struct BootBenchmarkBoardTests {
    @Test("boot.sh refuses a BOARD other than qemu-virt and rpi4 with exit 2, before building anything")
    func refusesOtherBoards() throws {
        let dir = try TemporaryDirectory("boot-bench")
        defer { dir.remove() }
        let script = repositoryRoot.appendingPathComponent("benchmarks/boot.sh").path
        let error = #expect(throws: ShellError.self) {
            try sh("BOARD=tx1 SEL4IMG_MIRROR=\(dir.url.path) bash '\(script)' '\(dir.path("work").path)'", in: dir.url)
        }
        #expect(error?.status == 2)
        #expect(error?.output == "benchmarks/boot.sh: BOARD is qemu-virt or rpi4; got 'tx1'\n")
        // Nothing was built: the work directory has no workspace.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path("work").path) == [])
    }
}
