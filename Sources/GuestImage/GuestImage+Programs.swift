import Boards
import Foundation
import Support

extension GuestImage {
    /// The Debian packages that provide the compiler and the C library it links statically.
    public static let compilerPackages = "gcc-aarch64-linux-gnu libc6-dev-arm64-cross"

    /// The command line that compiles one program into `output`: a static,
    /// stripped aarch64 Linux binary. Run in the checkout with the sources
    /// relative to it; `-ffile-prefix-map` maps the checkout to `.` in what
    /// the compiler records, so the bytes do not depend on where it lives.
    public func compileArguments(_ program: App.Guest.Program, output: URL) -> [String] {
        [compiler, "-static", "-Os", "-Wall", "-Werror", "-s", "-ffile-prefix-map=\(repository.path)=.", "-o", output.path]
            + program.sources
    }

    /// Compiles every program; returns its guest path and bytes, in file order.
    func compilePrograms(progress: any ProgressReporter) throws -> [(path: String, bytes: Data)] {
        guard !guest.programs.isEmpty else { return [] }
        let fm = FileManager.default
        let work = fm.temporaryDirectory.appendingPathComponent("sel4img-guest-\(UUID().uuidString.prefix(8))")
        do {
            try fm.createDirectory(at: work, withIntermediateDirectories: true)
        } catch {
            throw GuestImageError(.io, "cannot create a temporary directory \(work.path): \(error.localizedDescription)")
        }
        defer { try? fm.removeItem(at: work) }
        var results: [(path: String, bytes: Data)] = []
        for (index, program) in guest.programs.enumerated() {
            progress.update("guest", "compiling \(program.path) from \(program.sources.joined(separator: ", "))")
            let output = work.appendingPathComponent("program-\(index)")
            try compile(program, output: output)
            do {
                results.append((program.path, try Data(contentsOf: output)))
            } catch {
                throw self.error(.io, "guest.programs.\(program.path)", "cannot read the compiled program \(output.path): \(error.localizedDescription)")
            }
        }
        return results
    }

    /// Runs the compiler for one program, turning its failure into a message
    /// with the compiler's own output.
    func compile(_ program: App.Guest.Program, output: URL) throws {
        let key = "guest.programs.\(program.path)"
        let sources = program.sources.joined(separator: ", ")
        // The C locale keeps diagnostics in ASCII; the epoch pins __DATE__ and __TIME__.
        let environment = ["LC_ALL": "C", "SOURCE_DATE_EPOCH": String(timestamp)]
        do {
            try runner.run(compileArguments(program, output: output), in: repository, environment: environment, tailLines: 80)
        } catch let failure as ProcessError {
            switch failure.ending {
            case .notFound:
                throw GuestImageError(.compilerMissing,
                    "Could not find '\(compiler)', which is required to compile the guest's programs (\(key) in \(appFile))",
                    hint: "install it with: apt-get install \(Self.compilerPackages)")
            case .exit(let status), .signal(let status):
                let output = failure.tail.map { "  | " + $0 }.joined(separator: "\n")
                let missingLibrary = failure.tail.contains { line in
                    (line.contains("fatal error:") && line.contains("No such file or directory") && line.contains(".h"))
                        || line.contains("cannot find -lc")
                }
                let how = failure.ending == .signal(status) ? "was killed by signal \(status)" : "exited with status \(status)"
                throw error(.compileFailed, key,
                            "cannot compile \(program.path) for the guest from \(sources) (\(compiler) \(how)):\n\(output)",
                            hint: missingLibrary
                                ? "the aarch64 C library may be missing; install it with: apt-get install \(Self.compilerPackages)"
                                : "the command was, in \(repository.path): \(failure.commandLine)")
            }
        }
    }
}
