import Foundation
import Testing
import TestSupport
@testable import Boards

@Suite struct QuantityTests {
    @Test("sizes parse in binary units, hex and plain bytes", arguments: [
        ("2G", UInt64(2) << 30), ("1024M", UInt64(1) << 30), ("512K", UInt64(512) << 10), ("1T", UInt64(1) << 40),
        ("4GiB", UInt64(4) << 30), ("0x80000000", UInt64(0x8000_0000)), ("4096", UInt64(4096)), ("2g", UInt64(2) << 30),
    ])
    func sizes(_ text: String, _ bytes: UInt64) {
        #expect(Quantity.size(text) == bytes)
    }

    @Test("things that are not sizes are refused", arguments: ["lots", "", "0", "0x0", "2.5G", "-1G", "G", "99999999999T", "0xZZ"])
    func notSizes(_ text: String) {
        #expect(Quantity.size(text) == nil)
    }

    @Test("addresses are hexadecimal with 0x, or plain 0")
    func addresses() {
        #expect(Quantity.address("0x40000000") == 0x4000_0000)
        #expect(Quantity.address("0xFE21_5040") == 0xfe21_5040)
        #expect(Quantity.address("0") == 0)
        #expect(Quantity.address("1073741824") == nil)
        #expect(Quantity.address("0x") == nil)
        #expect(Quantity.address("0x1_0000_0000_0000_0000") == nil)
    }

    @Test("sizes and addresses print the way board files write them")
    func formatting() {
        #expect(Quantity.formatSize(2 << 30) == "2G")
        #expect(Quantity.formatSize(1536 << 20) == "1536M")
        #expect(Quantity.formatSize(1000) == "1000")
        #expect(Quantity.formatAddress(0x4000_0000) == "0x40000000")
    }
}

@Suite struct AppSettingsTests {
    let board: Board

    init() throws {
        board = try Board.load(from: repositoryRoot.appendingPathComponent("boards/rpi4.yaml"))
    }

    func app(_ yaml: String) throws -> App {
        try App.parse(yaml, name: "demo", file: "apps/demo.yaml", knownBoards: ["qemu-virt", "rpi4"])
    }

    let text = """
        format: 1
        description: a demo
        manifest: demo.xml
        cmake:
          settings:
            RELEASE: TRUE
            SMP: "FALSE"
          boards:
            rpi4:
              SMP: "TRUE"
              KernelMaxNumNodes: 4
        supportedBoards: [qemu-virt, rpi4]
        console:
          success: [done]
          timeoutSeconds: 30
        outputs:
          image: images/demo-image-arm-*
        """

    @Test("per-board settings replace the app's, and values pass through as written")
    func perBoard() throws {
        let demo = try app(text)
        let settings = try demo.cmakeSettings(for: board, memorySize: 4 << 30)
        #expect(settings["RELEASE"] == "TRUE")
        #expect(settings["SMP"] == "TRUE")
        #expect(settings["KernelMaxNumNodes"] == "4")
        #expect(settings["RPI4_MEMORY"] == "4096")
        #expect(settings["PLATFORM"] == "rpi4")
        #expect(demo.patchSets == [])
        #expect(demo.console.failure == [])
    }

    @Test("an app refuses a board it does not list")
    func unsupportedBoard() throws {
        let demo = try app(text.replacingOccurrences(of: "[qemu-virt, rpi4]", with: "[qemu-virt]")
            .replacingOccurrences(of: "    rpi4:\n      SMP: \"TRUE\"\n      KernelMaxNumNodes: 4\n", with: ""))
        let error = #expect(throws: BoardError.self) { try demo.cmakeSettings(for: board) }
        #expect(error?.description == "app 'demo' does not support board 'rpi4'; supported boards: qemu-virt")
    }

    @Test("settings for a board the app does not support are refused")
    func settingsForUnlistedBoard() {
        let error = #expect(throws: BoardError.self) {
            try app(text.replacingOccurrences(of: "[qemu-virt, rpi4]", with: "[qemu-virt]"))
        }
        #expect(error?.description == "apps/demo.yaml:9: key 'cmake.boards.rpi4': settings for board 'rpi4', which is not in 'supportedBoards'")
    }

    @Test("problems are reported in order: unknown keys before types, types before meaning")
    func validationOrder() {
        let bad = text
            .replacingOccurrences(of: "manifest: demo.xml", with: "manifest: ../demo.xml")
            .replacingOccurrences(of: "timeoutSeconds: 30", with: "timeoutSeconds: soon")
            .replacingOccurrences(of: "outputs:", with: "colour: blue\noutputs:")
        let error = #expect(throws: BoardError.self) { try app(bad) }
        #expect(error?.description == "apps/demo.yaml:16: key 'colour': unknown key; allowed keys here: format, description, manifest, patchSets, cmake, supportedBoards, console, outputs, sources, wasm, guest, qemu, bootDisk, cores")
        let typeOnly = bad.replacingOccurrences(of: "colour: blue\n", with: "")
        let typeError = #expect(throws: BoardError.self) { try app(typeOnly) }
        #expect(typeError?.description == "apps/demo.yaml:15: key 'console.timeoutSeconds': expected an integer, got 'soon'")
    }
}

@Suite struct CatalogTests {
    @Test("a directory with several bad files reports all of them")
    func severalBadFiles() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        try temp.write("boards/a.yaml", "format: 2\n")
        try temp.write("boards/b.yaml", "")
        try temp.write("boards/notes.txt", "ignored")
        let error = #expect(throws: (any Error).self) { try BoardCatalog(directory: temp.path("boards")) }
        #expect(String(describing: error!) == """
            2 files in boards/ have problems:
              - boards/a.yaml:1: key 'format': unsupported format '2'; this sel4img reads format 1
              - boards/b.yaml: file is empty; a board file starts with 'format: 1'
            """)
    }

    @Test("a missing boards directory says where it looked and how to point elsewhere")
    func missingDirectory() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let error = #expect(throws: BoardError.self) { try BoardCatalog.load(dataDirectory: temp.url) }
        #expect(error?.description == "no boards directory at \(temp.url.path)/boards")
        #expect(error?.hint?.contains("SEL4IMG_DATA_DIR") == true)
    }

    @Test("a file name that cannot be a board name is refused")
    func badFileName() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        try temp.write("boards/My Board.yaml", try String(contentsOf: repositoryRoot.appendingPathComponent("boards/tx1.yaml"), encoding: .utf8))
        let error = #expect(throws: BoardError.self) { try BoardCatalog(directory: temp.path("boards")) }
        #expect(error?.kind == .badFileName)
        #expect(error?.description.hasPrefix("boards/My Board.yaml: 'My Board' cannot be used as a name") == true)
    }

    @Test("an app naming a board the catalog lacks is refused when loaded against it")
    func appAgainstCatalog() throws {
        let boards = try BoardCatalog.load(dataDirectory: repositoryRoot)
        let apps = try AppCatalog.load(dataDirectory: repositoryRoot, boards: boards)
        #expect(apps.names == ["sel4test", "wasm-runner", "wasm-vm"])
    }
}

@Suite struct DataDirectoryTests {
    @Test("SEL4IMG_DATA_DIR wins over everything else")
    func environmentWins() {
        let found = DataDirectory.locate(environment: ["SEL4IMG_DATA_DIR": "/srv/sel4img"],
                                         executables: [repositoryRoot.appendingPathComponent(".build/debug/sel4img")],
                                         currentDirectory: repositoryRoot)
        #expect(found?.path == "/srv/sel4img")
    }

    @Test("the checkout is found above the executable, through a symlink")
    func aboveExecutable() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        for dir in ["boards", "apps", "manifests", ".build/debug"] {
            try FileManager.default.createDirectory(at: temp.path("checkout/\(dir)"), withIntermediateDirectories: true)
        }
        try temp.write("checkout/.build/debug/sel4img", "")
        try FileManager.default.createDirectory(at: temp.path("bin"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: temp.path("bin/sel4img"),
                                                   withDestinationURL: temp.path("checkout/.build/debug/sel4img"))
        let found = DataDirectory.locate(environment: [:], executables: [temp.path("bin/sel4img")],
                                         currentDirectory: URL(fileURLWithPath: "/"))
        #expect(found?.path == temp.path("checkout").path)
    }

    @Test("an installed binary finds PREFIX/share/sel4img, also through a symlink to it; the checkout search still follows")
    func installLayout() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        for dir in ["prefix/share/sel4img/boards", "prefix/share/sel4img/apps", "prefix/share/sel4img/manifests", "prefix/bin", "elsewhere/bin"] {
            try FileManager.default.createDirectory(at: temp.path(dir), withIntermediateDirectories: true)
        }
        try temp.write("prefix/bin/sel4img", "")
        try FileManager.default.createSymbolicLink(at: temp.path("elsewhere/bin/sel4img"), withDestinationURL: temp.path("prefix/bin/sel4img"))
        let root = URL(fileURLWithPath: "/")
        let direct = DataDirectory.search(environment: [:], executables: [temp.path("prefix/bin/sel4img")], currentDirectory: root)
        #expect(direct.found?.path == temp.path("prefix/share/sel4img").path)
        #expect(direct.looked == ["\(temp.path("prefix/share/sel4img").path) (installed beside \(temp.path("prefix/bin/sel4img").path))"])
        let linked = DataDirectory.search(environment: [:], executables: [temp.path("elsewhere/bin/sel4img")], currentDirectory: root)
        #expect(linked.found?.path == temp.path("prefix/share/sel4img").path)
        #expect(linked.looked == [
            "\(temp.path("elsewhere/share/sel4img").path) (installed beside \(temp.path("elsewhere/bin/sel4img").path))",
            "\(temp.path("prefix/share/sel4img").path) (installed beside \(temp.path("prefix/bin/sel4img").path))",
        ])
    }

    @Test("when nothing is found, the search says each place it looked, once, in order")
    func lookedWhenMissing() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        try FileManager.default.createDirectory(at: temp.path("bin"), withIntermediateDirectories: true)
        try temp.write("bin/sel4img", "")
        let exe = temp.path("bin/sel4img")
        let search = DataDirectory.search(environment: [:], executables: [exe, exe], currentDirectory: temp.path("bin"))
        #expect(search.found == nil)
        let prefix = temp.url.standardizedFileURL.path
        #expect(search.looked == [
            "\(prefix)/share/sel4img (installed beside \(prefix)/bin/sel4img)",
            "\(prefix)/bin and the directories above it (a checkout)",
            "\(prefix)/bin and the directories above it (the current directory)",
        ])
    }

    @Test("without an executable inside a checkout, the current directory is searched")
    func currentDirectory() {
        let found = DataDirectory.locate(environment: [:], executables: [URL(fileURLWithPath: "/usr/bin/sel4img")],
                                         currentDirectory: repositoryRoot.appendingPathComponent("Sources/Boards"))
        #expect(found?.standardizedFileURL.path == repositoryRoot.standardizedFileURL.path)
        #expect(DataDirectory.locate(environment: [:], executables: [], currentDirectory: URL(fileURLWithPath: "/")) == nil)
    }
}

@Suite struct BlobTests {
    @Test("a blob's JSON has the board file's keys: sha256, one of path or url, member, package")
    func json() throws {
        let blob = Blob(sha256: String(repeating: "a", count: 64), url: "https://example.org/p.deb", member: "usr/lib/x.bin", package: "p")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(blob), as: UTF8.self)
        #expect(text == #"{"member":"usr/lib/x.bin","package":"p","sha256":"\#(blob.sha256)","url":"https://example.org/p.deb"}"#)
        #expect(try JSONDecoder().decode(Blob.self, from: Data(text.utf8)) == blob)
        let both = #"{"sha256":"\#(blob.sha256)","path":"/x","url":"https://example.org/p.deb"}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Blob.self, from: Data(both.utf8)) }
    }

    @Test("messages show a blob's source as the path, the URL, or the member in the URL")
    func sourceDescription() {
        #expect(Blob(sha256: "", path: "/usr/lib/u-boot.bin", package: nil).sourceDescription == "/usr/lib/u-boot.bin")
        #expect(Blob(sha256: "", url: "https://h/f.bin", package: nil).sourceDescription == "https://h/f.bin")
        #expect(Blob(sha256: "", url: "https://h/p.deb", member: "usr/f", package: nil).sourceDescription == "usr/f in https://h/p.deb")
    }

    @Test("blob URLs are http(s) with a host and a file, or file:/// with an absolute path", arguments: [
        ("https://deb.debian.org/debian/pool/main/u/u-boot/u.deb", true), ("http://127.0.0.1:8000/a.tar.xz", true),
        ("file:///srv/blobs/a.deb", true), ("ftp://h/a.deb", false), ("file://relative/a.deb", false), ("https://h", false),
        ("https://h/", false), ("/abs/path.deb", false), ("file:///srv/blobs/", false), ("not a url", false),
    ])
    func urls(_ text: String, _ valid: Bool) {
        #expect(BlobURL.isValid(text) == valid)
    }
}
