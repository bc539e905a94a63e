import CGit2
import Foundation

/// How far a fetch has got, reported while objects arrive.
public struct TransferProgress: Sendable, Equatable {
    public var receivedObjects: Int
    public var totalObjects: Int
    public var receivedBytes: Int
}

private final class FetchPayload {
    let onProgress: (TransferProgress) -> Bool
    init(_ onProgress: @escaping (TransferProgress) -> Bool) { self.onProgress = onProgress }
}

extension Repository {
    /// Every branch and tag, force-updated, as a mirror keeps them.
    public static let mirrorRefspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]

    /// Fetches from `url` (https://, file path, or anything libgit2 speaks) into
    /// this repository. `onProgress` returns false to cancel.
    public func fetch(
        from url: String,
        refspecs: [String] = Repository.mirrorRefspecs,
        onProgress: @escaping (TransferProgress) -> Bool = { _ in true }
    ) throws {
        var remote: OpaquePointer?
        try check(git_remote_create_anonymous(&remote, handle, url), "connect to", url)
        defer { git_remote_free(remote) }

        var opts = git_fetch_options()
        git_fetch_options_init(&opts, UInt32(GIT_FETCH_OPTIONS_VERSION))
        opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        opts.prune = GIT_FETCH_NO_PRUNE
        let payload = FetchPayload(onProgress)
        let unmanaged = Unmanaged.passRetained(payload)
        defer { unmanaged.release() }
        opts.callbacks.payload = unmanaged.toOpaque()
        opts.callbacks.transfer_progress = { stats, payload in
            guard let stats, let payload else { return 0 }
            let box = Unmanaged<FetchPayload>.fromOpaque(payload).takeUnretainedValue()
            let progress = TransferProgress(
                receivedObjects: Int(stats.pointee.received_objects),
                totalObjects: Int(stats.pointee.total_objects),
                receivedBytes: Int(stats.pointee.received_bytes)
            )
            return box.onProgress(progress) ? 0 : -1
        }

        var cStrings = refspecs.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let result = cStrings.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return git_remote_fetch(remote, &array, &opts, "sel4img fetch")
        }
        try check(result, "fetch from", url)
    }
}
