import Foundation
import Support

/// What one check found.
public struct HostCheckResult: Sendable, Equatable, Codable {
    public enum Status: String, Sendable, Equatable, Codable {
        case found
        case missing
        /// Found, but older than `HostCheck.minimumVersion`.
        case tooOld = "too-old"
    }

    public var name: String
    public var required: Bool
    public var status: Status
    /// Where the program is, for programs that were found.
    public var path: String?
    /// The version it reported, when it reports one.
    public var version: String?
    public var minimumVersion: String?
    public var purpose: String
    public var provider: HostCheck.Provider

    public var isOK: Bool { status == .found }

    /// The one-sentence problem, or nil when the check passed:
    /// "Could not find 'X', which is required to …. Install it with: …".
    public var problem: String? {
        switch status {
        case .found:
            return nil
        case .missing:
            return "Could not find '\(name)', which is \(required ? "required" : "needed") to \(purpose). Install it with: \(provider.installCommand)"
        case .tooOld:
            return "'\(name)' is version \(version ?? "?"), but \(minimumVersion ?? "a newer one") or newer is \(required ? "required" : "needed") to \(purpose). Install it with: \(provider.installCommand)"
        }
    }
}

/// Everything `sel4img doctor` found; `Codable` for `--json`.
public struct DoctorReport: Sendable, Equatable, Codable {
    public var results: [HostCheckResult]

    public init(results: [HostCheckResult]) {
        self.results = results
    }

    /// Required tools that are missing or too old.
    public var missingRequired: [HostCheckResult] { results.filter { $0.required && !$0.isOK } }
    /// Optional tools that are missing or too old.
    public var missingOptional: [HostCheckResult] { results.filter { !$0.required && !$0.isOK } }
    /// Whether a build can start.
    public var isReady: Bool { missingRequired.isEmpty }

    /// The install commands that fix everything missing, one per package.
    public var installCommands: [String] {
        var seen: [String] = []
        for result in results where !result.isOK && !seen.contains(result.provider.installCommand) {
            seen.append(result.provider.installCommand)
        }
        return seen
    }

    enum CodingKeys: String, CodingKey { case results, missingRequired, ready }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        results = try container.decode([HostCheckResult].self, forKey: .results)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(results, forKey: .results)
        try container.encode(missingRequired.map(\.name), forKey: .missingRequired)
        try container.encode(isReady, forKey: .ready)
    }
}

/// Host tools that a build needs but are not there.
public struct DoctorError: UserFacingError, Equatable {
    public var problems: [HostCheckResult]

    public init(problems: [HostCheckResult]) {
        self.problems = problems
    }

    public var message: String {
        let suffix = "(run 'sel4img doctor' for a full check)"
        if problems.count == 1, let problem = problems[0].problem {
            return problem + " " + suffix
        }
        return (problems.compactMap(\.problem) + [suffix]).joined(separator: "\n")
    }
}

/// Checks the host for the tools seL4's build needs.
public enum Doctor {
    /// Runs `checks` (the standard list by default). `path` replaces PATH for
    /// finding programs (and the `python3` that imports modules).
    public static func run(runner: ProcessRunner = ProcessRunner(), checks: [HostCheck] = HostCheck.standard,
                           path: String? = ProcessInfo.processInfo.environment["PATH"]) -> DoctorReport {
        var results: [HostCheckResult] = []
        let modules = checks.compactMap { check -> String? in
            if case .pythonModule(let module) = check.target { return module }
            return nil
        }
        let python = modules.isEmpty ? [:] : importModules(modules, runner: runner, path: path)
        for check in checks {
            switch check.target {
            case .program(let program):
                results.append(checkProgram(check, program: program, runner: runner, path: path))
            case .pythonModule(let module):
                let found = python[module]
                results.append(HostCheckResult(
                    name: check.name, required: check.required, status: found == nil ? .missing : .found,
                    path: nil, version: found.flatMap { $0.isEmpty ? nil : $0 }, minimumVersion: nil,
                    purpose: check.purpose, provider: check.provider))
            }
        }
        return DoctorReport(results: results)
    }

    /// Throws `DoctorError` unless every named tool is present (and new
    /// enough). Names are `HostCheck.name`s from `checks`; a name with no
    /// check is looked for as a program on PATH.
    public static func require(_ names: [String], runner: ProcessRunner = ProcessRunner(),
                               checks: [HostCheck] = HostCheck.standard,
                               path: String? = ProcessInfo.processInfo.environment["PATH"]) throws {
        let selected = names.map { name in
            var check = checks.first { $0.name == name }
                ?? HostCheck(name: name, target: .program(name), required: true, purpose: "build with sel4img",
                             provider: .init(.apt, name))
            check.required = true
            // A pre-flight check needs presence; a version only where a minimum is set.
            if check.minimumVersion == nil { check.versionArguments = nil }
            return check
        }
        let report = run(runner: runner, checks: selected, path: path)
        let problems = report.results.filter { !$0.isOK }
        if !problems.isEmpty { throw DoctorError(problems: problems) }
    }

    // MARK: Programs

    static func checkProgram(_ check: HostCheck, program: String, runner: ProcessRunner, path: String?) -> HostCheckResult {
        var result = HostCheckResult(name: check.name, required: check.required, status: .missing, path: nil,
                                     version: nil, minimumVersion: check.minimumVersion, purpose: check.purpose,
                                     provider: check.provider)
        guard let location = ProcessRunner.which(program, path: path) else { return result }
        result.status = .found
        result.path = location.path
        if let arguments = check.versionArguments,
           let output = try? runner.run([location.path] + arguments, environment: environment(path: path), check: false).output {
            result.version = firstVersion(in: output)
        }
        if let minimum = check.minimumVersion {
            if let version = result.version, compareVersions(version, minimum) == .orderedAscending {
                result.status = .tooOld
            }
        }
        return result
    }

    /// The first dotted version number (`3.25.1`, `1.11.1`, `2023.01`) in text.
    public static func firstVersion(in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: #"(?<![\w.])(\d+(?:\.\d+)+)"#),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }

    /// Compares dotted versions numerically (`3.9` < `3.16`); missing parts count as 0.
    public static func compareVersions(_ a: String, _ b: String) -> ComparisonResult {
        let left = a.split(separator: ".").map { Int($0) ?? 0 }
        let right = b.split(separator: ".").map { Int($0) ?? 0 }
        for index in 0..<max(left.count, right.count) {
            let (x, y) = (index < left.count ? left[index] : 0, index < right.count ? right[index] : 0)
            if x != y { return x < y ? .orderedAscending : .orderedDescending }
        }
        return .orderedSame
    }

    // MARK: Python

    /// Imports each module in one `python3` run; returns the modules that
    /// imported, with their `__version__` (empty when they have none).
    static func importModules(_ modules: [String], runner: ProcessRunner, path: String?) -> [String: String] {
        let script = """
            import importlib, sys
            for name in sys.argv[1:]:
                try:
                    module = importlib.import_module(name)
                except Exception:
                    continue
                print("ok\\t%s\\t%s" % (name, getattr(module, "__version__", "")))
            """
        guard ProcessRunner.which("python3", path: path) != nil,
              let output = try? runner.run(["python3", "-c", script] + modules,
                                           environment: environment(path: path), check: false).output
        else { return [:] }
        var found: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            if fields.count == 3, fields[0] == "ok" { found[fields[1]] = fields[2] }
        }
        return found
    }

    static func environment(path: String?) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if let path { environment["PATH"] = path }
        return environment
    }
}
