import Foundation
import Support

/// A U-Boot script (`boot.scr`) made with U-Boot's own `mkimage`, which
/// stamps the image with SOURCE_DATE_EPOCH so the bytes repeat.
public struct BootScript: Sendable, Equatable {
    public var commands: [String]

    public init(commands: [String]) {
        self.commands = commands
    }

    /// Load the seL4 image from `partition` (U-Boot's `INTERFACE DEV:PART`)
    /// and start it the way its format needs: `bootm` for a uImage (U-Boot
    /// turns caches and the MMU off and passes the DTB in x0, as seL4's
    /// elfloader expects), `go` for a flat binary (as seL4's own Raspberry Pi
    /// and Jetson instructions do: the elfloader cleans and turns off the data
    /// cache itself), `bootefi` for an EFI application. Only commands every
    /// U-Boot we boot from has: `echo`, `load`, `bootm`, `go`, `bootefi`
    /// (Debian's rpi_arm64 build has no `dcache`; BootScriptUBootTests checks
    /// each board's script against its U-Boot's own `help`).
    public static func sel4(imageFile: String, format: String, loadAddress: UInt64, partition: String) -> BootScript {
        let addr = String(format: "0x%llx", loadAddress)
        var commands = ["echo sel4img: loading \(imageFile) from \(partition) to \(addr)",
                        "load \(partition) \(addr) \(imageFile)"]
        switch format {
        case "uimage": commands.append("bootm \(addr) - ${fdtcontroladdr}")
        case "efi": commands.append("bootefi \(addr) ${fdtcontroladdr}")
        default: commands.append("go \(addr)")
        }
        commands.append("echo sel4img: starting seL4 failed")
        return BootScript(commands: commands)
    }

    /// The U-Boot commands the script runs (each line's first word).
    public var commandNames: [String] {
        commands.compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    public var source: String { commands.joined(separator: "\n") + "\n" }

    /// Compiles the script with `mkimage -A arm64 -T script -C none`.
    public func compile(to output: URL, sourceDateEpoch: Int64, runner: ProcessRunner = ProcessRunner()) throws {
        let fm = FileManager.default
        let source = output.deletingPathExtension().appendingPathExtension("cmd")
        try fm.writeAtomically(Data(self.source.utf8), to: source)
        var env = runner
        env.environment["SOURCE_DATE_EPOCH"] = String(sourceDateEpoch)
        try env.run(["mkimage", "-A", "arm64", "-O", "linux", "-T", "script", "-C", "none", "-n", "sel4img boot script",
                     "-d", source.path, output.path])
    }
}
