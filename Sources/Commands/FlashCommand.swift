import ArgumentParser
import Flash
import Foundation
import Support

/// `sel4img flash IMAGE TARGET`: writes an image to an SD card or USB stick,
/// refusing every target it cannot prove safe.
struct FlashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flash",
        abstract: "Write a disk image to an SD card or USB stick, safely, and verify it.",
        discussion: """
            Examples (to a card, by its stable by-id name, and into a file):
              sel4img flash out/rpi4-sel4test.img /dev/sdb
              sel4img flash out/rpi4-sel4test.img /dev/disk/by-id/usb-SanDisk_Ultra-0:0
              sel4img flash --yes out/rpi4-sel4test.img copy.img
            Find the card with 'lsblk -d -o NAME,MODEL,SIZE,RM,TRAN'; the /dev/disk/by-id/ names say what the device is, so they are hard to confuse.

            Only the parts of the image that hold data are written, as listed by IMAGE.bmap.json beside it (computed when it is missing). The image is checked against that map before anything is written; the first 4 KiB (the partition table and boot sector) are written last, so a card that was pulled or interrupted (Ctrl-C) never looks bootable; afterwards every range is read back from the card, past the page cache, and compared by SHA-256. The rest of the card is left as it was (--zero-unmapped zeroes the image's extent).

            It refuses, before writing anything:
            - the disk the running system uses (/, /boot, /usr, /var, /home, swap), even with --force;
            - any disk when the mount table (/proc/self/mounts) cannot be read, as in a chroot or container, even with --force;
            - a disk with a mounted partition (unmount it first), or one used by LVM, RAID or an encrypted volume;
            - a partition such as /dev/sdb1: an image carries its own partition table and goes to the whole disk, /dev/sdb;
            - a disk that is not removable (USB and SD count as removable) unless --force;
            - a disk smaller than the image; the image itself or its IMAGE.bmap.json (also through a link); anything that is neither a block device nor a regular file;
            - a regular file larger than the image, which would be truncated, unless --force. A missing file is created; a file ends up exactly the image's size.

            It asks before writing to a disk or an existing file; with no terminal to ask on it refuses unless --yes.

            Exit status: 0 written and verified, 1 not confirmed, 2 refused, 3 the image does not match its block map, 4 an I/O error, 5 verification failed, 130 interrupted (re-flash the card).
            """
    )

    @Argument(help: ArgumentHelp("The disk image (IMAGE.bmap.json beside it is used when present).", valueName: "image"))
    var image: String

    @Argument(help: ArgumentHelp("The whole disk (/dev/sdX, /dev/mmcblk0, /dev/disk/by-id/…) or a file.", valueName: "target"))
    var target: String

    @Flag(name: .shortAndLong, help: "Write without asking.")
    var yes = false

    @Flag(help: "Allow a disk that is not removable, and truncating a larger file.")
    var force = false

    @Flag(help: "Zero the parts of the image's extent that hold no data, instead of leaving them as they are.")
    var zeroUnmapped = false

    @OptionGroup var progressOptions: ProgressOptions

    @Option(help: .hidden)
    var systemRoot: String?

    var root: SystemRoot {
        systemRoot.map { SystemRoot(directory: URL(fileURLWithPath: $0)) } ?? .host
    }

    /// The checked plan for these options (tests check it without writing).
    func plan() throws -> FlashPlan {
        try FlashPlan.prepare(image: image, target: target, options: FlashOptions(force: force, zeroUnmapped: zeroUnmapped), root: root)
    }

    func run() throws {
        let reporter = progressOptions.reporter()
        let plan = try plan()
        if plan.needsConfirmation {
            for line in plan.summaryLines { reporter.note(line) }
        }
        let ask: ((String) -> String?)? = isatty(STDIN_FILENO) != 0 ? { Self.askOnTerminal($0) } : nil
        try plan.confirm(assumeYes: yes, ask: ask)
        let stop = StopSignal()
        let report = try stop.catchingSignals {
            try Flasher(plan: plan, reporter: reporter, stop: stop).run()
        }
        var summary = "Wrote \(ByteSize.mebibytes(report.bytesWritten)) to \(target) and verified \(report.rangesVerified) ranges"
        if report.bytesZeroed > 0 { summary += "; zeroed \(ByteSize.mebibytes(report.bytesZeroed))" }
        print(summary + String(format: " in %.1f s.", report.seconds))
    }

    /// Shows the question on stderr and reads one line from the terminal on stdin.
    static func askOnTerminal(_ question: String) -> String? {
        FileHandle.standardError.write(Data((question + " ").utf8))
        return readLine(strippingNewline: true)
    }
}
