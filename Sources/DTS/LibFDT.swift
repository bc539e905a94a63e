import CFDT

/// libfdt's error codes by name; `description` is libfdt's own `fdt_strerror`.
public struct FDTErrorCode: RawRepresentable, Equatable, Sendable, CustomStringConvertible {
    /// The negative value libfdt returned.
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let notFound = FDTErrorCode(rawValue: -FDT_ERR_NOTFOUND)
    public static let noSpace = FDTErrorCode(rawValue: -FDT_ERR_NOSPACE)
    public static let badMagic = FDTErrorCode(rawValue: -FDT_ERR_BADMAGIC)
    public static let badStructure = FDTErrorCode(rawValue: -FDT_ERR_BADSTRUCTURE)
    public static let truncated = FDTErrorCode(rawValue: -FDT_ERR_TRUNCATED)

    public var description: String { String(cString: fdt_strerror(rawValue)) }
}

/// Calls into libfdt and turns a negative result into a `DTSError` naming the operation and file at once.
@discardableResult
func fdtCheck(_ result: Int32, _ operation: String, _ file: String) throws -> Int32 {
    if result < 0 {
        throw DTSError(.libfdt(result), "\(operation): \(FDTErrorCode(rawValue: result))", file: file)
    }
    return result
}

/// The fixed DTB header fields sel4img reads before handing a buffer to libfdt.
struct FDTHeader {
    static let size = 40
    static let magic: UInt32 = 0xd00d_feed

    var magic: UInt32
    var totalSize: UInt32
    var bootCPU: UInt32

    init?(_ bytes: [UInt8]) {
        guard bytes.count >= Self.size else { return nil }
        magic = UInt32(readBigEndian(bytes, at: 0, count: 4))
        totalSize = UInt32(readBigEndian(bytes, at: 4, count: 4))
        bootCPU = UInt32(readBigEndian(bytes, at: 28, count: 4))
    }
}
