import Boards
import Foundation
import Testing
import TestSupport
@testable import GuestImage

/// The guest's C programs, compiled with Debian's aarch64 cross-compiler.
@Suite struct ProgramTests {
    @Test("a program becomes a static, stripped aarch64 Linux executable with mode 0755")
    func compiles() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        let guest = f.guest(programs: [.init(path: "/usr/bin/hello", sources: ["guest/hello.c"])])
        try f.image(guest).build(into: f.dir.path("out"))
        try sh("mkdir x && cd x && gzip -dc ../out/rootfs.cpio.gz | cpio -id --quiet usr/bin/hello ", in: f.dir.url)
        let header = try sh("readelf -h x/usr/bin/hello", in: f.dir.url)
        #expect(header.contains("Machine:                           AArch64"))
        #expect(header.contains("Type:                              EXEC (Executable file)"))
        #expect(!(try sh("readelf -l x/usr/bin/hello", in: f.dir.url)).contains("INTERP"))
        let kind = try sh("file -b x/usr/bin/hello", in: f.dir.url)
        #expect(kind.contains("ARM aarch64"))
        #expect(kind.contains("statically linked"))
        #expect(kind.contains("stripped"))
        #expect(try sh("gzip -dc out/rootfs.cpio.gz | TZ=UTC cpio -itv --quiet usr/bin/hello ", in: f.dir.url).hasPrefix("-rwxr-xr-x   1 root     root"))
    }

    @Test("the compiler's command line: static, -Os, warnings as errors, stripped, the checkout mapped to '.'")
    func commandLine() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        let program = App.Guest.Program(path: "/usr/bin/emit", sources: ["guest/emit.c", "guest/channel.c"])
        #expect(f.image(f.guest()).compileArguments(program, output: URL(fileURLWithPath: "/tmp/out")) == [
            "aarch64-linux-gnu-gcc", "-static", "-Os", "-Wall", "-Werror", "-s", "-ffile-prefix-map=\(f.repository.path)=.",
            "-o", "/tmp/out", "guest/emit.c", "guest/channel.c",
        ])
    }

    @Test("a program that does not compile stops the build with the compiler's message, naming the key and the sources")
    func compilerError() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        try f.dir.write("checkout/guest/broken.c", "int main(void) {\n    int unused;\n    return 0;\n}\n")
        let guest = f.guest(programs: [.init(path: "/usr/bin/broken", sources: ["guest/broken.c"])])
        let error = #expect(throws: GuestImageError.self) { try f.image(guest).build(into: f.dir.path("out")) }
        #expect(error?.kind == .compileFailed)
        #expect(error?.description == """
            apps/test-vm.yaml: key 'guest.programs./usr/bin/broken': cannot compile /usr/bin/broken for the guest from guest/broken.c (aarch64-linux-gnu-gcc exited with status 1):
              | guest/broken.c: In function 'main':
              | guest/broken.c:2:9: error: unused variable 'unused' [-Werror=unused-variable]
              |     2 |     int unused;
              |       |         ^~~~~~
              | cc1: all warnings being treated as errors
            """)
        #expect(error?.hint?.hasPrefix("the command was, in \(f.repository.path): aarch64-linux-gnu-gcc -static -Os") == true)
        // Nothing is written when a program fails.
        #expect(!FileManager.default.fileExists(atPath: f.dir.path("out/rootfs.cpio.gz").path))
    }

    @Test("a missing cross-compiler is named with the packages to install")
    func missingCompiler() throws {
        let f = try GuestFixture()
        defer { f.remove() }
        var image = f.image(f.guest(programs: [.init(path: "/usr/bin/hello", sources: ["guest/hello.c"])]))
        image.compiler = "aarch64-sel4img-missing-gcc"
        let error = #expect(throws: GuestImageError.self) { try image.build(into: f.dir.path("out")) }
        #expect(error?.kind == .compilerMissing)
        #expect(error?.description == "Could not find 'aarch64-sel4img-missing-gcc', which is required to compile the guest's programs (guest.programs./usr/bin/hello in apps/test-vm.yaml)")
        #expect(error?.hint == "install it with: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross")
    }
}
