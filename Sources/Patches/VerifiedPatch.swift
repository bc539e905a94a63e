import Foundation
import Git
import Support

/// A series entry whose project exists, whose bytes match the recorded
/// SHA-256 and which parsed as a diff naming only safe paths.
public struct VerifiedPatch {
    public let entry: PatchSet.Entry
    /// The project it applies to.
    public let target: PatchTarget
    /// Every path below the project's work tree the patch writes or removes
    /// (rename sources included), sorted.
    public let files: [String]
    /// True when libgit2 was given a rewritten text: traditional `patch -p1`
    /// sections with synthesised git headers, or empty-file sections with the
    /// terminator libgit2 1.5 needs. Hunks are never changed.
    public let converted: Bool
    let diff: Diff
}

/// Patch files larger than this are refused rather than read into memory.
let maximumPatchSize = 64 << 20

extension PatchSet {
    /// Checks every entry, in order, without touching any work tree: the project
    /// is one of `targets`, the bytes match the recorded hash, the text parses
    /// as a diff (traditional `-p1` diffs are converted), and every path the
    /// diff names is relative and free of `..`.
    public func verify(targets: [PatchTarget]) throws -> [VerifiedPatch] {
        var verified: [VerifiedPatch] = []
        for entry in entries {
            let target = try targets.resolve(entry.project, series: seriesDisplayPath, line: entry.line)
            let data = try read(entry, project: target.path)
            let actual = SHA256Hex.of(data)
            guard actual == entry.sha256 else {
                throw PatchError.at(seriesDisplayPath, entry.line, .checksumMismatch,
                                    "checksum mismatch for \(entry.file): expected \(entry.sha256), got \(actual)",
                                    hint: "if the patch changed on purpose, put the new hash in \(seriesDisplayPath) "
                                        + "(sha256sum \(PatchSet.shellQuoted(displayDirectory + "/" + entry.file)))",
                                    project: target.path)
            }
            verified.append(try parse(entry, data, target: target))
        }
        return verified
    }

    /// `patches/<set>`, as messages name it.
    var displayDirectory: String { String(seriesDisplayPath.dropLast(PatchSet.seriesFileName.count + 1)) }

    private func read(_ entry: PatchSet.Entry, project: String) throws -> Data {
        let url = SafePath.join(directory, entry.file)
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        guard size <= maximumPatchSize else {
            throw PatchError.at(seriesDisplayPath, entry.line, .notADiff,
                                "\(entry.file) is not a diff: it is larger than \(maximumPatchSize >> 20) MiB", project: project)
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw PatchError.at(seriesDisplayPath, entry.line, .patchMissing,
                                "cannot read patch file \(entry.file): \(describe(error))", project: project)
        }
    }

    private func parse(_ entry: PatchSet.Entry, _ data: Data, target: PatchTarget) throws -> VerifiedPatch {
        func fail(_ kind: PatchError.Kind, _ text: String) -> PatchError {
            PatchError.at(seriesDisplayPath, entry.line, kind, text, project: target.path)
        }
        let text: DiffText
        do {
            text = try DiffText(data)
        } catch let problem as DiffText.Problem {
            throw fail(.notADiff, "\(entry.file) is not a diff: line \(problem.line): \(problem.message)")
        }
        for header in text.headerPaths {
            if let problem = SafePath.problem(with: header.path) {
                throw fail(.unsafeDiffPath, "\(entry.file) line \(header.line) names an unsafe path '\(header.path)': it \(problem)")
            }
        }
        let diff: Diff
        do {
            diff = try Diff(text: text.data, source: "\(displayDirectory)/\(entry.file)")
        } catch let error as GitError {
            throw fail(.notADiff, "\(entry.file) is not a diff: \(error.message)")
        }
        let parsed = diff.files
        guard !parsed.isEmpty else {
            throw fail(.notADiff, "\(entry.file) is not a diff: it changes no files")
        }
        for path in parsed {
            if let problem = SafePath.problem(with: path) {
                throw fail(.unsafeDiffPath, "\(entry.file) names an unsafe path '\(path)': it \(problem)")
            }
        }
        let files = Set(parsed).union(text.headerPaths.map(\.path)).sorted()
        return VerifiedPatch(entry: entry, target: target, files: files, converted: text.converted, diff: diff)
    }
}
