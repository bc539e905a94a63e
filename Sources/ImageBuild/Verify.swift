import Foundation
import Support

/// The result of checking an artifacts directory against its `SHA256SUMS`.
public struct VerifyReport: Codable, Sendable, Equatable {
    public var verified: [String]
    /// Listed files whose content differs: name → actual SHA-256.
    public var mismatched: [String: String]
    public var missing: [String]
    /// Files in the directory that SHA256SUMS does not list (console logs are expected).
    public var unlisted: [String]

    public var ok: Bool { mismatched.isEmpty && missing.isEmpty }
}

public enum ArtifactVerifier {
    /// Files sel4img writes beside the outputs after the sums (not covered by them).
    static let unsummed: Set<String> = ["SHA256SUMS", "console.log"]

    /// Checks every file listed in `DIR/SHA256SUMS` (the `sha256sum` format).
    public static func verify(_ directory: URL) throws -> VerifyReport {
        let sumsFile = directory.appendingPathComponent("SHA256SUMS")
        guard let text = try? String(contentsOf: sumsFile, encoding: .utf8) else {
            throw BuildError(.outputMissing, "\(sumsFile.path) does not exist or is not text", hint: "name an artifacts directory written by 'sel4img build'")
        }
        var report = VerifyReport(verified: [], mismatched: [:], missing: [], unlisted: [])
        var listed: Set<String> = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, SHA256Hex.isValid(String(parts[0])), parts[1].hasPrefix(" ") || parts[1].hasPrefix("*") else {
                throw BuildError(.outputMissing, "\(sumsFile.path):\(index + 1): expected '<sha256>  <file>', got '\(line.prefix(80))'")
            }
            let name = String(parts[1].dropFirst())
            guard SafePath.problem(with: name) == nil, !name.contains("/") else {
                throw BuildError(.outputMissing, "\(sumsFile.path):\(index + 1): '\(name)' is not a file name in this directory")
            }
            listed.insert(name)
            let file = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: file.path) else {
                report.missing.append(name)
                continue
            }
            let actual = try SHA256Hex.ofFile(at: file)
            if actual == parts[0] { report.verified.append(name) } else { report.mismatched[name] = actual }
        }
        let present = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        report.unlisted = present.filter { !listed.contains($0) && !unsummed.contains($0) && !$0.hasPrefix(".") }.sorted()
        return report
    }
}
