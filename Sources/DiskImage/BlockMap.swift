import Foundation
import Support

/// Which parts of an image hold data, each with its SHA-256, so a flasher can
/// skip the empty rest and verify what it wrote. Written beside an image as
/// `IMAGE.bmap.json`. A range is listed when any byte in it is non-zero.
public struct BlockMap: Codable, Sendable, Equatable {
    public struct Range: Codable, Sendable, Equatable {
        /// Byte offset of the first block.
        public var offset: UInt64
        /// Length in bytes (a multiple of the block size, except at the image's end).
        public var length: UInt64
        public var sha256: String

        public init(offset: UInt64, length: UInt64, sha256: String) {
            self.offset = offset
            self.length = length
            self.sha256 = sha256
        }
    }

    public var format = 1
    public var imageSize: UInt64
    public var blockSize: UInt64
    /// SHA-256 of the whole image.
    public var imageSHA256: String
    /// Data ranges, in ascending order, not overlapping, not adjacent.
    public var ranges: [Range]

    public init(imageSize: UInt64, blockSize: UInt64, imageSHA256: String, ranges: [Range]) {
        self.imageSize = imageSize
        self.blockSize = blockSize
        self.imageSHA256 = imageSHA256
        self.ranges = ranges
    }

    /// Bytes the ranges cover.
    public var mappedBytes: UInt64 { ranges.reduce(0) { $0 + $1.length } }

    /// Scans an image in `blockSize` blocks (default 64 KiB), merging runs of
    /// non-zero blocks into ranges of at most `maxRange` bytes, so a
    /// verification failure points at a small region.
    public static func scan(_ image: URL, blockSize: UInt64 = 64 << 10, maxRange: UInt64 = 4 << 20) throws -> BlockMap {
        precondition(blockSize > 0 && maxRange >= blockSize)
        let handle = try FileHandle(forReadingFrom: image)
        defer { try? handle.close() }
        let whole = SHA256Stream()
        var ranges: [Range] = []
        var current: (offset: UInt64, hasher: SHA256Stream, length: UInt64)?
        var offset: UInt64 = 0
        func close() {
            if let c = current { ranges.append(Range(offset: c.offset, length: c.length, sha256: c.hasher.finish())) }
            current = nil
        }
        while let block = try handle.read(upToCount: Int(blockSize)), !block.isEmpty {
            whole.update(block)
            if block.contains(where: { $0 != 0 }) {
                if current == nil || current!.length + UInt64(block.count) > maxRange { close(); current = (offset, SHA256Stream(), 0) }
                current!.hasher.update(block)
                current!.length += UInt64(block.count)
            } else {
                close()
            }
            offset += UInt64(block.count)
        }
        close()
        return BlockMap(imageSize: offset, blockSize: blockSize, imageSHA256: whole.finish(), ranges: ranges)
    }

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var data = try encoder.encode(self)
        data.append(0x0A)
        try FileManager.default.writeAtomically(data, to: url)
    }

    public static func read(from url: URL) throws -> BlockMap {
        let map: BlockMap
        do {
            map = try JSONDecoder().decode(BlockMap.self, from: Data(contentsOf: url))
        } catch {
            throw BlockMapError(file: url.path, problem: "is not a readable block map (\(error.localizedDescription))")
        }
        try map.validate(file: url.path)
        return map
    }

    /// Ranges must be sorted, disjoint, inside the image, with valid hashes.
    public func validate(file: String) throws {
        guard format == 1 else { throw BlockMapError(file: file, problem: "has format \(format); this sel4img reads format 1") }
        guard blockSize > 0 else { throw BlockMapError(file: file, problem: "has a block size of 0") }
        var end: UInt64 = 0
        for (i, r) in ranges.enumerated() {
            guard r.length > 0, r.offset >= end, r.offset <= imageSize, r.length <= imageSize - r.offset else {
                throw BlockMapError(file: file, problem: "range \(i + 1) (offset \(r.offset), length \(r.length)) overlaps another or lies outside the \(imageSize)-byte image")
            }
            guard SHA256Hex.isValid(r.sha256) else { throw BlockMapError(file: file, problem: "range \(i + 1) has no valid SHA-256") }
            end = r.offset + r.length
        }
    }
}

public struct BlockMapError: UserFacingError {
    public var file: String
    public var problem: String
    public var description: String { "block map \(file) \(problem)" }
}
