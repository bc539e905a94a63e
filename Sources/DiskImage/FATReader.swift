import Foundation

/// Reads a FAT32 volume in an image file (alone, or inside a partition):
/// the boot sector's parameters, the directory tree with long and short
/// names, and file contents. Enough to check sel4img's own images and those
/// made by mkfs.fat and mtools; every cluster number and chain is checked,
/// so a damaged or hostile image gives an error, not a crash or a hang.
public final class FATVolumeReader {
    /// A file or directory found in the volume.
    public struct Item: Sendable, Equatable {
        /// Slash-separated path from the root, using long names where present.
        public var path: String
        /// The long name, or the short name with its case flags applied.
        public var name: String
        /// The stored 8.3 name, upper case (`SEL4TE~1`, `CONFIG.TXT`).
        public var shortName: String
        /// Whether long name entries were found (and matched the short entry's checksum).
        public var hasLongName: Bool
        public var isDirectory: Bool
        public var size: UInt64
        public var firstCluster: UInt32
        public var modified: FATTimestamp
    }

    public let image: URL
    /// Byte offset of the volume in the image.
    public let offset: UInt64
    public let bytesPerSector: UInt64
    public let sectorsPerCluster: UInt64
    public let reservedSectors: UInt64
    public let fatCount: UInt64
    public let sectorsPerFAT: UInt64
    public let totalSectors: UInt64
    public let hiddenSectors: UInt32
    public let rootCluster: UInt32
    public let clusterCount: UInt64
    public let volumeSerial: UInt32
    /// The label in the boot sector, trailing spaces removed.
    public let bootSectorLabel: String
    /// Free cluster count and next free hint from FSInfo (0xFFFFFFFF when unknown).
    public let fsInfoFreeClusters: UInt32
    public let fsInfoNextFree: UInt32

    private let handle: FileHandle
    private var fatPages: [UInt64: [UInt8]] = [:]
    private let name: String

    public var clusterSize: UInt64 { bytesPerSector * sectorsPerCluster }
    var fatOffset: UInt64 { reservedSectors * bytesPerSector }
    var dataOffset: UInt64 { fatOffset + fatCount * sectorsPerFAT * bytesPerSector }

    /// Opens the volume at `offset` bytes into `image`.
    public init(image: URL, offset: UInt64 = 0) throws {
        self.image = image
        self.offset = offset
        name = offset == 0 ? image.path : "\(image.path) at byte \(offset)"
        do { handle = try FileHandle(forReadingFrom: image) } catch {
            throw DiskImageError.malformed(image.path, "cannot be read: \(error.localizedDescription)")
        }
        let b: [UInt8]
        do {
            try handle.seek(toOffset: offset)
            b = [UInt8](try handle.read(upToCount: 512) ?? Data())
        } catch {
            throw DiskImageError.malformed(name, "cannot be read: \(error.localizedDescription)")
        }
        guard b.count == 512, b[510] == 0x55, b[511] == 0xAA else {
            throw DiskImageError.malformed(name, "has no boot sector (no 0x55AA signature)")
        }
        bytesPerSector = UInt64(get16(b, 11))
        sectorsPerCluster = UInt64(b[13])
        reservedSectors = UInt64(get16(b, 14))
        fatCount = UInt64(b[16])
        sectorsPerFAT = UInt64(get32(b, 36))
        totalSectors = UInt64(get16(b, 19) != 0 ? UInt32(get16(b, 19)) : get32(b, 32))
        hiddenSectors = get32(b, 28)
        rootCluster = get32(b, 44)
        volumeSerial = get32(b, 67)
        bootSectorLabel = String(decoding: b[71..<82], as: UTF8.self).trimmingTrailingSpaces()
        guard [512, 1024, 2048, 4096].contains(bytesPerSector), sectorsPerCluster > 0, sectorsPerCluster & (sectorsPerCluster - 1) == 0,
              reservedSectors > 0, fatCount > 0 else {
            throw DiskImageError.malformed(name, "has an invalid FAT boot sector")
        }
        guard get16(b, 17) == 0, get16(b, 22) == 0, sectorsPerFAT > 0 else {
            throw DiskImageError.malformed(name, "is not a FAT32 volume (it has a FAT12/16 boot sector)")
        }
        let meta = reservedSectors + fatCount * sectorsPerFAT
        guard totalSectors > meta else { throw DiskImageError.malformed(name, "has FATs larger than the volume") }
        clusterCount = min((totalSectors - meta) / sectorsPerCluster, sectorsPerFAT * bytesPerSector / 4 - 2)
        guard rootCluster >= 2, UInt64(rootCluster) < clusterCount + 2 else {
            throw DiskImageError.malformed(name, "has root directory cluster \(rootCluster) outside its \(clusterCount) clusters")
        }
        let infoSector = UInt64(get16(b, 48))
        var free: UInt32 = 0xFFFF_FFFF, next: UInt32 = 0xFFFF_FFFF
        var infoData: Data?
        let file = handle
        if infoSector > 0, infoSector < UInt64(get16(b, 14)) {
            let position = offset + infoSector * UInt64(get16(b, 11))
            if (try? file.seek(toOffset: position)) != nil { infoData = (try? file.read(upToCount: 512)) ?? nil }
        }
        if let data = infoData, data.count == 512, case let info = [UInt8](data),
           get32(info, 0) == 0x4161_5252, get32(info, 484) == 0x6141_7272 {
            free = get32(info, 488)
            next = get32(info, 492)
        }
        fsInfoFreeClusters = free
        fsInfoNextFree = next
    }

    /// Opens the FAT32 volume in partition `number` (1 ... 4) of an MBR disk image.
    public convenience init(image: URL, partition number: Int) throws {
        let table = try MBRPartitionTable.read(from: image)
        guard let entry = table.partitions.first(where: { $0.number == number }) else {
            throw DiskImageError(.notFound, "\(image.path) has no partition \(number)")
        }
        try self.init(image: image, offset: entry.startOffset)
    }

    deinit { try? handle.close() }

    /// Bytes at a volume-relative offset.
    func read(at position: UInt64, count: Int) throws -> [UInt8] {
        do {
            try handle.seek(toOffset: offset + position)
            let data = try handle.read(upToCount: count) ?? Data()
            guard data.count == count else { throw DiskImageError.malformed(name, "ends before byte \(position + UInt64(count)) of the volume") }
            return [UInt8](data)
        } catch let error as DiskImageError {
            throw error
        } catch {
            throw DiskImageError.malformed(name, "cannot be read: \(error.localizedDescription)")
        }
    }

    /// The FAT entry of a cluster (first FAT), through a page cache.
    func fatEntry(_ cluster: UInt32) throws -> UInt32 {
        let position = fatOffset + UInt64(cluster) * 4
        let page = position / 65_536
        if fatPages[page] == nil {
            let start = page * 65_536
            let end = min(start + 65_536, fatOffset + sectorsPerFAT * bytesPerSector)
            fatPages[page] = try read(at: start, count: Int(end - start))
        }
        return get32(fatPages[page]!, Int(position % 65_536)) & 0x0FFF_FFFF
    }

    /// The clusters of a chain, checked for range and loops.
    func chain(from first: UInt32) throws -> [UInt32] {
        var clusters: [UInt32] = []
        var cluster = first
        while true {
            guard cluster >= 2, UInt64(cluster) < clusterCount + 2 else {
                throw DiskImageError.malformed(name, "has a cluster chain through invalid cluster \(cluster)")
            }
            clusters.append(cluster)
            guard UInt64(clusters.count) <= clusterCount else {
                throw DiskImageError.malformed(name, "has a cluster chain that loops (from cluster \(first))")
            }
            let next = try fatEntry(cluster)
            if next >= 0x0FFF_FFF8 { return clusters }
            cluster = next
        }
    }

    func clusterOffset(_ cluster: UInt32) -> UInt64 { dataOffset + UInt64(cluster - 2) * clusterSize }

    /// Byte ranges (volume-relative) of every directory's clusters, root first.
    func directoryRegions() throws -> [Range<UInt64>] {
        var regions = try chain(from: rootCluster).map { clusterOffset($0)..<(clusterOffset($0) + clusterSize) }
        for item in try list() where item.isDirectory {
            regions += try chain(from: item.firstCluster).map { clusterOffset($0)..<(clusterOffset($0) + clusterSize) }
        }
        return regions
    }

    /// The label entry in the root directory, if any.
    public func rootDirectoryLabel() throws -> String? {
        try entries(ofDirectory: rootCluster).label
    }

    /// Every file and directory, depth first, each directory's entries in on-disk order.
    public func list() throws -> [Item] {
        var items: [Item] = []
        var visited: Set<UInt32> = [rootCluster]
        func walk(_ cluster: UInt32, _ prefix: String) throws {
            for var item in try entries(ofDirectory: cluster).items {
                item.path = prefix.isEmpty ? item.name : prefix + "/" + item.name
                items.append(item)
                if item.isDirectory {
                    guard visited.insert(item.firstCluster).inserted else {
                        throw DiskImageError.malformed(name, "has directory '\(item.path)' that loops back to cluster \(item.firstCluster)")
                    }
                    try walk(item.firstCluster, item.path)
                }
            }
        }
        try walk(rootCluster, "")
        return items
    }

    /// Finds a path, matching long or short names without regard to case.
    public func item(at path: String) throws -> Item {
        let wanted = path.split(separator: "/").map { $0.uppercased() }
        var cluster = rootCluster
        var found: Item?
        for (i, part) in wanted.enumerated() {
            guard let match = try entries(ofDirectory: cluster).items.first(where: { $0.name.uppercased() == part || $0.shortName == part }) else {
                throw DiskImageError(.notFound, "'\(printable(path))' is not in the FAT volume in \(name)")
            }
            if i < wanted.count - 1 {
                guard match.isDirectory else { throw DiskImageError(.notFound, "'\(printable(path))' is not in the FAT volume in \(name)") }
                cluster = match.firstCluster
            }
            found = match
        }
        guard var item = found else { throw DiskImageError(.notFound, "'\(printable(path))' is not in the FAT volume in \(name)") }
        item.path = path
        return item
    }

    /// A file's bytes.
    public func contents(of path: String) throws -> Data {
        let item = try item(at: path)
        guard !item.isDirectory else { throw DiskImageError(.notFound, "'\(printable(path))' is a directory in the FAT volume in \(name)") }
        guard item.size > 0 else { return Data() }
        let clusters = try chain(from: item.firstCluster)
        guard UInt64(clusters.count) * clusterSize >= item.size else {
            throw DiskImageError.malformed(name, "has file '\(printable(path))' of \(item.size) bytes on a chain of only \(clusters.count) clusters")
        }
        var data = Data()
        data.reserveCapacity(Int(item.size))
        var left = item.size
        for cluster in clusters where left > 0 {
            let n = min(left, clusterSize)
            data.append(contentsOf: try read(at: clusterOffset(cluster), count: Int(n)))
            left -= n
        }
        return data
    }

    /// Parses one directory: items (without `.` and `..`) and the volume label entry.
    func entries(ofDirectory cluster: UInt32) throws -> (items: [Item], label: String?) {
        var items: [Item] = []
        var label: String?
        var longParts: [Int: [UInt16]] = [:]
        var longCount = 0
        var longChecksum: UInt8 = 0
        scan: for c in try chain(from: cluster) {
            let bytes = try read(at: clusterOffset(c), count: Int(clusterSize))
            for at in stride(from: 0, to: bytes.count, by: 32) {
                let e = Array(bytes[at..<(at + 32)])
                if e[0] == 0 { break scan }
                if e[0] == 0xE5 { longParts = [:]; continue }
                if e[11] & 0x3F == 0x0F {
                    let ordinal = Int(e[0] & 0x1F)
                    if e[0] & 0x40 != 0 { longParts = [:]; longCount = ordinal; longChecksum = e[13] }
                    guard ordinal >= 1, e[13] == longChecksum else { longParts = [:]; continue }
                    longParts[ordinal] = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30].map { get16(e, $0) }
                    continue
                }
                var raw = Array(e[0..<11])
                if raw[0] == 0x05 { raw[0] = 0xE5 }
                let short = ShortName(raw: raw, caseFlags: e[12])
                defer { longParts = [:] }
                if e[11] & 0x08 != 0 && e[11] & 0x10 == 0 {
                    if cluster == rootCluster { label = String(decoding: raw, as: UTF8.self).trimmingTrailingSpaces() }
                    continue
                }
                if raw[0] == 0x2E { continue } // "." and ".."
                var longName: String?
                if longCount > 0, longParts.count == longCount, longChecksum == short.checksum,
                   (1...longCount).allSatisfy({ longParts[$0] != nil }) {
                    var units = (1...longCount).flatMap { longParts[$0]! }
                    if let end = units.firstIndex(of: 0) { units = Array(units[..<end]) }
                    longName = String(decoding: units, as: UTF16.self)
                }
                let isDirectory = e[11] & 0x10 != 0
                items.append(Item(path: "", name: longName ?? short.displayName, shortName: short.description,
                                  hasLongName: longName != nil, isDirectory: isDirectory,
                                  size: isDirectory ? 0 : UInt64(get32(e, 28)),
                                  firstCluster: UInt32(get16(e, 20)) << 16 | UInt32(get16(e, 26)),
                                  modified: FATTimestamp(date: get16(e, 24), time: get16(e, 22))))
            }
        }
        return (items, label)
    }
}
