import Foundation
import Support

/// A build's software bill of materials: an SPDX 2.3 JSON document made from
/// its provenance (`provenance.json`) and the output files beside it, written
/// as `sbom.spdx.json` by every build and again by `sel4img sbom DIR`.
///
/// The image is the package the document describes. It is GENERATED_FROM
/// each manifest project (remote URL at its commit, the license its tree
/// declares or NOASSERTION) and each patch set, whose patches are
/// PATCH_APPLIED to their projects; it CONTAINS its boot blobs, guest
/// components, WebAssembly modules and output files; each recorded tool is a
/// BUILD_TOOL_OF it. Nothing depends on the clock or the machine: `created`
/// is SOURCE_DATE_EPOCH and the namespace is a hash of the content, so equal
/// provenance and outputs give equal bytes.
public enum SBOM {
    /// The file every build writes beside SHA256SUMS.
    public static let fileName = "sbom.spdx.json"

    /// The SBOM for the outputs in `directory` that `provenance` records.
    /// Every output must be there with the recorded SHA-256 (SPDX files also
    /// carry a SHA-1, read from the file).
    public static func document(for provenance: Provenance, directory: URL) throws -> Data {
        var sha1: [String: String] = [:]
        for output in provenance.outputs {
            let file = directory.appendingPathComponent(output.file)
            guard FileManager.default.fileExists(atPath: file.path) else {
                throw BuildError(.outputMissing, "\(file.path) is recorded in provenance.json but does not exist",
                                 hint: "rebuild, or restore the artifacts directory as the build wrote it")
            }
            let actual = try SHA256Hex.ofFile(at: file)
            guard actual == output.sha256 else {
                throw BuildError(.outputMissing, "\(file.path) changed since the build: its SHA-256 is \(actual), provenance.json records \(output.sha256)",
                                 hint: "rebuild, or restore the file as the build wrote it")
            }
            sha1[output.file] = try SHA256Hex.sha1OfFile(at: file)
        }
        return try document(for: provenance, sha1: sha1)
    }

    /// The SBOM with each output's SHA-1 given.
    static func document(for provenance: Provenance, sha1: [String: String]) throws -> Data {
        var builder = SPDXBuilder(provenance: provenance, sha1: sha1)
        var document = builder.document()
        let unnamed = try encode(document)
        document.documentNamespace = "https://sel4img.invalid/spdx/\(provenance.board)-\(provenance.app)-\(SHA256Hex.of(unnamed))"
        return try encode(document)
    }

    static func encode(_ document: SPDXDocument) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(document)
        data.append(0x0A)
        return data
    }

    /// SOURCE_DATE_EPOCH as SPDX writes times: `YYYY-MM-DDThh:mm:ssZ`.
    static func timestamp(_ epoch: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(epoch)))
    }
}

/// The license a project's tree declares, by SPDX identifier only: the
/// `SPDX-License-Identifier:` line of a top-level LICENSE/LICENCE/COPYING
/// file, else the identifiers a REUSE-style `LICENSES/` directory names
/// (joined with AND). Nil when the tree declares none; never a guess from
/// license text.
public enum DeclaredLicense {
    public static func read(_ tree: URL) -> String? {
        let fm = FileManager.default
        let names = ((try? fm.contentsOfDirectory(atPath: tree.path)) ?? []).sorted()
        for name in names where ["LICENSE", "LICENCE", "COPYING"].contains(where: { name.uppercased().hasPrefix($0) }) {
            let file = tree.appendingPathComponent(name)
            guard !fm.isDirectory(file), let handle = try? FileHandle(forReadingFrom: file) else { continue }
            defer { try? handle.close() }
            guard let head = try? handle.read(upToCount: 8192), let text = String(data: head, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                guard let range = line.range(of: "SPDX-License-Identifier:") else { continue }
                var expression = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
                if expression.hasSuffix("*/") { expression = String(expression.dropLast(2)).trimmingCharacters(in: .whitespaces) }
                if isExpression(expression) { return expression }
            }
        }
        let directory = tree.appendingPathComponent("LICENSES")
        guard fm.isDirectory(directory) else { return nil }
        let identifiers = ((try? fm.contentsOfDirectory(atPath: directory.path)) ?? [])
            .map { $0.hasSuffix(".txt") ? String($0.dropLast(4)) : $0 }
            .filter { isIdentifier($0) }
        return identifiers.isEmpty ? nil : Set(identifiers).sorted().joined(separator: " AND ")
    }

    /// An SPDX license identifier (LicenseRef- ones need their text, which an SBOM made from provenance does not have).
    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && !text.hasPrefix("LicenseRef-") && !text.hasPrefix(".")
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "+") }
    }

    /// Identifiers joined with AND, OR, WITH and parentheses.
    static func isExpression(_ text: String) -> Bool {
        let words = text.replacingOccurrences(of: "(", with: " ").replacingOccurrences(of: ")", with: " ").split(separator: " ").map(String.init)
        return !words.isEmpty && words.allSatisfy { ["AND", "OR", "WITH"].contains($0) || isIdentifier($0) }
    }
}

// MARK: - The SPDX 2.3 JSON model (the fields sel4img writes)

struct SPDXDocument: Encodable {
    struct CreationInfo: Encodable {
        var created: String
        var creators: [String]
    }
    var spdxVersion = "SPDX-2.3"
    var dataLicense = "CC0-1.0"
    var SPDXID = "SPDXRef-DOCUMENT"
    var name: String
    var documentNamespace = "https://sel4img.invalid/spdx/"
    var creationInfo: CreationInfo
    var packages: [SPDXPackage]
    var files: [SPDXFile]
    var relationships: [SPDXRelationship]
}

struct SPDXChecksum: Encodable {
    var algorithm: String
    var checksumValue: String
}

struct SPDXExternalRef: Encodable {
    var referenceCategory: String
    var referenceType: String
    var referenceLocator: String
}

struct SPDXPackage: Encodable {
    var SPDXID: String
    var name: String
    var versionInfo: String?
    var downloadLocation = "NOASSERTION"
    var filesAnalyzed = false
    var packageVerificationCode: VerificationCode?
    var checksums: [SPDXChecksum]?
    var licenseConcluded = "NOASSERTION"
    var licenseDeclared = "NOASSERTION"
    var copyrightText = "NOASSERTION"
    var primaryPackagePurpose: String?
    var externalRefs: [SPDXExternalRef]?
    var comment: String?
}

/// SPDX's package verification code: the SHA-1 of the package's files' SHA-1s, sorted and concatenated.
struct VerificationCode: Encodable {
    var packageVerificationCodeValue: String
}

struct SPDXFile: Encodable {
    var SPDXID: String
    var fileName: String
    var checksums: [SPDXChecksum]
    var licenseConcluded = "NOASSERTION"
    var copyrightText = "NOASSERTION"
    var comment: String?
}

struct SPDXRelationship: Encodable {
    var spdxElementId: String
    var relationshipType: String
    var relatedSpdxElement: String
}

/// Turns provenance into the document, in a fixed order.
struct SPDXBuilder {
    let provenance: Provenance
    let sha1: [String: String]
    private var used: Set<String> = ["SPDXRef-DOCUMENT"]
    private var packages: [SPDXPackage] = []
    private var relationships: [SPDXRelationship] = []

    init(provenance: Provenance, sha1: [String: String]) {
        self.provenance = provenance
        self.sha1 = sha1
    }

    /// A unique SPDX id from `kind` and `name` (other characters become '-').
    mutating func identifier(_ kind: String, _ name: String) -> String {
        let cleaned = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == ".") ? $0 : "-" })
        var id = "SPDXRef-\(kind)-\(cleaned)"
        var counter = 2
        while used.contains(id) {
            id = "SPDXRef-\(kind)-\(cleaned)-\(counter)"
            counter += 1
        }
        used.insert(id)
        return id
    }

    mutating func relate(_ a: String, _ type: String, _ b: String) {
        relationships.append(SPDXRelationship(spdxElementId: a, relationshipType: type, relatedSpdxElement: b))
    }

    /// A download location SPDX accepts, or NOASSERTION (a local path or file:// URL is the machine's business).
    static func downloadLocation(_ url: String, git commit: String? = nil) -> String {
        guard ["https://", "http://", "ssh://", "git://"].contains(where: { url.hasPrefix($0) }),
              !url.contains(where: { $0.isWhitespace || !$0.isASCII }) else { return "NOASSERTION" }
        return commit.map { "git+\(url)@\($0)" } ?? url
    }

    func sha256(_ value: String) -> [SPDXChecksum] { [SPDXChecksum(algorithm: "SHA256", checksumValue: value)] }

    mutating func document() -> SPDXDocument {
        let p = provenance
        let image = identifier("Image", "\(p.board)-\(p.app)")
        let settings = p.cmakeSettings.keys.sorted().map { "\($0)=\(p.cmakeSettings[$0]!)" }.joined(separator: "\n")
        packages.append(SPDXPackage(
            SPDXID: image, name: "\(p.board)-\(p.app)", primaryPackagePurpose: "FIRMWARE",
            comment: "seL4 image for board \(p.board), app \(p.app), built by sel4img from manifest \(p.manifest.file) (SHA-256 \(p.manifest.sha256)), "
                + "lock SHA-256 \(p.lockSHA256), SOURCE_DATE_EPOCH \(p.sourceDateEpoch). CMake settings:\n\(settings)"))
        relate("SPDXRef-DOCUMENT", "DESCRIBES", image)
        // The image package CONTAINS its output files, so SPDX has it analysed, with their verification code.
        if !p.outputs.isEmpty {
            packages[0].filesAnalyzed = true
            packages[0].packageVerificationCode = VerificationCode(packageVerificationCodeValue: SHA256Hex.sha1(of: sha1.values.sorted().joined()))
        }

        var projectIDs: [String: String] = [:]
        for project in p.projects.sorted(by: { $0.path < $1.path }) {
            let id = identifier("Project", project.path)
            projectIDs[project.path] = id
            let location = Self.downloadLocation(project.url, git: project.commit)
            packages.append(SPDXPackage(
                SPDXID: id, name: project.path, versionInfo: project.commit, downloadLocation: location,
                licenseDeclared: project.license ?? "NOASSERTION", primaryPackagePurpose: "SOURCE",
                comment: location == "NOASSERTION" ? "fetched from \(project.url) at commit \(project.commit)" : nil))
            relate(image, "GENERATED_FROM", id)
        }
        for set in p.patchSets {
            let setID = identifier("PatchSet", set.name)
            packages.append(SPDXPackage(SPDXID: setID, name: "patch set \(set.name)", primaryPackagePurpose: "SOURCE",
                                        comment: "series SHA-256 \(set.seriesSHA256)"))
            relate(image, "GENERATED_FROM", setID)
            for patch in set.patches {
                let id = identifier("Patch", "\(set.name)-\(patch.file)")
                packages.append(SPDXPackage(SPDXID: id, name: "\(set.name)/\(patch.file)", checksums: sha256(patch.sha256),
                                            primaryPackagePurpose: "SOURCE", comment: "patch for project \(patch.project)"))
                relate(setID, "CONTAINS", id)
                if let project = projectIDs[patch.project] ?? p.projects.first(where: { $0.path.hasSuffix("/" + patch.project) }).flatMap({ projectIDs[$0.path] }) {
                    relate(id, "PATCH_APPLIED", project)
                }
            }
        }
        for component in (p.components ?? []).sorted(by: { ($0.kind, $0.name) < ($1.kind, $1.name) }) {
            let id = identifier(component.kind == "wasm module" ? "WasmModule" : component.kind == "boot blob" ? "BootBlob" : "GuestComponent", component.name)
            var notes = ["\(component.kind) \(component.name)"]
            if let url = component.url { notes.append(component.member.map { "member \($0) of \(url)" } ?? "from \(url)") }
            if let path = component.path { notes.append("from the host file \(path)") }
            if let package = component.package {
                notes.append("Debian package \(package)" + (component.packageVersion.map { " version \($0)" } ?? ""))
            }
            var refs: [SPDXExternalRef]?
            if let package = component.package, let version = component.packageVersion {
                refs = [SPDXExternalRef(referenceCategory: "PACKAGE-MANAGER", referenceType: "purl",
                                        referenceLocator: "pkg:deb/debian/\(package)@\(version)")]
            }
            packages.append(SPDXPackage(
                SPDXID: id, name: component.name, versionInfo: component.packageVersion,
                downloadLocation: component.url.map { Self.downloadLocation($0) } ?? "NOASSERTION",
                checksums: sha256(component.sha256), primaryPackagePurpose: component.kind == "boot blob" ? "FIRMWARE" : "APPLICATION",
                externalRefs: refs, comment: notes.joined(separator: "; ")))
            relate(image, "CONTAINS", id)
        }
        for name in p.tools.keys.sorted() {
            let id = identifier("Tool", name)
            packages.append(SPDXPackage(SPDXID: id, name: name, versionInfo: p.tools[name]!, primaryPackagePurpose: "APPLICATION"))
            relate(id, "BUILD_TOOL_OF", image)
        }
        var files: [SPDXFile] = []
        for output in p.outputs.sorted(by: { $0.file < $1.file }) {
            let id = identifier("File", output.file)
            var checksums = sha256(output.sha256)
            if let sha1 = sha1[output.file] { checksums.insert(SPDXChecksum(algorithm: "SHA1", checksumValue: sha1), at: 0) }
            files.append(SPDXFile(SPDXID: id, fileName: "./\(output.file)", checksums: checksums,
                                  comment: "\(output.role), \(output.size) bytes"))
            relate(image, "CONTAINS", id)
        }
        return SPDXDocument(
            name: "sel4img \(p.board)-\(p.app)",
            creationInfo: .init(created: SBOM.timestamp(p.sourceDateEpoch), creators: ["Tool: sel4img"]),
            packages: packages, files: files, relationships: relationships)
    }
}
