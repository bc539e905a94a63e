import Foundation

/// A whole disk image: an MBR partition table and up to four primary
/// partitions, typically a FAT32 boot partition first and raw payloads
/// after it. Partitions start on `alignment` boundaries (1 MiB by default,
/// 4 MiB for Raspberry Pi-style layouts); the image ends at the last
/// partition's end, rounded up to the alignment.
///
/// The image is streamed to a temporary file (all-zero regions are left as
/// holes, never written), renamed into place, and described by a block map
/// written beside it as `IMAGE.bmap.json`.
public struct MBRImage: Sendable {
    /// One partition to create.
    public struct Partition: Sendable {
        public enum Content: Sendable {
            /// A FAT32 volume that fills the partition.
            case fat32(FATImage)
            /// Bytes copied to the partition's start; the rest is zero.
            case raw(FATImage.Content)
            /// Nothing: the partition reads as zeros.
            case empty
        }

        public var content: Content
        public var type: UInt8
        public var bootable: Bool
        /// Byte offset; nil places it at the next aligned offset after the previous partition.
        public var start: UInt64?
        /// Bytes; nil sizes it to its content, rounded up to the alignment.
        /// A FAT32 volume without a size uses its own `volumeSize` or the smallest that fits.
        public var size: UInt64?

        public init(content: Content, type: UInt8, bootable: Bool = false, start: UInt64? = nil, size: UInt64? = nil) {
            self.content = content
            self.type = type
            self.bootable = bootable
            self.start = start
            self.size = size
        }

        /// A FAT32 (LBA, type 0x0C) partition, bootable by default: U-Boot's
        /// distro boot scans partitions with the bootable flag first.
        public static func fat32(_ image: FATImage, start: UInt64? = nil, size: UInt64? = nil, bootable: Bool = true) -> Partition {
            Partition(content: .fat32(image), type: MBRPartitionTable.fat32LBA, bootable: bootable, start: start, size: size)
        }

        /// A partition holding raw bytes (type 0x83 unless given).
        public static func raw(_ content: FATImage.Content, type: UInt8 = MBRPartitionTable.linux, start: UInt64? = nil, size: UInt64? = nil) -> Partition {
            Partition(content: .raw(content), type: type, start: start, size: size)
        }
    }

    public struct Options: Sendable, Equatable {
        /// Partition starts are multiples of this (a positive multiple of 512).
        public var alignment: UInt64
        /// Seconds since 1970; with `signatureSeed` it gives the disk signature.
        public var sourceDateEpoch: Int64
        /// Anything that tells images apart (a board or project name).
        public var signatureSeed: String
        /// A fixed disk signature instead of the derived one.
        public var diskSignature: UInt32?
        /// The largest image allowed (the card's size), if any.
        public var maximumImageSize: UInt64?

        public init(alignment: UInt64 = 1 << 20, sourceDateEpoch: Int64, signatureSeed: String = "", diskSignature: UInt32? = nil, maximumImageSize: UInt64? = nil) {
            self.alignment = alignment
            self.sourceDateEpoch = sourceDateEpoch
            self.signatureSeed = signatureSeed
            self.diskSignature = diskSignature
            self.maximumImageSize = maximumImageSize
        }
    }

    /// Where the partitions ended up.
    public struct Layout: Sendable, Equatable {
        public var imageSize: UInt64
        public var table: MBRPartitionTable
    }

    /// What `write` produced.
    public struct Written: Sendable {
        public var image: URL
        public var blockMapFile: URL
        public var blockMap: BlockMap
        public var layout: Layout
    }

    public var partitions: [Partition]
    public var options: Options

    public init(partitions: [Partition], options: Options) {
        self.partitions = partitions
        self.options = options
    }

    /// The signature written at byte 440.
    public var diskSignature: UInt32 {
        options.diskSignature ?? DerivedID.make("sel4img MBR disk signature", [String(options.sourceDateEpoch), options.signatureSeed])
    }

    enum Payload {
        case fat(FATPlan)
        case raw(FATImage.Content, UInt64)
        case none
    }

    /// Resolves starts and sizes and checks them; plans FAT volumes.
    func resolve() throws -> (Layout, [Payload]) {
        let align = options.alignment
        guard align > 0, align % 512 == 0 else {
            throw DiskImageError(.partitionLayout, "Partition alignment \(align) is not a positive multiple of 512 bytes")
        }
        guard !partitions.isEmpty else { throw DiskImageError(.partitionLayout, "A disk image needs at least one partition") }
        guard partitions.count <= 4 else {
            throw DiskImageError(.partitionLayout, "An MBR holds at most 4 primary partitions; \(partitions.count) were given")
        }
        func roundUp(_ v: UInt64) -> UInt64 { (v + align - 1) / align * align }
        var cursor = align
        var placed: [(number: Int, start: UInt64, end: UInt64)] = []
        var entries: [MBRPartitionEntry] = []
        var payloads: [Payload] = []
        for (i, p) in partitions.enumerated() {
            let number = i + 1
            guard p.type != 0 else { throw DiskImageError(.partitionLayout, "Partition \(number) has type 0x00, which marks an unused entry") }
            let start = p.start ?? roundUp(cursor)
            guard start > 0 else { throw DiskImageError(.partitionLayout, "Partition \(number) starts at byte 0, where the partition table is") }
            guard start % align == 0 else {
                throw DiskImageError(.partitionLayout, "Partition \(number) starts at byte \(start), which is not a multiple of the \(align)-byte alignment")
            }
            var size: UInt64
            var payload = Payload.none
            switch p.content {
            case .fat32(let fat):
                size = try p.size ?? fat.options.volumeSize ?? fat.requiredVolumeSize(granularity: align)
            case .raw(let content):
                let length: UInt64
                switch content {
                case .bytes(let data): length = UInt64(data.count)
                case .file(let url): length = try FATImage.sourceSize(url, for: "partition \(number)")
                }
                size = p.size ?? max(roundUp(length), align)
                guard length <= size else {
                    throw DiskImageError(.fileTooLarge, "Partition \(number)'s content is \(describeBytes(length)), more than its \(size)-byte partition")
                }
                payload = .raw(content, length)
            case .empty:
                guard let given = p.size else { throw DiskImageError(.partitionLayout, "Partition \(number) has no content and no size") }
                size = given
            }
            guard size > 0, size % 512 == 0 else {
                throw DiskImageError(.partitionLayout, "Partition \(number) has size \(size), which is not a positive multiple of 512 bytes")
            }
            let (end, overflow) = start.addingReportingOverflow(size)
            guard !overflow, end / 512 <= UInt64(UInt32.max) else {
                throw DiskImageError(.imageTooLarge, "Partition \(number) ends beyond the 2 TiB (4294967295 sectors) an MBR can address")
            }
            for other in placed where start < other.end && other.start < end {
                throw DiskImageError(.partitionLayout,
                                     "Partition \(number) (bytes \(start)-\(end - 1)) overlaps partition \(other.number) (bytes \(other.start)-\(other.end - 1))")
            }
            if case .fat32(let fat) = p.content {
                payload = .fat(try fat.plan(volumeSize: size, hiddenSectors: UInt32(start / 512)))
            }
            placed.append((number, start, end))
            entries.append(MBRPartitionEntry(number: number, bootable: p.bootable, type: p.type,
                                             startSector: UInt32(start / 512), sectorCount: UInt32(size / 512)))
            payloads.append(payload)
            cursor = max(cursor, end)
        }
        let imageSize = roundUp(placed.map(\.end).max() ?? align)
        if let limit = options.maximumImageSize, imageSize > limit {
            throw DiskImageError(.imageTooLarge, "The disk image would be \(describeBytes(imageSize)), more than the limit of \(describeBytes(limit))")
        }
        return (Layout(imageSize: imageSize, table: MBRPartitionTable(diskSignature: diskSignature, partitions: entries)), payloads)
    }

    /// Starts and sizes without writing anything (source files are examined).
    public func layout() throws -> Layout { try resolve().0 }

    /// Writes the image to `url` and its block map to `url` + `.bmap.json`.
    @discardableResult
    public func write(to url: URL) throws -> Written {
        let (layout, payloads) = try resolve()
        let sink = try SparseFileSink(destination: url)
        do {
            try sink.write(layout.table.encoded(), at: 0)
            for (entry, payload) in zip(layout.table.partitions, payloads) {
                switch payload {
                case .fat(let plan): try plan.emit(to: sink, at: entry.startOffset)
                case .raw(.bytes(let data), _): try sink.write(data, at: entry.startOffset)
                case .raw(.file(let source), let length):
                    try sink.copy(from: source, length: length, at: entry.startOffset, for: "partition \(entry.number)")
                case .none: break
                }
            }
            try sink.finish(size: layout.imageSize)
        } catch {
            sink.abandon()
            throw error
        }
        let mapFile = url.deletingLastPathComponent().appendingPathComponent(url.lastPathComponent + ".bmap.json")
        let map = try BlockMap.scan(url)
        try map.write(to: mapFile)
        return Written(image: url, blockMapFile: mapFile, blockMap: map, layout: layout)
    }
}
