import Foundation
import Testing
@testable import Boards

/// One bad file from `Fixtures/` and the exact message it must produce.
struct InvalidCase: CustomTestStringConvertible, Sendable {
    var file: String
    var kind: BoardError.Kind
    var message: String

    var testDescription: String { file }
}

let fixturesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

let invalidCases: [InvalidCase] = [
    InvalidCase(file: "invalid_board_syntax.yaml", kind: .syntax,
                message: "Fixtures/invalid_board_syntax.yaml:7: YAML syntax error: while parsing a flow sequence: did not find expected ',' or ']'"),
    InvalidCase(file: "invalid_board_empty.yaml", kind: .empty,
                message: "Fixtures/invalid_board_empty.yaml: file is empty; a board file starts with 'format: 1'"),
    InvalidCase(file: "invalid_board_missing_format.yaml", kind: .formatVersion,
                message: "Fixtures/invalid_board_missing_format.yaml:1: key 'format': missing; the file must start with 'format: 1'"),
    InvalidCase(file: "invalid_board_format_2.yaml", kind: .formatVersion,
                message: "Fixtures/invalid_board_format_2.yaml:1: key 'format': unsupported format '2'; this sel4img reads format 1"),
    InvalidCase(file: "invalid_board_unknown_key.yaml", kind: .unknownKey,
                message: "Fixtures/invalid_board_unknown_key.yaml:18: key 'uart.speed': unknown key; allowed keys here: device, address, baud"),
    InvalidCase(file: "invalid_board_wrong_type.yaml", kind: .wrongType,
                message: "Fixtures/invalid_board_wrong_type.yaml:17: key 'uart.baud': expected an integer, got 'fast'"),
    InvalidCase(file: "invalid_board_bad_hex.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_board_bad_hex.yaml:16: key 'uart.address': expected a hexadecimal address like 0x40000000, got '0xfe2150g0'"),
    InvalidCase(file: "invalid_board_bad_size.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_board_bad_size.yaml:11: key 'memory.size': expected a size like 2G or 0x80000000, got 'lots'"),
    InvalidCase(file: "invalid_board_unknown_platform.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_board_unknown_platform.yaml:4: key 'sel4.platform': unknown seL4 platform 'rpi5'; known platforms: qemu-arm-virt, rpi4, tx1, tx2"),
    InvalidCase(file: "invalid_board_qemu_no_machine.yaml", kind: .missingKey,
                message: "Fixtures/invalid_board_qemu_no_machine.yaml:18: key 'qemu.machine': required key is missing"),
    InvalidCase(file: "invalid_board_memory_variant.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_board_memory_variant.yaml:11: key 'memory.size': 3G is not one of the sizes in 'memory.variants' (1G, 2G, 4G, 8G)"),
    InvalidCase(file: "invalid_board_duplicate_key.yaml", kind: .syntax,
                message: "Fixtures/invalid_board_duplicate_key.yaml:17: YAML syntax error: duplicate key 'baud'"),
    InvalidCase(file: "invalid_board_order.yaml", kind: .unknownKey,
                message: "Fixtures/invalid_board_order.yaml:21: key 'load.entry': unknown key; allowed keys here: imageAddress, dtbAddress"),
    InvalidCase(file: "invalid_board_top_list.yaml", kind: .wrongType,
                message: "Fixtures/invalid_board_top_list.yaml:1: expected a mapping of keys at the top of the file, got a list"),
    InvalidCase(file: "invalid_board_cpu_mismatch.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_board_cpu_mismatch.yaml:6: key 'sel4.cpu': seL4 platform 'rpi4' runs on cortex-a72, not 'cortex-a53'"),
    InvalidCase(file: "invalid_board_uboot_no_config.yaml", kind: .missingKey,
                message: "Fixtures/invalid_board_uboot_no_config.yaml:21: key 'bootloader.uBootConfig': required key is missing"),
    InvalidCase(file: "invalid_board_boot_partition.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_board_boot_partition.yaml:25: key 'bootloader.bootPartition': 'mmc1' is not a U-Boot partition like 'mmc 1:1' (interface, device number, ':', partition number)"),
    InvalidCase(file: "invalid_board_missing_uart.yaml", kind: .missingKey,
                message: "Fixtures/invalid_board_missing_uart.yaml:1: key 'uart': required key is missing"),
    InvalidCase(file: "invalid_board_qemu_cpu.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_board_qemu_cpu.yaml:21: key 'qemu.cpu': QEMU's CPU 'cortex-a72' differs from the CPU seL4 is built for ('sel4.cpu' is 'cortex-a53')"),
    InvalidCase(file: "invalid_board_qemu_disk_blob.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_board_qemu_disk_blob.yaml:26: key 'qemu.disk.deviceTree': 'board.dtb' is not one of 'bootloader.blobs'"),
    InvalidCase(file: "invalid_board_extra_args_type.yaml", kind: .wrongType,
                message: "Fixtures/invalid_board_extra_args_type.yaml:23: key 'qemu.extraArgs': expected a list, got '-nographic'"),
    InvalidCase(file: "invalid_board_reserved_setting.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_board_reserved_setting.yaml:9: key 'sel4.cmake.PLATFORM': sel4img sets PLATFORM itself from the board's other keys; remove it here"),
    InvalidCase(file: "invalid_board_load_outside_ram.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_board_load_outside_ram.yaml:18: key 'load.imageAddress': 0x10000000 is outside RAM (0x80000000 to 0x17fffffff)"),
    InvalidCase(file: "invalid_board_blob_no_source.yaml", kind: .missingKey,
                message: "Fixtures/invalid_board_blob_no_source.yaml:26: key 'bootloader.blobs.start4.elf': a blob needs one source: 'path' (a file on the host) or 'url' (a download)"),
    InvalidCase(file: "invalid_board_blob_two_sources.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_board_blob_two_sources.yaml:29: key 'bootloader.blobs.u-boot.bin.url': a blob has one source, but this one has both 'path' and 'url'; keep one"),
    InvalidCase(file: "invalid_board_blob_url_scheme.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_board_blob_url_scheme.yaml:28: key 'bootloader.blobs.u-boot.bin.url': expected an http://, https:// or file:/// URL, got 'ftp://ftp.debian.org/debian/pool/main/u/u-boot/u-boot-rpi_2023.01+dfsg-2+deb12u3_arm64.deb'"),
    InvalidCase(file: "invalid_board_blob_relative_file_url.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_board_blob_relative_file_url.yaml:28: key 'bootloader.blobs.fixup4.dat.url': expected an http://, https:// or file:/// URL, got 'file://downloads/raspi-firmware_1.20220830+ds-1_all.deb'"),
    InvalidCase(file: "invalid_board_blob_member_without_url.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_board_blob_member_without_url.yaml:29: key 'bootloader.blobs.u-boot.bin.member': 'member' names a file inside the archive at 'url', but this blob has no 'url'"),
    InvalidCase(file: "invalid_board_blob_bad_sha.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_board_blob_bad_sha.yaml:27: key 'bootloader.blobs.fixup4.dat.sha256': expected 64 lower-case hex digits, got '55AEB4D842356C655F230FDD0C08DFAD8A0412ABDF97E421D420CCD09861A233'"),
    InvalidCase(file: "invalid_board_blob_unsafe_member.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_board_blob_unsafe_member.yaml:29: key 'bootloader.blobs.fixup4.dat.member': the member path 'usr/lib/../../etc/passwd' contains '..'; give the file's path inside the archive, like usr/lib/u-boot/rpi_arm64/u-boot.bin"),
    InvalidCase(file: "invalid_app_unknown_board.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_app_unknown_board.yaml:9: key 'supportedBoards[1]': unknown board 'rpi5'; valid boards: qemu-virt, rpi4, tx1, tx2"),
    InvalidCase(file: "invalid_app_bad_regex.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_app_bad_regex.yaml:14: key 'console.failure[0]': 'Test suite (failed' is not a valid regular expression"),
    InvalidCase(file: "invalid_app_unsafe_output.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_app_unsafe_output.yaml:25: key 'outputs.kernel': the output path contains '..'"),
    InvalidCase(file: "invalid_app_board_setting.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_app_board_setting.yaml:8: key 'cmake.settings.PLATFORM': PLATFORM comes from the board file; remove it from the app"),
    InvalidCase(file: "invalid_app_no_image.yaml", kind: .missingKey,
                message: "Fixtures/invalid_app_no_image.yaml:23: key 'outputs.image': required key is missing"),
    InvalidCase(file: "invalid_app_manifest_path.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_app_manifest_path.yaml:3: key 'manifest': the manifest path is absolute; give a path below manifests/ like sel4test.xml"),
    InvalidCase(file: "invalid_app_timeout.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_app_timeout.yaml:22: key 'console.timeoutSeconds': must be greater than 0, got 0"),
    InvalidCase(file: "invalid_app_shell_ready.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_app_shell_ready.yaml:23: key 'console.shellReady': '^sel4img-guest: (ready' is not a valid regular expression"),
    InvalidCase(file: "invalid_app_cores_default.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_app_cores_default.yaml:32: key 'cores.default': 4 is not one of 'choices' (1 or 2)"),
    InvalidCase(file: "invalid_app_cores_setting.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_app_cores_setting.yaml:30: key 'cores.setting': SIMULATION comes from the board file; name the app's own core-count setting"),
    InvalidCase(file: "invalid_app_cores_twice.yaml", kind: .invalidValue,
                message: "Fixtures/invalid_app_cores_twice.yaml:31: key 'cores.choices': lists a core count twice: 1, 2, 1"),
]

@Suite struct InvalidFileTests {
    @Test("each bad file in Fixtures/ is refused with its exact message", arguments: invalidCases)
    func refused(_ testCase: InvalidCase) throws {
        let url = fixturesDirectory.appendingPathComponent(testCase.file)
        let error = #expect(throws: BoardError.self) {
            if testCase.file.hasPrefix("invalid_app_") {
                _ = try App.load(from: url, knownBoards: ["qemu-virt", "rpi4", "tx1", "tx2"])
            } else {
                _ = try Board.load(from: url)
            }
        }
        #expect(error?.description == testCase.message)
        #expect(error?.kind == testCase.kind)
    }

    @Test("every invalid_* fixture has a case, and every case a fixture")
    func corpusIsComplete() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: fixturesDirectory.path)
            .filter { $0.hasPrefix("invalid_") }.sorted()
        #expect(files == invalidCases.map(\.file).sorted())
        #expect(files.count >= 12)
    }
}
