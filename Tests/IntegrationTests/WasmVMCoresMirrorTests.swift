import Foundation
import Testing
import TestSupport

/// wasm-vm's two-core layout end to end (`build --cores 2`), against the
/// mirror: the capDL spec CAmkES generates pins every runner thread to core 1
/// at priority 101 and every other thread to core 0 (the guest's vCPU is
/// created by its VMM, and libsel4vm pins vCPU n to core n); QEMU gets
/// `-smp 2`, seL4's elfloader starts the second core, and the guest's `emit`
/// is served. (The one-core layout boots and serves in benchmarks/realtime.sh.)
/// Needs GHC and camkes-deps (`scripts/setup.sh` installs them).
/// SEL4IMG_TEST_KEEP=DIR keeps the workspace below DIR.
@Suite(.serialized, .enabled(if: mirror != nil, "set SEL4IMG_TEST_MIRROR to an offline mirror of the seL4 and CAmkES repositories"))
struct WasmVMCoresMirrorTests {
    let root: URL
    let keep: Bool
    var workspace: URL { root.appendingPathComponent("ws") }

    init() throws {
        (root, keep) = try integrationRoot("wasm-vm-cores")
    }

    func sel4img(_ args: [String]) throws -> CommandResult {
        let r = try runSel4img(args + ["-w", workspace.path], environment: ["SEL4IMG_MIRROR": mirror!])
        if r.status != 0 { print("sel4img \(args.joined(separator: " ")) exited \(r.status):\n\(r.stderr.suffix(3000))") }
        return r
    }

    /// Each TCB's component thread → (priority, affinity), from the capDL
    /// spec CAmkES wrote (`runner_runner_0_control_tcb = tcb (…,prio: 101,…,affinity: 1,…)`).
    func threads() throws -> [String: (priority: Int, affinity: Int)] {
        let spec = try String(contentsOf: workspace.appendingPathComponent("build/qemu-virt-wasm-vm/wasm_vm.cdl"), encoding: .utf8)
        var result: [String: (Int, Int)] = [:]
        let pattern = try NSRegularExpression(pattern: #"^(\w+)_tcb = tcb \([^)]*?,prio: (\d+),[^)]*?,affinity: (\d+)[,)]"#, options: .anchorsMatchLines)
        for match in pattern.matches(in: spec, range: NSRange(spec.startIndex..., in: spec)) {
            let field = { (i: Int) in String(spec[Range(match.range(at: i), in: spec)!]) }
            result[field(1)] = (Int(field(2))!, Int(field(3))!)
        }
        return result
    }

    @Test("--cores 2 pins the runner to core 1 (priority 101) and the VMM to core 0, boots with -smp 2 and serves emit")
    func twoCores() throws {
        defer { if !keep { try? FileManager.default.removeItem(at: root) } }
        let modules = root.appendingPathComponent("modules")
        try FileManager.default.createDirectory(at: modules, withIntermediateDirectories: true)
        try Data("#include <stdio.h>\nint main(int argc, char **argv) { printf(\"hello from %s\\n\", argv[0]); return 3; }\n".utf8)
            .write(to: modules.appendingPathComponent("greet.c"))
        try sh("python3 -m ziglang cc -target wasm32-wasi -O2 -s -Wl,-z,stack-size=65536 greet.c -o greet.wasm", in: modules)
        let greet = modules.appendingPathComponent("greet.wasm").path
        let script = root.appendingPathComponent("script.txt")
        try Data("cd /wasm\nemit greet.wasm  #=> 3\nemit greet.wasm  #=> 3\n".utf8).write(to: script)

        let build = try sel4img(["build", "--board", "qemu-virt", "--app", "wasm-vm", "--cores", "2", "--wasm", greet, "--progress", "plain"])
        #expect(build.status == 0)
        let provenance = try String(contentsOf: workspace.appendingPathComponent("artifacts/qemu-virt-wasm-vm/provenance.json"), encoding: .utf8)
        #expect(provenance.contains("\"NUM_NODES\" : \"2\""))
        let tcbs = try threads()
        let runner = tcbs.filter { $0.key.hasPrefix("runner_") }
        let vmm = tcbs.filter { $0.key.hasPrefix("vm0_") }
        #expect(runner.count == 4 && vmm.count == 4, "\(tcbs.keys.sorted())")
        #expect(runner.values.allSatisfy { $0.affinity == 1 }, "\(runner)")
        #expect(vmm.values.allSatisfy { $0.affinity == 0 }, "\(vmm)")
        #expect(tcbs.filter { !$0.key.hasPrefix("runner_") }.values.allSatisfy { $0.affinity == 0 })
        #expect(runner["runner_runner_0_control"]?.priority == 101)

        let boot = try sel4img(["qemu", "--board", "qemu-virt", "--app", "wasm-vm", "--timeout", "300", "--script", script.path])
        #expect(boot.status == 0, "\(boot.stdout.suffix(3000))")
        let commandLine = boot.stderr.split(separator: "\n").first { $0.hasPrefix("$ qemu-system-aarch64") } ?? ""
        #expect(commandLine.contains(" -smp 2 "), "\(commandLine)")
        #expect(boot.stdout.contains("Core 1 is up"))
        #expect(boot.stdout.components(separatedBy: "\nhello from greet.wasm").count == 3, "\(boot.stdout.suffix(2000))")
        #expect(boot.stdout.contains("wasm-runner: serving the guest"))
    }
}
