import Foundation
import Support
import TestSupport
@testable import Patches

/// A scratch workspace: git projects under `ws/`, patch sets under `patches/`,
/// state under `ws/.sel4img/patches`. Projects are real repositories built
/// with the git CLI; the code under test only ever uses libgit2.
struct Fixture {
    let temp: TemporaryDirectory
    var root: URL { temp.url }
    var patchesDirectory: URL { temp.path("patches") }
    var workspace: URL { temp.path("ws") }
    var manager: PatchSetManager { PatchSetManager(stateDirectory: workspace.appendingPathComponent(".sel4img/patches")) }

    init() throws {
        temp = try TemporaryDirectory("sel4img-patches")
    }

    func remove() { temp.remove() }

    /// A committed git repository at `ws/<path>` holding `files` (path → text).
    /// Paths ending in `*` are made executable (the star is dropped).
    func project(_ path: String, name: String? = nil, files: [String: String]) throws -> PatchTarget {
        let tree = workspace.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        try sh("git init -q . && git config core.autocrlf false", in: tree)
        for (file, text) in files {
            let executable = file.hasSuffix("*")
            let clean = executable ? String(file.dropLast()) : file
            try write(tree.appendingPathComponent(clean), text)
            if executable { try sh("chmod +x '\(clean)'", in: tree) }
        }
        try sh("git add -A && git commit -q -m initial", in: tree)
        return PatchTarget(name: name ?? (path.split(separator: "/").last.map(String.init)! + ".git"), path: path, workTree: tree)
    }

    /// The `git diff` of whatever `edit` does to the project's tree; the tree is
    /// reset afterwards, so the result is a patch against the committed files.
    func diff(in target: PatchTarget, renames: Bool = false, _ edit: (URL) throws -> Void) throws -> String {
        try edit(target.workTree)
        let text = try sh("git add -A && git diff --cached --no-color --no-ext-diff \(renames ? "-M" : "--no-renames")", in: target.workTree)
        try sh("git reset -q --hard && git clean -fdq", in: target.workTree)
        return text
    }

    /// Writes patch files and a series listing them (with their real hashes
    /// unless `hashes` overrides one by patch file name) and loads the set.
    @discardableResult
    func writeSet(_ name: String, _ patches: [(project: String, file: String, text: String)],
                  hashes: [String: String] = [:], extraLines: String = "") throws -> PatchSet {
        let setDirectory = patchesDirectory.appendingPathComponent(name)
        var series = "# \(name) test set\n"
        for patch in patches {
            let url = setDirectory.appendingPathComponent(patch.file)
            try write(url, patch.text)
            let hash = hashes[patch.file] ?? SHA256Hex.of(Data(patch.text.utf8))
            series += "\(patch.project) \(hash) \(patch.file)\n"
        }
        try write(setDirectory.appendingPathComponent("series"), series + extraLines)
        return try PatchSet.load(named: name, in: patchesDirectory)
    }

    func write(_ url: URL, _ text: String) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Every file, link and directory below a tree except `.git`, with bytes and
    /// permissions, for byte-for-byte comparisons.
    func digest(_ target: PatchTarget) throws -> [String: String] {
        try digest(of: target.workTree)
    }

    func digest(of tree: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        let fm = FileManager.default
        let base = tree.resolvingSymlinksInPath().path
        guard let walker = fm.enumerator(atPath: base) else { return result }
        for case let relative as String in walker {
            if relative == ".git" || relative.hasPrefix(".git/") { continue }
            let full = base + "/" + relative
            let attributes = try fm.attributesOfItem(atPath: full)
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
            if let link = try? fm.destinationOfSymbolicLink(atPath: full) {
                result[relative] = "link -> \(link)"
            } else if attributes[.type] as? FileAttributeType == .typeDirectory {
                result[relative] = "dir"
            } else {
                result[relative] = "file \(String(mode, radix: 8)) \(SHA256Hex.of(try Data(contentsOf: URL(fileURLWithPath: full))))"
            }
        }
        return result
    }

    /// A plain copy of a project (with its .git) for cross-checking with the git CLI.
    func copy(_ target: PatchTarget, to name: String) throws -> URL {
        let destination = root.appendingPathComponent("copies/\(name)")
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        try sh("cp -a '\(target.workTree.path)' '\(destination.path)'")
        return destination
    }

    func read(_ target: PatchTarget, _ path: String) throws -> String {
        try String(contentsOf: target.workTree.appendingPathComponent(path), encoding: .utf8)
    }
}

/// Runs `body` and returns the `PatchError` it throws (nil when it does not throw one).
func patchError(_ body: () throws -> Void) -> PatchError? {
    do {
        try body()
        return nil
    } catch let error as PatchError {
        return error
    } catch {
        return PatchError(.fileSystem, "unexpected error: \(error)")
    }
}

/// A C file of numbered lines, long enough for several separate hunks.
func numberedSource(_ name: String, lines: Int = 40) -> String {
    (1...lines).map { "int \(name)_\($0) = \($0);" }.joined(separator: "\n") + "\n"
}
