import Foundation

/// What `PatchSetManager.apply` did.
public struct ApplyReport: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Codable {
        /// The set was not applied before and now is.
        case applied
        /// The same series was already applied; nothing was done.
        case alreadyApplied = "already-applied"
        /// An older version of the series was applied; it was reverted and the new one applied.
        case reapplied
    }

    public var set: String
    public var outcome: Outcome
    public var seriesHash: String
    /// The series hash that was applied before, for `.reapplied`.
    public var previousSeriesHash: String?
    /// Patch files applied, in order (empty for `.alreadyApplied`).
    public var patches: [String]
    /// Files the set changed, as `<project path>/<file>`.
    public var files: [String]
    /// Files changed by hand since the set was applied (only for `.alreadyApplied`).
    public var modifiedFiles: [String]
    /// True when an interrupted apply or revert was rolled back first.
    public var recoveredInterruption: Bool

    public var alreadyApplied: Bool { outcome == .alreadyApplied }

    /// One line for the terminal.
    public var summary: String {
        switch outcome {
        case .alreadyApplied:
            let extra = modifiedFiles.isEmpty ? "" : " (\(modifiedFiles.count) file\(modifiedFiles.count == 1 ? "" : "s") changed since)"
            return "patch set '\(set)' is already applied\(extra)"
        case .applied:
            return "patch set '\(set)' applied: \(patches.count) patch\(patches.count == 1 ? "" : "es"), \(files.count) file\(files.count == 1 ? "" : "s")"
        case .reapplied:
            return "patch set '\(set)' changed since it was applied: reverted the old series and applied \(patches.count) patch\(patches.count == 1 ? "" : "es")"
        }
    }
}

/// What `PatchSetManager.revert` did.
public struct RevertReport: Sendable, Equatable, Codable {
    public enum Outcome: String, Sendable, Codable {
        case reverted
        /// Nothing was recorded for the set.
        case notApplied = "not-applied"
        /// An interrupted apply or revert was rolled back to the pre-apply files.
        case recoveredInterruption = "recovered-interruption"
    }

    public var set: String
    public var outcome: Outcome
    /// Files put back to their pre-apply content, as `<project path>/<file>`.
    public var restoredFiles: [String]
    /// Hand edits that `force` discarded.
    public var discardedModifications: [String]

    public var summary: String {
        switch outcome {
        case .notApplied: return "patch set '\(set)' is not applied"
        case .reverted: return "patch set '\(set)' reverted: \(restoredFiles.count) file\(restoredFiles.count == 1 ? "" : "s") restored"
        case .recoveredInterruption:
            return "patch set '\(set)' had been interrupted; \(restoredFiles.count) file\(restoredFiles.count == 1 ? "" : "s") restored to their pre-apply content"
        }
    }
}

/// Where a set stands in a workspace. Encodes as `{"state": "modified", "files": [...]}`.
public enum PatchSetStatus: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Not applied.
    case pending
    /// Applied, and every patched file still has the content the set left.
    case applied
    /// Applied, but these files (`<project path>/<file>`) changed since.
    case modified([String])
    /// Applied, but the series changed since (different series hash).
    case stale
    /// An apply or revert was interrupted; `apply` or `revert` finishes restoring the pre-apply files.
    case interrupted

    public var name: String {
        switch self {
        case .pending: return "pending"
        case .applied: return "applied"
        case .modified: return "modified"
        case .stale: return "stale"
        case .interrupted: return "interrupted"
        }
    }

    public var description: String {
        if case .modified(let files) = self { return "modified: " + files.joined(separator: ", ") }
        return name
    }

    private enum CodingKeys: String, CodingKey { case state, files }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .state) {
        case "pending": self = .pending
        case "applied": self = .applied
        case "modified": self = .modified(try c.decodeIfPresent([String].self, forKey: .files) ?? [])
        case "stale": self = .stale
        case "interrupted": self = .interrupted
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .state, in: c, debugDescription: "unknown patch set state '\(other)'")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .state)
        if case .modified(let files) = self { try c.encode(files, forKey: .files) }
    }
}

/// A set recorded in the state directory.
public struct AppliedSet: Sendable, Equatable, Codable {
    public var name: String
    public var seriesHash: String
    public var appliedAt: Date
    /// Patch files in order.
    public var patches: [String]
    /// Project paths the set changed files in, sorted.
    public var projects: [String]
    /// Files the set changed, as `<project path>/<file>`.
    public var files: [String]
    /// True when the record is a journal of an interrupted apply or revert.
    public var interrupted: Bool
}
