import Foundation
import Support

/// Finds the sel4img checkout whose `boards/`, `apps/` and `manifests/`
/// directories hold the definitions sel4img builds from.
public enum DataDirectory {
    /// The environment variable that names the data directory outright.
    public static let environmentVariable = "SEL4IMG_DATA_DIR"

    /// In order: `$SEL4IMG_DATA_DIR` (taken as given, so a wrong value shows
    /// up as an error rather than silently falling back); the nearest
    /// directory holding `boards/`, `apps/` and `manifests/` above the
    /// running executable (symlinks resolved, so `.build/debug/sel4img` finds
    /// its checkout); then the same search from the current directory.
    public static func locate() -> URL? {
        var executables: [URL] = []
        if let url = Bundle.main.executableURL { executables.append(url) }
        if let argument = CommandLine.arguments.first, let url = resolveCommand(argument) { executables.append(url) }
        return locate(
            environment: ProcessInfo.processInfo.environment,
            executables: executables,
            currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    }

    /// `locate()` with its inputs given, for tests.
    public static func locate(environment: [String: String], executables: [URL], currentDirectory: URL) -> URL? {
        if let given = environment[environmentVariable], !given.isEmpty {
            return URL(fileURLWithPath: given, relativeTo: currentDirectory).standardizedFileURL
        }
        for executable in executables {
            let resolved = executable.resolvingSymlinksInPath()
            if let found = searchUpward(from: resolved.deletingLastPathComponent()) { return found }
        }
        return searchUpward(from: currentDirectory.standardizedFileURL)
    }

    /// Whether `directory` holds `boards/`, `apps/` and `manifests/`.
    public static func isDataDirectory(_ directory: URL) -> Bool {
        ["boards", "apps", "manifests"].allSatisfy {
            FileManager.default.isDirectory(directory.appendingPathComponent($0))
        }
    }

    static func searchUpward(from start: URL) -> URL? {
        var directory = start.standardizedFileURL
        while true {
            if isDataDirectory(directory) { return directory }
            let parent = directory.deletingLastPathComponent().standardizedFileURL
            if parent.path == directory.path { return nil }
            directory = parent
        }
    }

    /// `argv[0]` as a file: a path as given (relative to the current
    /// directory), or a bare name looked up on PATH.
    static func resolveCommand(_ argument: String) -> URL? {
        if argument.isEmpty { return nil }
        if argument.contains("/") {
            return URL(fileURLWithPath: argument).standardizedFileURL
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(argument)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}
