import Foundation
import Support

/// How seL4's CMake is configured for one build: what `init-build.sh` would
/// run, with the settings it would pass as `-D`.
public struct CMakeInvocation: Sendable, Equatable, Codable {
    /// The CMake source directory (the project holding settings.cmake).
    public var sourceDirectory: String
    /// The initial-cache script passed with `-C`.
    public var settingsFile: String
    /// A toolchain file, when the workspace has a top-level CMakeLists.txt.
    public var toolchainFile: String?
    /// Cache definitions, passed as `-DKEY=VALUE` in key order.
    public var definitions: [String: String]
    /// Compiler flags given through CFLAGS/CXXFLAGS/ASMFLAGS on a fresh configure.
    /// Compilers record absolute source paths (assert messages, debug info);
    /// mapping the workspace to "." lets builds in different directories give
    /// the same bytes.
    public var compilerFlags: String
    /// With a compiler cache: the directory of links named like the cross
    /// compiler that run ccache. It goes first on PATH while CMake looks for
    /// the compiler, and `-DCCACHE=` stops seL4's gcc.cmake from also putting
    /// ccache in front of every compile (which would hash ccache, not gcc).
    /// Nil without a cache, and then left out of the fingerprint.
    public var compilerCacheLinks: String?
    /// With a compiler cache: seL4's memoize store (`SEL4_CACHE_DIR`, see
    /// `CompilerCache.memoizeDirectory`). Nil keeps it in the workspace
    /// (`.sel4img/cmake-cache`), and is then left out of the fingerprint.
    public var memoizeDirectory: String?

    public init(sourceDirectory: String, settingsFile: String, toolchainFile: String?, definitions: [String: String], compilerFlags: String = "",
                compilerCacheLinks: String? = nil) {
        self.sourceDirectory = sourceDirectory
        self.settingsFile = settingsFile
        self.toolchainFile = toolchainFile
        self.definitions = definitions
        self.compilerFlags = compilerFlags
        self.compilerCacheLinks = compilerCacheLinks
    }

    /// Finds the CMake project the way `init-build.sh` does: a top-level
    /// `CMakeLists.txt` in the workspace (with `kernel/gcc.cmake` as toolchain),
    /// else the directory `easy-settings.cmake` links into.
    /// `buildDirectory` (inside the workspace) sets the compiler's path maps
    /// (see `BuildPaths.prefixMapFlags`).
    public static func locate(workspace root: URL, buildDirectory: URL, definitions: [String: String]) throws -> CMakeInvocation {
        let fm = FileManager.default
        let prefixMap = BuildPaths.prefixMapFlags(workspace: root, buildDirectory: buildDirectory)
        if fm.fileExists(atPath: root.appendingPathComponent("CMakeLists.txt").path) {
            return CMakeInvocation(
                sourceDirectory: root.path, settingsFile: root.appendingPathComponent("settings.cmake").path,
                toolchainFile: root.appendingPathComponent("kernel/gcc.cmake").path, definitions: definitions,
                compilerFlags: prefixMap)
        }
        let easy = root.appendingPathComponent("easy-settings.cmake")
        guard fm.fileExists(atPath: easy.path) else {
            throw BuildError(.noCMakeProject, "\(root.path) has neither CMakeLists.txt nor easy-settings.cmake, so there is no seL4 CMake project to configure",
                             hint: "sync the workspace first ('sel4img sync'); the app's manifest links easy-settings.cmake")
        }
        let project = easy.resolvingSymlinksInPath().deletingLastPathComponent()
        guard project.isBelow(root) else {
            throw BuildError(.noCMakeProject, "easy-settings.cmake in \(root.path) points outside the workspace (\(project.path))")
        }
        return CMakeInvocation(sourceDirectory: project.path, settingsFile: project.appendingPathComponent("settings.cmake").path,
                               toolchainFile: nil, definitions: definitions, compilerFlags: prefixMap)
    }

    /// The command line, run in the build directory. seL4's memoize store
    /// (`SEL4_CACHE_DIR`) is `memoizeDirectory`, else the workspace's `cacheDirectory`.
    public func arguments(cacheDirectory: URL) -> [String] {
        var args = ["cmake"]
        if let toolchainFile { args.append("-DCMAKE_TOOLCHAIN_FILE=\(toolchainFile)") }
        args += ["-G", "Ninja"]
        args += definitions.keys.sorted().map { "-D\($0)=\(definitions[$0]!)" }
        if compilerCacheLinks != nil { args.append("-DCCACHE=") }
        args += ["-DSEL4_CACHE_DIR=\(memoizeDirectory ?? cacheDirectory.path)", "-C", settingsFile, sourceDirectory]
        return args
    }

    /// A hash of everything that, when changed, needs a fresh configure.
    public var fingerprint: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return SHA256Hex.of((try? encoder.encode(self)) ?? Data())
    }
}

/// What the build directory was last configured with.
struct ConfigureStamp: Codable, Equatable {
    var fingerprint: String
    var invocation: CMakeInvocation
}

/// Whether to run CMake before Ninja, and why.
public enum ConfigureDecision: Sendable, Equatable {
    case reuse
    case fresh(reason: String)

    /// Configures afresh when there is no complete previous configure or when
    /// any setting changed: seL4's settings (PLATFORM, KernelSel4Arch) cannot be
    /// changed reliably in an existing cache, so the directory starts over.
    /// Source changes (a patch) need no configure: Ninja rebuilds what depends on them.
    static func decide(previous: ConfigureStamp?, current: CMakeInvocation, buildNinjaExists: Bool) -> ConfigureDecision {
        guard let previous, buildNinjaExists else { return .fresh(reason: "not configured yet") }
        guard previous.fingerprint == current.fingerprint else {
            let old = previous.invocation.definitions, new = current.definitions
            let changed = Set(old.keys).union(new.keys).sorted().filter { old[$0] != new[$0] }
            if changed.isEmpty {
                if (previous.invocation.compilerCacheLinks == nil) != (current.compilerCacheLinks == nil) {
                    return .fresh(reason: current.compilerCacheLinks == nil ? "the compiler cache was turned off" : "the compiler cache was turned on")
                }
                if previous.invocation.memoizeDirectory != current.memoizeDirectory {
                    return .fresh(reason: "seL4's memoize store moved to \(current.memoizeDirectory ?? "the workspace")")
                }
                return .fresh(reason: "the CMake project, settings file or compiler flags changed")
            }
            return .fresh(reason: "settings changed: " + changed.map { "\($0) \(old[$0] ?? "(unset)") → \(new[$0] ?? "(unset)")" }.joined(separator: ", "))
        }
        return .reuse
    }
}
