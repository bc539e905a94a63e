import Foundation

/// The per-user caches every workspace shares (boot blobs, compiled Wasm modules): the directory
/// an environment variable names, else `$XDG_CACHE_HOME/sel4img/NAME` (only when absolute, as
/// the XDG base-directory spec asks), else `~/.cache/sel4img/NAME`.
public enum UserCache {
    public static func directory(_ name: String, overriddenBy variable: String,
                                 environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let given = environment[variable], !given.isEmpty {
            return URL(fileURLWithPath: given).standardizedFileURL
        }
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg).appendingPathComponent("sel4img/\(name)")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".cache/sel4img/\(name)")
    }
}
