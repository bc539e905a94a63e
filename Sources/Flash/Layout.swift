import DiskImage

/// How a block map becomes writes: the mapped ranges cut into a body,
/// written first, and a head (the first 4 KiB of the disk and of the first
/// range), written last; with `--zero-unmapped`, the gaps between ranges too.
struct Layout: Sendable, Equatable {
    struct Piece: Sendable, Equatable {
        var offset: UInt64
        var length: UInt64
        var end: UInt64 { offset + length }
    }

    /// Body pieces of each range, by range index (a range wholly in the head has none).
    var bodyData: [[Piece]] = []
    var headData: [Piece] = []
    var bodyZeros: [Piece] = []
    var headZeros: [Piece] = []
    /// Indices of ranges that can be verified before the head is written, and those that need it.
    var bodyRanges: [Int] = []
    var headRanges: [Int] = []

    var headBytes: UInt64 { headData.reduce(0) { $0 + $1.length } }

    init(map: BlockMap, headSize: UInt64 = Flasher.headSize, zeroUnmapped: Bool) {
        var head = [Piece(offset: 0, length: min(headSize, map.imageSize))]
        if let first = map.ranges.first, first.offset >= headSize {
            head.append(Piece(offset: first.offset, length: min(headSize, first.length)))
        }
        head.removeAll { $0.length == 0 }

        for (i, range) in map.ranges.enumerated() {
            let (body, inHead) = Self.split(Piece(offset: range.offset, length: range.length), by: head)
            bodyData.append(body)
            headData += inHead
            if inHead.isEmpty { bodyRanges.append(i) } else { headRanges.append(i) }
        }
        guard zeroUnmapped else { return }
        var previousEnd: UInt64 = 0
        for range in map.ranges.map({ Piece(offset: $0.offset, length: $0.length) }) + [Piece(offset: map.imageSize, length: 0)] {
            if range.offset > previousEnd {
                let (body, inHead) = Self.split(Piece(offset: previousEnd, length: range.offset - previousEnd), by: head)
                bodyZeros += body
                headZeros += inHead
            }
            previousEnd = range.end
        }
    }

    /// The parts of `piece` outside and inside the sorted, disjoint `head` pieces.
    static func split(_ piece: Piece, by head: [Piece]) -> (outside: [Piece], inside: [Piece]) {
        var outside: [Piece] = [], inside: [Piece] = []
        var cursor = piece.offset
        for h in head where h.end > cursor && h.offset < piece.end {
            let start = max(h.offset, cursor), end = min(h.end, piece.end)
            if start > cursor { outside.append(Piece(offset: cursor, length: start - cursor)) }
            inside.append(Piece(offset: start, length: end - start))
            cursor = end
        }
        if cursor < piece.end { outside.append(Piece(offset: cursor, length: piece.end - cursor)) }
        return (outside, inside)
    }
}
