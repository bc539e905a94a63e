import Foundation
import Support

/// Everything that can go wrong with a patch set, as one line a person can act
/// on. Messages about a series entry start with `patches/<set>/series:<line>: `
/// so an editor can jump straight to the line.
public struct PatchError: UserFacingError, Equatable {
    /// What kind of failure this is, for callers (and tests) that branch on it.
    public enum Kind: String, Sendable, Codable {
        case invalidSetName
        case seriesMissing
        case seriesUnreadable
        case emptySeries
        case malformedLine
        case badHash
        case unknownProject
        case ambiguousProject
        case duplicateEntry
        case patchMissing
        case unsafePatchPath
        case checksumMismatch
        case notADiff
        case unsafeDiffPath
        case unsafeTarget
        case applyFailed
        case modifiedSinceApplied
        case missingTarget
        case stateCorrupt
        case fileSystem
    }

    public var kind: Kind
    /// The full one-line message.
    public var message: String
    public var hint: String?
    /// The series file (display path, e.g. `patches/wasmedge/series`) and line, when the error is about an entry.
    public var file: String?
    public var line: Int?
    /// The project path the error is about, when there is one.
    public var project: String?

    public init(_ kind: Kind, _ message: String, hint: String? = nil, file: String? = nil, line: Int? = nil, project: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
        self.file = file
        self.line = line
        self.project = project
    }

    public var context: ErrorContext { ErrorContext(file: file, line: line, project: project) }

    /// The message alone: it already starts with `series:line: ` when it is about an entry.
    public var description: String { message }

    /// An error about one line of a series file: `<series>:<line>: <text>`.
    static func at(_ series: String, _ line: Int, _ kind: Kind, _ text: String, hint: String? = nil, project: String? = nil) -> PatchError {
        PatchError(kind, "\(series):\(line): \(text)", hint: hint, file: series, line: line, project: project)
    }

    /// Wraps a filesystem error with what was being done.
    static func io(_ doing: String, _ error: any Error) -> PatchError {
        PatchError(.fileSystem, "cannot \(doing): \(describe(error))")
    }
}

/// A short description of a Foundation or POSIX error, without the NSError noise.
func describe(_ error: any Error) -> String {
    if let e = error as? any UserFacingError { return e.description }
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
    return ns.localizedDescription
}
