import Foundation
import Support

/// `linkfile` and `copyfile` entries, created after every project is checked out.
enum FileLinks {
    static func create(for projects: [ProjectSpec], in layout: WorkspaceLayout) throws {
        let fm = FileManager.default
        for project in projects {
            for (link, isCopy) in project.linkfiles.map({ ($0, false) }) + project.copyfiles.map({ ($0, true) }) {
                let what = isCopy ? "copyfile" : "linkfile"
                for (label, value) in [("src", link.src), ("dest", link.dest)] {
                    if let problem = SafePath.problem(with: value) {
                        throw WorkspaceError(.unsafeLink, "project \(project.name): \(what) \(label) '\(value)' \(problem)")
                    }
                }
                // Checked right before writing, with every project checked out: no
                // component may be a symlink leading out, nor land in sel4img's state.
                let workspace = Containment(root: layout.root, name: "the workspace", protectWorkspaceState: true)
                let source: URL, dest: URL
                do {
                    source = try workspace.resolve(project.path + "/" + link.src).url
                    dest = try workspace.resolve(link.dest, followLast: false).url
                } catch let error as ContainmentError {
                    throw WorkspaceError(.unsafeLink, "project \(project.name): \(what) \(link.src) → \(link.dest) refused: \(error)",
                                         hint: error.hint)
                }
                try fm.createDirectory(at: dest.deletingLastPathComponent(), withIntermediateDirectories: true)
                let existing = try? fm.attributesOfItem(atPath: dest.path)[.type] as? FileAttributeType
                if isCopy {
                    guard fm.fileExists(atPath: source.path) else {
                        throw WorkspaceError(.unsafeLink, "project \(project.name): copyfile source \(project.path)/\(link.src) does not exist")
                    }
                    let data = try Data(contentsOf: source)
                    if existing == .typeSymbolicLink { try fm.removeItem(at: dest) }
                    if (try? Data(contentsOf: dest)) != data { try data.write(to: dest, options: .atomic) }
                } else {
                    let target = dest.deletingLastPathComponent().relativePath(to: source)
                    if existing == .typeSymbolicLink {
                        if (try? fm.destinationOfSymbolicLink(atPath: dest.path)) == target { continue }
                        try fm.removeItem(at: dest)
                    } else if existing != nil {
                        throw WorkspaceError(.pathOccupied, "project \(project.name): linkfile destination \(link.dest) exists and is not a link",
                                             hint: "move it away and sync again")
                    }
                    try fm.createSymbolicLink(atPath: dest.path, withDestinationPath: target)
                }
            }
        }
    }
}
