import Foundation
import Testing
import TestSupport

/// App `wasm-vm` on the Raspberry Pi 4 in emulation, against the mirror
/// (SEL4IMG_TEST_MIRROR): the camkes-vm-rpi4 patch set's VMM platform, built
/// for QEMU's `raspi4b` (`--emulated`: the 2 GiB model, and the guest DTB's
/// mini UART clock from runner/guest/rpi4-qemu.dtso, since QEMU's model has
/// no DLAB) and one core (`--cores 1`; `emitOnRaspberryPi` also two), the
/// SD image booted through the firmware's U-Boot and boot.scr (`sel4img
/// qemu --board rpi4`). With the
/// gic-hyp-group0 patch set seL4 takes interrupts on raspi4b's GIC-400
/// (modelled without the Security Extensions), so its tick shares the one
/// core and the runner comes up beside the guest (`emitOnRaspberryPiBoots`).
/// In the guest's shell `--script` runs `emit` for a C module, a Rust module
/// (from SEL4IMG_WASI_TESTSUITE when set) and a trapping one: each prints
/// and exits as under `sel4img wasm run` on the host, and the runner serves
/// the next emit after the trap (`emitOnRaspberryPi`).
/// Needs GHC and camkes-deps (`scripts/setup.sh --camkes`) and QEMU >= 9.
/// SEL4IMG_TEST_KEEP=DIR keeps the workspace below DIR.
@Suite(.serialized, .enabled(if: mirror != nil, "set SEL4IMG_TEST_MIRROR to an offline mirror of the seL4 and CAmkES repositories"))
struct WasmVMRaspberryPiMirrorTests {
    func sel4img(_ args: [String], workspace: URL) throws -> CommandResult {
        let r = try runSel4img(args + ["-w", workspace.path], environment: ["SEL4IMG_MIRROR": mirror!])
        if r.status != 0 { print("sel4img \(args.joined(separator: " ")) exited \(r.status):\n\(r.stderr.suffix(3000))") }
        return r
    }

    /// What both tests share: the modules, their output under `sel4img wasm
    /// run` on the host, and the built system (checked: the SD card's files,
    /// the guest DTB's UART, GIC and channel).
    struct Built {
        var root: URL, keep: Bool, workspace: URL, disk: String
        var runs: [(file: String, arguments: [String])]
        var expected: [(lines: [String], status: Int32)]
    }

    func build(cores: Int = 1) throws -> Built {
        let (root, keep) = try integrationRoot(cores == 1 ? "wasm-vm-rpi4" : "wasm-vm-rpi4-\(cores)cores")
        let workspace = root.appendingPathComponent("ws")
        let modules = root.appendingPathComponent("modules")
        try FileManager.default.createDirectory(at: modules, withIntermediateDirectories: true)
        func compile(_ name: String, _ source: String) throws {
            try Data(source.utf8).write(to: modules.appendingPathComponent("\(name).c"))
            try sh("python3 -m ziglang cc -target wasm32-wasi -O2 -s -Wl,-z,stack-size=65536 \(name).c -o \(name).wasm", in: modules)
        }
        try compile("greet", WasmVMDiskMirrorTests.greet)
        try compile("trap", """
            #include <stdio.h>
            int main(void) { printf("about to trap\\n"); fflush(stdout); __builtin_trap(); }
            """)
        var runs: [(file: String, arguments: [String])] = [("greet.wasm", ["alpha", "beta"])]
        if let suite = ProcessInfo.processInfo.environment["SEL4IMG_WASI_TESTSUITE"] {
            let rust = URL(fileURLWithPath: suite).appendingPathComponent("tests/rust/testsuite/wasm32-wasip1/clock_time_get.wasm")
            try? FileManager.default.removeItem(at: modules.appendingPathComponent("rust_clock_time_get.wasm"))
            try FileManager.default.copyItem(at: rust, to: modules.appendingPathComponent("rust_clock_time_get.wasm"))
            runs.append(("rust_clock_time_get.wasm", []))
        } else {
            print("note: SEL4IMG_WASI_TESTSUITE is not set, so no Rust program runs")
        }
        runs += [("trap.wasm", []), ("greet.wasm", ["after", "the trap"])]
        var expected: [(lines: [String], status: Int32)] = []
        for run in runs {
            let host = try runSel4img(["wasm", "run", run.file] + run.arguments, in: modules)
            var lines = host.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            expected.append((lines, host.status))
        }
        #expect(expected.map(\.status) == (runs.count == 4 ? [0, 0, 134, 0] : [0, 134, 0]))

        let files = Set(runs.map(\.file)).sorted().map { modules.appendingPathComponent($0).path }
        let build = try sel4img(["build", "--board", "rpi4", "--app", "wasm-vm", "--emulated", "--cores", String(cores), "--wasm", files.joined(separator: ","),
                                 "--progress", "plain"], workspace: workspace)
        #expect(build.status == 0)
        for set in ["camkes-vm-rpi4", "gic-hyp-group0"] {
            #expect((build.stdout + build.stderr).contains("patch \(set): done") || (build.stdout + build.stderr).contains("patch \(set): up to date"))
        }
        let artifacts = workspace.appendingPathComponent("artifacts/rpi4-wasm-vm")
        let disk = artifacts.appendingPathComponent("rpi4-wasm-vm.img").path
        // The SD card's FAT partition: the firmware, the board's DTB, U-Boot, config.txt, boot.scr and the capDL image.
        let fat = try sh("mdir -b -i \(disk)@@1M ::")
        for name in ["boot.scr", "sel4.bin", "u-boot.bin", "bcm2711-rpi-4-b.dtb", "start4.elf", "fixup4.dat", "config.txt"] {
            #expect(fat.contains("::/\(name)\n"), "\(fat)")
        }

        // The guest DTB: dtc round trip; the console is the kernel DTB's mini UART,
        // translated through /soc's ranges (bus 0x7e000000 is the CPU's 0xfe000000).
        let work = root.appendingPathComponent("check")
        try? FileManager.default.removeItem(at: work)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let dtb = artifacts.appendingPathComponent("linux.dtb").path
        try sh("dtc -q -I dtb -O dts -o a.dts \(dtb) && dtc -q -I dts -O dtb -o b.dtb a.dts && dtc -q -I dtb -O dts -o b.dts b.dtb && cmp a.dts b.dts", in: work)
        let kernelDTB = artifacts.appendingPathComponent("kernel.dtb").path
        func get(_ file: String, _ node: String, _ property: String) throws -> String {
            try sh("fdtget -t x \(file) \(node) \(property)").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try get(kernelDTB, "/soc/serial@7e215040", "reg") == "7e215040 40")
        #expect(try get(kernelDTB, "/soc/serial@7e215040", "interrupts") == "0 5d 4")
        #expect(try get(kernelDTB, "/soc", "ranges").hasPrefix("7e000000 0 fe000000"))
        #expect(try get(dtb, "/serial@fe215040", "reg") == "0 fe215040 0 40")
        #expect(try get(dtb, "/serial@fe215040", "interrupts") == "0 5d 4")
        // The emulated build's UART clock (runner/guest/rpi4-qemu.dtso): the 8250
        // divisor for 115200 baud is then 31, whose high byte (0) QEMU takes as IER.
        #expect(try get(dtb, "/serial@fe215040", "clock-frequency") == "1b3f000")
        let provenance = try String(contentsOf: artifacts.appendingPathComponent("provenance.json"), encoding: .utf8)
        #expect(provenance.contains("\"name\" : \"runner/guest/rpi4-qemu.dtso\""), "\(provenance)")
        // The GIC: the kernel DTB's distributor and CPU interface (bus 0x40041000, CPU 0xff841000).
        #expect(try get(kernelDTB, "/soc/interrupt-controller@40041000", "reg") == "40041000 1000 40042000 2000 40044000 2000 40046000 2000")
        #expect(try get(dtb, "/interrupt-controller@ff841000", "reg") == "0 ff841000 0 1000 0 ff842000 0 2000")
        #expect(try get(dtb, "/pci@3e000000", "interrupt-map").hasSuffix("0 dc 4"))
        return Built(root: root, keep: keep, workspace: workspace, disk: disk, runs: runs, expected: expected)
    }

    @Test("rpi4 (raspi4b, 2 GiB, one core): the system builds --emulated with the camkes-vm-rpi4 and gic-hyp-group0 patch sets, its guest DTB is the Pi's UART (QEMU's clock), GIC and channel; booted from the SD image, seL4's tick lets the runner share the core with the guest's vCPU and it serves")
    func emitOnRaspberryPiBoots() throws {
        let built = try build()
        defer { if !built.keep { try? FileManager.default.removeItem(at: built.root) } }
        // Without gic-hyp-group0 seL4 takes no interrupt on raspi4b: no tick, so
        // the runner never got the core from the vCPU (no line in 900 s).
        let started = Date()
        let boot = try sel4img(["qemu", "--board", "rpi4", "--app", "wasm-vm", "--timeout", "900",
                                "--expect", "^wasm-runner: serving the guest: ", "--fail", "seL4 called fail at", "--fail", "seL4 failed assertion"],
                               workspace: built.workspace)
        #expect(boot.status == 0, "\(boot.stdout.suffix(2000))")
        #expect(boot.stdout.contains("Loading Kernel: 'linux'"))
        print("rpi4 wasm-vm: QEMU start to the runner serving \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
    }

    @Test("rpi4 (raspi4b): the guest's shell runs emit for C, Rust and trapping modules as the host does, and the runner serves after the trap; built for one core (runner and vCPU share it) and for two (seL4 brings up core 1 for the runner)",
          arguments: [1, 2])
    func emitOnRaspberryPi(cores: Int) throws {
        let built = try build(cores: cores)
        defer { if !built.keep { try? FileManager.default.removeItem(at: built.root) } }
        let (root, workspace, disk, runs, expected) = (built.root, built.workspace, built.disk, built.runs, built.expected)

        let script = "cd /wasm\n" + runs.enumerated().map { index, run in
            let words = ["emit", run.file] + run.arguments.map { $0.contains(" ") ? "'\($0)'" : $0 }
            return words.joined(separator: " ") + (expected[index].status == 0 ? "" : "  #=> \(expected[index].status)")
        }.joined(separator: "\n") + "\n"
            + #"a=$(awk '/uio_pci_generic/ { print $2 }' /proc/interrupts); emit greet.wasm once >/dev/null; b=$(awk '/uio_pci_generic/ { print $2 }' /proc/interrupts); echo "interrupts for one emit: $((b - a))""# + "\n"
        try Data(script.utf8).write(to: root.appendingPathComponent("script.txt"))
        let started = Date()
        let boot = try sel4img(["qemu", "--board", "rpi4", "--app", "wasm-vm", "--timeout", "1800",
                                "--script", root.appendingPathComponent("script.txt").path], workspace: workspace)
        #expect(boot.status == 0, "every emit must exit as on the host: \(boot.stderr.suffix(2000))")
        #expect(boot.stdout.contains("wasm-runner: serving the guest"))
        // The elfloader starts seL4's second core only in a 2-core build (raspi4b always has 4).
        #expect(boot.stdout.contains("Core 1 is up with logic id 1") == (cores == 2))
        let outputs = WasmVMMirrorTests.commandOutputs(boot.stdout)
        for (index, run) in runs.enumerated() {
            let got = outputs[index + 2] ?? []
            if expected[index].status == 134 {
                #expect(Array(got.prefix(expected[index].lines.count)) == expected[index].lines)
                #expect(got.contains { $0.hasPrefix("emit: \(run.file) trapped: unreachable") }, "\(got)")
            } else {
                #expect(got == expected[index].lines, "\(run.file) \(run.arguments): guest \(got) vs host \(expected[index].lines)")
            }
        }
        #expect(outputs[runs.count + 2] == ["interrupts for one emit: 1"], "\(outputs[runs.count + 2] ?? [])")
        print("rpi4 wasm-vm, \(cores) core(s): QEMU start to script end \(String(format: "%.1f", Date().timeIntervalSince(started))) s, disk \(try FileManager.default.attributesOfItem(atPath: disk)[.size] ?? 0) bytes")
    }
}
