import Foundation
import Support

/// Why a boot could not start. Each message names the thing that is wrong and
/// what to do about it.
public enum EmulatorError: UserFacingError, Equatable {
    /// The QEMU program is not on PATH (or the given path is not executable).
    case qemuNotFound(binary: String)
    /// QEMU exists but the system refused to start it.
    case cannotStart(binary: String, reason: String)
    /// The image to boot does not exist: it has not been built yet.
    case bootImageMissing(path: String, target: BootTarget)
    /// The firmware given with `-bios` (U-Boot) does not exist.
    case firmwareMissing(path: String)
    /// QEMU is older than the board's machine needs.
    case qemuTooOld(binary: String, version: String, minimum: String, machine: String, board: String)
    /// A console pattern given on the command line is not a regular expression.
    case invalidPattern(pattern: String, option: String)
    /// A console pattern is empty and would match every line.
    case emptyPattern(option: String)
    /// A timeout that is not a positive number of seconds.
    case invalidTimeout(seconds: Double)
    /// A `--script` file that cannot be read.
    case scriptUnreadable(file: String, reason: String)
    /// A `--script` file with bad lines (each problem is `FILE:LINE: …`) or no commands.
    case invalidScript(problems: [String])

    public var message: String {
        switch self {
        case .qemuNotFound(let binary):
            return "Could not find '\(binary)', which is required to boot seL4 systems in QEMU. "
                + "Install it with: apt-get install qemu-system-arm"
        case .cannotStart(let binary, let reason):
            return "Could not start '\(binary)': \(reason)."
        case .bootImageMissing(let path, let target):
            return "The boot image \(path) does not exist. Run '\(target.buildCommand)' first."
        case .firmwareMissing(let path):
            return "The boot firmware \(path) does not exist. "
                + "Debian's U-Boot for QEMU is installed with: apt-get install u-boot-qemu"
        case .qemuTooOld(let binary, let version, let minimum, let machine, let board):
            return "'\(binary)' is QEMU \(version), but QEMU's \(machine) machine (board \(board)) needs \(minimum) or newer. "
                + "Install it with: apt-get install -t bookworm-backports qemu-system-arm (scripts/setup.sh adds bookworm-backports to APT's sources)"
        case .invalidPattern(let pattern, let option):
            return "The \(option) pattern '\(pattern)' is not a valid regular expression."
        case .emptyPattern(let option):
            return "The \(option) pattern is empty; it would match every console line."
        case .invalidTimeout(let seconds):
            return "The timeout must be a positive number of seconds, not \(seconds)."
        case .scriptUnreadable(let file, let reason):
            return "\(file): cannot read the script: \(reason)"
        case .invalidScript(let problems):
            return problems.joined(separator: "\n")
        }
    }

    public var hint: String? {
        switch self {
        case .invalidPattern:
            return "Patterns are ICU regular expressions; write \\( \\[ \\. \\* to match those characters literally."
        case .invalidScript:
            return "A script has one shell command per line; '#' starts a comment line, and a trailing '#=> N' gives the exit status N (0-255) a command must have instead of 0."
        default:
            return nil
        }
    }
}
