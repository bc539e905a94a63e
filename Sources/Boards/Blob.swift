import Foundation

/// A boot file sel4img does not build (firmware, U-Boot, a board DTB), pinned
/// by its SHA-256 and verified on every use. It comes from exactly one source:
/// a file on the host, or a download (optionally one member of a downloaded
/// Debian package or tar archive).
public struct Blob: Sendable, Equatable {
    /// Where the file comes from.
    public enum Source: Sendable, Equatable {
        /// An absolute path on a host that has the package installed.
        case path(String)
        /// An `http://`, `https://` or `file://` URL; with `member`, the URL is a
        /// `.deb` or tar archive and the blob is the file at that path inside it.
        case url(String, member: String?)
    }

    /// The SHA-256 of the file itself (for a member, of the extracted file).
    public var sha256: String
    public var source: Source
    /// The Debian package that provides it: what to install for a `path`, and
    /// where a `url` comes from (a hint for finding a newer one).
    public var package: String?

    public init(sha256: String, source: Source, package: String?) {
        self.sha256 = sha256
        self.source = source
        self.package = package
    }

    /// A blob taken from a host path.
    public init(sha256: String, path: String, package: String?) {
        self.init(sha256: sha256, source: .path(path), package: package)
    }

    /// A blob downloaded from `url`, or extracted from the archive there.
    public init(sha256: String, url: String, member: String? = nil, package: String?) {
        self.init(sha256: sha256, source: .url(url, member: member), package: package)
    }

    public var path: String? {
        if case .path(let path) = source { return path }
        return nil
    }

    public var url: String? {
        if case .url(let url, _) = source { return url }
        return nil
    }

    public var member: String? {
        if case .url(_, let member) = source { return member }
        return nil
    }

    /// The source as messages show it: the path, the URL, or `MEMBER in URL`.
    public var sourceDescription: String {
        switch source {
        case .path(let path): return path
        case .url(let url, nil): return url
        case .url(let url, let member?): return "\(member) in \(url)"
        }
    }

    /// The URL schemes a blob may be fetched with.
    public static let urlSchemes = ["http", "https", "file"]
}

extension Blob: Codable {
    /// Encoded the way board files write it: `sha256`, one of `path` or `url`
    /// (with `member`), and `package`.
    enum CodingKeys: String, CodingKey {
        case sha256, path, url, member, package
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sha256 = try c.decode(String.self, forKey: .sha256)
        package = try c.decodeIfPresent(String.self, forKey: .package)
        let path = try c.decodeIfPresent(String.self, forKey: .path)
        let url = try c.decodeIfPresent(String.self, forKey: .url)
        let member = try c.decodeIfPresent(String.self, forKey: .member)
        switch (path, url) {
        case (let path?, nil) where member == nil:
            source = .path(path)
        case (nil, let url?):
            source = .url(url, member: member)
        default:
            throw DecodingError.dataCorruptedError(forKey: .path, in: c,
                debugDescription: "a blob has exactly one of 'path' or 'url', and 'member' only with 'url'")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sha256, forKey: .sha256)
        switch source {
        case .path(let path):
            try c.encode(path, forKey: .path)
        case .url(let url, let member):
            try c.encode(url, forKey: .url)
            try c.encodeIfPresent(member, forKey: .member)
        }
        try c.encodeIfPresent(package, forKey: .package)
    }
}
