import Foundation

/// A FAT32 file system built from a list of entries, byte for byte the same
/// for the same inputs: the volume label, serial and every timestamp come
/// from the options (`SOURCE_DATE_EPOCH`), never from the host; entries are
/// sorted so clusters are allocated in the same order every time, and each
/// file and directory is contiguous.
///
/// Names keep their case: an 8.3 name whose base and extension are each all
/// upper or all lower case (`CONFIG.TXT`, `config.txt`) gets only a short
/// entry with the NT case flags, as mtools and Linux write it; any other
/// name gets VFAT long name entries plus a unique short name
/// (`sel4test-driver-image-arm-bcm2711` → `SEL4TE~1`).
public struct FATImage: Sendable {
    /// Where a file's bytes come from.
    public enum Content: Sendable, Equatable {
        case bytes(Data)
        /// A file read when the volume is written; its size is taken when the
        /// layout is planned and checked again while copying.
        case file(URL)
    }

    /// One directory or file, by its path below the volume's root (`overlays/vc4.dtbo`).
    /// Parent directories that are not listed are created.
    public struct Entry: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case directory
            case file(Content)
        }

        public var path: String
        public var kind: Kind

        public init(path: String, kind: Kind) {
            self.path = path
            self.kind = kind
        }

        public static func directory(_ path: String) -> Entry { Entry(path: path, kind: .directory) }
        public static func file(_ path: String, _ data: Data) -> Entry { Entry(path: path, kind: .file(.bytes(data))) }
        public static func file(_ path: String, contentsOf url: URL) -> Entry { Entry(path: path, kind: .file(.file(url))) }
    }

    /// What makes the volume's metadata.
    public struct Options: Sendable, Equatable {
        /// Up to 11 characters; stored upper case. Empty means no label ("NO NAME").
        public var label: String
        /// Seconds since 1970 UTC for every timestamp and (with the label) the serial.
        public var sourceDateEpoch: Int64
        /// Volume size in bytes; nil sizes the volume to fit its contents
        /// (never below `FAT32Layout.minimumVolumeSize`), in whole MiB.
        public var volumeSize: UInt64?
        /// A fixed volume serial; nil derives it from the epoch and the label.
        public var volumeSerial: UInt32?

        public init(label: String = "BOOT", sourceDateEpoch: Int64, volumeSize: UInt64? = nil, volumeSerial: UInt32? = nil) {
            self.label = label
            self.sourceDateEpoch = sourceDateEpoch
            self.volumeSize = volumeSize
            self.volumeSerial = volumeSerial
        }
    }

    public let entries: [Entry]
    public let options: Options
    let tree: FATTree
    let labelBytes: [UInt8]?

    /// Checks every name and the label; throws `DiskImageError` for the first problem.
    public init(entries: [Entry], options: Options) throws {
        self.entries = entries
        self.options = options
        tree = try FATTree(entries: entries)
        labelBytes = try Self.checkLabel(options.label)
    }

    /// The serial the volume gets.
    public var volumeSerial: UInt32 {
        options.volumeSerial ?? DerivedID.make("sel4img FAT32 volume serial", [String(options.sourceDateEpoch), options.label.uppercased()])
    }

    static func checkLabel(_ label: String) throws -> [UInt8]? {
        if label.isEmpty { return nil }
        let upper = label.uppercased()
        guard upper.unicodeScalars.allSatisfy({ $0.isASCII }) else { throw DiskImageError.invalidLabel(label, "has characters outside ASCII") }
        let bytes = Array(upper.utf8)
        guard bytes.count <= 11 else { throw DiskImageError.invalidLabel(label, "is \(bytes.count) characters long; FAT labels hold at most 11") }
        guard bytes.first != 0x20 else { throw DiskImageError.invalidLabel(label, "starts with a space") }
        if let bad = bytes.first(where: { !FATNames.isShortChar($0) && $0 != 0x20 }) {
            let shown = bad < 0x20 || bad == 0x7F ? "control character U+" + String(format: "%04X", bad) : "'\(Character(Unicode.Scalar(bad)))'"
            throw DiskImageError.invalidLabel(label, "contains \(shown), which FAT labels cannot hold")
        }
        return bytes + Array(repeating: 0x20, count: 11 - bytes.count)
    }

    /// The smallest volume size (a multiple of `granularity`) that holds the contents.
    public func requiredVolumeSize(granularity: UInt64 = 1 << 20) throws -> UInt64 {
        let sized = try sizedTree()
        return try Self.requiredSize(for: sized, granularity: granularity)
    }

    static func requiredSize(for tree: FATTree, granularity: UInt64) throws -> UInt64 {
        func roundUp(_ v: UInt64) -> UInt64 { (v + granularity - 1) / granularity * granularity }
        var size = roundUp(FAT32Layout.minimumVolumeSize)
        while true {
            guard size <= FAT32Layout.maximumVolumeSize else {
                throw DiskImageError(.volumeSize, "The files need a FAT32 volume above the largest FAT32 volume, \(describeBytes(FAT32Layout.maximumVolumeSize))")
            }
            let layout = try FAT32Layout(volumeSize: size)
            let needed = neededClusters(tree, clusterSize: layout.clusterSize)
            if needed <= layout.clusterCount { return size }
            size = roundUp(size + (needed - layout.clusterCount) * layout.clusterSize)
        }
    }

    static func clusters(forBytes bytes: UInt64, clusterSize: UInt64) -> UInt64 {
        (bytes + clusterSize - 1) / clusterSize
    }

    static func neededClusters(_ tree: FATTree, clusterSize: UInt64) -> UInt64 {
        tree.nodes.indices.reduce(0) { sum, i in
            let node = tree.nodes[i]
            if node.isDirectory {
                return sum + max(1, clusters(forBytes: UInt64(tree.entryCount(ofDirectory: i)) * 32, clusterSize: clusterSize))
            }
            return sum + clusters(forBytes: node.size, clusterSize: clusterSize)
        }
    }

    /// The tree with every file's size (source files are examined now).
    func sizedTree() throws -> FATTree {
        var sized = tree
        for i in sized.nodes.indices {
            guard let content = sized.nodes[i].content else { continue }
            let path = sized.nodes[i].path
            let size: UInt64
            switch content {
            case .bytes(let data): size = UInt64(data.count)
            case .file(let url): size = try Self.sourceSize(url, for: "FAT path '\(printable(path))'")
            }
            guard size <= UInt64(UInt32.max) else { throw DiskImageError.fileOverFAT32Limit(path, size: size) }
            sized.nodes[i].size = size
        }
        return sized
    }

    static func sourceSize(_ url: URL, for subject: String) throws -> UInt64 {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        } catch {
            throw DiskImageError.sourceProblem(subject, source: url, "cannot be read: it does not exist or is not accessible")
        }
        guard (attributes[.type] as? FileAttributeType) == .typeRegular else {
            throw DiskImageError.sourceProblem(subject, source: url, "is not a regular file")
        }
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            throw DiskImageError.sourceProblem(subject, source: url, "cannot be read: permission denied")
        }
        return (attributes[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// Lays out the volume: size, geometry, and a contiguous run of clusters
    /// for every directory and file in allocation order.
    func plan(volumeSize: UInt64? = nil, hiddenSectors: UInt32 = 0) throws -> FATPlan {
        var sized = try sizedTree()
        let size = try volumeSize ?? options.volumeSize ?? Self.requiredSize(for: sized, granularity: 1 << 20)
        let layout = try FAT32Layout(volumeSize: size)
        var next: UInt64 = 2
        func allocate(_ index: Int) throws {
            let node = sized.nodes[index]
            let bytes = node.isDirectory ? UInt64(sized.entryCount(ofDirectory: index)) * 32 : node.size
            var count = Self.clusters(forBytes: bytes, clusterSize: layout.clusterSize)
            if node.isDirectory { count = max(count, 1) }
            guard count > 0 else { return }
            let used = next - 2
            guard used + count <= layout.clusterCount else {
                let free = (layout.clusterCount - used) * layout.clusterSize
                if node.isDirectory {
                    throw DiskImageError(.fileTooLarge, "Directory '\(printable(node.path))' needs more than the \(describeBytes(free)) left for it in the \(layout.volumeSize)-byte FAT32 volume")
                }
                throw DiskImageError.fileTooLarge(node.path, size: node.size, free: free, volume: layout.volumeSize)
            }
            sized.nodes[index].firstCluster = UInt32(next)
            sized.nodes[index].clusters = count
            next += count
        }
        func visit(_ directory: Int) throws {
            for child in sized.nodes[directory].children {
                try allocate(child)
                if sized.nodes[child].isDirectory { try visit(child) }
            }
        }
        try allocate(0)
        try visit(0)
        return FATPlan(tree: sized, layout: layout, hiddenSectors: hiddenSectors, serial: volumeSerial, label: labelBytes,
                       timestamp: FATTimestamp(sourceDateEpoch: options.sourceDateEpoch), nextFreeCluster: next)
    }

    /// The whole volume in memory (for small volumes and tests).
    public func data() throws -> Data {
        let plan = try plan()
        let sink = MemorySink(size: plan.layout.volumeSize)
        try plan.emit(to: sink, at: 0)
        return sink.data
    }

    /// Writes the volume alone (no partition table) to `url`, atomically and
    /// sparsely; returns its layout.
    @discardableResult
    public func write(to url: URL) throws -> FAT32Layout {
        let plan = try plan()
        let sink = try SparseFileSink(destination: url)
        do {
            try plan.emit(to: sink, at: 0)
            try sink.finish(size: plan.layout.volumeSize)
        } catch {
            sink.abandon()
            throw error
        }
        return plan.layout
    }
}
