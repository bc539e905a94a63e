import Boards
import CPIO
import Foundation
import Support

/// Boot files sel4img does not build (U-Boot, firmware, board DTBs), kept in a
/// cache under their SHA-256 and verified against it on every use, like
/// `west blobs` but never trusting a file it has not just hashed.
///
/// Layout of the cache directory:
///
///     <sha256>                       a verified blob (put a file here by hand to pre-seed)
///     downloads/<sha256 of URL>/<file>   an archive downloaded for `member` blobs
///
/// A blob comes from a host path (copied in), a URL (downloaded), or a member
/// of a `.deb` or tar archive at a URL (the archive is downloaded once and
/// kept, the member streamed out of it). Nothing is written outside the
/// cache, and no download or member may exceed `sizeLimit`.
public struct BlobCache: Sendable {
    public let directory: URL
    /// The most bytes one download or one extracted file may have.
    public var sizeLimit: Int64 = 512 << 20

    public init(directory: URL) {
        self.directory = directory
    }

    /// Names the cache directory; overrides the default.
    public static let environmentVariable = "SEL4IMG_BLOB_CACHE"

    /// The cache every workspace shares: `$SEL4IMG_BLOB_CACHE`, else
    /// `$XDG_CACHE_HOME/sel4img/blobs`, else `~/.cache/sel4img/blobs`.
    public static var standard: BlobCache {
        BlobCache(directory: UserCache.directory("blobs", overriddenBy: environmentVariable))
    }

    /// Where the verified copy of `blob` lives.
    public func cachedFile(for blob: Blob) -> URL {
        directory.appendingPathComponent(blob.sha256)
    }

    /// Where an archive downloaded from `url` is kept.
    public func downloadFile(for url: String) -> URL {
        var name = URL(string: url)?.lastPathComponent ?? ""
        if name.isEmpty || name == "." || name == ".." || name.contains("/") { name = "download" }
        return directory.appendingPathComponent("downloads").appendingPathComponent(SHA256Hex.of(url))
            .appendingPathComponent(name)
    }

    /// What the cache holds for a blob.
    public enum State: Sendable, Equatable {
        /// The cached copy hashes right.
        case verified
        /// Nothing cached yet.
        case absent
        /// A cached copy with another hash (it is replaced on the next fetch).
        case damaged(actual: String)
    }

    /// Hashes the cached copy of `blob`, if there is one.
    public func state(of blob: Blob) throws -> State {
        let cached = cachedFile(for: blob)
        guard FileManager.default.fileExists(atPath: cached.path) else { return .absent }
        let actual = try SHA256Hex.ofFile(at: cached)
        return actual == blob.sha256 ? .verified : .damaged(actual: actual)
    }

    /// Whether the archive a `member` blob comes from is already downloaded.
    public func hasDownload(for blob: Blob) -> Bool {
        guard let url = blob.url, blob.member != nil else { return false }
        return FileManager.default.fileExists(atPath: downloadFile(for: url).path)
    }

    /// A verified copy of `blob`: from the cache when it is there and still
    /// hashes right, else taken from its source, checked, and cached.
    /// Downloads report their progress to `progress`.
    public func fetch(_ name: String, _ blob: Blob, progress: any ProgressReporter = QuietProgress()) throws -> URL {
        let fm = FileManager.default
        let cached = cachedFile(for: blob)
        if fm.fileExists(atPath: cached.path) {
            if try SHA256Hex.ofFile(at: cached) == blob.sha256 { return cached }
            try fm.removeItem(at: cached)  // damaged: fetch it again
        }
        try createDirectory(directory)
        let partial = directory.appendingPathComponent(".\(blob.sha256).\(UUID().uuidString.prefix(8)).partial")
        defer { try? fm.removeItem(at: partial) }

        switch blob.source {
        case .path(let path):
            let source = URL(fileURLWithPath: path)
            guard fm.fileExists(atPath: source.path) else {
                throw BlobError(kind: .missing, name: name, message: "boot file '\(name)' is missing: \(path) does not exist",
                                hint: blob.package.map { "install it with: apt-get install \($0)" })
            }
            try copy(source, to: partial, name: name, shown: path)
            try verify(partial, name: name, blob: blob)
        case .url(let url, nil):
            try download(url, to: partial, name: name, blob: blob, progress: progress)
            try verify(partial, name: name, blob: blob)
        case .url(let url, let member?):
            let archive = downloadFile(for: url)
            var fresh = false
            if !fm.fileExists(atPath: archive.path) {
                try downloadArchive(url, to: archive, name: name, blob: blob, progress: progress)
                fresh = true
            }
            do {
                try extract(member, from: archive, url: url, to: partial, name: name)
                try verify(partial, name: name, blob: blob)
            } catch let error as BlobError where !fresh && error.kind != .io {
                // The kept archive may be damaged or stale: fetch it once more.
                progress.note("\(name): the cached \(archive.lastPathComponent) did not give the file (\(error.description)); downloading it again")
                try? fm.removeItem(at: archive)
                try downloadArchive(url, to: archive, name: name, blob: blob, progress: progress)
                try extract(member, from: archive, url: url, to: partial, name: name)
                try verify(partial, name: name, blob: blob)
            }
        }
        try? fm.removeItem(at: cached)
        do {
            try fm.moveItem(at: partial, to: cached)
        } catch {
            throw BlobError(kind: .io, name: name, message: "cannot store boot file '\(name)' in the cache at \(cached.path): \(error.localizedDescription)")
        }
        return cached
    }

    /// Checks the file just fetched against the board file's hash.
    private func verify(_ file: URL, name: String, blob: Blob) throws {
        let actual = try SHA256Hex.ofFile(at: file)
        guard actual == blob.sha256 else {
            let hint: String
            switch blob.source {
            case .path: hint = "a different version is installed; update the board file's sha256 only if you trust this one"
            case .url: hint = "the file at the URL is not the one the board file pins; update its sha256 only if you trust this one"
            }
            throw BlobError(kind: .mismatch, name: name,
                            message: "boot file '\(name)' (\(blob.sourceDescription)) has SHA-256 \(actual), expected \(blob.sha256)",
                            hint: hint)
        }
    }

    /// Streams `member` out of the downloaded archive into `destination`.
    private func extract(_ member: String, from archive: URL, url: String, to destination: URL, name: String) throws {
        do {
            try ArchiveMember.extract(member, from: archive, shownAs: url, to: destination, sizeLimit: sizeLimit)
        } catch let error as CPIOError {
            let kind: BlobError.Kind = error.kind == .missingMember ? .missingMember : error.kind == .tooLarge ? .tooLarge : .archive
            throw BlobError(kind: kind, name: name,
                            message: "boot file '\(name)': \(error.message)", hint: error.hint)
        }
    }

    /// Downloads an archive into its place under `downloads/`.
    private func downloadArchive(_ url: String, to archive: URL, name: String, blob: Blob, progress: any ProgressReporter) throws {
        let fm = FileManager.default
        try createDirectory(archive.deletingLastPathComponent())
        let partial = archive.deletingLastPathComponent().appendingPathComponent(".\(UUID().uuidString.prefix(8)).partial")
        defer { try? fm.removeItem(at: partial) }
        try download(url, to: partial, name: name, blob: blob, progress: progress)
        try? fm.removeItem(at: archive)
        do {
            try fm.moveItem(at: partial, to: archive)
        } catch {
            throw BlobError(kind: .io, name: name, message: "cannot store \(url) in the cache at \(archive.path): \(error.localizedDescription)")
        }
    }

    private func createDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw BlobError(kind: .io, name: "", message: "cannot create the blob cache directory \(url.path): \(error.localizedDescription)",
                            hint: "set \(Self.environmentVariable) to a writable directory")
        }
    }

    /// Copies a host file (at most `sizeLimit` bytes) to `destination`.
    func copy(_ source: URL, to destination: URL, name: String, shown: String) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: source.path)[.size] as? Int64) ?? nil
        if let size, size > sizeLimit {
            throw BlobError(kind: .tooLarge, name: name,
                            message: "boot file '\(name)': \(shown) is \(size) bytes, over the limit of \(sizeLimit >> 20) MiB")
        }
        do {
            try? FileManager.default.removeItem(at: destination)
            try FileManager.default.copyItem(at: source, to: destination)
        } catch {
            throw BlobError(kind: .io, name: name, message: "boot file '\(name)': cannot copy \(shown): \(error.localizedDescription)")
        }
    }

    /// How to get blobs onto a machine that cannot download them.
    func preseedHint(_ blob: Blob) -> String {
        "run 'sel4img blobs fetch' on a machine with network access and copy \(directory.path) here, "
            + "or put the file itself at \(cachedFile(for: blob).path) (it is found by its SHA-256)"
    }
}

public struct BlobError: UserFacingError {
    public enum Kind: String, Sendable, Equatable {
        /// A host file that is not there.
        case missing
        /// A file whose SHA-256 is not the one the board file pins.
        case mismatch
        /// A download that failed (network, server answer, local file).
        case download
        /// An archive that does not hold the member named.
        case missingMember
        /// An archive that cannot be read.
        case archive
        /// A download or member over the size limit.
        case tooLarge
        /// The cache itself cannot be written.
        case io
    }

    public var kind: Kind
    /// The blob's name in the board file; empty for problems with the cache itself.
    public var name: String
    public var message: String
    public var hint: String?

    public init(kind: Kind, name: String, message: String, hint: String? = nil) {
        self.kind = kind
        self.name = name
        self.message = message
        self.hint = hint
    }
}
