import Foundation

/// An error a person can act on. Every module's error type conforms, so the
/// command layer can print one line (plus an optional hint) and pick the exit
/// status in one place.
public protocol UserFacingError: Error, CustomStringConvertible {
    /// What to do about it, or nil when the message says enough.
    var hint: String? { get }
    /// The process exit status for this error (1 unless a command contract says otherwise).
    var exitCode: Int32 { get }
}

extension UserFacingError {
    public var hint: String? { nil }
    public var exitCode: Int32 { 1 }
}

/// Several failures collected over work that keeps going (syncing many projects,
/// checking many tools), reported together at the end.
public struct AggregateError: UserFacingError {
    public var summary: String
    public var failures: [any Error]

    public init(summary: String, failures: [any Error]) {
        self.summary = summary
        self.failures = failures
    }

    public var description: String {
        var lines = [summary]
        for failure in failures {
            lines.append("  - \(readableDescription(of: failure))")
        }
        return lines.joined(separator: "\n")
    }
}


// MARK: - Foundation and POSIX errors

/// A Foundation (`NSCocoaErrorDomain`) or POSIX error, said the way a person
/// wants it: the path from the error's `userInfo`, what was being done when
/// the code says (reading or writing), and the problem in words.
/// `cannot write /w/sel4img.lock: it is a directory`, never
/// `Error Domain=NSCocoaErrorDomain Code=512`.
public struct FileSystemError: UserFacingError, Equatable {
    public var path: String?
    public var problem: String
    /// "read", "write" or nil when the error does not say.
    public var operation: String?

    /// Nil for errors that are not Foundation file or POSIX errors.
    public init?(_ error: any Error) {
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return nil }
        path = Self.path(in: ns)
        var code: Int32?
        if ns.domain == NSPOSIXErrorDomain { code = Int32(ns.code) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            code = Int32(underlying.code)
        }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case 256...511: operation = "read"
            case 512...767: operation = "write"
            default: operation = nil
            }
        }
        if let code {
            problem = Self.problem(errno: code, path: path)
        } else if ns.code == CocoaError.fileNoSuchFile.rawValue || (256...767).contains(ns.code) {
            problem = Self.problem(cocoaCode: ns.code, path: path)
        } else if let debug = ns.userInfo["NSDebugDescription"] as? String {
            problem = debug
        } else {
            problem = "the operation failed (error \(ns.code))"
        }
    }

    public var description: String {
        switch (operation, path) {
        case let (operation?, path?): return "cannot \(operation) \(path.escapingControlCharacters): \(problem)"
        case let (nil, path?): return "\(path.escapingControlCharacters): \(problem)"
        case let (operation?, nil): return "cannot \(operation) a file: \(problem)"
        case (nil, nil): return problem
        }
    }

    public var hint: String? {
        guard let path, problem == "permission denied" else { return nil }
        return "check the permissions of \(path.escapingControlCharacters) and the directories above it"
    }

    private static func path(in error: NSError) -> String? {
        if let path = error.userInfo[NSFilePathErrorKey] as? String { return path }
        if let url = error.userInfo[NSURLErrorKey] as? URL { return url.path }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError { return path(in: underlying) }
        return nil
    }

    static func problem(errno code: Int32, path: String?) -> String {
        switch code {
        case ENOENT: return "no such file or directory"
        case EEXIST:
            return path.map { isDirectory($0) } == false ? "a file (not a directory) is already there" : "it already exists"
        case EISDIR: return "it is a directory"
        case ENOTDIR: return "a component of the path is not a directory"
        case EACCES, EPERM: return "permission denied"
        case ENOSPC: return "no space left on the device"
        case EROFS: return "the file system is read-only"
        case ENOTEMPTY: return "the directory is not empty"
        case ELOOP: return "too many levels of symbolic links"
        case ENAMETOOLONG: return "the name is too long"
        default:
            let text = String(cString: strerror(code))
            return text.prefix(1).lowercased() + text.dropFirst()
        }
    }

    static func problem(cocoaCode: Int, path: String?) -> String {
        switch cocoaCode {
        case CocoaError.fileNoSuchFile.rawValue, CocoaError.fileReadNoSuchFile.rawValue: return "no such file or directory"
        case CocoaError.fileReadNoPermission.rawValue, CocoaError.fileWriteNoPermission.rawValue: return "permission denied"
        case CocoaError.fileWriteFileExists.rawValue: return problem(errno: EEXIST, path: path)
        case CocoaError.fileWriteOutOfSpace.rawValue: return "no space left on the device"
        case CocoaError.fileWriteVolumeReadOnly.rawValue: return "the file system is read-only"
        case CocoaError.fileReadCorruptFile.rawValue: return "it is not in the expected format"
        case CocoaError.fileReadInapplicableStringEncoding.rawValue, CocoaError.fileReadUnknownStringEncoding.rawValue:
            return "it is not valid UTF-8 text"
        case CocoaError.fileReadTooLarge.rawValue: return "it is too large"
        case CocoaError.fileLocking.rawValue: return "it is locked"
        default:
            if let path, isDirectory(path) { return "it is a directory" }
            if let path, !FileManager.default.fileExists(atPath: path) {
                // A file where a directory of the path should be is the usual cause.
                var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent()
                while ancestor.path != "/", !FileManager.default.fileExists(atPath: ancestor.path) {
                    ancestor = ancestor.deletingLastPathComponent()
                }
                if !isDirectory(ancestor.path) { return "\(ancestor.path.escapingControlCharacters) is not a directory" }
                return "no such file or directory"
            }
            return "the operation failed (file error \(cocoaCode))"
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

/// What to show for any error: a ``UserFacingError``'s own description, a
/// Foundation or POSIX error as ``FileSystemError`` says it, or the error's
/// description. Use it wherever an error from below is put into a message.
public func readableDescription(of error: any Error) -> String {
    if let e = error as? any UserFacingError { return e.description }
    if let e = FileSystemError(error) { return e.description }
    return String(describing: error)
}
