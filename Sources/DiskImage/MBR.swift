import Foundation

/// One used entry of an MBR partition table.
public struct MBRPartitionEntry: Sendable, Equatable {
    /// 1 ... 4, the entry's slot.
    public var number: Int
    public var bootable: Bool
    /// Partition type: 0x0C FAT32 (LBA), 0x83 Linux, ...
    public var type: UInt8
    public var startSector: UInt32
    public var sectorCount: UInt32

    public init(number: Int, bootable: Bool, type: UInt8, startSector: UInt32, sectorCount: UInt32) {
        self.number = number
        self.bootable = bootable
        self.type = type
        self.startSector = startSector
        self.sectorCount = sectorCount
    }

    public var startOffset: UInt64 { UInt64(startSector) * 512 }
    public var size: UInt64 { UInt64(sectorCount) * 512 }
}

/// A DOS/MBR partition table: the first sector of a disk image.
public struct MBRPartitionTable: Sendable, Equatable {
    public static let fat32LBA: UInt8 = 0x0C
    public static let linux: UInt8 = 0x83

    /// The 32-bit disk identifier at byte 440 (`label-id` in sfdisk, part of Linux's PARTUUID).
    public var diskSignature: UInt32
    /// Used entries, by slot number.
    public var partitions: [MBRPartitionEntry]

    public init(diskSignature: UInt32, partitions: [MBRPartitionEntry]) {
        self.diskSignature = diskSignature
        self.partitions = partitions
    }

    /// The 512-byte sector: no boot code, signature, four entries with
    /// CHS fields as sfdisk writes them (255 heads, 63 sectors per track,
    /// the 1023/254/63 marker beyond what CHS can address), and 0x55AA.
    public func encoded() -> Data {
        var b = [UInt8](repeating: 0, count: 512)
        put32(&b, 440, diskSignature)
        for p in partitions {
            let at = 446 + (p.number - 1) * 16
            b[at] = p.bootable ? 0x80 : 0x00
            b.replaceSubrange((at + 1)..<(at + 4), with: Self.chs(UInt64(p.startSector)))
            b[at + 4] = p.type
            b.replaceSubrange((at + 5)..<(at + 8), with: Self.chs(UInt64(p.startSector) + UInt64(p.sectorCount) - 1))
            put32(&b, at + 8, p.startSector)
            put32(&b, at + 12, p.sectorCount)
        }
        b[510] = 0x55; b[511] = 0xAA
        return Data(b)
    }

    static func chs(_ lba: UInt64) -> [UInt8] {
        let heads: UInt64 = 255, sectors: UInt64 = 63
        let cylinder = lba / (heads * sectors)
        guard cylinder < 1024 else { return [0xFE, 0xFF, 0xFF] }
        let head = lba / sectors % heads, sector = lba % sectors + 1
        return [UInt8(head), UInt8(sector) | UInt8(cylinder >> 2 & 0xC0), UInt8(cylinder & 0xFF)]
    }

    /// Parses the first sector of a disk; `name` is used in messages.
    public static func parse(_ sector: Data, name: String = "disk image") throws -> MBRPartitionTable {
        let b = [UInt8](sector.prefix(512))
        guard b.count == 512 else {
            throw DiskImageError.malformed(name, "is shorter than one 512-byte sector")
        }
        guard b[510] == 0x55, b[511] == 0xAA else {
            throw DiskImageError.malformed(name, "has no MBR signature (0x55AA at byte 510)")
        }
        var entries: [MBRPartitionEntry] = []
        for slot in 0..<4 {
            let at = 446 + slot * 16
            let type = b[at + 4]
            guard type != 0 else { continue }
            guard b[at] == 0 || b[at] == 0x80 else {
                throw DiskImageError.malformed(name, "has partition entry \(slot + 1) with status byte 0x\(String(format: "%02X", b[at])) (expected 0x00 or 0x80)")
            }
            entries.append(MBRPartitionEntry(number: slot + 1, bootable: b[at] == 0x80, type: type,
                                             startSector: get32(b, at + 8), sectorCount: get32(b, at + 12)))
        }
        return MBRPartitionTable(diskSignature: get32(b, 440), partitions: entries)
    }

    /// Reads the partition table of a disk image file.
    public static func read(from url: URL) throws -> MBRPartitionTable {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw DiskImageError.malformed(url.path, "cannot be read: \(error.localizedDescription)")
        }
        defer { try? handle.close() }
        let sector = (try? handle.read(upToCount: 512)) ?? nil
        return try parse(sector ?? Data(), name: url.path)
    }
}

func get16(_ b: [UInt8], _ at: Int) -> UInt16 { UInt16(b[at]) | UInt16(b[at + 1]) << 8 }
func get32(_ b: [UInt8], _ at: Int) -> UInt32 {
    UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
}
