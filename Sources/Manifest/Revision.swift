/// What a manifest `revision` (or `upstream`, `dest-branch`) names, classified
/// the way repo does: a full commit ID, a tag, a branch, or another ref.
public enum Revision: Sendable, Equatable, Hashable, Codable {
    /// A full 40-digit hexadecimal commit ID, kept as written.
    case commit(String)
    /// `refs/tags/X`; holds `X`.
    case tag(String)
    /// `refs/heads/X` or a bare name such as `master` or `release/12.x`; holds `X`.
    case branch(String)
    /// Any other full ref (`refs/changes/…`, `refs/pull/…`), kept whole.
    case ref(String)

    public init(_ expression: String) {
        if Revision.isCommitID(expression) {
            self = .commit(expression)
        } else if expression.hasPrefix("refs/tags/") {
            self = .tag(String(expression.dropFirst("refs/tags/".count)))
        } else if expression.hasPrefix("refs/heads/") {
            self = .branch(String(expression.dropFirst("refs/heads/".count)))
        } else if expression.hasPrefix("refs/") {
            self = .ref(expression)
        } else {
            self = .branch(expression)
        }
    }

    /// True for exactly 40 hexadecimal digits, either case.
    public static func isCommitID(_ text: String) -> Bool {
        text.utf8.count == 40 && text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)
        }
    }

    public var isCommitID: Bool {
        if case .commit = self { return true }
        return false
    }

    /// The full ref name to fetch (`refs/heads/master`, `refs/tags/v0.9`),
    /// or nil for a commit ID.
    public var fullRef: String? {
        switch self {
        case .commit: nil
        case .tag(let name): "refs/tags/" + name
        case .branch(let name): "refs/heads/" + name
        case .ref(let ref): ref
        }
    }
}
