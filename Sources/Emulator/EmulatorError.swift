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
    /// A console pattern given on the command line is not a regular expression.
    case invalidPattern(pattern: String, option: String)
    /// A console pattern is empty and would match every line.
    case emptyPattern(option: String)
    /// A timeout that is not a positive number of seconds.
    case invalidTimeout(seconds: Double)

    public var description: String {
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
        case .invalidPattern(let pattern, let option):
            return "The \(option) pattern '\(pattern)' is not a valid regular expression."
        case .emptyPattern(let option):
            return "The \(option) pattern is empty; it would match every console line."
        case .invalidTimeout(let seconds):
            return "The timeout must be a positive number of seconds, not \(seconds)."
        }
    }

    public var hint: String? {
        switch self {
        case .invalidPattern:
            return "Patterns are ICU regular expressions; write \\( \\[ \\. \\* to match those characters literally."
        default:
            return nil
        }
    }
}
