import Foundation
import Git
import Support

/// The exact commit of every project, written by every sync. With it, a later
/// sync (`--locked`) or another machine reproduces the same tree.
public struct LockFile: Codable, Sendable, Equatable {
    public struct Project: Codable, Sendable, Equatable {
        public var name: String
        public var path: String
        public var url: String
        /// The revision the manifest asked for (commit id, branch or tag).
        public var revision: String
        public var commit: ObjectID
    }

    public struct ManifestInfo: Codable, Sendable, Equatable {
        public var file: String
        public var url: String?
        /// SHA-256 over the manifest file and every file it includes.
        public var sha256: String
    }

    public var format: Int = 1
    public var manifest: ManifestInfo
    public var projects: [Project]

    public init(manifest: ManifestInfo, projects: [Project]) {
        self.manifest = manifest
        self.projects = projects.sorted { $0.path < $1.path }
    }

    public func project(atPath path: String) -> Project? {
        projects.first { $0.path == path }
    }

    public static func read(from url: URL) throws -> LockFile {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw WorkspaceError(.lockUnreadable, "cannot read the lock file \(url.path)", hint: "run 'sel4img sync' to write it")
        }
        do {
            let lock = try JSONDecoder().decode(LockFile.self, from: data)
            guard lock.format == 1 else {
                throw WorkspaceError(.lockUnreadable, "\(url.path): lock format \(lock.format) is not supported (this sel4img reads format 1)")
            }
            return lock
        } catch let error as WorkspaceError {
            throw error
        } catch {
            throw WorkspaceError(.lockUnreadable, "\(url.path) is not a valid lock file: \(Self.describe(error))",
                                 hint: "restore it from version control, or delete it and run 'sel4img sync'")
        }
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        try FileManager.default.writeAtomically(data, to: url)
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let ctx):
            return "missing key '\((ctx.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case DecodingError.typeMismatch(_, let ctx), DecodingError.valueNotFound(_, let ctx):
            return "wrong type at '\(ctx.codingPath.map(\.stringValue).joined(separator: "."))'"
        case DecodingError.dataCorrupted(let ctx):
            let path = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "not JSON" : "\(path): \(ctx.debugDescription)"
        default:
            return String(describing: error)
        }
    }
}
