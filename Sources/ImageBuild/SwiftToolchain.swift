import Foundation
import Support

/// A Swift toolchain that compiles Embedded Swift for aarch64-none-none-elf,
/// for apps whose CMake project compiles Swift (`App.Sources.swiftModules`).
public struct SwiftToolchain: Sendable, Equatable {
    /// The toolchain's root: `root/usr/bin/swiftc`.
    public var root: URL

    public static let environmentVariable = "SEL4IMG_SWIFT_TOOLCHAIN"

    public var swiftc: URL { root.appendingPathComponent("usr/bin/swiftc") }
    var embeddedLibraries: URL { root.appendingPathComponent("usr/lib/swift/embedded/aarch64-none-none-elf") }

    /// $SEL4IMG_SWIFT_TOOLCHAIN, else the toolchain of the `swiftc` on PATH.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SwiftToolchain {
        let root: URL
        if let given = environment[environmentVariable], !given.isEmpty {
            root = URL(fileURLWithPath: given).standardizedFileURL
        } else if let swiftc = ProcessRunner.which("swiftc", path: environment["PATH"]) {
            // .../usr/bin/swiftc (often through a link) → ...
            root = swiftc.resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        } else {
            throw BuildError(.configureFailed, "Could not find 'swiftc', which is required to compile this app's Swift code as Embedded Swift",
                             hint: "install a Swift 6 toolchain from swift.org and put its usr/bin on PATH, or set \(environmentVariable) to its root")
        }
        let toolchain = SwiftToolchain(root: root)
        let fm = FileManager.default
        for (needed, what) in [(toolchain.swiftc, "swiftc"), (toolchain.root.appendingPathComponent("usr/bin/ld.lld"), "ld.lld"),
                               (toolchain.embeddedLibraries.appendingPathComponent("libswiftUnicodeDataTables.a"), "Embedded Swift for aarch64-none-none-elf")] {
            guard fm.fileExists(atPath: needed.path) else {
                throw BuildError(.configureFailed, "the Swift toolchain at \(root.path) has no \(what) (\(needed.path)), which is required to compile this app's Swift code as Embedded Swift",
                                 hint: "use a swift.org toolchain (Swift 6 or later), or set \(environmentVariable) to one")
            }
        }
        return toolchain
    }

    /// The first line of `swiftc --version`, for provenance.
    public func version(runner: ProcessRunner = ProcessRunner()) -> String {
        let output = (try? runner.run([swiftc.path, "--version"], check: false).output) ?? ""
        return output.split(separator: "\n").first.map(String.init) ?? "unknown"
    }
}
