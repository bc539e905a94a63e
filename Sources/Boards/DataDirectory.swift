import Foundation
import Support

/// Finds the directory whose `boards/`, `apps/`, `manifests/` and `patches/`
/// (and the app sources under `runner/` and `Sources/`) sel4img builds from:
/// an installed copy (`PREFIX/share/sel4img` beside `PREFIX/bin/sel4img`) or
/// the checkout the binary was built in.
public enum DataDirectory {
    /// The environment variable that names the data directory outright.
    public static let environmentVariable = "SEL4IMG_DATA_DIR"

    /// Where `scripts/install.sh PREFIX` puts the data, relative to PREFIX.
    public static let installedPath = "share/sel4img"

    /// Where a search looked, in order, and what it found.
    public struct Search: Sendable, Equatable {
        public var found: URL?
        /// One line per place looked, e.g. `/opt/x/share/sel4img (installed beside /opt/x/bin/sel4img)`.
        public var looked: [String] = []
    }

    /// `search()`'s result.
    public static func locate() -> URL? { search().found }

    /// In order: `$SEL4IMG_DATA_DIR` (taken as given, so a wrong value shows
    /// up as an error rather than silently falling back); for each path of
    /// the running executable, `../share/sel4img` beside its directory (as
    /// invoked, then with symlinks resolved) and the nearest directory above
    /// it holding `boards/`, `apps/` and `manifests/` (a checkout, so
    /// `.build/debug/sel4img` finds its own); then the same upward search
    /// from the current directory.
    public static func search() -> Search {
        var executables: [URL] = []
        if let url = Bundle.main.executableURL { executables.append(url) }
        if let argument = CommandLine.arguments.first, let url = resolveCommand(argument) { executables.append(url) }
        return search(
            environment: ProcessInfo.processInfo.environment,
            executables: executables,
            currentDirectory: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    }

    /// `locate()` with its inputs given, for tests.
    public static func locate(environment: [String: String], executables: [URL], currentDirectory: URL) -> URL? {
        search(environment: environment, executables: executables, currentDirectory: currentDirectory).found
    }

    /// `search()` with its inputs given, for tests.
    public static func search(environment: [String: String], executables: [URL], currentDirectory: URL) -> Search {
        var result = Search()
        if let given = environment[environmentVariable], !given.isEmpty {
            result.found = URL(fileURLWithPath: given, relativeTo: currentDirectory).standardizedFileURL
            return result
        }
        var seen: Set<String> = []
        for executable in executables {
            for path in [executable.standardizedFileURL, executable.resolvingSymlinksInPath()] where seen.insert(path.path).inserted {
                let installed = path.deletingLastPathComponent().deletingLastPathComponent()
                    .appendingPathComponent(installedPath).standardizedFileURL
                result.looked.append("\(installed.path) (installed beside \(path.path))")
                if isDataDirectory(installed) {
                    result.found = installed
                    return result
                }
            }
            let resolved = executable.resolvingSymlinksInPath().deletingLastPathComponent()
            guard seen.insert(resolved.path + "/").inserted else { continue }
            result.looked.append("\(resolved.path) and the directories above it (a checkout)")
            if let found = searchUpward(from: resolved) {
                result.found = found
                return result
            }
        }
        let current = currentDirectory.standardizedFileURL
        result.looked.append("\(current.path) and the directories above it (the current directory)")
        result.found = searchUpward(from: current)
        return result
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
