import CArchive
import Foundation

/// A libarchive return code with readable names (`ARCHIVE_OK`, `ARCHIVE_WARN`…).
struct ArchiveCode: RawRepresentable, Equatable, CustomStringConvertible {
    var rawValue: Int32
    init(rawValue: Int32) { self.rawValue = rawValue }

    static let ok = ArchiveCode(rawValue: ARCHIVE_OK)
    static let eof = ArchiveCode(rawValue: ARCHIVE_EOF)
    static let retry = ArchiveCode(rawValue: ARCHIVE_RETRY)
    static let warn = ArchiveCode(rawValue: ARCHIVE_WARN)
    static let failed = ArchiveCode(rawValue: ARCHIVE_FAILED)
    static let fatal = ArchiveCode(rawValue: ARCHIVE_FATAL)

    var description: String {
        switch self {
        case .ok: return "ok"
        case .eof: return "end of archive"
        case .retry: return "retry"
        case .warn: return "warning"
        case .failed: return "failed"
        case .fatal: return "fatal error"
        default: return "code \(rawValue)"
        }
    }
}

/// libarchive's message for the last error on `handle`, read at once (the
/// next call on the handle replaces it).
func lastError(_ handle: OpaquePointer, _ code: Int32, fallback: String? = nil) -> String {
    if let text = archive_error_string(handle) {
        let message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        if !message.isEmpty { return message }
    }
    let errnoValue = archive_errno(handle)
    if errnoValue > 0 { return String(cString: strerror(errnoValue)) }
    return fallback ?? "libarchive returned \(ArchiveCode(rawValue: code))"
}

/// Checks a libarchive result: anything below `ARCHIVE_OK` (or below
/// `ARCHIVE_WARN` when warnings are acceptable) throws with libarchive's message.
@discardableResult
func check(_ result: Int32, _ handle: OpaquePointer, _ operation: String, _ subject: String, allowWarning: Bool = false) throws -> Int32 {
    if result == ARCHIVE_OK || result == ARCHIVE_EOF || (allowWarning && result == ARCHIVE_WARN) { return result }
    throw CPIOError.library(operation, subject, lastError(handle, result))
}

/// One `struct archive_entry`, reused across the entries of an archive.
final class EntryHandle {
    let raw: OpaquePointer

    init() {
        guard let entry = archive_entry_new() else { fatalError("archive_entry_new: out of memory") }
        raw = entry
    }

    deinit { archive_entry_free(raw) }
}

/// File-type bits as libarchive and the newc format store them (`AE_IFREG`…,
/// which Swift does not import because they are casts in C).
enum FileType {
    static let mask: UInt32 = 0o170000
    static let regular: UInt32 = 0o100000
    static let directory: UInt32 = 0o040000
    static let symlink: UInt32 = 0o120000
    static let characterDevice: UInt32 = 0o020000
    static let blockDevice: UInt32 = 0o060000
    static let fifo: UInt32 = 0o010000
    static let socket: UInt32 = 0o140000
}

/// The libarchive version in use, e.g. "3.6.2", for provenance and `doctor`.
public enum ArchiveLibrary {
    public static var version: String {
        let number = Int(archive_version_number())
        return "\(number / 1_000_000).\(number / 1000 % 1000).\(number % 1000)"
    }
}
