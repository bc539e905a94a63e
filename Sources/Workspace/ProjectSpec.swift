import Foundation
import Manifest

/// One project as sync needs it: where it comes from, which revision, where
/// it goes. Built from a resolved manifest (`Workspace.loadProjects`); its
/// links are the manifest's own `FileLink` values.
public struct ProjectSpec: Sendable, Equatable, Codable {
    public var name: String
    public var path: String
    public var url: String
    public var revision: String
    public var linkfiles: [FileLink]
    public var copyfiles: [FileLink]
    /// Paths relative to the checkout that sync leaves out of the work tree
    /// (the manifest's `<exclude path>`): files, or directories with
    /// everything below them.
    public var excludes: [String]

    public init(name: String, path: String, url: String, revision: String, linkfiles: [FileLink] = [], copyfiles: [FileLink] = [],
                excludes: [String] = []) {
        self.name = name
        self.path = path
        self.url = url
        self.revision = revision
        self.linkfiles = linkfiles
        self.copyfiles = copyfiles
        self.excludes = excludes
    }
}
