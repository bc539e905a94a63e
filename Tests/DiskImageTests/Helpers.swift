import Foundation
import Support
import Testing
import TestSupport
@testable import DiskImage

/// 2023-11-14 22:13:20 UTC.
let epoch: Int64 = 1_700_000_000

/// Deterministic pseudo-random bytes (xorshift), so test files are not all zeros.
func pseudoRandomBytes(_ count: Int, seed: UInt64) -> Data {
    var state = seed | 1
    var bytes = [UInt8](repeating: 0, count: count)
    var i = 0
    while i < count {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        var word = state
        for _ in 0..<8 where i < count {
            bytes[i] = UInt8(truncatingIfNeeded: word)
            word >>= 8
            i += 1
        }
    }
    return Data(bytes)
}

/// Shell-quotes one argument.
func q(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

/// Runs `fsck.fat -n -v` and returns its output; throws (through `sh`) when it reports errors.
@discardableResult
func fsckFAT(_ image: URL) throws -> String {
    let out = try sh("fsck.fat -n -v \(q(image.path)) 2>&1")
    #expect(!out.contains("wrong"), "fsck.fat complained:\n\(out)")
    #expect(!out.contains("Warning"), "fsck.fat warned:\n\(out)")
    return out
}

/// The mtools image specifier for a volume at a byte offset.
func mtoolsImage(_ image: URL, offset: UInt64 = 0) -> String {
    offset == 0 ? q(image.path) : q("\(image.path)@@\(offset)")
}

/// Every path in a volume, as mtools lists it recursively (long names), without the leading `::/`.
func mtoolsPaths(_ image: URL, offset: UInt64 = 0) throws -> Set<String> {
    let out: String
    do {
        out = try sh("mdir -/ -b -i \(mtoolsImage(image, offset: offset)) ::", environment: mtoolsEnvironment)
    } catch let error as ShellError where error.output.contains("File \"::\" not found") {
        // mtools' bare recursive listing fails on an empty root; the plain listing says so.
        let plain = try sh("mdir -i \(mtoolsImage(image, offset: offset)) ::", environment: mtoolsEnvironment)
        #expect(plain.contains("No files"))
        return []
    }
    return Set(out.split(separator: "\n").map { line -> String in
        var s = String(line)
        if s.hasPrefix("::/") { s.removeFirst(3) }
        if s.hasSuffix("/") { s.removeLast() }
        return s
    }.filter { !$0.isEmpty })
}

/// A file's bytes as `mcopy` reads them.
func mtoolsRead(_ image: URL, _ path: String, offset: UInt64 = 0, scratch: TemporaryDirectory) throws -> Data {
    let out = scratch.path("mcopy-out-\(UUID().uuidString.prefix(6))")
    try sh("mcopy -n -i \(mtoolsImage(image, offset: offset)) \(q("::" + path)) \(q(out.path))", environment: mtoolsEnvironment)
    defer { try? FileManager.default.removeItem(at: out) }
    return try Data(contentsOf: out)
}

/// Copies one partition out of a disk image (sparsely) so tools without an offset option can check it.
func extractPartition(_ image: URL, _ entry: MBRPartitionEntry, to out: URL) throws {
    try sh("dd if=\(q(image.path)) of=\(q(out.path)) bs=512 skip=\(entry.startSector) count=\(entry.sectorCount) conv=sparse status=none")
}

/// `sfdisk --json` of an image, decoded.
struct SfdiskTable: Decodable {
    struct Table: Decodable {
        var label: String
        var id: String
        var unit: String
        var partitions: [Part]?
    }
    struct Part: Decodable {
        var node: String
        var start: UInt64
        var size: UInt64
        var type: String
        var bootable: Bool?
    }
    var partitiontable: Table

    static func of(_ image: URL) throws -> SfdiskTable {
        try JSONDecoder().decode(SfdiskTable.self, from: Data(try sh("sfdisk --json \(q(image.path))").utf8))
    }
}

/// mtools prints names in the locale's character set: make it UTF-8.
let mtoolsEnvironment = ["LC_ALL": "C.UTF-8"]

extension FATTimestamp {
    /// Year, month, day, hour, minute, second.
    var fields: [Int] { [year, month, day, hour, minute, second] }
}
