// Needs "Doctor" in the BoardsTests target's dependencies (Package.swift);
// until then the suite compiles away.
#if canImport(Doctor)
import Foundation
import Testing
import TestSupport
import Support
@testable import Doctor

/// A directory to use as the whole PATH, holding fake programs.
struct FakePath {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory("sel4img-doctor")
    }

    /// Adds an executable shell script `name` that prints `output`, using
    /// only shell builtins (PATH holds nothing but the fakes).
    func program(_ name: String, printing output: String) throws {
        try directory.write(name, "#!/bin/sh\nwhile IFS= read -r line; do echo \"$line\"; done <<'END'\n\(output)\nEND\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path(name).path)
    }

    var path: String { directory.url.path }
}

@Suite struct DoctorTests {
    let cmake = HostCheck.standard.first { $0.name == "cmake" }!

    @Test("a fake cmake on PATH is found with the version it prints")
    func fakeCMakeFound() throws {
        let fake = try FakePath()
        defer { fake.directory.remove() }
        try fake.program("cmake", printing: "cmake version 3.25.1\n\nCMake suite maintained and supported by Kitware (kitware.com/cmake).")
        let report = Doctor.run(checks: [cmake], path: fake.path)
        let result = try #require(report.results.first)
        #expect(result.status == .found)
        #expect(result.version == "3.25.1")
        #expect(result.path == fake.directory.path("cmake").path)
        #expect(report.missingRequired.isEmpty)
        #expect(report.isReady)
    }

    @Test("a cmake older than 3.16 is reported as too old")
    func oldCMake() throws {
        let fake = try FakePath()
        defer { fake.directory.remove() }
        try fake.program("cmake", printing: "cmake version 3.10.2")
        let report = Doctor.run(checks: [cmake], path: fake.path)
        #expect(report.results.first?.status == .tooOld)
        #expect(report.missingRequired.map(\.name) == ["cmake"])
        #expect(report.results.first?.problem
            == "'cmake' is version 3.10.2, but 3.16 or newer is required to configure seL4's build. Install it with: apt-get install cmake")
    }

    @Test("QEMU 7.2 is too old for raspi4b and points at bookworm-backports; 10.0 passes")
    func qemuVersion() throws {
        let fake = try FakePath()
        defer { fake.directory.remove() }
        let qemu = HostCheck.standard.first { $0.name == "qemu-system-aarch64" }!
        try fake.program("qemu-system-aarch64", printing: "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers")
        let old = Doctor.run(checks: [qemu], path: fake.path)
        #expect(old.results.first?.status == .tooOld)
        #expect(old.results.first?.version == "7.2.22")
        #expect(old.missingOptional.map(\.name) == ["qemu-system-aarch64"] && old.isReady)
        #expect(old.results.first?.problem
            == "'qemu-system-aarch64' is version 7.2.22, but 9.0 or newer is needed to run images on qemu-virt and on rpi4 (QEMU's raspi4b machine needs 9.0). Install it with: apt-get install -t bookworm-backports qemu-system-arm")
        #expect(old.installCommands == ["apt-get install -t bookworm-backports qemu-system-arm"])
        try fake.program("qemu-system-aarch64", printing: "QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)")
        let new = Doctor.run(checks: [qemu], path: fake.path)
        #expect(new.results.first?.status == .found)
        #expect(new.results.first?.version == "10.0.2")
    }

    @Test("missing programs are reported with the Debian package that provides them")
    func missingProgram() throws {
        let fake = try FakePath()
        defer { fake.directory.remove() }
        let checks = [
            HostCheck.program("sel4img-no-such-tool", purpose: "test the doctor", apt: "sel4img-test-package"),
            HostCheck.program("mkimage", required: false, purpose: "make U-Boot images and boot scripts", apt: "u-boot-tools"),
        ]
        let report = Doctor.run(checks: checks, path: fake.path)
        #expect(report.results.map(\.status) == [.missing, .missing])
        #expect(report.missingRequired.map(\.name) == ["sel4img-no-such-tool"])
        #expect(report.missingOptional.map(\.name) == ["mkimage"])
        #expect(report.installCommands == ["apt-get install sel4img-test-package", "apt-get install u-boot-tools"])
        #expect(!report.isReady)
    }

    @Test("Python modules are imported by python3 and missing ones point at pip install sel4-deps")
    func pythonModules() throws {
        let checks = [
            HostCheck.python("json", purpose: "test the doctor"),
            HostCheck.python("sel4img_no_such_module", purpose: "test the doctor"),
        ]
        let report = Doctor.run(checks: checks)
        #expect(report.results.map(\.status) == [.found, .missing])
        #expect(report.results[1].name == "python3 module sel4img_no_such_module")
        #expect(report.results[1].provider.installCommand == "pip install sel4-deps")
    }

    @Test("without python3 on PATH every module is missing")
    func noPython() throws {
        let fake = try FakePath()
        defer { fake.directory.remove() }
        let report = Doctor.run(checks: [HostCheck.python("json", purpose: "test the doctor")], path: fake.path)
        #expect(report.results.first?.status == .missing)
    }

    @Test("require names the missing tool, why it is needed and how to install it")
    func requireMessage() throws {
        let fake = try FakePath()
        defer { fake.directory.remove() }
        try fake.program("cmake", printing: "cmake version 3.25.1")
        try fake.program("ninja", printing: "1.11.1")
        let error = #expect(throws: DoctorError.self) {
            try Doctor.require(["cmake", "ninja", "aarch64-linux-gnu-gcc"], path: fake.path)
        }
        #expect(error?.description == "Could not find 'aarch64-linux-gnu-gcc', which is required to cross-compile seL4 for aarch64. Install it with: apt-get install gcc-aarch64-linux-gnu (run 'sel4img doctor' for a full check)")
        #expect(error?.problems.map(\.name) == ["aarch64-linux-gnu-gcc"])
    }

    @Test("require lists every missing tool and passes when all are there")
    func requireSeveral() throws {
        let fake = try FakePath()
        defer { fake.directory.remove() }
        let error = #expect(throws: DoctorError.self) { try Doctor.require(["dtc", "protoc"], path: fake.path) }
        #expect(error?.description == """
            Could not find 'dtc', which is required to compile seL4's device trees. Install it with: apt-get install device-tree-compiler
            Could not find 'protoc', which is required to generate nanopb code for sel4test. Install it with: apt-get install protobuf-compiler
            (run 'sel4img doctor' for a full check)
            """)
        try fake.program("dtc", printing: "Version: DTC 1.6.1")
        try fake.program("protoc", printing: "libprotoc 3.21.12")
        try Doctor.require(["dtc", "protoc"], path: fake.path)
    }

    @Test("a report survives a JSON round trip and lists what is missing")
    func jsonRoundTrip() throws {
        let fake = try FakePath()
        defer { fake.directory.remove() }
        try fake.program("cmake", printing: "cmake version 3.25.1")
        let report = Doctor.run(checks: Array(HostCheck.standard.prefix(3)), path: fake.path)
        let json = try report.renderJSON()
        let decoded = try JSONDecoder().decode(DoctorReport.self, from: Data(json.utf8))
        #expect(decoded == report)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["missingRequired"] as? [String] == ["ninja", "aarch64-linux-gnu-gcc"])
        #expect(object["ready"] as? Bool == false)
    }

    @Test("the table shows each tool's state and the commands that fix what is missing")
    func table() throws {
        let fake = try FakePath()
        defer { fake.directory.remove() }
        try fake.program("cmake", printing: "cmake version 3.25.1")
        let table = Doctor.run(checks: Array(HostCheck.standard.prefix(2)), path: fake.path).renderTable()
        #expect(table == """
            TOOL   NEEDED    STATUS   VERSION  INSTALL WITH
            cmake  required  ok       3.25.1
            ninja  required  missing           apt-get install ninja-build

            Missing required tools: ninja.
            To install what is missing:
              apt-get install ninja-build

            """)
    }

    @Test("versions are read from real tools' output and compared numerically")
    func versions() {
        #expect(Doctor.firstVersion(in: "Version: DTC 1.6.1") == "1.6.1")
        #expect(Doctor.firstVersion(in: "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7)") == "7.2.22")
        #expect(Doctor.firstVersion(in: "mkimage version 2023.01") == "2023.01")
        #expect(Doctor.firstVersion(in: "no digits here") == nil)
        #expect(Doctor.compareVersions("3.9", "3.16") == .orderedAscending)
        #expect(Doctor.compareVersions("3.16.0", "3.16") == .orderedSame)
        #expect(Doctor.compareVersions("3.25.1", "3.16") == .orderedDescending)
    }

    @Test("this machine has every required tool the standard checks look for")
    func realHost() {
        let report = Doctor.run()
        #expect(report.missingRequired.map(\.name) == [])
        #expect(report.results.count == HostCheck.standard.count)
    }
}
#endif
