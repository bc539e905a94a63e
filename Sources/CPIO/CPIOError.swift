import Foundation
import Support

/// Everything that can go wrong in the CPIO module, with the archive, entry
/// and offset involved, so a message says where to look.
public typealias CPIOError = ModuleError<CPIOErrorKind>

/// What kind of failure a ``CPIOError`` is; callers and tests match on it.
public enum CPIOErrorKind: ErrorKind {
    /// libarchive refused an operation (its own message is in `message`).
    case library
    /// An archive that libarchive could not read to the end.
    case malformed
    /// An entry that extraction refuses (absolute, `..`, escaping symlink…).
    case unsafeEntry
    /// A path, specification or value the caller gave that cannot be used.
    case invalidInput
    /// A host file that could not be read, or a file that could not be written.
    case io
    /// The file asked for is not in the archive.
    case missingMember
    /// A member or an archive larger than the limit for it.
    case tooLarge

    /// Control characters in messages and hints (from entry names, which an
    /// archive can make anything) are escaped, so no message breaks a line or
    /// drives the terminal.
    public static var escapesControlCharacters: Bool { true }
}

extension CPIOError {
    /// libarchive failed at `operation` on `subject` (a path, or "ENTRY in ARCHIVE").
    static func library(_ operation: String, _ subject: String, _ detail: String) -> CPIOError {
        CPIOError(kind: .library, message: "\(operation) \(subject): \(detail)")
    }

    /// Reading `file` stopped at entry `number` (1-based), `offset` bytes into the
    /// uncompressed stream.
    static func malformed(file: String, entry number: Int, offset: Int64, _ detail: String) -> CPIOError {
        CPIOError(kind: .malformed,
                  message: "\(file) is not a readable CPIO archive: entry \(number) at offset \(offset): \(detail)",
                  hint: "check that the file is a complete newc CPIO archive, optionally gzip-compressed (try 'gzip -t' or 'cpio -t')")
    }

    /// Extraction refuses entry `number` named `path` in `archive`.
    static func unsafe(archive: String, entry number: Int, path: String, _ reason: String) -> CPIOError {
        CPIOError(kind: .unsafeEntry,
                  message: "refusing entry \(number) '\(path)' of \(archive): \(reason)",
                  hint: "the archive may be hostile; list it with 'sel4img cpio list \(archive)' and inspect it before extracting")
    }

    static func invalid(_ message: String, hint: String? = nil) -> CPIOError {
        CPIOError(kind: .invalidInput, message: message, hint: hint)
    }

    /// A system call failed on `path`; `errno` is read at once.
    static func posix(_ operation: String, _ path: String, errno code: Int32 = errno) -> CPIOError {
        CPIOError(kind: .io, message: "\(operation) \(path): \(String(cString: strerror(code)))")
    }
}
