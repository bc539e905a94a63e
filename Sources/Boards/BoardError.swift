import Foundation
import Support

/// A problem with a board or app definition file, or with a name a person
/// asked for. Every message names the file, and where it can the line and the
/// key path, in the shape `boards/rpi4.yaml:7: key 'memory.size': …`.
public struct BoardError: UserFacingError, Equatable {
    /// What went wrong, coarsely, so callers and tests can branch on it.
    public enum Kind: String, Sendable, Equatable, Codable {
        /// The file could not be read.
        case unreadable
        /// The file holds no YAML document at all.
        case empty
        /// The YAML itself is malformed (including duplicate keys).
        case syntax
        /// `format` is missing or names a version this sel4img does not read.
        case formatVersion
        /// A key that the format does not define.
        case unknownKey
        /// A required key is absent.
        case missingKey
        /// A value has the wrong YAML type (a list where a string belongs, …).
        case wrongType
        /// A value has the right type but is not acceptable (unknown platform,
        /// bad address, size not in the list, unsafe path, …).
        case invalidValue
        /// A board or app name that no file defines.
        case unknownName
        /// The file name cannot be used as a board or app name.
        case badFileName
        /// A data directory (boards/ or apps/) is missing.
        case missingDirectory
    }

    public var kind: Kind
    /// The file as shown to people, e.g. `boards/rpi4.yaml`.
    public var file: String?
    /// 1-based line, when the problem has a place in the file.
    public var line: Int?
    /// Dotted key path such as `memory.size` or `qemu.extraArgs[1]`.
    public var keyPath: String?
    /// The problem itself, without the file/line/key prefix.
    public var message: String
    public var hint: String?

    public init(kind: Kind, file: String?, line: Int?, keyPath: String?, message: String, hint: String? = nil) {
        self.kind = kind
        self.file = file
        self.line = line
        self.keyPath = keyPath
        self.message = message
        self.hint = hint
    }

    public var context: ErrorContext { ErrorContext(file: file, line: line, key: keyPath) }
}

// MARK: - Named factories

extension BoardError {
    static func unreadable(_ file: String, reason: String) -> BoardError {
        BoardError(kind: .unreadable, file: file, line: nil, keyPath: nil, message: "cannot read the file: \(reason)")
    }

    /// `article` is the kind of file with its article: "a board", "an app".
    static func empty(_ file: String, article: String) -> BoardError {
        BoardError(kind: .empty, file: file, line: nil, keyPath: nil,
                   message: "file is empty; \(article) file starts with 'format: 1'",
                   hint: "see boards/README.md for the format")
    }

    static func syntax(_ file: String, line: Int?, problem: String) -> BoardError {
        BoardError(kind: .syntax, file: file, line: line, keyPath: nil, message: "YAML syntax error: \(problem)")
    }

    static func missingKey(_ place: Place, _ key: String) -> BoardError {
        BoardError(kind: .missingKey, file: place.file, line: place.line, keyPath: place.path.appending(key).text,
                   message: "required key is missing", hint: "see boards/README.md for the format")
    }

    static func unknownKey(_ place: Place, allowed: [String]) -> BoardError {
        BoardError(kind: .unknownKey, file: place.file, line: place.line, keyPath: place.keyPath,
                   message: "unknown key; allowed keys here: \(allowed.joined(separator: ", "))")
    }

    static func wrongType(_ place: Place, expected: String, got: String) -> BoardError {
        BoardError(kind: .wrongType, file: place.file, line: place.line, keyPath: place.keyPath,
                   message: "expected \(expected), got \(got)")
    }

    static func invalid(_ place: Place, _ message: String, hint: String? = nil) -> BoardError {
        BoardError(kind: .invalidValue, file: place.file, line: place.line, keyPath: place.keyPath,
                   message: message, hint: hint)
    }

    static func formatVersion(_ place: Place, _ message: String) -> BoardError {
        BoardError(kind: .formatVersion, file: place.file, line: place.line, keyPath: place.keyPath,
                   message: message, hint: "this sel4img reads format 1; see boards/README.md")
    }

    static func unknownName(_ what: String, _ name: String, valid: [String]) -> BoardError {
        let list = valid.isEmpty ? "none are defined" : valid.joined(separator: ", ")
        return BoardError(kind: .unknownName, file: nil, line: nil, keyPath: nil,
                          message: "unknown \(what) '\(name)'; valid \(what)s: \(list)")
    }

    static func badFileName(_ file: String, name: String) -> BoardError {
        BoardError(kind: .badFileName, file: file, line: nil, keyPath: nil,
                   message: "'\(name)' cannot be used as a name: use lower-case letters, digits, '-', '_' and '.', starting with a letter or digit")
    }

    static func missingDirectory(_ path: String, what: String) -> BoardError {
        BoardError(kind: .missingDirectory, file: nil, line: nil, keyPath: nil,
                   message: "no \(what) directory at \(path)",
                   hint: "set SEL4IMG_DATA_DIR to the sel4img checkout that holds boards/, apps/ and manifests/")
    }
}

/// Where a value sits: the file shown to people, its line and its key path.
struct Place {
    var file: String
    var line: Int?
    var path: KeyPath

    /// The key path for messages, or nil at the top of the file.
    var keyPath: String? { path.text.isEmpty ? nil : path.text }

    func child(_ key: String, line: Int?) -> Place {
        Place(file: file, line: line ?? self.line, path: path.appending(key))
    }

    func element(_ index: Int, line: Int?) -> Place {
        Place(file: file, line: line ?? self.line, path: path.appendingIndex(index))
    }
}

/// A dotted key path with list indices: `qemu.extraArgs[1]`.
struct KeyPath: CustomStringConvertible {
    var text: String = ""

    var description: String { text }

    func appending(_ key: String) -> KeyPath {
        KeyPath(text: text.isEmpty ? key : text + "." + key)
    }

    func appendingIndex(_ index: Int) -> KeyPath {
        KeyPath(text: text + "[\(index)]")
    }
}
