import Foundation
import Support
import Testing
import TestSupport
@testable import Boards

@Suite struct CatalogHintTests {
    @Test("several bad board files keep each file's hint, once each")
    func severalBadFilesKeepHints() throws {
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        try temp.write("boards/a.yaml", "format: 2\n")
        try temp.write("boards/b.yaml", "")
        try temp.write("boards/c.yaml", "")
        let error = #expect(throws: AggregateError.self) { try BoardCatalog(directory: temp.path("boards")) }
        #expect(error?.failures.count == 3)
        #expect(error?.hint == "this sel4img reads format 1; see boards/README.md\nsee boards/README.md for the format")
    }
}
