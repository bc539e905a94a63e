import Crypto
import Foundation

/// SHA-256 helpers; every hash sel4img prints or records is lower-case hex SHA-256.
public enum SHA256Hex {
    public static func of(_ data: Data) -> String {
        hex(SHA256.hash(data: data))
    }

    public static func of(_ string: String) -> String {
        of(Data(string.utf8))
    }

    /// Hashes a file in 1 MiB chunks so large images do not need to fit in memory.
    public static func ofFile(at url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
        }
        return hex(hasher.finalize())
    }

    public static func isValid(_ text: String) -> Bool {
        text.count == 64 && text.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    public static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { byte in
            let s = String(byte, radix: 16)
            return byte < 16 ? "0" + s : s
        }.joined()
    }
}

/// An incremental SHA-256 for data that arrives in pieces.
public struct SHA256Stream {
    private var hasher = SHA256()
    public init() {}
    public mutating func update(_ data: Data) { hasher.update(data: data) }
    public func finish() -> String { SHA256Hex.hex(hasher.finalize()) }
}
