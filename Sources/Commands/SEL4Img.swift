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
            Typical use, from an empty directory: fetch, patch, configure and build the default app, wasm-vm (seL4 running a Linux guest beside the Swift Wasm runner), with a module in the guest's /wasm; then boot it and run the module from the guest's shell:
              sel4img build --board qemu-virt --wasm examples/hello.wasm
              sel4img qemu --board qemu-virt --script examples/hello.sh

            seL4's own test suite, booted with pass/fail:
              sel4img test --board qemu-virt --app sel4test

            Or step by step: start a workspace, fetch and check out (writes sel4img.lock), apply a verified patch set:
              sel4img init --manifest manifests/sel4test.xml
              sel4img sync
              sel4img patch apply SET

            Offline: pass --mirror DIR (or set SEL4IMG_MIRROR) with repositories laid out as DIR/HOST/OWNER/NAME.git; 'sel4img bundle' writes such a directory.
            """,
        version: BuildInfo.versionLine,
        subcommands: [
            Init.self, Sync.self, Status.self, BundleCommand.self, PatchCommand.self,
            BoardsCommand.self, BlobsCommand.self, DoctorCommand.self, Build.self, QEMU.self, Test.self, VerifyCommand.self, SBOMCommand.self,
            DTCommand.self, CPIOCommand.self, FlashCommand.self, WasmCommand.self,
        ]
    )

    public init() {}

    /// Parses, runs, and turns any error into a message and exit status: the
    /// one place where errors leave the process. A Foundation or POSIX error
    /// is said as ``FileSystemError`` says it. With `--json`, a failure also
    /// prints `{"error": …, "hint": …, "kind": …, "exitCode": …}` on stdout,
    /// so a script gets JSON either way.
    public static func main(_ arguments: [String]? = nil) {
        let arguments = arguments ?? Array(CommandLine.arguments.dropFirst())
        // Until parsing succeeds, --json among the options is the best guess.
        var json = arguments.prefix { $0 != "--" }.contains("--json")
        do {
            var command = try parseAsRoot(arguments)
            json = wantsJSON(command)
            try command.run()
        } catch let exit as ExitCode {
            // The command has said what it had to (a report, JSON included).
            Foundation.exit(exit.rawValue)
        } catch {
            if let failure = Failure(error) {
                report(failure)
                if json { printJSONError(failure) }
                Foundation.exit(failure.exitCode)
            }
            // Help, --version, and usage errors, as swift-argument-parser prints them.
            let status = exitCode(for: error)
            if json, status != .success {
                printJSONError(Failure(message: message(for: error), hint: nil, kind: "usage", exitCode: status.rawValue))
            }
            Self.exit(withError: error)
        }
    }

    /// A failure as it is reported: one message, an optional hint, a kind and an exit status.
    struct Failure: Equatable {
        var message: String
        var hint: String?
        var kind: String?
        var exitCode: Int32

        init(message: String, hint: String?, kind: String?, exitCode: Int32) {
            self.message = message
            self.hint = hint
            self.kind = kind
            self.exitCode = exitCode
        }

        /// Nil for swift-argument-parser's own errors (usage, help), which it reports itself.
        init?(_ error: any Error) {
            if let e = error as? any UserFacingError {
                self.init(message: e.description, hint: e.hint, kind: e.kindName, exitCode: e.exitCode)
            } else if let e = FileSystemError(error) {
                self.init(message: e.description, hint: e.hint, kind: e.kindName, exitCode: e.exitCode)
            } else {
                return nil
            }
        }
    }

    static func report(_ error: UserFacingError) {
        report(Failure(message: error.description, hint: error.hint, kind: nil, exitCode: error.exitCode))
    }

    static func report(_ failure: Failure) {
        var text = "error: \(failure.message)\n"
        // A hint of several lines (an aggregate's, one per failure) gets `hint: ` on each.
        for line in failure.hint?.split(separator: "\n", omittingEmptySubsequences: false) ?? [] { text += "hint: \(line)\n" }
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func printJSONError(_ failure: Failure) {
        var object: [String: Any] = ["error": failure.message, "hint": failure.hint ?? NSNull(), "exitCode": Int(failure.exitCode)]
        if let kind = failure.kind { object["kind"] = kind }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    /// True when the parsed command has a `--json` flag and it was given.
    static func wantsJSON(_ command: any ParsableCommand) -> Bool {
        Mirror(reflecting: command).children.contains { child in
            child.label == "_json" && (child.value as? Flag<Bool>)?.wrappedValue == true
        }
    }
}

/// Options nearly every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("The workspace directory (default: $SEL4IMG_WORKSPACE or the current directory).", valueName: "dir"))
    var workspace: String?

    @OptionGroup var progressOptions: ProgressOptions

    @Flag(name: .shortAndLong, help: "Show the output of every tool as it runs.")
    var verbose = false

    var workspaceURL: URL {
        let path = workspace ?? ProcessInfo.processInfo.environment["SEL4IMG_WORKSPACE"] ?? FileManager.default.currentDirectoryPath
        return URL(fileURLWithPath: path).standardizedFileURL
    }

    func reporter() throws -> any ProgressReporter {
        progressOptions.reporter(verbose: verbose)
    }
}

/// `--progress STYLE`, parsed and checked in one place for every command that shows progress.
struct ProgressOptions: ParsableArguments {
    @Option(help: ArgumentHelp("How to show progress: auto (terminal when stderr is one, plain otherwise), terminal, plain, json or quiet.", valueName: "style"),
            completion: .list(["auto"] + ProgressStyle.allCases.map(\.rawValue)))
    var progress: String = "auto"

    /// The style asked for; nil for `auto`.
    var style: ProgressStyle? { progress == "auto" ? nil : ProgressStyle(rawValue: progress) }

    func validate() throws {
        if progress != "auto", ProgressStyle(rawValue: progress) == nil {
            throw ValidationError("--progress must be one of auto, \(ProgressStyle.allCases.map(\.rawValue).joined(separator: ", ")); got '\(progress)'")
        }
    }

    func reporter(verbose: Bool = false) -> any ProgressReporter {
        (style ?? .automatic).makeReporter(verbose: verbose)
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
