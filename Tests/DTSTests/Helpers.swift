import DTS
import Foundation
import TestSupport

/// True when Debian's device-tree-compiler tools are installed (the independent cross-checks).
let hasDTC = FileManager.default.isExecutableFile(atPath: "/usr/bin/dtc") && FileManager.default.isExecutableFile(atPath: "/usr/bin/fdtoverlay")

/// The bare seL4 kernel mirror, when SEL4IMG_TEST_MIRROR names one.
let seL4Mirror: URL? = {
    guard let root = ProcessInfo.processInfo.environment["SEL4IMG_TEST_MIRROR"] else { return nil }
    let url = URL(fileURLWithPath: root).appendingPathComponent("github.com/seL4/seL4.git")
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
}()

/// Board DTS files in seL4's tools/dts/ (read from the mirror at test time, never committed).
func seL4BoardNames() throws -> [String] {
    guard let mirror = seL4Mirror else { return [] }
    return try sh("git --git-dir='\(mirror.path)' ls-tree --name-only HEAD tools/dts/")
        .split(separator: "\n").map(String.init).filter { $0.hasSuffix(".dts") }
        .map { String($0.dropFirst("tools/dts/".count).dropLast(4)) }
}

func seL4BoardSource(_ board: String) throws -> String {
    try sh("git --git-dir='\(seL4Mirror!.path)' show HEAD:tools/dts/\(board).dts")
}

/// `dtc -I dtb -O dts` of DTB bytes.
func dtcText(_ dtb: [UInt8], in dir: TemporaryDirectory, name: String = "x.dtb") throws -> String {
    let file = dir.path(name)
    try Data(dtb).write(to: file)
    return try sh("dtc -q -I dtb -O dts '\(file.path)'")
}

/// `dtc -I dts -O dtb` of DTS text (with extra flags such as `-@`).
func dtcCompile(_ source: String, in dir: TemporaryDirectory, flags: String = "", name: String = "in.dts") throws -> [UInt8] {
    try dir.write(name, source)
    let out = dir.path(name + ".dtb")
    try sh("dtc -q \(flags) -I dts -O dtb -o '\(out.path)' '\(dir.path(name).path)'")
    return [UInt8](try Data(contentsOf: out))
}

/// Hand-written sources that always run (CI has no mirror).
enum Samples {
    static let board = """
        /dts-v1/;
        /memreserve/ 0x0 0x1000;
        /memreserve/ 0x80000000 (16 * 1024);
        / {
        	compatible = "acme,board", "acme,soc";
        	model = "Acme \\"Test\\" Board\\n";
        	#address-cells = <2>;
        	#size-cells = <1>;
        	interrupt-parent = <&gic>;

        	aliases { serial0 = &uart0; gic = &{/soc/interrupt-controller@40041000}; };
        	chosen { stdout-path = "serial0:115200n8"; };

        	memory@0 { device_type = "memory"; reg = <0x0 0x0 0x40000000>; };

        	cpus {
        		#address-cells = <1>;
        		#size-cells = <0>;
        		cpu0: cpu@0 { device_type = "cpu"; compatible = "arm,cortex-a72"; reg = <0>; enable-method = "psci"; next-level-cache = <&l2>; };
        		cpu1: cpu@1 { device_type = "cpu"; compatible = "arm,cortex-a72"; reg = <1>; enable-method = "psci"; next-level-cache = <&l2>; };
        		l2: l2-cache0 { compatible = "cache"; };
        	};

        	soc {
        		compatible = "simple-bus";
        		#address-cells = <1>;
        		#size-cells = <1>;
        		ranges = <0x7e000000 0x0 0xfe000000 0x1800000>;
        		gic: interrupt-controller@40041000 {
        			compatible = "arm,gic-400";
        			interrupt-controller;
        			#interrupt-cells = <3>;
        			reg = <0x40041000 0x1000>, <0x40042000 0x2000>;
        		};
        		uart0: serial@7e201000 {
        			compatible = "arm,pl011", "arm,primecell";
        			reg = <0x7e201000 0x200>;
        			interrupts = <0 (121 - 32) 4>;
        			clocks = <&clk 19>, <&clk 20>;
        			status = "okay";
        			bytes = [de ad be ef 01];
        			shorts = /bits/ 16 <0x1234 'A' 7>;
        			longs = /bits/ 64 <0x123456789abcdef0 (1 << 40)>;
        			small = /bits/ 8 <1 2 3>;
        			expr = <(0x10 | 0x01) (6 * 7) (1 ? 2 : 3) (~0) (100 / 7) (100 % 7) (1 << 4 >> 2) ((3 > 2) && (2 >= 2))>;
        			mixed = "a", <1>, [02], &clk;
        		};
        		clk: clock@7e101000 { compatible = "brcm,clk"; reg = <0x7e101000 0x2000>; #clock-cells = <1>; phandle = <0x5>; };
        	};
        };

        &uart0 { status = "disabled"; extra; };
        /delete-node/ &cpu1;
        / { soc { /delete-property/ ranges; ranges; }; };
        """

    static let overlay = """
        /dts-v1/;
        /plugin/;

        &uart0 {
        	status = "okay";
        	clocks = <&clk 7>, <&local 1>;
        };

        &{/soc} {
        	local: clock@1000 { compatible = "fixed-clock"; #clock-cells = <1>; reg = <0x1000 0x10>; };
        	user@2000 { reg = <0x2000 0x10>; clocks = <&local 0>; };
        };

        &{/chosen} {
        	bootargs = "console=ttyAMA0 earlycon";
        };
        """
}
