import Foundation
import Support

/// A named, ordered list of patches read from `patches/<set>/series`.
///
/// The series format is one patch per line, fields separated by whitespace:
///
///     # comment
///     <project> <sha256> <file>
///
/// `project` is a manifest project path (`projects/seL4_libs`) or name
/// (`seL4_libs.git`), `sha256` the lower-case hex SHA-256 of the patch file's
/// bytes, and `file` the patch's path relative to the set directory. Patches
/// apply in line order. A `#` at the start of a field starts a comment.
public struct PatchSet: Sendable {
    /// One line of the series.
    public struct Entry: Sendable, Equatable, Codable {
        /// 1-based line number in the series file.
        public var line: Int
        /// The project path or name as written.
        public var project: String
        /// The expected SHA-256 of the patch file.
        public var sha256: String
        /// The patch file relative to the set directory, as written.
        public var file: String
    }

    /// The set's name (its directory name below `patches/`).
    public let name: String
    /// `patches/<set>`.
    public let directory: URL
    /// How messages name the series file, e.g. `patches/wasmedge/series`.
    public let seriesDisplayPath: String
    /// SHA-256 of the series file's bytes; as each line carries its patch's
    /// hash, this changes whenever any patch of the set changes.
    public let seriesHash: String
    public let entries: [Entry]

    /// The file name of a set's series inside its directory.
    public static let seriesFileName = "series"

    /// Why `name` cannot name a patch set, or nil when it can.
    public static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name.hasPrefix(".") || name.hasPrefix("-") { return "starts with '\(name.first!)'" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-")
        if let bad = name.first(where: { !allowed.contains($0) }) {
            return bad == "/" ? "contains '/'" : "contains '\(bad)' (use letters, digits, '.', '_', '+' and '-')"
        }
        return nil
    }

    /// Reads and checks `<patchesDirectory>/<name>/series`: field syntax, hash
    /// syntax, and that every patch file exists, is a regular file inside the
    /// set directory, and is listed once. Patch contents are checked by `verify`.
    public static func load(named name: String, in patchesDirectory: URL) throws -> PatchSet {
        if let problem = nameProblem(name) {
            throw PatchError(.invalidSetName, "'\(name)' is not a valid patch set name: it \(problem)")
        }
        let directory = patchesDirectory.appendingPathComponent(name)
        let display = "\(patchesDirectory.lastPathComponent)/\(name)/\(seriesFileName)"
        let seriesURL = directory.appendingPathComponent(seriesFileName)
        guard FileManager.default.fileExists(atPath: seriesURL.path) else {
            throw PatchError(.seriesMissing, "patch set '\(name)' has no series file: \(display) does not exist",
                             hint: "create it with one '<project> <sha256> <file>' line per patch; see patches/README.md",
                             file: display)
        }
        let data: Data
        do {
            data = try Data(contentsOf: seriesURL)
        } catch {
            throw PatchError(.seriesUnreadable, "cannot read \(display): \(describe(error))", file: display)
        }
        return try PatchSet(name: name, directory: directory, seriesDisplayPath: display, seriesData: data)
    }

    /// Parses series bytes; file checks are made against `directory`.
    init(name: String, directory: URL, seriesDisplayPath display: String, seriesData: Data) throws {
        guard let text = String(data: seriesData, encoding: .utf8) else {
            throw PatchError(.seriesUnreadable, "\(display) is not UTF-8 text", file: display)
        }
        self.name = name
        self.directory = directory
        self.seriesDisplayPath = display
        self.seriesHash = SHA256Hex.of(seriesData)

        var entries: [Entry] = []
        var seen: [String: Int] = [:]
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            let fields = Self.fields(of: raw)
            if fields.isEmpty { continue }
            guard fields.count == 3 else {
                throw PatchError.at(display, number, .malformedLine,
                                    "expected '<project> <sha256> <file>', found \(fields.count) field\(fields.count == 1 ? "" : "s")",
                                    hint: "file names cannot contain spaces; '#' starts a comment")
            }
            let (project, hash, file) = (fields[0], fields[1], fields[2])
            guard SHA256Hex.isValid(hash) else {
                throw PatchError.at(display, number, .badHash,
                                    "'\(hash)' is not a SHA-256 (64 lower-case hex digits)",
                                    hint: "print the hash with: sha256sum \(Self.shellQuoted(display.dropLast(Self.seriesFileName.count) + file))")
            }
            let key = try Self.checkPatchFile(file, in: directory, setName: name, series: display, line: number)
            if let first = seen[key] {
                throw PatchError.at(display, number, .duplicateEntry, "\(file) is listed twice (first on line \(first))")
            }
            seen[key] = number
            entries.append(Entry(line: number, project: project, sha256: hash, file: file))
        }
        guard !entries.isEmpty else {
            throw PatchError(.emptySeries, "\(display) lists no patches",
                             hint: "add one '<project> <sha256> <file>' line per patch", file: display)
        }
        self.entries = entries
    }

    /// Whitespace-separated fields before any comment.
    static func fields(of line: Substring) -> [String] {
        var fields: [String] = []
        for field in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }) {
            if field.hasPrefix("#") { break }
            fields.append(String(field))
        }
        return fields
    }

    /// Checks that a listed patch file is a safe relative path, stays inside the
    /// set directory after resolving symlinks, and is an existing regular file.
    /// Returns a normalised key for duplicate detection.
    static func checkPatchFile(_ file: String, in directory: URL, setName: String, series: String, line: Int) throws -> String {
        if let problem = SafePath.problem(with: file) {
            throw PatchError.at(series, line, .unsafePatchPath, "patch file path '\(file)' is unsafe: it \(problem)")
        }
        let url = SafePath.join(directory, file)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
        let isLink = (try? FileManager.default.destinationOfSymbolicLink(atPath: url.path)) != nil
        if exists || isLink, !url.isBelow(directory) {
            throw PatchError.at(series, line, .unsafePatchPath,
                                "patch file path '\(file)' is unsafe: it resolves outside \(series.dropLast(seriesFileName.count + 1))")
        }
        guard exists else {
            throw PatchError.at(series, line, .patchMissing, "patch file \(file) does not exist",
                                hint: "patch files are named relative to the set directory")
        }
        guard !isDirectory.boolValue else {
            throw PatchError.at(series, line, .patchMissing, "patch file \(file) is a directory, not a file")
        }
        return url.resolvedPath
    }

    /// A series line for a patch file: `<project> <sha256> <file>`, with the
    /// file named relative to the set directory (what `sel4img patch hash` prints).
    public static func hashLine(for patchFile: URL, project: String, setDirectory: URL) throws -> String {
        let hash: String
        do {
            hash = try SHA256Hex.ofFile(at: patchFile)
        } catch {
            throw PatchError.io("read \(patchFile.path)", error)
        }
        let file = patchFile.standardizedFileURL
        let base = setDirectory.standardizedFileURL.path
        let prefix = base.hasSuffix("/") ? base : base + "/"
        guard file.path.hasPrefix(prefix) else {
            throw PatchError(.unsafePatchPath, "\(patchFile.path) is not inside the set directory \(setDirectory.path)",
                             hint: "copy the patch into the set directory first")
        }
        return "\(project) \(hash) \(file.path.dropFirst(prefix.count))"
    }

    static func shellQuoted(_ text: String) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-/=,:@%")
        if !text.isEmpty, text.allSatisfy({ plain.contains($0) }) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
