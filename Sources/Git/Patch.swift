import CGit2
import Foundation
import Support

/// A parsed unified diff (the `patch -p1` / `git diff` format), applied with
/// libgit2 rather than by running `patch` or `git apply`.
public final class Diff {
    let handle: OpaquePointer
    /// Where the text came from, for error messages.
    public let source: String

    /// Parses diff text. libgit2 expects `a/` and `b/` prefixes, which is what
    /// `patch -p1` strips, so p1-style patches need no conversion.
    public init(text: Data, source: String) throws {
        Library.ensure()
        var out: OpaquePointer?
        let result = text.withUnsafeBytes { raw -> Int32 in
            git_diff_from_buffer(&out, raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count)
        }
        try check(result, "parse patch", source)
        handle = out!
        self.source = source
    }

    deinit { git_diff_free(handle) }

    /// The files the diff touches (new path, or old path for deletions).
    public var files: [String] {
        (0..<git_diff_num_deltas(handle)).compactMap { i in
            guard let delta = git_diff_get_delta(handle, i)?.pointee else { return nil }
            let p = delta.status == GIT_DELTA_DELETED ? delta.old_file.path : delta.new_file.path
            return p.map { String(cString: $0) }
        }
    }

    /// The paths the diff leaves as symbolic links (new mode 120000).
    public var symlinks: [String] {
        (0..<git_diff_num_deltas(handle)).compactMap { i in
            guard let delta = git_diff_get_delta(handle, i)?.pointee, delta.status != GIT_DELTA_DELETED,
                  delta.new_file.mode == UInt16(GIT_FILEMODE_LINK.rawValue) else { return nil }
            return delta.new_file.path.map { String(cString: $0) }
        }
    }
}

/// Why a diff did not apply: the file and hunk libgit2 was working on.
public struct ApplyFailure: UserFacingError, Sendable {
    public var file: String?
    /// 1-based hunk number within that file.
    public var hunk: Int?
    /// The hunk header, e.g. "@@ -10,6 +10,7 @@ static int foo(void)".
    public var hunkHeader: String?
    public var message: String
    /// libgit2's code: `.locked` when another process (or a killed one) holds the index lock.
    public var code: GitError.Code = .applyFail

    public var context: ErrorContext { ErrorContext(file: file) }

    /// `file F, hunk N (@@ … @@): message`, as libgit2's apply reports it.
    public var description: String {
        var parts: [String] = []
        if let file { parts.append("file \(file)") }
        if let hunk { parts.append("hunk \(hunk)" + (hunkHeader.map { " (\($0))" } ?? "")) }
        return (parts.isEmpty ? "" : parts.joined(separator: ", ") + ": ") + message
    }
}

private final class ApplyTracker {
    var file: String?
    var hunk = 0
    var header: String?
    /// Whether the test kill point counts this apply (a real one, not a check).
    var writes = false
}

extension Repository {
    /// Applies a diff to the work tree. libgit2 computes every result in memory
    /// first, so a diff that fails leaves the tree untouched. With `checkOnly`,
    /// nothing is written (like `git apply --check`).
    public func apply(_ diff: Diff, checkOnly: Bool = false) throws {
        var opts = git_apply_options()
        git_apply_options_init(&opts, UInt32(GIT_APPLY_OPTIONS_VERSION))
        if checkOnly { opts.flags = UInt32(GIT_APPLY_CHECK.rawValue) }
        let tracker = ApplyTracker()
        tracker.writes = !checkOnly
        let unmanaged = Unmanaged.passRetained(tracker)
        defer { unmanaged.release() }
        opts.payload = unmanaged.toOpaque()
        opts.delta_cb = { delta, payload in
            guard let payload else { return 0 }
            let t = Unmanaged<ApplyTracker>.fromOpaque(payload).takeUnretainedValue()
            if t.writes { TestKillPoint.reached("apply") }
            if let delta {
                let p = delta.pointee.new_file.path ?? delta.pointee.old_file.path
                t.file = p.map { String(cString: $0) }
            }
            t.hunk = 0
            t.header = nil
            return 0
        }
        opts.hunk_cb = { hunk, payload in
            guard let payload else { return 0 }
            let t = Unmanaged<ApplyTracker>.fromOpaque(payload).takeUnretainedValue()
            t.hunk += 1
            if let hunk {
                var h = hunk.pointee
                let header = withUnsafeBytes(of: &h.header) { raw in
                    String(decoding: raw.prefix(Int(h.header_len)), as: UTF8.self)
                }
                t.header = header.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            return 0
        }
        let result = git_apply(handle, diff.handle, GIT_APPLY_LOCATION_WORKDIR, &opts)
        if result < 0 {
            let error = GitError.last(result, "apply", diff.source)
            throw ApplyFailure(file: tracker.file, hunk: tracker.hunk > 0 ? tracker.hunk : nil, hunkHeader: tracker.header, message: error.message, code: error.code)
        }
    }
}
