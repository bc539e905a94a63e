import Foundation
import Testing
import TestSupport
import WasmEngine
@testable import ImageBuild

/// The modules archive the wasm-runner root task embeds.
@Suite struct WasmBundleTests {
    /// The smallest valid module (magic and version only).
    static let empty = Data([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00])
    /// One type `() -> i32` and one function whose body returns an i64: invalid.
    static let typeMismatch = Data([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
                                    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7F,   // type section
                                    0x03, 0x02, 0x01, 0x00,                     // function section
                                    0x0A, 0x06, 0x01, 0x04, 0x00, 0x42, 0x00, 0x0B]) // code: i64.const 0

    func modules(_ dir: TemporaryDirectory, _ names: [String]) throws -> [URL] {
        try names.map { name in
            let url = dir.path("in/\(name)")
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Self.empty.write(to: url)
            return url
        }
    }

    @Test("the archive holds the index and the modules, the index keeps the order given, and bytes are the same every time")
    func deterministic() throws {
        let dir = try TemporaryDirectory("sel4img-wasm")
        defer { dir.remove() }
        let bundle = WasmBundle(modules: try modules(dir, ["zeta.wasm", "alpha.wasm"]), arguments: ["one", "two words"])
        let first = dir.path("a/modules.cpio"), second = dir.path("b/modules.cpio")
        #expect(try bundle.writeArchive(to: first, timestamp: 1_700_000_000))
        #expect(try bundle.writeArchive(to: second, timestamp: 1_700_000_000))
        #expect(try Data(contentsOf: first) == Data(contentsOf: second))
        #expect(try sh("cpio -it --quiet < a/modules.cpio", in: dir.url) == "modules\nmodules/alpha.wasm\nmodules/zeta.wasm\nmodules.txt\n")
        #expect(try sh("cpio -i --quiet --to-stdout modules.txt < a/modules.cpio", in: dir.url) == """
            # Written by sel4img: the modules to run, in order, then the arguments each gets after its name.
            module zeta.wasm
            module alpha.wasm
            arg one
            arg two words

            """)
        #expect(try sh("cpio -itv --quiet < a/modules.cpio | head -1", in: dir.url).contains("2023"))
        // Another timestamp, other bytes.
        #expect(try bundle.writeArchive(to: second, timestamp: 0))
        #expect(try Data(contentsOf: first) != Data(contentsOf: second))
    }

    @Test("an archive with the same bytes is not rewritten, so Ninja sees no change")
    func unchangedIsNotRewritten() throws {
        let dir = try TemporaryDirectory("sel4img-wasm")
        defer { dir.remove() }
        let bundle = WasmBundle(modules: try modules(dir, ["a.wasm"]))
        let url = dir.path("out/modules.cpio")
        #expect(try bundle.writeArchive(to: url, timestamp: 5))
        let old = Date(timeIntervalSince1970: 1_000_000)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: url.path)
        #expect(try !bundle.writeArchive(to: url, timestamp: 5))
        #expect(try FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date == old)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path("out").path) == ["modules.cpio"])
        #expect(try WasmBundle(modules: bundle.modules, arguments: ["x"]).writeArchive(to: url, timestamp: 5))
    }

    @Test("an invalid module is refused before anything is written, naming the file and the offset")
    func invalidModule() throws {
        let dir = try TemporaryDirectory("sel4img-wasm")
        defer { dir.remove() }
        let good = try modules(dir, ["good.wasm"])[0]
        let bad = dir.path("in/bad.wasm")
        try Self.typeMismatch.write(to: bad)
        var engineError: WasmError?
        do { _ = try Module.decode([UInt8](Self.typeMismatch)) } catch { engineError = error }
        let expected = try #require(engineError)
        #expect(expected.offset != nil)
        let url = dir.path("out/modules.cpio")
        let error = #expect(throws: BuildError.self) { try WasmBundle(modules: [good, bad]).writeArchive(to: url, timestamp: 0) }
        #expect(error?.kind == .invalidModule)
        #expect(error?.description == "\(bad.path) is not a module the runner can load: \(expected.description)")
        #expect(error?.description.contains("at offset 0x") == true)
        #expect(!FileManager.default.fileExists(atPath: url.path))

        let notWasm = dir.path("in/notes.wasm")
        try Data("hello".utf8).write(to: notWasm)
        let magic = #expect(throws: BuildError.self) { try WasmBundle(modules: [notWasm]).load() }
        #expect(magic?.description.hasPrefix("\(notWasm.path) is not a module the runner can load: malformed module") == true)

        let missing = #expect(throws: BuildError.self) { try WasmBundle(modules: [dir.path("in/none.wasm")]).load() }
        #expect(missing?.description.hasPrefix("cannot read the WebAssembly module \(dir.path("in/none.wasm").path)") == true)
    }

    @Test("two different files with one name, and an empty list, are refused; one file twice runs twice")
    func names() throws {
        let dir = try TemporaryDirectory("sel4img-wasm")
        defer { dir.remove() }
        let a = try modules(dir, ["x/m.wasm", "y/m.wasm"])
        let clash = #expect(throws: BuildError.self) { try WasmBundle(modules: a).names() }
        #expect(clash?.description == "two modules are named m.wasm: \(a[0].path) and \(a[1].path)")
        #expect(try WasmBundle(modules: [a[0], a[0]]).names() == ["m.wasm", "m.wasm"])
        let none = #expect(throws: BuildError.self) { try WasmBundle(modules: []).names() }
        #expect(none?.description == "no WebAssembly modules given")
    }

    @Test("--args splits like a shell for simple cases")
    func splitArguments() throws {
        #expect(try WasmBundle.splitArguments("") == [])
        #expect(try WasmBundle.splitArguments("  one  two\tthree ") == ["one", "two", "three"])
        #expect(try WasmBundle.splitArguments(#"'a b' "c \"d\"" e\ f ''"#) == ["a b", #"c "d""#, "e f", ""])
        let open = #expect(throws: BuildError.self) { try WasmBundle.splitArguments("'oops") }
        #expect(open?.description == "--args has an unterminated ' quote: 'oops")
    }
}
