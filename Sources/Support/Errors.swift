import Foundation

/// An error a person can act on, in one shape for every module: a kind (for
/// callers, tests and `--json`), a message, a hint, where it happened
/// (``ErrorContext``) and an exit status. The command layer prints
/// `error: <description>` plus `hint: <hint>` and exits with `exitCode`, in
/// one place.
///
/// Conform by giving `message` (and `context` when the error has a place):
/// the default `description` is `FILE:LINE: key 'KEY': message`, dropping
/// the parts that are unknown. A type whose text is not a message after a
/// place (a failed command with its output, an enum of sentences) gives
/// `description` instead, and `message` defaults to it. Give at least one.
public protocol UserFacingError: Error, CustomStringConvertible {
    /// What is wrong, without the place ``context`` adds in front.
    var message: String { get }
    /// What to do about it, or nil when the message says enough.
    var hint: String? { get }
    /// Where: the file, line, key, project or offset involved (all optional).
    var context: ErrorContext { get }
    /// The process exit status for this error (1 unless a command contract says otherwise).
    var exitCode: Int32 { get }
    /// The kind as one word (`dirtyCheckout`), for the JSON error object; by
    /// default the name of the error's `kind` property, nil without one.
    var kindName: String? { get }
}

extension UserFacingError {
    public var message: String { description }
    public var description: String { context.prefix + message }
    public var hint: String? { nil }
    public var context: ErrorContext { ErrorContext() }
    public var exitCode: Int32 { 1 }
    public var kindName: String? {
        guard let value = Mirror(reflecting: self).children.first(where: { $0.label == "kind" })?.value else { return nil }
        if let raw = value as? any RawRepresentable, let text = raw.rawValue as? String { return text }
        let text = String(describing: value)
        return text.contains("(") ? String(text.prefix { $0 != "(" }) : text
    }
}

/// Where an error happened. Every part is optional; ``prefix`` renders the
/// file, line and key the way every module's messages start
/// (`boards/rpi4.yaml:7: key 'memory.size': `). Project and offset are
/// carried for callers and JSON; messages say them in their own words.
public struct ErrorContext: Sendable, Equatable, Codable {
    /// The file as shown to people (`boards/rpi4.yaml`, `patches/x/series`).
    public var file: String?
    /// 1-based line in `file`.
    public var line: Int?
    /// A key path in `file` (`memory.size`, `guest.files./init`).
    public var key: String?
    /// The workspace project (its path) the error is about.
    public var project: String?
    /// A byte offset in `file` or a stream.
    public var offset: Int64?

    public init(file: String? = nil, line: Int? = nil, key: String? = nil, project: String? = nil, offset: Int64? = nil) {
        self.file = file
        self.line = line
        self.key = key
        self.project = project
        self.offset = offset
    }

    /// `FILE:LINE: key 'KEY': `, dropping what is unknown (a line only with a file); empty when neither is known.
    public var prefix: String {
        var text = ""
        if let file {
            text = file
            if let line { text += ":\(line)" }
            text += ": "
        }
        if let key { text += "key '\(key)': " }
        return text
    }
}

/// The error of a module whose failures are a kind, a message and a hint
/// (and optionally a place): one type, so each module declares only its
/// `Kind` (`public typealias WorkspaceError = ModuleError<WorkspaceErrorKind>`)
/// and its named factories.
public struct ModuleError<K: ErrorKind>: UserFacingError, Equatable {
    /// The module's kinds (`WorkspaceError.Kind`).
    public typealias Kind = K

    public var kind: Kind
    public var message: String
    public var hint: String?
    public var context: ErrorContext

    /// When `Kind.escapesControlCharacters`, control characters in `message`
    /// and `hint` (names from a hostile archive or module) are escaped, so a
    /// message stays one printable line.
    public init(_ kind: Kind, _ message: String, hint: String? = nil, context: ErrorContext = ErrorContext()) {
        self.kind = kind
        self.message = Kind.escapesControlCharacters ? message.escapingControlCharacters : message
        self.hint = Kind.escapesControlCharacters ? hint?.escapingControlCharacters : hint
        self.context = context
    }

    public init(kind: Kind, message: String, hint: String? = nil, context: ErrorContext = ErrorContext()) {
        self.init(kind, message, hint: hint, context: context)
    }

    public var exitCode: Int32 { kind.exitCode }
}

/// The kinds of one module's ``ModuleError``.
public protocol ErrorKind: Sendable, Equatable {
    /// The exit status of an error of this kind (1 by default).
    var exitCode: Int32 { get }
    /// Whether messages are escaped (see ``ModuleError/init(_:_:hint:context:)``); false by default.
    static var escapesControlCharacters: Bool { get }
}

extension ErrorKind {
    public var exitCode: Int32 { 1 }
    public static var escapesControlCharacters: Bool { false }
}

/// Several failures collected over work that keeps going (syncing many
/// projects, loading many board files, fetching many blobs), reported
/// together at the end: a summary line, then one `  - ` line per failure.
/// Every item's hint is kept, where its ``HintPlacement`` says.
public struct AggregateError: UserFacingError {
    /// Where an item's hint goes.
    public enum HintPlacement: Sendable {
        /// After the item's line, in parentheses: `  - kernel: … (commit or save them, …)`.
        case inline
        /// In the aggregate's own hint, once per distinct hint, one per line.
        case collected
        /// Left out of the text (the caller shows it elsewhere, e.g. per JSON row); still in `items`.
        case omitted
    }

    public struct Item: Sendable {
        /// What failed (a project path), put before the error's description; nil for none.
        public var label: String?
        public var error: any Error
        public var hintPlacement: HintPlacement

        public init(_ error: any Error, label: String? = nil, hint: HintPlacement = .collected) {
            self.label = label
            self.error = error
            self.hintPlacement = hint
        }

        /// The hint of the item's error, if it has one.
        public var hint: String? { readableHint(of: error) }
    }

    public var summary: String
    public var items: [Item]

    public init(summary: String, items: [Item]) {
        self.summary = summary
        self.items = items
    }

    /// Every failure with its hint placed as `hints` says.
    public init(summary: String, failures: [any Error], hints: HintPlacement = .collected) {
        self.init(summary: summary, items: failures.map { Item($0, hint: hints) })
    }

    /// The errors, in order.
    public var failures: [any Error] { items.map(\.error) }

    public var message: String {
        var lines = [summary]
        for item in items {
            var line = "  - " + (item.label.map { "\($0): " } ?? "") + readableDescription(of: item.error)
            if item.hintPlacement == .inline, let hint = item.hint { line += " (\(hint))" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// The collected items' hints, each once, one per line.
    public var hint: String? {
        var hints: [String] = []
        for item in items where item.hintPlacement == .collected {
            if let hint = item.hint, !hints.contains(hint) { hints.append(hint) }
        }
        return hints.isEmpty ? nil : hints.joined(separator: "\n")
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

    public var kindName: String? { "fileSystem" }

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

/// The hint of a ``UserFacingError``, or of a Foundation or POSIX error as
/// ``FileSystemError`` gives it; nil otherwise.
public func readableHint(of error: any Error) -> String? {
    if let e = error as? any UserFacingError { return e.hint }
    return FileSystemError(error)?.hint
}
