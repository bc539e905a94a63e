import Foundation
import Testing
import TestSupport
@testable import Boards

/// The app key for a Linux guest VM (`guest`), with its bad files in `Fixtures/guest/`.
@Suite struct GuestAppTests {
    static let directory = fixturesDirectory.appendingPathComponent("guest")
    static let boards = ["qemu-virt", "rpi4", "tx1", "tx2"]

    @Test("a guest section is read with its blobs, files and programs in file order, and round-trips through JSON")
    func parses() throws {
        let app = try App.load(from: Self.directory.appendingPathComponent("valid_guest.yaml"), knownBoards: Self.boards)
        let guest = try #require(app.guest)
        #expect(guest.kernel == Blob(sha256: "84b9c190bb4589c4a9527e3191fec051f9f115e88f0a3e8afae96ba0dfb4dfef",
                                     url: "https://deb.debian.org/debian/pool/main/l/linux-signed-arm64/linux-image-6.1.0-50-arm64_6.1.176-1_arm64.deb",
                                     member: "boot/vmlinuz-6.1.0-50-arm64", package: nil))
        #expect(guest.busybox.member == "bin/busybox")
        // Kernel modules: members of the kernel's own archive, in file order.
        let kernelURL = "https://deb.debian.org/debian/pool/main/l/linux-signed-arm64/linux-image-6.1.0-50-arm64_6.1.176-1_arm64.deb"
        #expect(guest.kernelModules == [
            Blob(sha256: "338c5169987e95bdb927b14983d6ca63c8c1819bb28e56c3a8d1f5b1999b0c29", url: kernelURL,
                 member: "lib/modules/6.1.0-50-arm64/kernel/drivers/uio/uio.ko", package: nil),
            Blob(sha256: "0927f544c424213ee2f67e5a8570dc07905c79853522511f5c731aeadb124e09", url: kernelURL,
                 member: "lib/modules/6.1.0-50-arm64/kernel/drivers/uio/uio_pci_generic.ko", package: nil),
        ])
        #expect(guest.busybox.sha256 == "61781806ad3650b0b9d2b3fc6971e2bffdca967af1a95375abd0578bafff14fb")
        #expect(guest.deviceTree == "runner/guest/qemu-arm-virt.dts")
        #expect(guest.bootargs == "console=ttyAMA0 earlycon=pl011,0x9000000 rdinit=/init pci=nomsi,realloc=off,bios")
        #expect(guest.initrdAddress == 0x4d70_0000)
        #expect(guest.files == [.init(source: "runner/guest/init", path: "/init", mode: 0o755),
                                .init(source: "runner/guest/profile", path: "/etc/profile", mode: 0o644)])
        #expect(guest.programs == [.init(path: "/usr/bin/emit", sources: ["runner/guest/emit.c"])])
        #expect(guest.modulesDirectory == "/wasm")
        #expect(guest.directorySetting == "SEL4IMG_GUEST_DIR")
        #expect(app.wasm == nil)
        #expect(try JSONDecoder().decode(App.self, from: JSONEncoder().encode(app)) == app)
    }

    @Test("files, programs, kernelModules and modulesDirectory may be left out")
    func defaults() throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent("valid_guest.yaml"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let start = lines.firstIndex { $0 == "  files:" }!, end = lines.firstIndex { $0.hasPrefix("  modulesDirectory:") }!
        let trimmed = (lines[..<start] + lines[(end + 1)...]).joined(separator: "\n")
        let guest = try #require(try App.parse(trimmed, name: "vm", file: "apps/vm.yaml", knownBoards: Self.boards).guest)
        #expect(guest.files == [])
        #expect(guest.programs == [])
        #expect(guest.kernelModules.count == 2)
        let withoutModules = trimmed.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("  kernelModules:") && !$0.hasPrefix("    - ") && !$0.hasPrefix("      sha256:") }.joined(separator: "\n")
        #expect(try App.parse(withoutModules, name: "vm", file: "apps/vm.yaml", knownBoards: Self.boards).guest?.kernelModules == [])
        #expect(guest.modulesDirectory == "/wasm")
    }

    @Test("a file's mode may be written without quotes, and a file may give just its guest path")
    func fileForms() throws {
        let text = try String(contentsOf: Self.directory.appendingPathComponent("valid_guest.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "{path: /init, mode: \"0755\"}", with: "{path: /init, mode: 0750}")
            .replacingOccurrences(of: "runner/guest/profile: /etc/profile", with: "runner/guest/profile: {path: /etc/profile, mode: 600}")
        let guest = try #require(try App.parse(text, name: "vm", file: "apps/vm.yaml", knownBoards: Self.boards).guest)
        #expect(guest.files.map(\.mode) == [0o750, 0o600])
    }

    @Test("wasm-vm's guest has its own device tree, command line and initramfs address on rpi4 and each Jetson, and the top-level ones on qemu-virt")
    func perBoard() throws {
        let app = try App.load(from: repositoryRoot.appendingPathComponent("apps/wasm-vm.yaml"), knownBoards: Self.boards)
        let guest = try #require(app.guest)
        #expect(app.supportedBoards == ["qemu-virt", "rpi4", "tx1", "tx2"])
        #expect(guest.on(board: "qemu-virt") == guest)
        let rpi4 = guest.on(board: "rpi4")
        #expect(rpi4.deviceTree == "runner/guest/rpi4.dts")
        #expect(rpi4.bootargs == "console=ttyS0,115200n8 earlycon=uart8250,mmio32,0xfe215040 rdinit=/init pci=nomsi,realloc=off,bios")
        #expect(rpi4.initrdAddress == 0x4500_0000)
        // Only rpi4 changes its guest's tree for QEMU (QEMU's mini UART has no DLAB).
        #expect(rpi4.emulatedOverlay == "runner/guest/rpi4-qemu.dtso")
        #expect(guest.emulatedOverlay == nil)
        let tx1 = guest.on(board: "tx1"), tx2 = guest.on(board: "tx2")
        #expect(tx1.deviceTree == "runner/guest/tx1.dts")
        #expect(tx1.bootargs == "console=ttyS0,115200n8 earlycon=uart8250,mmio32,0x70006000 rdinit=/init pci=nomsi,realloc=off,bios")
        #expect(tx1.initrdAddress == 0x8500_0000)
        #expect(tx2.deviceTree == "runner/guest/tx2.dts")
        #expect(tx2.bootargs == "console=ttyS0,115200n8 earlycon=uart8250,mmio32,0x3100000 rdinit=/init pci=nomsi,realloc=off,bios")
        #expect(tx2.initrdAddress == 0xf600_0000)
        #expect(tx1.emulatedOverlay == nil && tx2.emulatedOverlay == nil)
        // Everything else is shared.
        #expect(tx1.kernel == guest.kernel && tx1.files == guest.files && tx1.programs == guest.programs && tx1.boards == guest.boards)
        #expect(try JSONDecoder().decode(App.self, from: JSONEncoder().encode(app)) == app)
    }

    @Test("the app's QEMU machine refines only the machine it names: wasm-vm's virt options on qemu-virt, the board's raspi4b on rpi4")
    func qemuMachinePerBoard() throws {
        let app = try App.load(from: repositoryRoot.appendingPathComponent("apps/wasm-vm.yaml"), knownBoards: Self.boards)
        #expect(app.qemuMachine(refining: "virt") == "virt,virtualization=on,highmem=off,secure=off")
        #expect(app.qemuMachine(refining: "virt,gic-version=2") == "virt,virtualization=on,highmem=off,secure=off")
        #expect(app.qemuMachine(refining: "raspi4b") == "raspi4b")
        #expect(app.qemuMachine(refining: "virtio") == "virtio")
        let sel4test = try App.load(from: repositoryRoot.appendingPathComponent("apps/sel4test.yaml"), knownBoards: Self.boards)
        #expect(sel4test.qemuMachine(refining: "raspi4b") == "raspi4b")
    }

    @Test("an app without the key has no guest")
    func absent() throws {
        let app = try App.load(from: repositoryRoot.appendingPathComponent("apps/sel4test.yaml"), knownBoards: Self.boards)
        #expect(app.guest == nil)
    }

    @Test("guest paths: absolute, normal, without '..'")
    func guestPaths() {
        #expect(GuestPath.problem(with: "/usr/bin/emit") == nil)
        #expect(GuestPath.problem(with: "usr/bin/emit") == "is relative; give an absolute path in the guest like /usr/bin/emit")
        #expect(GuestPath.problem(with: "/") == "names the root itself")
        #expect(GuestPath.problem(with: "/a/../b") == "contains '..'")
        #expect(GuestPath.problem(with: "/..") == "contains '..'")
        for path in ["/a//b", "/a/./b", "/a/"] {
            #expect(GuestPath.problem(with: path) == "is not in normal form; write it like /usr/bin/emit, without '//', '/./' or a final '/'")
        }
        #expect(GuestPath.problem(with: "/a\nb") == "contains a control character")
        #expect(GuestPath.ancestors("/usr/bin/emit") == ["/usr", "/usr/bin"])
        #expect(GuestPath.ancestors("/init") == [])
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var file: String
        var kind: BoardError.Kind
        var message: String
        var testDescription: String { file }
    }

    static let cases: [Case] = [
        Case(file: "invalid_guest_relative_path.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_relative_path.yaml:24: key 'guest.files.runner/guest/init.path': the guest path 'init' is relative; give an absolute path in the guest like /usr/bin/emit"),
        Case(file: "invalid_guest_dotdot.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_dotdot.yaml:27: key 'guest.programs./usr/bin/../sbin/emit': the guest path '/usr/bin/../sbin/emit' contains '..'"),
        Case(file: "invalid_guest_path_twice.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_path_twice.yaml:28: key 'guest.programs./init': the guest path '/init' is given twice; it is already given at 'guest.files.runner/guest/init'"),
        Case(file: "invalid_guest_bad_mode.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_bad_mode.yaml:24: key 'guest.files.runner/guest/init.mode': expected an octal mode like \"0755\" or \"0644\", got '0799'"),
        Case(file: "invalid_guest_bootargs_newline.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_bootargs_newline.yaml:21: key 'guest.bootargs': the kernel command line must be one line"),
        Case(file: "invalid_guest_bootargs_long.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_bootargs_long.yaml:21: key 'guest.bootargs': the kernel command line is 1228 bytes; at most 1024 are allowed"),
        Case(file: "invalid_guest_initrd_address.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_initrd_address.yaml:22: key 'guest.initrdAddress': expected a hexadecimal address like 0x40000000, got 'high'"),
        Case(file: "invalid_guest_missing_kernel.yaml", kind: .missingKey,
             message: "guest/invalid_guest_missing_kernel.yaml:11: key 'guest.kernel': required key is missing"),
        Case(file: "invalid_guest_unknown_key.yaml", kind: .unknownKey,
             message: "guest/invalid_guest_unknown_key.yaml:23: key 'guest.initrdSize': unknown key; allowed keys here: kernel, busybox, kernelModules, deviceTree, bootargs, initrdAddress, emulatedOverlay, files, programs, modulesDirectory, directorySetting, boards"),
        Case(file: "invalid_guest_base_file.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_base_file.yaml:25: key 'guest.files.runner/guest/profile': '/bin/busybox' is part of the guest's base file system (busybox and the /dev nodes); choose another path"),
        Case(file: "invalid_guest_directory.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_directory.yaml:25: key 'guest.files.runner/guest/profile': '/usr/bin' is a directory in the guest; give a file path like /usr/bin/NAME"),
        Case(file: "invalid_guest_inside_file.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_inside_file.yaml:25: key 'guest.files.runner/guest/profile': '/init/profile' would be inside '/init', which is a file"),
        Case(file: "invalid_guest_with_wasm.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_with_wasm.yaml:13: key 'guest': an app has either 'wasm' (modules the root task runs) or 'guest' (modules a Linux guest runs), not both"),
        Case(file: "invalid_guest_setting.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_setting.yaml:29: key 'guest.directorySetting': 'SEL4IMG-GUEST-DIR' is not a CMake variable name"),
        Case(file: "invalid_guest_unsafe_source.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_unsafe_source.yaml:25: key 'guest.files.../secrets/profile': the source path contains '..'; give a file of the sel4img checkout like runner/guest/init"),
        Case(file: "invalid_guest_program_source.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_program_source.yaml:27: key 'guest.programs./usr/bin/emit[1]': expected a C or assembly source file (.c, .S or .s), got 'runner/guest/wasm_channel.h'"),
        Case(file: "invalid_guest_device_tree.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_device_tree.yaml:20: key 'guest.deviceTree': a device tree source is a .dts file, got 'runner/guest/qemu-arm-virt.dtb'"),
        Case(file: "invalid_guest_modules_directory.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_modules_directory.yaml:28: key 'guest.modulesDirectory': the guest path 'wasm/' is relative; give an absolute path in the guest like /usr/bin/emit"),
        Case(file: "invalid_guest_kernel_sha.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_kernel_sha.yaml:15: key 'guest.kernel.sha256': expected 64 lower-case hex digits, got '84b9c190'"),
        Case(file: "invalid_guest_module_version.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_module_version.yaml:21: key 'guest.kernelModules[0].member': 'lib/modules/6.1.0-49-arm64/kernel/drivers/uio/uio.ko' is built for kernel 6.1.0-49-arm64, but the kernel (boot/vmlinuz-6.1.0-50-arm64) is 6.1.0-50-arm64; a module loads only into the kernel it was built with"),
        Case(file: "invalid_guest_module_path.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_module_path.yaml:21: key 'guest.kernelModules[0].member': 'usr/lib/uio.ko' is not a kernel module: expected lib/modules/VERSION/….ko"),
        Case(file: "invalid_guest_module_twice.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_module_twice.yaml:23: key 'guest.kernelModules[1].member': the kernel module 'lib/modules/6.1.0-50-arm64/kernel/drivers/uio/uio.ko' is given twice"),
        Case(file: "invalid_guest_module_kernel_path.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_module_kernel_path.yaml:19: key 'guest.kernelModules': kernel modules are members of the kernel's archive, but 'kernel' is not a member of one; give 'kernel' as {url, member, sha256}"),
        Case(file: "invalid_guest_board_unsupported.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_board_unsupported.yaml:31: key 'guest.boards.tx1': guest settings for board 'tx1', which is not in 'supportedBoards' (qemu-virt)"),
        Case(file: "invalid_guest_board_incomplete.yaml", kind: .missingKey,
             message: "guest/invalid_guest_board_incomplete.yaml:31: key 'guest.boards.qemu-virt.initrdAddress': required key is missing"),
        Case(file: "invalid_guest_board_device_tree.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_board_device_tree.yaml:31: key 'guest.boards.qemu-virt.deviceTree': a device tree source is a .dts file, got 'runner/guest/other.dtb'"),
        Case(file: "invalid_guest_emulated_overlay.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_emulated_overlay.yaml:31: key 'guest.boards.qemu-virt.emulatedOverlay': a device tree overlay source is a .dtso file, got 'runner/guest/qemu.dts'"),
        Case(file: "invalid_guest_emulated_overlay_path.yaml", kind: .invalidValue,
             message: "guest/invalid_guest_emulated_overlay_path.yaml:31: key 'guest.boards.qemu-virt.emulatedOverlay': the overlay path contains '..'; give a .dtso file of the sel4img checkout like runner/guest/rpi4-qemu.dtso"),
        Case(file: "invalid_guest_board_type.yaml", kind: .wrongType,
             message: "guest/invalid_guest_board_type.yaml:31: key 'guest.boards.qemu-virt': expected a mapping with deviceTree, bootargs and initrdAddress, got 'runner/guest/other.dts'"),
        Case(file: "invalid_guest_files_type.yaml", kind: .wrongType,
             message: "guest/invalid_guest_files_type.yaml:23: key 'guest.files': expected a mapping of source files to guest paths, got a list"),
    ]

    @Test("each bad guest section in Fixtures/guest/ is refused with its exact message", arguments: cases)
    func refused(_ testCase: Case) throws {
        let error = #expect(throws: BoardError.self) {
            _ = try App.load(from: Self.directory.appendingPathComponent(testCase.file), knownBoards: Self.boards)
        }
        #expect(error?.description == testCase.message)
        #expect(error?.kind == testCase.kind)
    }

    @Test("every invalid_* fixture in Fixtures/guest/ has a case, and every case a fixture")
    func corpusIsComplete() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path).filter { $0.hasPrefix("invalid_") }.sorted()
        #expect(files == Self.cases.map(\.file).sorted())
    }
}
