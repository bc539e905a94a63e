import Foundation

/// Where sel4img looks at the running system: `/sys` for disks, `/proc` for
/// mounts and swap, `/dev` for device nodes. Tests point it at a directory
/// laid out the same way, so every refusal can be checked without a real disk.
///
/// In a root other than the host's, a regular file `DEV/NAME` stands in for a
/// block device when `SYS/class/block/NAME/dev` exists (it holds "MAJ:MIN",
/// as in the real sysfs); the disk is then found, as on a real system,
/// through `SYS/dev/block/MAJ:MIN`.
public struct SystemRoot: Sendable, Equatable {
    public var sys: URL
    public var proc: URL
    public var dev: URL

    public init(
        sys: URL = URL(fileURLWithPath: "/sys"),
        proc: URL = URL(fileURLWithPath: "/proc"),
        dev: URL = URL(fileURLWithPath: "/dev")
    ) {
        self.sys = sys
        self.proc = proc
        self.dev = dev
    }

    /// `DIR/sys`, `DIR/proc` and `DIR/dev`.
    public init(directory: URL) {
        self.init(sys: directory.appendingPathComponent("sys"), proc: directory.appendingPathComponent("proc"),
                  dev: directory.appendingPathComponent("dev"))
    }

    /// The running system's own `/sys`, `/proc` and `/dev`.
    public static let host = SystemRoot()

    /// True for the running system's root; false for a test's stand-in.
    public var isHost: Bool { sys.path == "/sys" && proc.path == "/proc" && dev.path == "/dev" }

    /// The first line of a file under this root, trimmed, or nil when it is missing or empty.
    func firstLine(_ url: URL) -> String? {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return nil }
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Maps a path as the system names it ("/dev/sdb1") to this root's copy.
    func local(_ systemPath: String) -> URL? {
        guard systemPath.hasPrefix("/dev/") else { return nil }
        return dev.appendingPathComponent(String(systemPath.dropFirst("/dev/".count)))
    }

    /// The kernel name ("sdb1", "dm-0") of a device path from /proc/mounts or
    /// /proc/swaps, following symlinks such as /dev/mapper/… or /dev/disk/by-uuid/….
    func kernelName(ofDevicePath systemPath: String) -> String? {
        guard let local = local(systemPath) else { return nil }
        let resolved = local.resolvingSymlinksInPath()
        let devBase = dev.resolvingSymlinksInPath().path
        guard resolved.path.hasPrefix(devBase + "/") else { return nil }
        return resolved.lastPathComponent
    }
}
