import Foundation
import Testing
import TestSupport
@testable import CPIO

/// One bad input and the exact message it must produce. In messages, ARCHIVE
/// stands for the archive's path and DIR for the test's directory.
struct BadInput: Sendable, CustomTestStringConvertible {
    var name: String
    var message: String
    var run: @Sendable (TemporaryDirectory) throws -> Void

    var testDescription: String { name }

    /// Extracts the raw archive that `build` makes.
    static func extracting(_ name: String, _ message: String, _ build: @escaping @Sendable (inout RawNewc) -> Void) -> BadInput {
        BadInput(name: name, message: message) { dir in
            var raw = RawNewc()
            build(&raw)
            try raw.write(to: dir.path("archive.cpio"))
            try CPIOArchive.extract(dir.path("archive.cpio"), to: dir.path("dest"))
        }
    }

    /// Extracts a file with exactly these bytes.
    static func extractingBytes(_ name: String, _ message: String, _ bytes: @escaping @Sendable () throws -> Data) -> BadInput {
        BadInput(name: name, message: message) { dir in
            try bytes().write(to: dir.path("archive.cpio"))
            try CPIOArchive.extract(dir.path("archive.cpio"), to: dir.path("dest"))
        }
    }
}

@Suite struct BadInputTests {
    static let cases: [BadInput] = [
        .extracting("a path with ..", "refusing entry 1 '../x' of ARCHIVE: its path contains '..'") { $0.file("../x") },
        .extracting("a .. hidden inside a path", "refusing entry 2 'a/../../x' of ARCHIVE: its path contains '..'") {
            $0.dir("a"); $0.file("a/../../x")
        },
        .extracting("an absolute path", "refusing entry 1 '/etc/passwd' of ARCHIVE: its path is absolute") { $0.file("/etc/passwd") },
        .extracting("a symlink escaping with ..", "refusing entry 2 'etc/evil' of ARCHIVE: its target '../../etc' points outside the destination") {
            $0.dir("etc"); $0.link("etc/evil", to: "../../etc")
        },
        .extracting("an absolute symlink", "refusing entry 1 'evil' of ARCHIVE: its target '/etc' points outside the destination") {
            $0.link("evil", to: "/etc")
        },
        .extracting("a symlink that makes an earlier one escape",
                    "refusing entry 3 'x/l' of ARCHIVE: with it, the symlink 'm' extracted before would point outside the destination") {
            $0.dir("x"); $0.link("m", to: "x/l/.."); $0.link("x/l", to: "..")
        },
        .extracting("replacing a symlink that an earlier one goes through",
                    "refusing entry 5 'l' of ARCHIVE: replacing the symlink 'l', the symlink 'm' extracted before would point outside the destination") {
            $0.dir("a"); $0.dir("a/b"); $0.link("l", to: "a/b"); $0.link("m", to: "l/../.."); $0.dir("l")
        },
        .extracting("a symlink escaping through another symlink", "refusing entry 2 'b' of ARCHIVE: its target 'a/..' points outside the destination") {
            $0.link("a", to: "."); $0.link("b", to: "a/..")
        },
        .extracting("a file written through a symlink",
                    "refusing entry 3 'd/f' of ARCHIVE: it would be written through the symlink 'd' extracted before") {
            $0.dir("sub"); $0.link("d", to: "sub"); $0.file("d/f")
        },
        BadInput(name: "a directory for an archive", message: "ARCHIVE is a directory, not a CPIO archive") { dir in
            try FileManager.default.createDirectory(at: dir.path("archive.cpio"), withIntermediateDirectories: true)
            _ = try CPIOArchive.list(dir.path("archive.cpio"))
        },
        .extractingBytes("an empty file", "ARCHIVE is not a readable CPIO archive: entry 1 at offset 0: the file is empty") { Data() },
        .extractingBytes("not an archive", "ARCHIVE is not a readable CPIO archive: entry 1 at offset 0: Unrecognized archive format") {
            Data("hello, this is not a cpio archive\n".utf8)
        },
        .extractingBytes("a header cut short",
                         "ARCHIVE is not a readable CPIO archive: entry 2 at offset 116: the archive ends inside this entry's header, or before its trailer") {
            var raw = RawNewc(); raw.file("a", "x"); raw.file("b", "y")
            return raw.finished().prefix(116 + 40)
        },
        .extractingBytes("data cut short", "ARCHIVE is not a readable CPIO archive: entry 1 at offset 150: the archive ends inside this entry's data") {
            var raw = RawNewc(); raw.file("a", String(repeating: "x", count: 100))
            return raw.finished().prefix(150)
        },
        BadInput(name: "a bad --device type", message: "bad device 'x:5:1:/dev/console': the type must be c (character), b (block) or p (FIFO)") { _ in
            _ = try DeviceSpec(parsing: "x:5:1:/dev/console")
        },
        BadInput(name: "a --device without minor", message: "bad device 'c:5:/dev/console': expected c:MAJOR:MINOR:PATH[:MODE]") { _ in
            _ = try DeviceSpec(parsing: "c:5:/dev/console")
        },
        BadInput(name: "a --device with words for numbers",
                 message: "bad device 'b:one:two:/dev/x': major and minor must be numbers (major at most 4095, minor at most 1048575)") { _ in
            _ = try DeviceSpec(parsing: "b:one:two:/dev/x")
        },
        BadInput(name: "a --device mode that is not octal", message: "bad device 'p:/run/fifo:0999': the mode must be octal, at most 7777") { _ in
            _ = try DeviceSpec(parsing: "p:/run/fifo:0999")
        },
        BadInput(name: "an --add without a destination", message: "bad addition 'build/init': expected SRC:DEST") { dir in
            _ = try HostAddition(parsing: "build/init", relativeTo: dir.url)
        },
        BadInput(name: "an --add escaping the archive", message: "bad addition 'f:../etc/passwd': archive path '../etc/passwd' contains '..'") { dir in
            try dir.write("f", "x")
            _ = try HostAddition(parsing: "f:../etc/passwd", relativeTo: dir.url)
        },
        BadInput(name: "an --add of a missing file", message: "bad addition 'missing:/init': DIR/missing does not exist") { dir in
            _ = try HostAddition(parsing: "missing:/init", relativeTo: dir.url)
        },
        BadInput(name: "a --symlink onto the root", message: "bad symlink 'busybox:/': archive path '/' names the archive's root itself") { _ in
            _ = try SymlinkSpec(parsing: "busybox:/")
        },
        BadInput(name: "an entry below a file", message: "cannot add 'etc/passwd/x': 'etc/passwd' in the archive is a file, not a directory") { _ in
            var archive = CPIOArchive()
            try archive.addFile("etc/passwd", contents: Data())
            try archive.addDirectory("etc/passwd/x")
        },
        BadInput(name: "removing a path that is not there", message: "cannot remove 'usr/bin': the archive has no such entry") { _ in
            var archive = CPIOArchive()
            try archive.apply(CPIOEdits(removals: ["usr/bin"]))
        },
        BadInput(name: "a SOURCE_DATE_EPOCH that is not a number",
                 message: "SOURCE_DATE_EPOCH must be a whole number of seconds from 0 to 4294967295; got 'yesterday'") { _ in
            _ = try CPIOWriteOptions.timestamp(fromEnvironment: ["SOURCE_DATE_EPOCH": "yesterday"])
        },
        BadInput(name: "an overlay base with .. in a path", message: "refusing entry 1 '../x' of ARCHIVE: its path contains '..'") { dir in
            var raw = RawNewc(); raw.file("../x")
            try raw.write(to: dir.path("archive.cpio"))
            _ = try CPIOArchive.read(from: dir.path("archive.cpio"))
        },
    ]

    @Test("Bad inputs produce exactly the expected message", arguments: cases)
    func badInput(_ input: BadInput) throws {
        let dir = try TemporaryDirectory("cpio-bad")
        defer { dir.remove() }
        do {
            try input.run(dir)
            Issue.record("\(input.name): no error")
        } catch let error as CPIOError {
            let expected = input.message
                .replacingOccurrences(of: "ARCHIVE", with: dir.path("archive.cpio").path)
                .replacingOccurrences(of: "DIR", with: dir.url.path)
            #expect(error.message == expected)
        }
    }
}
