import Foundation

/// A volume laid out and ready to write: geometry, the tree with its
/// clusters, and the metadata. `emit` produces the bytes.
struct FATPlan: Sendable {
    let tree: FATTree
    let layout: FAT32Layout
    let hiddenSectors: UInt32
    let serial: UInt32
    let label: [UInt8]?
    let timestamp: FATTimestamp
    /// First cluster after everything allocated.
    let nextFreeCluster: UInt64

    static let endOfChain: UInt32 = 0x0FFF_FFFF
    static let oemName = Array("MSWIN4.1".utf8)

    var usedClusters: UInt64 { nextFreeCluster - 2 }
    var freeClusters: UInt64 { layout.clusterCount - usedClusters }

    /// Writes every non-empty region of the volume, which starts at `base` in the sink.
    func emit(to sink: ImageSink, at base: UInt64) throws {
        let boot = bootSector()
        let info = fsInfoSector()
        let sector = FAT32Layout.sectorSize
        try sink.write(boot, at: base)
        try sink.write(info, at: base + FAT32Layout.fsInfoSector * sector)
        try sink.write(boot, at: base + FAT32Layout.backupBootSector * sector)
        try sink.write(info, at: base + (FAT32Layout.backupBootSector + 1) * sector)
        let fat = fatTable()
        try sink.write(fat, at: base + layout.fatOffset)
        try sink.write(fat, at: base + layout.fatOffset + layout.fatSize)
        for index in tree.nodes.indices {
            let node = tree.nodes[index]
            guard node.clusters > 0 else { continue }
            let offset = base + layout.offset(ofCluster: node.firstCluster)
            if node.isDirectory {
                try sink.write(directory(index), at: offset)
            } else {
                switch node.content {
                case .bytes(let data)?: try sink.write(data, at: offset)
                case .file(let url)?: try sink.copy(from: url, length: node.size, at: offset, for: "FAT path '\(printable(node.path))'")
                case nil: break
                }
            }
        }
    }

    /// Boot sector with the FAT32 BIOS parameter block (same bytes at sector 6).
    func bootSector() -> Data {
        var b = [UInt8](repeating: 0, count: 512)
        b[0] = 0xEB; b[1] = 0x58; b[2] = 0x90
        b.replaceSubrange(3..<11, with: Self.oemName)
        put16(&b, 11, UInt16(FAT32Layout.sectorSize))
        b[13] = UInt8(layout.sectorsPerCluster)
        put16(&b, 14, UInt16(layout.reservedSectors))
        b[16] = 2                                   // FATs
        b[21] = 0xF8                                // media: fixed disk
        put16(&b, 24, 32)                           // sectors per track
        put16(&b, 26, 64)                           // heads
        put32(&b, 28, hiddenSectors)
        put32(&b, 32, UInt32(layout.totalSectors))
        put32(&b, 36, UInt32(layout.sectorsPerFAT))
        put32(&b, 44, FAT32Layout.rootCluster)
        put16(&b, 48, UInt16(FAT32Layout.fsInfoSector))
        put16(&b, 50, UInt16(FAT32Layout.backupBootSector))
        b[64] = 0x80                                // drive number
        b[66] = 0x29                                // extended boot signature
        put32(&b, 67, serial)
        b.replaceSubrange(71..<82, with: label ?? Array("NO NAME    ".utf8))
        b.replaceSubrange(82..<90, with: Array("FAT32   ".utf8))
        // Boot code: `int 18h` (no bootable OS here: let the BIOS try the next device), then halt.
        b[90] = 0xCD; b[91] = 0x18; b[92] = 0xEB; b[93] = 0xFE
        b[510] = 0x55; b[511] = 0xAA
        return Data(b)
    }

    /// FSInfo: free cluster count and the next free cluster hint (same bytes at sector 7).
    func fsInfoSector() -> Data {
        var b = [UInt8](repeating: 0, count: 512)
        put32(&b, 0, 0x4161_5252)
        put32(&b, 484, 0x6141_7272)
        put32(&b, 488, UInt32(freeClusters))
        put32(&b, 492, freeClusters == 0 ? 0xFFFF_FFFF : UInt32(nextFreeCluster))
        put32(&b, 508, 0xAA55_0000)
        return Data(b)
    }

    /// The used start of the FAT (the rest is zero: free clusters).
    func fatTable() -> Data {
        var entries = [UInt32](repeating: 0, count: Int(nextFreeCluster))
        entries[0] = 0x0FFF_FFF8
        entries[1] = 0x0FFF_FFFF
        for node in tree.nodes where node.clusters > 0 {
            let first = Int(node.firstCluster), last = first + Int(node.clusters) - 1
            for c in first..<last { entries[c] = UInt32(c + 1) }
            entries[last] = Self.endOfChain
        }
        var data = Data(count: entries.count * 4)
        data.withUnsafeMutableBytes { raw in
            for (i, e) in entries.enumerated() { raw.storeBytes(of: e.littleEndian, toByteOffset: i * 4, as: UInt32.self) }
        }
        return data
    }

    /// A directory's clusters: label or dot entries, then long name and short entries of each child.
    func directory(_ index: Int) -> Data {
        let node = tree.nodes[index]
        var out: [UInt8] = []
        out.reserveCapacity(Int(node.clusters * layout.clusterSize))
        if index == 0 {
            if let label { out += shortEntry(ShortName(raw: label, caseFlags: 0), attributes: 0x08, cluster: 0, size: 0) }
        } else {
            let parent = node.parent
            let dot = ShortName(base: [0x2E], ext: []), dotdot = ShortName(base: [0x2E, 0x2E], ext: [])
            out += shortEntry(dot, attributes: 0x10, cluster: node.firstCluster, size: 0)
            out += shortEntry(dotdot, attributes: 0x10, cluster: parent == 0 ? 0 : tree.nodes[parent].firstCluster, size: 0)
        }
        for child in node.children {
            let c = tree.nodes[child]
            if c.needsLongName {
                for entry in FATNames.longNameEntries(c.name, checksum: c.shortName.checksum) { out += entry }
            }
            out += shortEntry(c.shortName, attributes: c.isDirectory ? 0x10 : 0x20, cluster: c.firstCluster, size: c.isDirectory ? 0 : UInt32(c.size))
        }
        out += [UInt8](repeating: 0, count: Int(node.clusters * layout.clusterSize) - out.count)
        return Data(out)
    }

    func shortEntry(_ name: ShortName, attributes: UInt8, cluster: UInt32, size: UInt32) -> [UInt8] {
        var e = [UInt8](repeating: 0, count: 32)
        e.replaceSubrange(0..<11, with: name.bytes)
        e[11] = attributes
        e[12] = name.caseFlags
        e[13] = timestamp.hundredths
        put16(&e, 14, timestamp.time)
        put16(&e, 16, timestamp.date)
        put16(&e, 18, timestamp.date)
        put16(&e, 20, UInt16(cluster >> 16))
        put16(&e, 22, timestamp.time)
        put16(&e, 24, timestamp.date)
        put16(&e, 26, UInt16(cluster & 0xFFFF))
        put32(&e, 28, size)
        return e
    }
}

func put16(_ b: inout [UInt8], _ at: Int, _ v: UInt16) {
    b[at] = UInt8(v & 0xFF); b[at + 1] = UInt8(v >> 8)
}

func put32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
    for i in 0..<4 { b[at + i] = UInt8(v >> (8 * UInt32(i)) & 0xFF) }
}
