import Boards
import Foundation
import Support

/// Boot files sel4img does not build (U-Boot, firmware), copied into a cache
/// under their SHA-256 and verified against it on every use, like `west blobs`
/// but never trusting a file it has not just hashed.
public struct BlobCache: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// The cache every workspace shares: `$XDG_CACHE_HOME/sel4img/blobs`, else `~/.cache/sel4img/blobs`.
    public static var standard: BlobCache {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return BlobCache(directory: base.appendingPathComponent("sel4img/blobs"))
    }

    /// A verified copy of `blob`: from the cache when it is there and still
    /// hashes right, else taken from its source path, checked, and cached.
    public func fetch(_ name: String, _ blob: Blob) throws -> URL {
        let fm = FileManager.default
        let cached = directory.appendingPathComponent(blob.sha256)
        if fm.fileExists(atPath: cached.path) {
            if try SHA256Hex.ofFile(at: cached) == blob.sha256 { return cached }
            try fm.removeItem(at: cached)  // damaged: fetch it again
        }
        let source = URL(fileURLWithPath: blob.path)
        guard fm.fileExists(atPath: source.path) else {
            throw BlobError(name: name, message: "boot file '\(name)' is missing: \(blob.path) does not exist",
                            hint: blob.package.map { "install it with: apt-get install \($0)" })
        }
        let actual = try SHA256Hex.ofFile(at: source)
        guard actual == blob.sha256 else {
            throw BlobError(name: name, message: "boot file '\(name)' (\(blob.path)) has SHA-256 \(actual), expected \(blob.sha256)",
                            hint: "a different version is installed; update the board file's sha256 only if you trust this one")
        }
        try fm.createDirectory(at: directory, withIntermediateDirectories: true)
        let partial = directory.appendingPathComponent(".\(blob.sha256).partial")
        try? fm.removeItem(at: partial)
        try fm.copyItem(at: source, to: partial)
        try? fm.removeItem(at: cached)
        try fm.moveItem(at: partial, to: cached)
        return cached
    }
}

public struct BlobError: UserFacingError {
    public var name: String
    public var message: String
    public var hint: String?
    public var description: String { message }
}
