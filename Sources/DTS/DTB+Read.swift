import Foundation

extension DeviceTree {
    /// The deepest node nesting sel4img reads from a DTB or compiles from DTS
    /// (the root is level 0). Real device trees nest fewer than 20 levels; the
    /// limit keeps every recursive step (printing, writing, resolving
    /// references, libfdt's overlay code) far from the end of the stack on
    /// hostile input, and rejects a 20,000-level file in milliseconds.
    public static let maximumDepth = 256

    /// The longest property name read or compiled (the specification allows
    /// 31 characters). Without a bound, many properties naming different
    /// offsets of one long string would each copy most of a DTB's strings block.
    public static let maximumPropertyName = 256

    /// Reads a DTB. `file` names it in errors. Every problem (truncation, bad
    /// magic, an offset or length outside the blob or its block, bad
    /// structure, nesting deeper than `maximumDepth`) is a `DTSError` naming
    /// the byte offset and, where known, the node: never a crash or a hang.
    /// The blob is walked in Swift (`FDTBlob`), not by libfdt's
    /// `fdt_check_full`, which passes a property length of 0xffffffff and
    /// loops forever on 0xfffffff4.
    public init(dtb bytes: [UInt8], file: String = "<dtb>") throws {
        let blob = try FDTBlob(bytes, file: file)
        self.init(root: try blob.readStructure(), memoryReservations: try blob.readReservations(), bootCPU: blob.bootCPU)
    }

    /// Reads a DTB file.
    public init(dtbFile url: URL) throws {
        try self.init(dtb: try DTSFile.read(url), file: url.path)
    }
}
