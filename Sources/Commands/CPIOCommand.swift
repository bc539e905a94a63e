import ArgumentParser
import CPIO
import Foundation
import Support

struct CPIOCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cpio",
        abstract: "Create, list, extract and overlay reproducible newc CPIO archives (initramfs, guest root file systems).",
        discussion: """
            Archives are written the same, byte for byte, from the same inputs: entries in path order, owner root, inode numbers 1, 2, 3…, every time set to $SOURCE_DATE_EPOCH (0 when unset), gzip without timestamp or name. A name ending in .gz gets gzip compression.
              sel4img cpio create rootfs.cpio.gz --dir rootfs --device c:5:1:/dev/console
              sel4img cpio list rootfs.cpio.gz
              sel4img cpio overlay rootfs.cpio.gz new.cpio.gz --add build/app:/usr/bin/app
              sel4img cpio extract rootfs.cpio.gz -C /tmp/rootfs
            """,
        subcommands: [Create.self, List.self, Extract.self, Overlay.self]
    )

    /// The write options: compression from the output name, time from SOURCE_DATE_EPOCH.
    static func writeOptions(for output: URL) throws -> CPIOWriteOptions {
        CPIOWriteOptions(compression: CPIOCompression(forOutput: output),
                         timestamp: try CPIOWriteOptions.timestamp(fromEnvironment: ProcessInfo.processInfo.environment))
    }

    static func url(_ path: String) -> URL { URL(fileURLWithPath: path).standardizedFileURL }

    static func wrote(_ output: URL, _ archive: CPIOArchive, _ extra: String = "") throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? Int) ?? 0
        print("wrote \(output.path): \(archive.entries.count) entries, \(size) bytes\(extra), sha256 \(try SHA256Hex.ofFile(at: output))")
    }

    /// What to lay into an archive, shared by `create` and `overlay`.
    struct Additions: ParsableArguments {
        @Option(name: .customLong("add"), help: ArgumentHelp("Put a host file, symlink or directory tree at DEST in the archive, e.g. build/init:/init. Repeatable.", valueName: "src:dest"))
        var additions: [String] = []

        @Option(name: .customLong("mkdir"), help: ArgumentHelp("Create an empty directory (mode 0755), e.g. /proc. Repeatable.", valueName: "path"))
        var directories: [String] = []

        @Option(name: .customLong("symlink"), help: ArgumentHelp("Create a symlink PATH pointing to TARGET, e.g. busybox:/bin/sh. Repeatable.", valueName: "target:path"))
        var symlinks: [String] = []

        @Option(name: .customLong("device"), help: ArgumentHelp("Create a device node or FIFO without root: c:5:1:/dev/console, b:7:0:/dev/loop0, p:/run/fifo, with an optional :MODE (octal). Repeatable.", valueName: "spec"))
        var devices: [String] = []

        var isEmpty: Bool { additions.isEmpty && directories.isEmpty && symlinks.isEmpty && devices.isEmpty }

        /// Parses every value; errors become usage errors naming the option.
        func edits(removals: [String] = []) throws -> CPIOEdits {
            let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            do {
                return CPIOEdits(
                    removals: removals,
                    additions: try additions.map { try HostAddition(parsing: $0, relativeTo: cwd) },
                    directories: try directories.map { try CPIOPath.normalize($0) },
                    symlinks: try symlinks.map { try SymlinkSpec(parsing: $0) },
                    devices: try devices.map { try DeviceSpec(parsing: $0) })
            } catch let error as CPIOError {
                throw ValidationError(error.message + (error.hint.map { " (\($0))" } ?? ""))
            }
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Write a reproducible archive from a directory tree and single items.",
            discussion: """
                Modes are kept; symlinks are stored as symlinks, never followed; owners and host times are not kept. Set SOURCE_DATE_EPOCH for the entries' time. A whole tree, then single items (the same options work with 'overlay'):
                  sel4img cpio create rootfs.cpio.gz --dir build/rootfs
                  sel4img cpio create initrd.cpio --add build/init:/init --mkdir /proc
                  sel4img cpio create initrd.cpio --dir rootfs --symlink busybox:/bin/sh
                  sel4img cpio create initrd.cpio --dir rootfs --device c:5:1:/dev/console
                The entries' time, for a build that matches a commit:
                  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) \\
                    sel4img cpio create rootfs.cpio.gz --dir rootfs
                """)

        @Argument(help: ArgumentHelp("The archive to write (gzip when it ends in .gz).", valueName: "out.cpio[.gz]"))
        var output: String

        @Option(help: ArgumentHelp("A directory whose contents become the archive's root.", valueName: "dir"))
        var dir: String?

        @OptionGroup var additions: Additions

        func validate() throws {
            if dir == nil && additions.isEmpty {
                throw ValidationError("give --dir DIR or at least one --add, --mkdir, --symlink or --device")
            }
            if let dir, !FileManager.default.isDirectory(CPIOCommand.url(dir)) {
                throw ValidationError("--dir \(dir) is not a directory")
            }
            _ = try additions.edits()
        }

        func run() throws {
            let out = CPIOCommand.url(output)
            let options = try CPIOCommand.writeOptions(for: out)
            var archive = CPIOArchive()
            if let dir { try archive.addTree(from: CPIOCommand.url(dir)) }
            try archive.apply(try additions.edits())
            try archive.write(to: out, options: options)
            try CPIOCommand.wrote(out, archive)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List an archive's entries like 'cpio -tv' (numeric owners, UTC times).",
            discussion: """
                  sel4img cpio list rootfs.cpio.gz
                  sel4img cpio list rootfs.cpio.gz --json |
                      jq -r '.[] | select(.type == "symlink").path'
                """)

        @Argument(help: ArgumentHelp("The archive (plain or compressed).", valueName: "file"))
        var file: String

        @Flag(help: "Print the entries as JSON on stdout.")
        var json = false

        func run() throws {
            let entries = try CPIOArchive.list(CPIOCommand.url(file))
            if json { return try printJSON(entries) }
            for entry in entries { print(entry.line) }
        }
    }

    struct Extract: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "extract",
            abstract: "Unpack an archive into a directory, refusing entries that would escape it.",
            discussion: """
                Refused, naming the entry: absolute paths, '..' components, symlinks that point outside DIR (absolute targets included), and entries below a symlink. Device nodes are skipped with a note unless --allow-devices is given (creating them needs root).
                  sel4img cpio extract rootfs.cpio.gz -C /tmp/rootfs
                """)

        @Argument(help: ArgumentHelp("The archive (plain or compressed).", valueName: "file"))
        var file: String

        @Option(name: .customShort("C"), help: ArgumentHelp("The directory to extract into (created if missing).", valueName: "dir"))
        var directory: String

        @Flag(help: "Create character and block device nodes (needs root).")
        var allowDevices = false

        func run() throws {
            let destination = CPIOCommand.url(directory)
            let report = try CPIOArchive.extract(CPIOCommand.url(file), to: destination,
                                                 options: CPIOExtractOptions(allowDeviceNodes: allowDevices))
            for note in report.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
            print("extracted \(report.extracted) entries into \(destination.path)")
        }
    }

    struct Overlay: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "overlay",
            abstract: "Write a new archive: an existing one with entries removed, replaced and added.",
            discussion: """
                Removals happen first, then additions in the order given; missing parent directories are created. The output is reproducible like 'create' output.
                  sel4img cpio overlay rootfs.cpio.gz test.cpio.gz --add build/app:/usr/bin/app
                  sel4img cpio overlay rootfs.cpio.gz small.cpio.gz --remove /usr/share/doc
                  sel4img cpio overlay rootfs.cpio new.cpio.gz --remove /etc --add my-etc:/etc
                """)

        @Argument(help: ArgumentHelp("The archive to start from (plain or compressed).", valueName: "in"))
        var input: String

        @Argument(help: ArgumentHelp("The archive to write (gzip when it ends in .gz); may be the same as IN.", valueName: "out"))
        var output: String

        @Option(name: .customLong("remove"), help: ArgumentHelp("Remove PATH and everything below it. Repeatable.", valueName: "path"))
        var removals: [String] = []

        @OptionGroup var additions: Additions

        func validate() throws {
            _ = try additions.edits(removals: removals)
        }

        func run() throws {
            let out = CPIOCommand.url(output)
            let options = try CPIOCommand.writeOptions(for: out)
            var archive = try CPIOArchive.read(from: CPIOCommand.url(input))
            let summary = try archive.apply(try additions.edits(removals: removals))
            try archive.write(to: out, options: options)
            try CPIOCommand.wrote(out, archive, " (\(summary.removed) removed, \(summary.replaced) replaced, \(summary.added) added)")
        }
    }
}
