import Foundation
import Support
import Testing
import TestSupport
@testable import CPIO

/// The escape corpus against extraction: the links are in the destination
/// before the archive is extracted; the archive writes through them.
@Suite struct CPIOEscapeTests {
    @Test("an entry through a symlink already in the destination is refused", arguments: EscapeCorpus.cases)
    func escape(_ c: EscapeCase) throws {
        let dir = try TemporaryDirectory("cpio-escape")
        defer { dir.remove() }
        let destination = dir.path("dest")
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        let outside = try OutsideDirectory(in: dir.url)
        try EscapeCorpus.makeLinks(c, in: destination, outside: outside.url)
        var raw = RawNewc()
        raw.file(c.path, "owned")
        try raw.write(to: dir.path("a.cpio"))
        let before = outside.listing()
        let error = #expect(throws: CPIOError.self) { try CPIOArchive.extract(dir.path("a.cpio"), to: destination) }
        let refusal = EscapeCorpus.refusal(c, root: destination, outside: outside.url, rootName: "the destination")
        #expect(error?.message == "refusing entry 1 '\(c.path)' of \(dir.path("a.cpio").path): \(refusal)")
        #expect(outside.listing() == before)
    }
}
