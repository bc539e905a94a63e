import Foundation
import Testing
import TestSupport
@testable import Manifest

/// Mutated manifests through the loader and `resolve()`: each must load or
/// fail with a `ManifestError` naming one of the case's files, never crash,
/// hang or throw anything else. The corpus is the repository's manifests/
/// and every fixture; mutations are byte flips, truncation, element and
/// attribute duplication, deep nesting, huge attributes, control
/// characters and include loops. `SEL4IMG_MANIFEST_FUZZ_CASES` sets the
/// count (default 500; `scripts/fuzz-manifests.sh` runs 10,000) and
/// `SEL4IMG_MANIFEST_FUZZ_SEED` the seed.
@Suite struct ManifestFuzzTests {
    /// Every manifest in manifests/ and in the fixtures; `valid` are those not named invalid_*.
    static func corpus() throws -> (all: [Data], valid: [Data]) {
        var urls = try FileManager.default.contentsOfDirectory(at: repositoryRoot.appendingPathComponent("manifests"), includingPropertiesForKeys: nil)
        urls += try FileManager.default.contentsOfDirectory(at: try InvalidManifestTests.fixturesDirectory(), includingPropertiesForKeys: nil)
        let xml = urls.filter { $0.pathExtension == "xml" }.sorted { $0.path < $1.path }
        return (try xml.map { try Data(contentsOf: $0) },
                try xml.filter { !$0.lastPathComponent.hasPrefix("invalid_") }.map { try Data(contentsOf: $0) })
    }

    /// One mutated case: the top file's bytes and, for include cases, a second file.
    struct Case {
        var top: Data
        var included: Data?
        var description: String
    }

    static func mutate(_ base: Data, corpus: [Data], rng: inout SplitMix64) -> Case {
        var bytes = [UInt8](base)
        var included: Data?
        var steps: [String] = []
        // One mutation most of the time, so that many cases still load.
        for _ in 0..<[1, 1, 1, 2, 3].randomElement(using: &rng)! {
            switch Int.random(in: 0..<9, using: &rng) {
            case 0 where !bytes.isEmpty:
                for _ in 0..<Int.random(in: 1...8, using: &rng) {
                    bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
                }
                steps.append("flip")
            case 1 where !bytes.isEmpty:
                bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
                steps.append("truncate")
            case 2:
                // Duplicate one element (a line holding '<'), possibly many times.
                var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
                let candidates = lines.indices.filter { lines[$0].contains(UInt8(ascii: "<")) }
                if let i = candidates.randomElement(using: &rng) {
                    let copies = Bool.random(using: &rng) ? 1 : Int.random(in: 2...300, using: &rng)
                    lines.insert(contentsOf: Array(repeating: lines[i], count: copies), at: i)
                    bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
                }
                steps.append("duplicate element")
            case 3:
                // Duplicate an attribute inside its tag: name="a" → name="a" name="a".
                let text = String(decoding: bytes, as: UTF8.self)
                if let range = text.range(of: #" [a-z-]+="[^"]*""#, options: .regularExpression) {
                    bytes = Array(text.replacingCharacters(in: range, with: text[range] + text[range]).utf8)
                }
                steps.append("duplicate attribute")
            case 4:
                // Mostly shallow; the deep and huge shapes are slow to parse, so rarer.
                let depth = [3, 10, 300, 300, 5_000, 5_000, 5_000, 50_000].randomElement(using: &rng)!
                // Unknown elements are ignored (as repo ignores them); nested projects are refused.
                let tag = Bool.random(using: &rng) ? "a" : "project name=\"p\""
                let inner = String(repeating: "<\(tag)>", count: depth) + String(repeating: "</\(tag.prefix { $0 != " " })>", count: depth)
                bytes = Array(insertAfterRoot(String(decoding: bytes, as: UTF8.self), inner).utf8)
                steps.append("nest \(depth)")
            case 5:
                let size = [1_000, 1_000, 100_000, 100_000, 100_000, 3_000_000].randomElement(using: &rng)!
                let attribute = ["name", "path", "revision", "fetch", "remote"].randomElement(using: &rng)!
                var attributes = ["name": "x", "path": "y", "revision": "main"]
                attributes[attribute] = String(repeating: "a", count: size)
                let inner = "<project " + attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: " ") + "/>"
                bytes = Array(insertAfterRoot(String(decoding: bytes, as: UTF8.self), inner).utf8)
                steps.append("huge \(attribute) \(size)")
            case 6:
                // An include loop: top → inc.xml → top (or → itself).
                let back = Bool.random(using: &rng) ? "m.xml" : "inc.xml"
                var other = String(decoding: corpus.randomElement(using: &rng)!, as: UTF8.self)
                other = insertAfterRoot(other, "<include name=\"\(back)\"/>")
                included = Data(other.utf8)
                bytes = Array(insertAfterRoot(String(decoding: bytes, as: UTF8.self), "<include name=\"inc.xml\"/>").utf8)
                steps.append("include loop via \(back)")
            case 7:
                // Control characters and character references in attribute values.
                let text = String(decoding: bytes, as: UTF8.self)
                let junk = ["&#10;", "&#9;", "&#13;", "\u{1B}[31m", "\u{7F}", "&#0;", "\u{0}", "&amp;", "&lt;"].randomElement(using: &rng)!
                if let range = text.range(of: #"(path|name|dest|src)="[^"]*"#, options: .regularExpression) {
                    bytes = Array(text.replacingCharacters(in: range, with: text[range] + junk).utf8)
                }
                steps.append("control \(junk.debugDescription)")
            default:
                // Splice a random slice of another corpus file in.
                let other = [UInt8](corpus.randomElement(using: &rng)!)
                if !other.isEmpty {
                    let a = Int.random(in: 0..<other.count, using: &rng)
                    let b = Int.random(in: a...other.count, using: &rng)
                    let at = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &rng)
                    bytes.insert(contentsOf: other[a..<b], at: at)
                }
                steps.append("splice")
            }
        }
        return Case(top: Data(bytes), included: included, description: steps.joined(separator: ", "))
    }

    static func insertAfterRoot(_ text: String, _ inner: String) -> String {
        guard let open = text.range(of: "<manifest"), let close = text[open.upperBound...].firstIndex(of: ">") else {
            return "<manifest>" + inner + text
        }
        var text = text
        text.insert(contentsOf: inner, at: text.index(after: close))
        return text
    }

    /// Runs `count` cases; returns how many loaded and how many were refused.
    static func run(count: Int, seed: UInt64) throws -> (loaded: Int, refused: Int, failures: [String]) {
        let (corpus, valid) = try corpus()
        var rng = SplitMix64(state: seed)
        let dir = try TemporaryDirectory("manifest-fuzz")
        defer { dir.remove() }
        let top = dir.path("m.xml"), inc = dir.path("inc.xml")
        var loaded = 0, refused = 0
        var failures: [String] = []
        var slow: [String] = []
        defer { if !slow.isEmpty { print("slow cases:\n" + slow.prefix(20).joined(separator: "\n")) } }
        for index in 0..<count {
            let base = (Bool.random(using: &rng) ? valid : corpus).randomElement(using: &rng)!
            let c = mutate(base, corpus: corpus, rng: &rng)
            try c.top.write(to: top)
            try? FileManager.default.removeItem(at: inc)
            if let included = c.included { try included.write(to: inc) }
            let manifestURL = Bool.random(using: &rng) ? "https://github.com/seL4/sel4test-manifest.git" : nil
            let caseStart = Date()
            defer {
                let t = Date().timeIntervalSince(caseStart)
                if t > 0.5 { slow.append("case \(index) (\(c.description)): \(String(format: "%.2f", t)) s") }
            }
            do {
                _ = try ManifestLoader.load(file: top, manifestURL: manifestURL).resolve()
                loaded += 1
            } catch let error as ManifestError {
                refused += 1
                if error.file != top.path && error.file != inc.path {
                    failures.append("case \(index) (\(c.description)): the error names \(error.file), not the case's file: \(error)")
                }
            } catch {
                failures.append("case \(index) (\(c.description)): not a ManifestError: \(error)")
            }
        }
        return (loaded, refused, failures)
    }

    @Test("Mutated manifests load or fail with a ManifestError naming the file; never anything else")
    func fuzz() throws {
        let env = ProcessInfo.processInfo.environment
        let count = env["SEL4IMG_MANIFEST_FUZZ_CASES"].flatMap(Int.init) ?? 500
        let seed = env["SEL4IMG_MANIFEST_FUZZ_SEED"].flatMap { UInt64($0) } ?? 17
        let started = Date()
        let result = try Self.run(count: count, seed: seed)
        let seconds = Date().timeIntervalSince(started)
        print("manifest fuzz: \(count) cases (seed \(seed)): \(result.loaded) loaded, \(result.refused) refused with a ManifestError, \(result.failures.count) other outcomes, in \(String(format: "%.1f", seconds)) s")
        #expect(result.loaded + result.refused == count)
        #expect(result.failures.isEmpty, "\(result.failures.prefix(10).joined(separator: "\n"))")
        // The mutations must reach both outcomes, or the run tests nothing.
        #expect(result.loaded > 0 && result.refused > 0)
    }
}
