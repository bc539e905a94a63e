import Foundation
import Support

/// One file a set touched: where it is, what was there before (with the name
/// of the backup holding its bytes) and what the set left there.
struct FileRecord: Codable, Equatable, Sendable {
    /// The project path, e.g. "projects/seL4_libs".
    var project: String
    /// The path inside the project's work tree.
    var path: String
    var before: FileState
    /// The backup file name below `backups/`, for regular files.
    var backup: String?
    /// Directories (deepest first) that did not exist before, for absent files.
    var missingDirectories: [String]
    /// What the set left; nil in a journal (the apply had not finished).
    var after: FileState?

    var displayPath: String { "\(project)/\(path)" }
}

/// One applied patch, for listings and provenance.
struct PatchRecord: Codable, Equatable, Sendable {
    var file: String
    var line: Int
    var project: String
    var sha256: String
}

/// Everything recorded about a set: written as `journal.json` before any tree
/// is touched, and as `state.json` once the whole set applied.
struct SetRecord: Codable, Equatable, Sendable {
    var formatVersion = 1
    var set: String
    var seriesHash: String
    var appliedAt: Date
    var patches: [PatchRecord]
    var files: [FileRecord]

    var projects: [String] { Array(Set(files.map(\.project))).sorted() }
}

/// The on-disk layout below the state directory:
///
///     <state>/<set>/state.json    the set is applied (written last, atomically)
///     <state>/<set>/journal.json  an apply or revert is under way or was interrupted
///     <state>/<set>/backups/<n>   the pre-apply bytes of the set's n-th file
struct StateStore {
    let root: URL

    static let stateFile = "state.json"
    static let journalFile = "journal.json"
    static let backupsDirectory = "backups"

    func directory(_ set: String) -> URL { root.appendingPathComponent(set) }
    func stateURL(_ set: String) -> URL { directory(set).appendingPathComponent(Self.stateFile) }
    func journalURL(_ set: String) -> URL { directory(set).appendingPathComponent(Self.journalFile) }
    func backupURL(_ set: String, _ name: String) -> URL {
        directory(set).appendingPathComponent(Self.backupsDirectory).appendingPathComponent(name)
    }

    func state(_ set: String) throws -> SetRecord? { try read(stateURL(set), set: set) }
    func journal(_ set: String) throws -> SetRecord? { try read(journalURL(set), set: set) }

    private func read(_ url: URL, set: String) throws -> SetRecord? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let record: SetRecord
        do {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            record = try decoder.decode(SetRecord.self, from: Data(contentsOf: url))
        } catch {
            throw corrupt(url, "it is not a patch state record (\(describe(error)))")
        }
        guard record.set == set else { throw corrupt(url, "it records set '\(record.set)'") }
        for file in record.files {
            for path in [file.project, file.path] + file.missingDirectories {
                if let problem = SafePath.problem(with: path) { throw corrupt(url, "path '\(path)' \(problem)") }
            }
            if let backup = file.backup, backup.contains("/") || backup.hasPrefix(".") {
                throw corrupt(url, "backup name '\(backup)' is unsafe")
            }
        }
        return record
    }

    func corrupt(_ url: URL, _ why: String) -> PatchError {
        PatchError(.stateCorrupt, "cannot use patch state \(url.path): \(why)",
                   hint: "if the trees are known to be clean, delete \(url.deletingLastPathComponent().path) and run 'sel4img sync --force'")
    }

    func write(_ record: SetRecord, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        do {
            try FileManager.default.writeAtomically(try encoder.encode(record), to: url)
        } catch {
            throw PatchError.io("write \(url.path)", error)
        }
    }

    func writeBackup(_ data: Data, set: String, name: String) throws {
        let url = backupURL(set, name)
        do {
            try FileManager.default.writeAtomically(data, to: url)
        } catch {
            throw PatchError.io("save a copy of a file to \(url.path)", error)
        }
    }

    /// Reads every backup of a record and checks it against the recorded hash,
    /// so a restore never starts with a missing or damaged copy.
    func backups(of record: SetRecord) throws -> [String: Data] {
        var contents: [String: Data] = [:]
        for file in record.files {
            guard file.before.kind == .file, let name = file.backup else { continue }
            let url = backupURL(record.set, name)
            guard let data = try? Data(contentsOf: url) else {
                throw corrupt(url, "the saved copy of \(file.displayPath) is missing")
            }
            guard SHA256Hex.of(data) == file.before.sha256 else {
                throw corrupt(url, "the saved copy of \(file.displayPath) does not match its recorded SHA-256")
            }
            contents[name] = data
        }
        return contents
    }

    /// Turns an applied record into a journal before a revert starts: a rename,
    /// so an interruption leaves either the state or the journal, never neither.
    func beginRevert(_ set: String) throws {
        do {
            try? FileManager.default.removeItem(at: journalURL(set))
            try FileManager.default.moveItem(at: stateURL(set), to: journalURL(set))
        } catch {
            throw PatchError.io("start reverting patch set '\(set)'", error)
        }
    }

    func remove(_ set: String) throws {
        let url = directory(set)
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        do {
            try FileManager.default.removeItem(at: url)
        } catch {
            throw PatchError.io("remove \(url.path)", error)
        }
    }

    func removeJournal(_ set: String) throws {
        let url = journalURL(set)
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        do {
            try FileManager.default.removeItem(at: url)
        } catch {
            throw PatchError.io("remove \(url.path)", error)
        }
    }

    /// Names of sets with a state or journal, sorted.
    func setNames() throws -> [String] {
        guard FileManager.default.fileExists(atPath: root.path) else { return [] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: root.path)
        } catch {
            throw PatchError.io("list \(root.path)", error)
        }
        return names.filter { name in
            PatchSet.nameProblem(name) == nil
                && (FileManager.default.fileExists(atPath: stateURL(name).path)
                    || FileManager.default.fileExists(atPath: journalURL(name).path))
        }.sorted()
    }
}
