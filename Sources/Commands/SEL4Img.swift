import ArgumentParser
import Foundation
import Support

/// The root command. Errors from every subcommand end here and are mapped to
/// one line on stderr (plus a hint) and an exit status, in one place.
public struct SEL4Img: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sel4img",
        abstract: "Build seL4 systems from source to bootable, flashable images.",
        discussion: """
            Typical use, from an empty directory:
              sel4img build --board qemu-virt --app sel4test     fetch, patch, configure, build
              sel4img qemu --app sel4test                        boot it and report pass/fail
            or step by step:
              sel4img init --manifest manifests/sel4test.xml      start a workspace
              sel4img sync                                        fetch and check out (writes sel4img.lock)
              sel4img patch apply SET                             apply a verified patch set
            Offline: pass --mirror DIR (or set SEL4IMG_MIRROR) with repositories laid
            out as DIR/HOST/OWNER/NAME.git; 'sel4img bundle' writes such a directory.
            """,
        subcommands: [
            Init.self, Sync.self, Status.self, BundleCommand.self, PatchCommand.self,
            BoardsCommand.self, BlobsCommand.self, DoctorCommand.self, Build.self, QEMU.self, Test.self, VerifyCommand.self,
            DTCommand.self, CPIOCommand.self, FlashCommand.self, WasmCommand.self,
        ]
    )

    public init() {}

    /// Parses, runs, and turns any error into a message and exit status.
    public static func main(_ arguments: [String]? = nil) {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let error as UserFacingError {
            report(error)
            Foundation.exit(error.exitCode)
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            Self.exit(withError: error)
        }
    }

    static func report(_ error: UserFacingError) {
        var text = "error: \(error.description)\n"
        if let hint = error.hint { text += "hint: \(hint)\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// Options nearly every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("The workspace directory (default: $SEL4IMG_WORKSPACE or the current directory).", valueName: "dir"))
    var workspace: String?

    @Option(help: ArgumentHelp("How to show progress: auto (terminal when stderr is one, plain otherwise), terminal, plain, json or quiet.", valueName: "style"))
    var progress: String = "auto"

    @Flag(name: .shortAndLong, help: "Show the output of every tool as it runs.")
    var verbose = false

    var workspaceURL: URL {
        let path = workspace ?? ProcessInfo.processInfo.environment["SEL4IMG_WORKSPACE"] ?? FileManager.default.currentDirectoryPath
        return URL(fileURLWithPath: path).standardizedFileURL
    }

    func reporter() throws -> any ProgressReporter {
        if progress == "auto" { return ProgressStyle.automatic.makeReporter(verbose: verbose) }
        guard let style = ProgressStyle(rawValue: progress) else {
            throw ValidationError("--progress must be one of auto, \(ProgressStyle.allCases.map(\.rawValue).joined(separator: ", ")); got '\(progress)'")
        }
        return style.makeReporter(verbose: verbose)
    }
}

/// Where offline copies come from.
struct MirrorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("An offline mirror laid out as DIR/HOST/OWNER/NAME.git (default: $SEL4IMG_MIRROR).", valueName: "dir"))
    var mirror: String?

    var mirrorURL: URL? {
        (mirror ?? ProcessInfo.processInfo.environment["SEL4IMG_MIRROR"]).map { URL(fileURLWithPath: $0).standardizedFileURL }
    }

    func validate() throws {
        if let url = mirrorURL, !FileManager.default.fileExists(atPath: url.path) {
            throw ValidationError("the mirror directory \(url.path) does not exist")
        }
    }
}

/// Prints a Codable value as JSON on stdout (the `--json` output of state commands).
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
