import Foundation
import Support
import TestSupport
@testable import Workspace

/// A small "git host" on disk: bare repositories laid out as HOST/ORG/NAME.git,
/// made with the git CLI (an independent tool), plus a workspace directory.
struct GitHost {
    let dir: TemporaryDirectory
    var hostRoot: URL { dir.path("host") }
    var workspace: URL { dir.path("ws") }

    init() throws {
        dir = try TemporaryDirectory("ws-test")
        try FileManager.default.createDirectory(at: hostRoot, withIntermediateDirectories: true)
    }

    /// Creates HOST/ORG/NAME.git with one commit holding `files`; returns the commit id.
    @discardableResult
    func makeRepo(_ name: String, files: [String: String], host: String = "example.invalid/org", tag: String? = nil) throws -> String {
        let work = dir.path("src/\(name)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try sh("git init -q -b master .", in: work)
        for (path, text) in files {
            try dir.write("src/\(name)/\(path)", text)
        }
        try sh("git add -A && git commit -q -m initial", in: work)
        if let tag { try sh("git tag \(tag)", in: work) }
        let bare = hostRoot.appendingPathComponent("\(host)/\(name).git")
        try FileManager.default.createDirectory(at: bare.deletingLastPathComponent(), withIntermediateDirectories: true)
        try sh("git clone -q --bare \(work.path) \(bare.path)")
        return try head(name)
    }

    /// Adds a commit on master in the source and pushes it to the bare repository.
    @discardableResult
    func commit(_ name: String, file: String, text: String, host: String = "example.invalid/org") throws -> String {
        try dir.write("src/\(name)/\(file)", text)
        let work = dir.path("src/\(name)")
        try sh("git add -A && git commit -q -m change && git push -q \(hostRoot.appendingPathComponent("\(host)/\(name).git").path) master", in: work)
        return try head(name)
    }

    func head(_ name: String) throws -> String {
        try sh("git rev-parse HEAD", in: dir.path("src/\(name)")).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes a manifest into the workspace-independent spot `manifests/NAME`.
    func manifest(_ xml: String, name: String = "default.xml") throws -> URL {
        try dir.write("manifests/\(name)", xml)
        return dir.path("manifests/\(name)")
    }

    var mirror: Mirror { Mirror(root: hostRoot) }

    func initialize(_ manifest: URL, manifestURL: String? = nil, mirror: Mirror? = nil, at root: URL? = nil) throws -> Workspace {
        try Workspace.initialize(at: root ?? workspace, from: .file(manifest, manifestURL: manifestURL), mirror: mirror, progress: QuietProgress())
    }
}

/// Three projects on one remote, with a linkfile and a copyfile, the shape of seL4's manifests.
func threeProjectManifest(revision: String = "master") -> String {
    """
    <?xml version="1.0" encoding="UTF-8"?>
    <manifest>
      <remote name="org" fetch="https://example.invalid/org"/>
      <default remote="org" revision="\(revision)"/>
      <project name="kernel.git" path="kernel"/>
      <project name="tools" path="tools/seL4">
        <linkfile src="cmake-tool/init-build.sh" dest="init-build.sh"/>
      </project>
      <project name="app.git" path="projects/app">
        <copyfile src="easy-settings.cmake" dest="easy-settings.cmake"/>
      </project>
    </manifest>
    """
}

func makeThreeProjects(_ host: GitHost) throws {
    try host.makeRepo("kernel", files: ["README": "kernel\n", "src/boot.c": "int boot;\n"], tag: "v1.0")
    try host.makeRepo("tools", files: ["cmake-tool/init-build.sh": "#!/bin/sh\necho init\n"])
    try host.makeRepo("app", files: ["easy-settings.cmake": "set(X 1)\n", "main.c": "int main;\n"])
}
