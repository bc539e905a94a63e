import Boards
import Foundation
import Support

/// Puts an app's own sources (`App.Sources`) into the workspace: each copy's
/// directory of the sel4img checkout is mirrored into its workspace
/// directory, and the links are made.
///
/// A file is written only when its bytes differ, so an unchanged tree keeps
/// its mtimes and Ninja has nothing to do. sel4img owns each destination:
/// files there that the source does not have are removed (other copies
/// nested inside are left to their own copy). A destination is marked with
/// `.sel4img-sources`; a non-empty directory without the mark, a checkout
/// (`.git`), or any path leading outside the workspace is refused.
public struct AppSourceInstaller: Sendable {
    /// The mark in every destination.
    public static let markerName = ".sel4img-sources"

    public let repository: URL
    public let workspace: URL
    public let sources: App.Sources

    public init(repository: URL, workspace: URL, sources: App.Sources) {
        self.repository = repository.standardizedFileURL
        self.workspace = workspace.standardizedFileURL
        self.sources = sources
    }

    /// What `install` did.
    public struct Report: Sendable, Equatable {
        public var written: [String] = []
        public var removed: [String] = []
        public var unchanged = 0
        public var linksMade: [String] = []

        public var nothingChanged: Bool { written.isEmpty && removed.isEmpty && linksMade.isEmpty }
        public var summary: String {
            nothingChanged ? "up to date (\(unchanged) files)"
                : "\(written.count) written, \(removed.count) removed, \(unchanged) unchanged" + (linksMade.isEmpty ? "" : ", \(linksMade.count) links made")
        }
    }

    public func install() throws -> Report {
        var report = Report()
        let destinations = sources.copies.map { SafePath.join(workspace, $0.to).standardizedFileURL }
        for (copy, destination) in zip(sources.copies, destinations) {
            let nested = destinations.filter { $0 != destination && $0.path.hasPrefix(destination.path + "/") }
            try mirror(copy, into: destination, skipping: nested, report: &report)
        }
        for link in sources.links {
            try makeLink(link, report: &report)
        }
        return report
    }

    // MARK: Copies

    private func mirror(_ copy: App.Sources.Copy, into destination: URL, skipping nested: [URL], report: inout Report) throws {
        let fm = FileManager.default
        if let problem = SafePath.problem(with: copy.from) { throw Self.error("the source path '\(copy.from)' \(problem)") }
        if let problem = SafePath.problem(with: copy.to) { throw Self.error("the workspace path '\(copy.to)' \(problem)") }
        let source = SafePath.join(repository, copy.from)
        guard fm.isDirectory(source) else {
            throw Self.error("\(copy.from) is not a directory in \(repository.path)",
                             hint: "the app's sources come from a sel4img checkout; set \(DataDirectory.environmentVariable) to one")
        }
        guard source.isBelow(repository) else {
            throw Self.error("\(copy.from) leads outside the sel4img checkout (to \(source.resolvedPath))")
        }
        try checkInsideWorkspace(copy.to)
        if fm.fileExists(atPath: destination.appendingPathComponent(".git").path) {
            throw Self.error("\(destination.path) is a checkout; sel4img will not copy \(copy.from) over it",
                             hint: "choose another destination for \(copy.from) in the app file")
        }
        let marker = destination.appendingPathComponent(Self.markerName)
        if fm.isDirectory(destination), !fm.fileExists(atPath: marker.path),
           !((try? fm.contentsOfDirectory(atPath: destination.path)) ?? []).isEmpty {
            throw Self.error("\(destination.path) exists and was not made by sel4img; refusing to replace it with \(copy.from)",
                             hint: "move it away and build again")
        }
        try fm.createDirectory(at: destination, withIntermediateDirectories: true)
        try writeIfChanged(Data("Copied by sel4img from \(copy.from) in its checkout: edit it there, changes here are overwritten.\n".utf8),
                           to: marker, executable: false, shown: nil, report: &report)

        // The source tree, as relative paths.
        var files: [String: URL] = [:]
        var directories: Set<String> = []
        try walk(source, relative: "", refuseOthers: true) { relative, url, isDirectory in
            if isDirectory { directories.insert(relative) } else { files[relative] = url }
        }
        for relative in directories.sorted() {
            let target = SafePath.join(destination, relative)
            // Not through a link: a link where a directory belongs could lead out of the workspace.
            if let type = (try? fm.attributesOfItem(atPath: target.path))?[.type] as? FileAttributeType, type != .typeDirectory {
                try fm.removeItem(at: target)
            }
            try fm.createDirectory(at: target, withIntermediateDirectories: true)
        }
        for relative in files.keys.sorted() {
            let url = files[relative]!
            let data = try Data(contentsOf: url)
            let executable = fm.isExecutableFile(atPath: url.path)
            try writeIfChanged(data, to: SafePath.join(destination, relative), executable: executable,
                               shown: copy.to + "/" + relative, report: &report)
        }

        // Stale files: in the destination, not in the source, not a nested copy.
        var stale: [(String, URL)] = []
        try walk(destination, relative: "", refuseOthers: false) { relative, url, isDirectory in
            if relative == Self.markerName { return }
            if nested.contains(where: { url.standardizedFileURL.path == $0.path || url.standardizedFileURL.path.hasPrefix($0.path + "/") }) { return }
            if isDirectory ? !directories.contains(relative) : files[relative] == nil {
                stale.append((relative, url))
            }
        }
        // Deepest first, skipping what a removed directory already took.
        var removedDirectories: [String] = []
        for (relative, url) in stale.sorted(by: { $0.0 < $1.0 }) {
            if removedDirectories.contains(where: { relative.hasPrefix($0 + "/") }) { continue }
            if nested.contains(where: { $0.path.hasPrefix(url.standardizedFileURL.path + "/") }) { continue }
            try fm.removeItem(at: url)
            removedDirectories.append(relative)
            report.removed.append(copy.to + "/" + relative)
        }
    }

    /// Calls `body` for everything below `root`, parents first, without
    /// following symlinks. With `refuseOthers` (a source), anything but files
    /// and directories is an error; otherwise it is passed on as a file.
    private func walk(_ root: URL, relative: String, refuseOthers: Bool, _ body: (String, URL, Bool) throws -> Void) throws {
        let fm = FileManager.default
        let directory = relative.isEmpty ? root : SafePath.join(root, relative)
        for name in try fm.contentsOfDirectory(atPath: directory.path).sorted() {
            let path = relative.isEmpty ? name : relative + "/" + name
            let url = directory.appendingPathComponent(name)
            let attributes = try fm.attributesOfItem(atPath: url.path)
            let type = attributes[.type] as? FileAttributeType
            if type == .typeDirectory {
                try body(path, url, true)
                try walk(root, relative: path, refuseOthers: refuseOthers, body)
            } else if type == .typeRegular {
                try body(path, url, false)
            } else if refuseOthers {
                throw Self.error("\(url.path) is not a regular file or directory; the app's sources may hold only those")
            } else {
                try body(path, url, false)
            }
        }
    }

    private func writeIfChanged(_ data: Data, to url: URL, executable: Bool, shown: String?, report: inout Report) throws {
        let fm = FileManager.default
        let mode = executable ? 0o755 : 0o644
        if let attributes = try? fm.attributesOfItem(atPath: url.path), attributes[.type] as? FileAttributeType == .typeRegular,
           let existing = try? Data(contentsOf: url), existing == data {
            if ((attributes[.posixPermissions] as? Int) ?? 0) & 0o111 != mode & 0o111 {
                try fm.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
            }
            if shown != nil { report.unchanged += 1 }
            return
        }
        if fm.isDirectory(url) { try fm.removeItem(at: url) }
        try fm.writeAtomically(data, to: url)
        try fm.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        if let shown { report.written.append(shown) }
    }

    // MARK: Links

    private func makeLink(_ link: App.Sources.Link, report: inout Report) throws {
        let fm = FileManager.default
        if let problem = SafePath.problem(with: link.path) { throw Self.error("the link path '\(link.path)' \(problem)") }
        if let problem = SafePath.problem(with: link.target) { throw Self.error("the link target '\(link.target)' \(problem)") }
        let url = SafePath.join(workspace, link.path)
        let target = SafePath.join(workspace, link.target)
        try checkInsideWorkspace(link.path, followLast: false)
        try checkInsideWorkspace(link.target)
        let relative = url.deletingLastPathComponent().relativePath(to: target)
        if let existing = try? fm.destinationOfSymbolicLink(atPath: url.path) {
            if existing == relative { return }
            try fm.removeItem(at: url)
        } else if fm.fileExists(atPath: url.path) {
            throw Self.error("\(url.path) exists and is not a link; sel4img will not replace it with a link to \(link.target)",
                             hint: "move it away and build again")
        }
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: url.path, withDestinationPath: relative)
        report.linksMade.append(link.path)
    }

    /// Refuses a workspace path that, on the disk as it is now, goes through a
    /// symbolic link leading out of the workspace or into sel4img's own state.
    private func checkInsideWorkspace(_ path: String, followLast: Bool = true) throws {
        do {
            _ = try Containment(root: workspace, name: "the workspace", protectWorkspaceState: true).resolve(path, followLast: followLast)
        } catch let error as ContainmentError {
            throw Self.error("\(error)", hint: error.hint)
        }
    }

    static func error(_ message: String, hint: String? = nil) -> BuildError {
        BuildError(.appSources, message, hint: hint)
    }
}
