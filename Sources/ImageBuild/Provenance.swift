import Boards
import Foundation
import Support
import Workspace

/// What went into a build, written as `provenance.json` next to its outputs.
/// It holds no paths and no clock time, so two builds of the same lock on
/// different machines, directories and days write the same bytes.
public struct Provenance: Codable, Sendable, Equatable {
    public struct Manifest: Codable, Sendable, Equatable {
        public var file: String
        public var sha256: String
    }

    public struct Project: Codable, Sendable, Equatable {
        public var path: String
        public var url: String
        public var commit: String
        /// The SPDX license expression the project's tree declares (see
        /// `DeclaredLicense`); nil when it declares none.
        public var license: String?
    }

    /// Something the image holds that sel4img did not build from the
    /// projects: a boot blob, a guest component, a WebAssembly module.
    public struct Component: Codable, Sendable, Equatable {
        /// "boot blob", "guest component", "guest device tree overlay
        /// (emulated)" (named by its path in the sel4img checkout) or "wasm module".
        public var kind: String
        public var name: String
        public var sha256: String
        public var url: String?
        /// The file inside the archive at `url`.
        public var member: String?
        /// The host file it was taken from.
        public var path: String?
        /// The Debian package that provides it, and its version when the URL names one.
        public var package: String?
        public var packageVersion: String?

        /// The kind of the overlay an `--emulated` build gave its guest's
        /// device tree: `sel4img qemu` looks for it before booting.
        public static let emulatedOverlayKind = "guest device tree overlay (emulated)"
        public static let wasmModuleKind = "wasm module"

        public init(kind: String, name: String, sha256: String, url: String? = nil, member: String? = nil,
                    path: String? = nil, package: String? = nil, packageVersion: String? = nil) {
            (self.kind, self.name, self.sha256, self.url, self.member) = (kind, name, sha256, url, member)
            (self.path, self.package, self.packageVersion) = (path, package, packageVersion)
        }
    }

    public struct PatchSetInfo: Codable, Sendable, Equatable {
        public struct Patch: Codable, Sendable, Equatable {
            public var project: String
            public var file: String
            public var sha256: String
        }
        public var name: String
        public var seriesSHA256: String
        public var patches: [Patch]
    }

    public var format = 1
    public var board: String
    public var app: String
    /// The time every tool was asked to stamp into its output.
    public var sourceDateEpoch: Int64
    public var manifest: Manifest
    /// SHA-256 of `sel4img.lock` as it was during the build.
    public var lockSHA256: String
    public var projects: [Project]
    public var patchSets: [PatchSetInfo]
    /// The CMake cache settings sel4img passed (paths excluded).
    public var cmakeSettings: [String: String]
    /// Tool name → the first line its `--version` printed.
    public var tools: [String: String]
    /// Every output with its size and SHA-256.
    public var outputs: [Artifact]
    /// What the features put into the image besides the projects' code.
    public var components: [Component]?

    /// Reads a provenance file; a missing or malformed one names the file and the key.
    public static func read(_ file: URL) throws -> Provenance {
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw BuildError(.outputMissing, "\(file.path) does not exist or cannot be read",
                             hint: "name an artifacts directory written by 'sel4img build'")
        }
        do { return try JSONDecoder().decode(Provenance.self, from: data) } catch let DecodingError.keyNotFound(key, context) {
            throw BuildError(.outputMissing, "\(file.path): missing key '\(Self.keyPath(context.codingPath + [key]))'")
        } catch let DecodingError.typeMismatch(_, context) {
            throw BuildError(.outputMissing, "\(file.path): '\(Self.keyPath(context.codingPath))' has the wrong type: \(context.debugDescription)")
        } catch let DecodingError.valueNotFound(_, context) {
            throw BuildError(.outputMissing, "\(file.path): '\(Self.keyPath(context.codingPath))' is null")
        } catch {
            throw BuildError(.outputMissing, "\(file.path) is not valid JSON", hint: "rebuild to write it again")
        }
    }

    static func keyPath(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().drop { $0 == "." }.description
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// `--version` of the tools that shape the output, first line each.
    /// `qemu` is the QEMU program for builds whose device tree seL4 dumps
    /// from QEMU (qemu-arm-virt): a QEMU upgrade changes that tree (see the
    /// README, 'Reproducible builds'), so its version is recorded as `qemu`.
    public static func toolVersions(crossCompilerPrefix: String, qemu: String? = nil, runner: ProcessRunner = ProcessRunner()) -> [String: String] {
        var tools: [String: String] = [:]
        var commands = [("cmake", ["cmake", "--version"]), ("ninja", ["ninja", "--version"]),
                        ("gcc", [crossCompilerPrefix + "gcc", "--version"]), ("dtc", ["dtc", "--version"]),
                        ("python3", ["python3", "--version"])]
        if let qemu { commands.append(("qemu", [qemu, "--version"])) }
        for (name, args) in commands {
            let line = (try? runner.run(args, check: false).output)?.split(separator: "\n").first.map(String.init)
            tools[name] = line ?? "not found"
        }
        return tools
    }
}

extension Provenance {
    /// The provenance of one build: its sources as `state` found them, the
    /// settings and tool versions as recorded, and the artifacts.
    init(build: BuildContext, state: SourceState, patchSets: [PatchSetInfo], settings: [String: String], tools: [String: String], outputs: [Artifact],
         components: [Component]) {
        let lock = state.lock
        self.init(board: build.board.name, app: build.app.name, sourceDateEpoch: state.sourceDateEpoch,
                  manifest: .init(file: lock?.manifest.file ?? "", sha256: lock?.manifest.sha256 ?? ""),
                  lockSHA256: state.lockSHA256,
                  projects: lock?.projects.map {
                      .init(path: $0.path, url: $0.url, commit: $0.commit.hex,
                            license: DeclaredLicense.read(build.workspaceRoot.appendingPathComponent($0.path)))
                  } ?? [],
                  patchSets: patchSets, cmakeSettings: settings, tools: tools, outputs: outputs, components: components)
    }
}

extension Board {
    /// The QEMU program seL4's build runs to dump this board's device tree
    /// (qemu-arm-virt takes its memory map from QEMU), or nil when the build
    /// does not run QEMU.
    public var deviceTreeQEMU: String? {
        sel4.platform == "qemu-arm-virt" ? (qemu?.binary ?? "qemu-system-aarch64") : nil
    }
}
