import Foundation
import Testing
import TestSupport

/// wasm-vm's CMake option WasmVMRunner (runner/camkes/CMakeLists.txt), which
/// benchmarks/boot.sh turns off to time the guest's boot without the runner:
/// the CAmkES assembly (runner/camkes/wasm_vm.camkes), run through the C
/// preprocessor as CAmkES runs it, keeps the runner component, its three
/// connections and its core placement with WASM_VM_RUNNER=1 and has none of
/// them with 0, for both core layouts; CMakeLists passes the define.
@Suite struct WasmVMRunnerOptionTests {
    /// The assembly preprocessed with these defines, blank lines dropped
    /// (`configurations/vm.h`, camkes-vm's macros, stubbed out).
    func assembly(runner: Int, cores: Int) throws -> [String] {
        let dir = try TemporaryDirectory("wasm-vm-camkes")
        defer { dir.remove() }
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("configurations"), withIntermediateDirectories: true)
        try Data().write(to: dir.url.appendingPathComponent("configurations/vm.h"))
        let source = repositoryRoot.appendingPathComponent("runner/camkes/wasm_vm.camkes").path
        let output = try sh("cc -E -P -x c -undef -nostdinc -I. -DWASM_VM_RUNNER=\(runner) -DWASM_VM_CORES=\(cores) '\(source)'", in: dir.url)
        return output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// What WASM_VM_RUNNER=0 leaves out: the Runner component's definition (a block) and these lines.
    static let runnerComponent = ["component Runner {", "control;", "consumes Request request;", "emits Done done;",
                                  "dataport Buf(WASM_CHANNEL_BYTES) channel;", "}"]
    static let runnerLines: Set<String> = [
        "dataport Buf(WASM_CHANNEL_BYTES) channel;",
        "emits Request request;",
        "consumes Done done;",
        "component Runner runner;",
        "connection seL4Notification channel_request(from vm0.request, to runner.request);",
        "connection seL4GlobalAsynch channel_done(from runner.done, to vm0.done);",
        "connection seL4SharedDataWithCaps channel_buffer(from runner.channel, to vm0.channel);",
        "vm0.channel_id = 0;",
        "vm0.channel_size = WASM_CHANNEL_BYTES;",
        "runner._stack_size = 1048576;",
        "runner.affinity = 1;",
        "runner._priority = 101;",
        "runner._priority = 99;",
    ]

    @Test("WASM_VM_RUNNER=1 keeps the runner, its connections and its core; 0 leaves exactly those out, on 1 and 2 cores")
    func assemblyWithAndWithout() throws {
        for cores in [1, 2] {
            let with = try assembly(runner: 1, cores: cores)
            let start = try #require(with.firstIndex(of: "component Runner {"), "cores \(cores): \(with)")
            #expect(Array(with[start..<min(with.count, start + Self.runnerComponent.count)]) == Self.runnerComponent)
            #expect(with.contains("component Runner runner;") && with.contains("vm0.channel_id = 0;"), "cores \(cores)")
            #expect(with.contains("runner.affinity = 1;") == (cores == 2), "cores \(cores)")
            #expect(with.contains(cores == 2 ? "runner._priority = 101;" : "runner._priority = 99;"), "cores \(cores)")
            #expect(with.filter { Self.runnerLines.contains($0) }.count == (cores == 2 ? 13 : 12), "cores \(cores)")

            let without = try assembly(runner: 0, cores: cores)
            var expected = with
            expected.removeSubrange(start..<start + Self.runnerComponent.count)
            expected.removeAll { Self.runnerLines.contains($0) }
            #expect(without == expected, "cores \(cores): \(without)")
            #expect(without.allSatisfy { !$0.contains("runner") && !$0.contains("Runner") && !$0.contains("channel") })
            #expect(without.contains("connection seL4VMDTBPassthrough vm_dtb(from vm0.dtb_self, to vm0.dtb);"))
        }
    }

    @Test("CMakeLists.txt: WasmVMRunner defaults to ON, passes WASM_VM_RUNNER to the assembly and adds the VMM's channel source only with it")
    func cmakeOption() throws {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("runner/camkes/CMakeLists.txt"), encoding: .utf8)
        #expect(text.contains("option(WasmVMRunner \"Build the Wasm runner component and its channel beside the guest\" ON)"))
        #expect(text.contains("\"-DWASM_VM_RUNNER=${wasm_vm_runner}\""))
        #expect(text.contains("if(WasmVMRunner)\n    DeclareCAmkESComponent(VM SOURCES src/vm_channel.c"))
    }
}
