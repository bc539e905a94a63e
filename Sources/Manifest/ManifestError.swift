import Support

/// Everything that can be wrong with a manifest. The description has the
/// shape `<file>:<line>: <what is wrong>` (or `<file>: <what is wrong>` when
/// no line applies), where `<file>` is the `path` of the URL given to
/// `ManifestLoader.load` for the top file and the including file's directory
/// plus the `<include name>` for included files. Inside messages, other files
/// are named the same way; include chains name each file by its last
/// path component.
public struct ManifestError: UserFacingError, Equatable {
    /// The category of problem, for callers that react to some of them.
    public enum Kind: String, Sendable, Equatable, Codable {
        /// The top manifest file could not be read.
        case unreadable
        /// A file is larger than `ManifestLoader.maximumFileSize`.
        case tooLarge
        /// Not well-formed XML, or XML features sel4img refuses (entities).
        case malformedXML
        /// The root element is not `<manifest>`.
        case wrongRoot
        /// A required attribute is absent or empty.
        case missingAttribute
        /// An attribute has a value that cannot be used (e.g. `sync-j="x"`).
        case invalidAttribute
        /// Two `<remote>`s with one name but different attributes.
        case duplicateRemote
        /// Two `<default>`s with different attributes.
        case duplicateDefault
        /// A project, `<default>` or `<extend-project>` names a remote that is not defined.
        case unknownRemote
        /// A project names no remote and `<default>` names none either.
        case noRemote
        /// A project has no revision, and neither its remote nor `<default>` gives one.
        case noRevision
        /// Two projects would be checked out at the same path.
        case duplicatePath
        /// A path or name that could reach outside the workspace.
        case unsafePath
        /// An `<include>` leads back to a file that is being read.
        case includeCycle
        /// An `<include>` names a file that does not exist or cannot be read.
        case includeMissing
        /// More `<include>`s than `ManifestLoader.maximumIncludes`.
        case tooManyIncludes
        /// `<remove-project>` or `<extend-project>` names no existing project.
        case unknownProject
        /// A repo feature sel4img does not support (nested projects).
        case unsupported
        /// A relative `fetch` is used but the manifest's own URL is unknown.
        case relativeFetchWithoutURL
    }

    public var kind: Kind
    public var file: String
    public var line: Int?
    /// What is wrong, without the location.
    public var message: String

    /// Control characters in `file` and `message` (which quote names and
    /// paths from the manifest) are written as escapes (`\n`), so a hostile
    /// manifest cannot forge lines in the terminal.
    public init(_ kind: Kind, file: String, line: Int?, _ message: String) {
        self.kind = kind
        self.file = file.escapingControlCharacters
        self.line = line
        self.message = message.escapingControlCharacters
    }

    init(_ kind: Kind, at location: SourceLocation, _ message: String) {
        self.init(kind, file: location.file, line: location.line, message)
    }

    public var context: ErrorContext { ErrorContext(file: file, line: line) }

    public var hint: String? {
        switch kind {
        case .relativeFetchWithoutURL:
            return "pass the URL the manifest repository was cloned from, so relative fetch addresses can be resolved against it"
        case .noRevision:
            return "add a revision to the project, to its <remote>, or to <default>"
        case .noRemote:
            return "add remote=\"…\" to the project or to <default>"
        case .includeCycle:
            return "an included file must not include, directly or indirectly, a file that includes it"
        default:
            return nil
        }
    }
}
