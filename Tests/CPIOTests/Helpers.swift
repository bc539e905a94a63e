import Foundation
import TestSupport
@testable import CPIO

/// One newc header, parsed by the tests themselves (not by libarchive) to
/// check exactly what was written.
struct NewcHeader: Equatable {
    var ino, mode, uid, gid, nlink, mtime, size, devMajor, devMinor, rdevMajor, rdevMinor: UInt32
    var name: String
    var data: Data

    /// Every entry of an uncompressed newc archive, trailer included.
    static func parseAll(_ bytes: Data) -> [NewcHeader] {
        let b = [UInt8](bytes)
        var result: [NewcHeader] = []
        var at = 0
        func field(_ i: Int) -> UInt32 { UInt32(String(decoding: b[(at + 6 + 8 * i)..<(at + 14 + 8 * i)], as: UTF8.self), radix: 16)! }
        func align(_ n: Int) -> Int { (n + 3) & ~3 }
        while at + 110 <= b.count, String(decoding: b[at..<(at + 6)], as: UTF8.self) == "070701" {
            let nameSize = Int(field(11)), size = Int(field(6))
            let name = String(decoding: b[(at + 110)..<(at + 110 + nameSize - 1)], as: UTF8.self)
            let dataStart = align(at + 110 + nameSize)
            result.append(NewcHeader(ino: field(0), mode: field(1), uid: field(2), gid: field(3), nlink: field(4), mtime: field(5),
                                     size: field(6), devMajor: field(7), devMinor: field(8), rdevMajor: field(9), rdevMinor: field(10),
                                     name: name, data: Data(b[dataStart..<(dataStart + size)])))
            at = align(dataStart + size)
            if name == "TRAILER!!!" { break }
        }
        return result
    }
}

/// Builds raw newc archives with any names and links, including the hostile
/// ones sel4img itself refuses to write.
struct RawNewc {
    private(set) var bytes = Data()
    private var ino: UInt32 = 1

    mutating func add(_ name: String, mode: UInt32, data: Data = Data(), rdev: (UInt32, UInt32) = (0, 0), nlink: UInt32 = 1) {
        func hex(_ v: UInt32) -> String { let s = String(v, radix: 16); return String(repeating: "0", count: 8 - s.count) + s }
        let fields: [UInt32] = [ino, mode, 0, 0, nlink, 0, UInt32(data.count), 0, 0, rdev.0, rdev.1, UInt32(name.utf8.count + 1), 0]
        ino += 1
        bytes.append(contentsOf: Array(("070701" + fields.map(hex).joined()).utf8))
        bytes.append(contentsOf: Array(name.utf8) + [0])
        while bytes.count % 4 != 0 { bytes.append(0) }
        bytes.append(data)
        while bytes.count % 4 != 0 { bytes.append(0) }
    }

    mutating func file(_ name: String, _ text: String = "x", mode: UInt32 = 0o644) { add(name, mode: 0o100000 | mode, data: Data(text.utf8)) }
    mutating func dir(_ name: String) { add(name, mode: 0o040755, nlink: 2) }
    mutating func link(_ name: String, to target: String) { add(name, mode: 0o120777, data: Data(target.utf8)) }

    func finished() -> Data {
        var copy = self
        copy.add("TRAILER!!!", mode: 0)
        while copy.bytes.count % 512 != 0 { copy.bytes.append(0) }
        return copy.bytes
    }

    func write(to url: URL) throws { try finished().write(to: url) }
}

/// A small tree with every kind of host item sel4img archives.
func makeSampleTree(in dir: TemporaryDirectory, _ name: String = "tree") throws -> URL {
    let root = dir.path(name)
    try sh("""
        mkdir -p \(name)/bin \(name)/etc/init.d \(name)/empty \(name)/usr/lib
        printf '#!/bin/sh\\necho hi\\n' > \(name)/etc/init.d/rcS && chmod 755 \(name)/etc/init.d/rcS
        printf 'root:x:0:0::/root:/bin/sh\\n' > \(name)/etc/passwd && chmod 644 \(name)/etc/passwd
        head -c 70000 /dev/urandom > \(name)/usr/lib/blob.bin && chmod 600 \(name)/usr/lib/blob.bin
        printf 'busybox' > \(name)/bin/busybox && chmod 4755 \(name)/bin/busybox
        ln -s busybox \(name)/bin/sh
        ln -s /etc/passwd \(name)/absolute-link
        ln -s does-not-exist \(name)/dangling
        chmod 700 \(name)/empty
        """, in: dir.url)
    return root
}
