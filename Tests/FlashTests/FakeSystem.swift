import DiskImage
import Foundation
@testable import Flash
import TestSupport

/// A stand-in for /sys, /proc and /dev, laid out as the kernel lays them out,
/// so target inspection and every refusal run as they would on a real system.
struct FakeSystem {
    let dir: TemporaryDirectory
    var root: SystemRoot { SystemRoot(directory: dir.url) }
    var dev: URL { dir.path("dev") }

    init() throws {
        dir = try TemporaryDirectory("flash-fake-root")
        for sub in ["sys/block", "sys/class/block", "sys/dev/block", "proc/self", "dev/disk/by-id"] {
            try FileManager.default.createDirectory(at: dir.path(sub), withIntermediateDirectories: true)
        }
        try mounts(["sysfs /sys sysfs rw 0 0", "proc /proc proc rw 0 0"])
        try dir.write("proc/swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n")
    }

    struct Disk {
        var name: String
        var major = 8
        var minor = 0
        var bytes: UInt64 = 32_000_000_000
        var removable = true
        var vendor: String? = "SanDisk"
        var model: String? = "Ultra"
        var partitions = 0
        var bus = "pci0000:00/0000:00:14.0/usb1/1-1/host6/target6:0:0/6:0:0:0"
    }

    /// Adds a disk (and its partitions) to sysfs and a stand-in node to dev; returns the node.
    @discardableResult
    func add(_ disk: Disk) throws -> URL {
        let fm = FileManager.default
        let dirPath = "sys/devices/\(disk.bus)/block/\(disk.name)"
        try dir.write("\(dirPath)/size", "\(disk.bytes / 512)\n")
        try dir.write("\(dirPath)/removable", disk.removable ? "1\n" : "0\n")
        try dir.write("\(dirPath)/dev", "\(disk.major):\(disk.minor)\n")
        if let vendor = disk.vendor { try dir.write("\(dirPath)/device/vendor", vendor + "  \n") }
        if let model = disk.model { try dir.write("\(dirPath)/device/model", model + "    \n") }
        try fm.createDirectory(at: dir.path("\(dirPath)/holders"), withIntermediateDirectories: true)
        try link("sys/block/\(disk.name)", to: dirPath)
        try link("sys/class/block/\(disk.name)", to: dirPath)
        try link("sys/dev/block/\(disk.major):\(disk.minor)", to: dirPath)
        fm.createFile(atPath: dev.appendingPathComponent(disk.name).path, contents: nil)
        for n in stride(from: 1, through: disk.partitions, by: 1) {
            let part = partitionName(disk.name, n)
            let partPath = "\(dirPath)/\(part)"
            try dir.write("\(partPath)/partition", "\(n)\n")
            try dir.write("\(partPath)/size", "2048\n")
            try dir.write("\(partPath)/dev", "\(disk.major):\(disk.minor + n)\n")
            try fm.createDirectory(at: dir.path("\(partPath)/holders"), withIntermediateDirectories: true)
            try link("sys/class/block/\(part)", to: partPath)
            try link("sys/dev/block/\(disk.major):\(disk.minor + n)", to: partPath)
            fm.createFile(atPath: dev.appendingPathComponent(part).path, contents: nil)
        }
        return dev.appendingPathComponent(disk.name)
    }

    func partitionName(_ disk: String, _ n: Int) -> String {
        disk.last!.isNumber ? "\(disk)p\(n)" : "\(disk)\(n)"
    }

    /// Marks `holder` (e.g. "dm-0") as stacked on `device`.
    func hold(_ device: String, by holder: String) throws {
        let holders = dir.path("sys/class/block/\(device)").resolvingSymlinksInPath().appendingPathComponent("holders")
        try FileManager.default.createDirectory(at: holders.appendingPathComponent(holder), withIntermediateDirectories: true)
    }

    func mounts(_ lines: [String]) throws {
        try dir.write("proc/self/mounts", lines.joined(separator: "\n") + "\n")
    }

    func swaps(_ devices: [String]) throws {
        try dir.write("proc/swaps", "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
            + devices.map { "\($0)                               partition\t1048572\t\t0\t\t-2\n" }.joined())
    }

    private func link(_ path: String, to destination: String) throws {
        try FileManager.default.createSymbolicLink(at: dir.path(path), withDestinationURL: dir.path(destination))
    }
}

/// Images with known contents and maps with small ranges, so tests see several ranges.
enum Images {
    /// Writes `size` bytes of zeros with each `(offset, length)` filled by a
    /// pattern, and a block map (4 KiB blocks, ranges of at most 64 KiB) beside it.
    @discardableResult
    static func make(_ url: URL, size: Int, data: [(Int, Int)], map: Bool = true) throws -> BlockMap {
        var bytes = Data(count: size)
        for (offset, length) in data {
            for i in offset..<(offset + length) { bytes[i] = UInt8(truncatingIfNeeded: (i &* 31) ^ (i >> 8) | 1) }
        }
        try bytes.write(to: url)
        let blockMap = try BlockMap.scan(url, blockSize: 4096, maxRange: 64 << 10)
        if map { try blockMap.write(to: URL(fileURLWithPath: url.path + ".bmap.json")) }
        return blockMap
    }

    /// A file of `size` bytes, every one `byte`.
    static func filled(_ url: URL, size: Int, byte: UInt8) throws {
        try Data(repeating: byte, count: size).write(to: url)
    }
}
