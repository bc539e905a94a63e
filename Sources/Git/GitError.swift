import CGit2
import Foundation
import Support

/// A libgit2 failure: the operation, the path or ref it was about, and
/// libgit2's own message (captured at once from `git_error_last`).
public struct GitError: UserFacingError {
    /// libgit2's error code, with readable names for the ones callers act on.
    public struct Code: RawRepresentable, Equatable, Sendable, CustomStringConvertible {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let notFound = Code(rawValue: GIT_ENOTFOUND.rawValue)
        public static let exists = Code(rawValue: GIT_EEXISTS.rawValue)
        public static let conflict = Code(rawValue: GIT_ECONFLICT.rawValue)
        public static let applyFail = Code(rawValue: GIT_EAPPLYFAIL.rawValue)
        public static let user = Code(rawValue: GIT_EUSER.rawValue)
        public static let locked = Code(rawValue: GIT_ELOCKED.rawValue)

        public var description: String {
            switch self {
            case .notFound: return "not found"
            case .exists: return "exists"
            case .conflict: return "conflict"
            case .applyFail: return "patch does not apply"
            case .user: return "stopped"
            case .locked: return "locked"
            default: return "error \(rawValue)"
            }
        }
    }

    public var code: Code
    public var operation: String
    public var subject: String
    /// libgit2's own message.
    public var message: String

    /// `operation subject: libgit2's message`.
    public var description: String {
        "\(operation) \(subject): \(message)"
    }

    /// Builds the error from libgit2's thread-local last error.
    static func last(_ code: Int32, _ operation: String, _ subject: String) -> GitError {
        var message = "libgit2 error \(code)"
        if let last = git_error_last(), let text = last.pointee.message {
            message = String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return GitError(code: Code(rawValue: code), operation: operation, subject: subject, message: message)
    }
}

/// Calls a libgit2 function and throws its error when the result is negative.
@discardableResult
func check(_ result: Int32, _ operation: String, _ subject: String) throws -> Int32 {
    if result < 0 { throw GitError.last(result, operation, subject) }
    return result
}

/// libgit2 needs one global initialisation per process.
enum Library {
    static let initialized: Bool = {
        git_libgit2_init()
        return true
    }()

    static func ensure() { _ = initialized }
}

public enum GitLibrary {
    /// The libgit2 version in use, e.g. "1.5.1", for provenance and `doctor`.
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, rev: Int32 = 0
        git_libgit2_version(&major, &minor, &rev)
        return "\(major).\(minor).\(rev)"
    }
}
