import Boards
import Foundation
import Support

/// One file collected from the build directory into the artifacts directory.
public struct Artifact: Sendable, Codable, Equatable {
    /// What it is to sel4img: "image", "kernel", "dtb", "roottask", …
    public var role: String
    public var file: String
    public var size: Int
    public var sha256: String

    public init(role: String, file: String, size: Int, sha256: String) {
        self.role = role
        self.file = file
        self.size = size
        self.sha256 = sha256
    }
}

extension Artifact {
    /// The artifacts recorded in `DIR/artifacts.json`, or nil when there is no readable list.
    public static func recorded(in directory: URL) -> [Artifact]? {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("artifacts.json")) else { return nil }
        return try? JSONDecoder().decode([Artifact].self, from: data)
    }
}

/// Copies an app's outputs (role → path pattern relative to the build
/// directory; `*` and `?` match within one path component) into the
/// artifacts directory, and writes `SHA256SUMS` in `sha256sum` format.
struct ArtifactCollector {
    let buildDirectory: URL
    let artifactsDirectory: URL

    /// `extraFiles` may add files to the staging directory (recording them as
    /// artifacts) and returns small files to write; SHA256SUMS covers them all.
    /// Hidden file in the artifacts directory: what the current contents were made from.
    static let inputsFile = ".sel4img-inputs"

    /// `context` names everything besides the outputs that shapes the
    /// artifacts (board, app, lock, epoch); when it and every output are
    /// unchanged and the directory still verifies, nothing is rewritten.
    func collect(_ outputs: [String: String], context: String = "",
                 extraFiles: (inout [Artifact], URL) throws -> [String: Data] = { _, _ in [:] }) throws -> [Artifact] {
        let fm = FileManager.default
        var found: [(role: String, source: URL, sha256: String)] = []
        for role in outputs.keys.sorted() {
            let pattern = outputs[role]!
            guard let match = try Self.glob(pattern, in: buildDirectory).first else {
                throw BuildError(.outputMissing, "the build finished but produced no \(role) matching '\(pattern)' in \(buildDirectory.path)",
                                 hint: "check the app's outputs in apps/*.yaml")
            }
            found.append((role, match, try SHA256Hex.ofFile(at: match)))
        }
        let fingerprint = SHA256Hex.of(context + "\n" + found.map { "\($0.role) \($0.sha256)" }.joined(separator: "\n"))
        if let previous = try? String(contentsOf: artifactsDirectory.appendingPathComponent(Self.inputsFile), encoding: .utf8),
           previous == fingerprint, (try? ArtifactVerifier.verify(artifactsDirectory))?.ok == true,
           let artifacts = Artifact.recorded(in: artifactsDirectory) {
            return artifacts
        }

        let staging = artifactsDirectory.deletingLastPathComponent().appendingPathComponent(".\(artifactsDirectory.lastPathComponent).new")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        var artifacts: [Artifact] = []
        for (role, source, sha256) in found {
            let name = source.lastPathComponent
            let dest = staging.appendingPathComponent(name)
            if !fm.fileExists(atPath: dest.path) { try fm.copyItem(at: source, to: dest) }
            let size = (try fm.attributesOfItem(atPath: dest.path)[.size] as? Int) ?? 0
            artifacts.append(Artifact(role: role, file: name, size: size, sha256: sha256))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var extras = try extraFiles(&artifacts, staging)
        extras["artifacts.json"] = try encoder.encode(artifacts)
        for (name, data) in extras {
            try data.write(to: staging.appendingPathComponent(name))
        }
        var sums: [String: String] = [:]
        for name in try fm.contentsOfDirectory(atPath: staging.path) where name != "SHA256SUMS" && !name.hasPrefix(".") {
            sums[name] = try SHA256Hex.ofFile(at: staging.appendingPathComponent(name))
        }
        let text = sums.keys.sorted().map { "\(sums[$0]!)  \($0)\n" }.joined()
        try Data(text.utf8).write(to: staging.appendingPathComponent("SHA256SUMS"))
        try Data(fingerprint.utf8).write(to: staging.appendingPathComponent(Self.inputsFile))
        // Replace the previous artifacts only once the new set is complete.
        try? fm.removeItem(at: artifactsDirectory)
        try fm.moveItem(at: staging, to: artifactsDirectory)
        return artifacts
    }

    /// Files matching a relative pattern, sorted.
    static func glob(_ pattern: String, in root: URL) throws -> [URL] {
        var current = [root]
        for component in pattern.split(separator: "/").map(String.init) {
            var next: [URL] = []
            for dir in current {
                if !component.contains("*") && !component.contains("?") {
                    let candidate = dir.appendingPathComponent(component)
                    if FileManager.default.fileExists(atPath: candidate.path) { next.append(candidate) }
                    continue
                }
                let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
                for name in names.sorted() where fnmatch(component, name, 0) == 0 {
                    next.append(dir.appendingPathComponent(name))
                }
            }
            current = next
        }
        return current.filter { !FileManager.default.isDirectory($0) }
    }
}

/// The roles of artifacts other steps look for.
public enum ArtifactRole {
    /// The seL4 image proper (may be a uImage or binary meant for U-Boot).
    public static let image = App.imageRole
    /// The elfloader ELF, which QEMU boots directly, when the app collects it.
    public static let elfloader = "elfloader"
    /// The bootable disk image, and its block map.
    public static let disk = BootDiskFeature.diskRole
    public static let blockMap = BootDiskFeature.blockMapRole
}

/// A build's artifacts as `artifacts.json` lists them, found by role.
public struct ArtifactIndex: Sendable, Equatable {
    public let directory: URL
    public let artifacts: [Artifact]

    /// The artifacts recorded in `directory`; none when nothing was built there.
    public static func read(_ directory: URL) -> ArtifactIndex {
        ArtifactIndex(directory: directory, artifacts: Artifact.recorded(in: directory) ?? [])
    }

    public func contains(role: String) -> Bool { artifacts.contains { $0.role == role } }

    /// The file of the first artifact with `role`; a missing one names the
    /// build command that makes it.
    public func url(forRole role: String, buildCommand: String) throws -> URL {
        guard let artifact = artifacts.first(where: { $0.role == role }) else {
            throw MissingArtifact(directory: directory.path, role: role, buildCommand: buildCommand)
        }
        return directory.appendingPathComponent(artifact.file)
    }
}

/// A role that no build has put in an artifacts directory yet.
public struct MissingArtifact: UserFacingError, Equatable {
    public var directory: String
    public var role: String
    public var buildCommand: String
    public var description: String { "no \(role) has been built in \(directory)" }
    public var hint: String? { "run '\(buildCommand)' first" }
}
