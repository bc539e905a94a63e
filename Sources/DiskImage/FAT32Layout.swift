import Foundation

/// Where everything lives in a FAT32 volume of a given size.
///
/// Choices, following mkfs.fat (dosfstools 4.2) so other tools see what
/// they expect:
/// - 512-byte sectors; 32 reserved sectors (boot sector 0, FSInfo 1, backup
///   boot sector 6, backup FSInfo 7); two FATs; root directory at cluster 2.
/// - Cluster size from the volume size as in Microsoft's table, which
///   mkfs.fat uses for FAT32: up to 260 MiB 512 bytes, up to 8 GiB 4 KiB,
///   up to 16 GiB 8 KiB, up to 32 GiB 16 KiB, above that 32 KiB.
/// - The reserved area and each FAT are rounded up to whole clusters, so the
///   data area starts cluster-aligned (mkfs.fat's default alignment): with a
///   partition at a 1 MiB boundary every cluster is aligned on the card.
/// - FAT32 is always used. A volume is FAT32 only with at least 65525
///   clusters (what Microsoft's and Linux's drivers and fsck.fat check), so
///   the smallest volume is `minimumVolumeSize` (66581 sectors, about
///   32.5 MiB; 33 MiB once rounded to a 1 MiB partition boundary). Volumes
///   sized automatically are never smaller; an explicit smaller size is an
///   error rather than a silent FAT16. Raspberry Pi firmware, U-Boot and
///   Jetson's bootloaders all read FAT32.
public struct FAT32Layout: Sendable, Equatable {
    public static let sectorSize: UInt64 = 512
    public static let minimumClusters: UInt64 = 65_525
    /// Highest cluster count: cluster numbers end below 0x0FFFFFF7 (bad-cluster mark).
    public static let maximumClusters: UInt64 = 0x0FFF_FFF5
    /// Largest volume: the 32-bit total-sectors field (2 TiB at 512-byte sectors).
    public static let maximumVolumeSize: UInt64 = UInt64(UInt32.max) * sectorSize
    public static let reservedSectorsBase: UInt64 = 32
    public static let fsInfoSector: UInt64 = 1
    public static let backupBootSector: UInt64 = 6
    public static let rootCluster: UInt32 = 2

    /// The smallest FAT32 volume: 65525 clusters of 512 bytes, 32 reserved
    /// sectors and two 512-sector FATs.
    public static let minimumVolumeSize: UInt64 = 66_581 * sectorSize

    public let totalSectors: UInt64
    public let sectorsPerCluster: UInt64
    public let reservedSectors: UInt64
    public let sectorsPerFAT: UInt64
    /// Clusters in the data area, numbered 2 ... clusterCount + 1.
    public let clusterCount: UInt64

    public var volumeSize: UInt64 { totalSectors * Self.sectorSize }
    public var clusterSize: UInt64 { sectorsPerCluster * Self.sectorSize }
    public var fatOffset: UInt64 { reservedSectors * Self.sectorSize }
    public var fatSize: UInt64 { sectorsPerFAT * Self.sectorSize }
    public var dataOffset: UInt64 { fatOffset + 2 * fatSize }

    /// Byte offset (in the volume) of a data cluster.
    public func offset(ofCluster cluster: UInt32) -> UInt64 {
        dataOffset + (UInt64(cluster) - 2) * clusterSize
    }

    /// mkfs.fat's FAT32 cluster size (in sectors) for a volume size.
    public static func sectorsPerCluster(forVolumeSize size: UInt64) -> UInt64 {
        let mib = (size + (1 << 20) - 1) >> 20
        switch mib {
        case ...260: return 1
        case ...(8 * 1024): return 8
        case ...(16 * 1024): return 16
        case ...(32 * 1024): return 32
        default: return 64
        }
    }

    /// Lays out a volume of `size` bytes (a multiple of 512).
    public init(volumeSize size: UInt64) throws {
        guard size % Self.sectorSize == 0 else {
            throw DiskImageError(.volumeSize, "FAT32 volume size \(size) is not a multiple of 512 bytes")
        }
        guard size <= Self.maximumVolumeSize else {
            throw DiskImageError(.volumeSize, "FAT32 volume size \(describeBytes(size)) is above the largest FAT32 volume, \(describeBytes(Self.maximumVolumeSize))")
        }
        guard size >= Self.minimumVolumeSize else {
            throw DiskImageError(.volumeSize,
                                 "FAT32 volume size \(describeBytes(size)) is below the smallest FAT32 volume, \(describeBytes(Self.minimumVolumeSize))",
                                 hint: "FAT32 needs at least 65525 clusters; make the partition at least 33 MiB")
        }
        let total = size / Self.sectorSize
        let spc = Self.sectorsPerCluster(forVolumeSize: size)
        let reserved = (Self.reservedSectorsBase + spc - 1) / spc * spc
        // mkfs.fat's sizing: the cluster count that two FATs and the data
        // fit exactly, then FATs covering it (rounded to whole clusters), then
        // the clusters that are left.
        let fatData = total - reserved
        let estimate = (fatData * Self.sectorSize + 2 * 8) / (spc * Self.sectorSize + 2 * 4)
        var fat = ((estimate + 2) * 4 + Self.sectorSize - 1) / Self.sectorSize
        fat = (fat + spc - 1) / spc * spc
        var clusters = (fatData - 2 * fat) / spc
        clusters = min(clusters, Self.maximumClusters)
        guard clusters >= Self.minimumClusters else {
            throw DiskImageError(.volumeSize,
                                 "FAT32 volume size \(describeBytes(size)) gives only \(clusters) clusters; FAT32 needs at least 65525",
                                 hint: "make the partition at least 33 MiB")
        }
        totalSectors = total
        sectorsPerCluster = spc
        reservedSectors = reserved
        sectorsPerFAT = fat
        clusterCount = clusters
    }
}
