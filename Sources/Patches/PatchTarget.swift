import Foundation

/// A checked-out project a patch set may change: the caller (the workspace
/// layer) says where each manifest project lives on disk.
public struct PatchTarget: Sendable, Hashable {
    /// The manifest project name, e.g. "seL4_libs.git".
    public var name: String
    /// The workspace-relative project path, e.g. "projects/seL4_libs".
    public var path: String
    /// The project's work tree on disk.
    public var workTree: URL

    public init(name: String, path: String, workTree: URL) {
        self.name = name
        self.path = path
        self.workTree = workTree
    }
}

extension Array where Element == PatchTarget {
    /// The target a series entry names, by project path first, then by name.
    func resolve(_ project: String, series: String, line: Int) throws -> PatchTarget {
        if let byPath = first(where: { $0.path == project }) { return byPath }
        let byName = filter { $0.name == project }
        if byName.count == 1 { return byName[0] }
        if byName.count > 1 {
            let paths = byName.map(\.path).sorted().joined(separator: ", ")
            throw PatchError.at(series, line, .ambiguousProject,
                                "project name '\(project)' is ambiguous; use one of its paths: \(paths)", project: project)
        }
        let valid = map(\.path).sorted().joined(separator: ", ")
        throw PatchError.at(series, line, .unknownProject,
                            "unknown project '\(project)'; valid projects: \(valid.isEmpty ? "(none)" : valid)",
                            hint: "name a project by its manifest path or name", project: project)
    }
}
