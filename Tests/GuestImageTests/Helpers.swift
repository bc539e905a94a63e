import Boards
import Foundation
import GuestImage
import ImageAssembly
import Support
import TestSupport

/// A small sel4img checkout and blob sources made in a temporary directory:
/// an init script, a DTS, a C program, a fake kernel Image and a fake busybox.
struct GuestFixture {
    let dir: TemporaryDirectory
    /// Stands for the sel4img checkout.
    let repository: URL

    static let dts = """
        /dts-v1/;

        / {
        \tcompatible = "linux,dummy-virt";
        \t#address-cells = <2>;
        \t#size-cells = <2>;

        \tchosen {
        \t\tstdout-path = "/pl011@9000000";
        \t};

        \tmemory@40000000 {
        \t\tdevice_type = "memory";
        \t\treg = <0x0 0x40000000 0x0 0x20000000>;
        \t};

        \tpl011@9000000 {
        \t\tcompatible = "arm,pl011", "arm,primecell";
        \t\treg = <0x0 0x9000000 0x0 0x1000>;
        \t};
        };

        """

    static let program = """
        #include <stdio.h>

        int main(int argc, char **argv) {
            printf("hello from %s (%s)\\n", argc > 0 ? argv[0] : "?", __FILE__);
            return 0;
        }

        """

    static let bootargs = "console=ttyAMA0 earlycon=pl011,0x9000000 rdinit=/init"

    init(_ label: String = "sel4img-guest") throws {
        dir = try TemporaryDirectory(label)
        repository = dir.path("checkout")
        try dir.write("checkout/guest/init", "#!/bin/busybox sh\n/bin/busybox --install -s /bin\nexec sh\n")
        try dir.write("checkout/guest/profile", "export PS1='guest# '\n")
        try dir.write("checkout/guest/board.dts", Self.dts)
        try dir.write("checkout/guest/hello.c", Self.program)
        // The arm64 boot header: "ARM\x64" at 0x38, then some bytes.
        var kernel = Data(repeating: 0, count: 64)
        kernel.replaceSubrange(56..<60, with: [0x41, 0x52, 0x4D, 0x64])
        kernel.append(Data("fake kernel body".utf8))
        try FileManager.default.createDirectory(at: dir.path("blobs"), withIntermediateDirectories: true)
        try kernel.write(to: dir.path("blobs/Image"))
        try Data("#!fake busybox\n".utf8).write(to: dir.path("blobs/busybox"))
    }

    var kernelBlob: Blob { Blob(sha256: try! SHA256Hex.ofFile(at: dir.path("blobs/Image")), path: dir.path("blobs/Image").path, package: nil) }
    var busyboxBlob: Blob { Blob(sha256: try! SHA256Hex.ofFile(at: dir.path("blobs/busybox")), path: dir.path("blobs/busybox").path, package: nil) }

    func guest(programs: [App.Guest.Program] = [], files: [App.Guest.File]? = nil, initrdAddress: UInt64 = 0x4d70_0000) -> App.Guest {
        App.Guest(kernel: kernelBlob, busybox: busyboxBlob, deviceTree: "guest/board.dts", bootargs: Self.bootargs,
                  initrdAddress: initrdAddress,
                  files: files ?? [.init(source: "guest/init", path: "/init", mode: 0o755),
                                   .init(source: "guest/profile", path: "/etc/profile")],
                  programs: programs, modulesDirectory: "/wasm", directorySetting: "SEL4IMG_GUEST_DIR")
    }

    func image(_ guest: App.Guest, repository: URL? = nil, modules: [GuestImage.Module] = [], timestamp: Int64 = 1_700_000_000) -> GuestImage {
        GuestImage(guest: guest, appFile: "apps/test-vm.yaml", repository: repository ?? self.repository, timestamp: timestamp,
                   modules: modules, blobs: BlobCache(directory: dir.path("cache")))
    }

    func remove() { dir.remove() }
}

/// The smallest valid WebAssembly module (magic and version only).
let emptyModule = Data([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00])
