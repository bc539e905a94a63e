import WasmEngine

/// Bounds-checked access to a module's linear memory for one WASI call.
/// Every guest pointer goes through here: anything out of range is EFAULT,
/// never a crash. Values are little-endian and may be unaligned.
struct GuestMemory {
    let bytes: UnsafeMutableRawBufferPointer

    init(_ bytes: UnsafeMutableRawBufferPointer?) {
        self.bytes = bytes ?? UnsafeMutableRawBufferPointer(start: nil, count: 0)
    }

    /// The byte range [pointer, pointer + length), or EFAULT.
    func range(_ pointer: UInt32, _ length: UInt32) throws(WASIErrno) -> Range<Int> {
        let end = UInt64(pointer) + UInt64(length)
        guard end <= UInt64(bytes.count) else { throw .fault }
        return Int(pointer)..<Int(end)
    }

    func slice(_ pointer: UInt32, _ length: UInt32) throws(WASIErrno) -> UnsafeMutableRawBufferPointer {
        let r = try range(pointer, length)
        if r.isEmpty { return UnsafeMutableRawBufferPointer(start: nil, count: 0) }
        return UnsafeMutableRawBufferPointer(rebasing: bytes[r])
    }

    func load8(_ pointer: UInt32) throws(WASIErrno) -> UInt8 {
        bytes[try range(pointer, 1).lowerBound]
    }

    func load16(_ pointer: UInt32) throws(WASIErrno) -> UInt16 {
        UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: try range(pointer, 2).lowerBound, as: UInt16.self))
    }

    func load32(_ pointer: UInt32) throws(WASIErrno) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: try range(pointer, 4).lowerBound, as: UInt32.self))
    }

    func load64(_ pointer: UInt32) throws(WASIErrno) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: try range(pointer, 8).lowerBound, as: UInt64.self))
    }

    func store8(_ value: UInt8, at pointer: UInt32) throws(WASIErrno) {
        bytes[try range(pointer, 1).lowerBound] = value
    }

    func store16(_ value: UInt16, at pointer: UInt32) throws(WASIErrno) {
        bytes.storeBytes(of: value.littleEndian, toByteOffset: try range(pointer, 2).lowerBound, as: UInt16.self)
    }

    func store32(_ value: UInt32, at pointer: UInt32) throws(WASIErrno) {
        bytes.storeBytes(of: value.littleEndian, toByteOffset: try range(pointer, 4).lowerBound, as: UInt32.self)
    }

    func store64(_ value: UInt64, at pointer: UInt32) throws(WASIErrno) {
        bytes.storeBytes(of: value.littleEndian, toByteOffset: try range(pointer, 8).lowerBound, as: UInt64.self)
    }

    /// Copies guest bytes out.
    func read(_ pointer: UInt32, _ length: UInt32) throws(WASIErrno) -> [UInt8] {
        Array(try slice(pointer, length))
    }

    /// Copies bytes in at `pointer`.
    func write(_ data: [UInt8], at pointer: UInt32) throws(WASIErrno) {
        guard data.count <= Int(UInt32.max) else { throw .fault }
        let target = try slice(pointer, UInt32(data.count))
        data.withUnsafeBytes { source in
            if let base = source.baseAddress, source.count > 0 { target.copyMemory(from: UnsafeRawBufferPointer(start: base, count: source.count)) }
        }
    }

    /// The iovec array at `pointer` (`count` entries of {buf: u32, len: u32}),
    /// each checked against memory: EFAULT if any is out of range.
    func iovecs(_ pointer: UInt32, _ count: UInt32) throws(WASIErrno) -> [UnsafeMutableRawBufferPointer] {
        guard UInt64(count) * 8 <= UInt64(UInt32.max) else { throw .fault }
        _ = try range(pointer, count * 8)
        var result: [UnsafeMutableRawBufferPointer] = []
        result.reserveCapacity(Int(count))
        var total: UInt64 = 0
        for i in 0..<count {
            let base = try load32(pointer + i * 8)
            let length = try load32(pointer + i * 8 + 4)
            total += UInt64(length)
            // The result count must fit in a u32 (POSIX: EINVAL when the sum overflows ssize_t).
            guard total <= UInt64(UInt32.max) else { throw .inval }
            result.append(try slice(base, length))
        }
        return result
    }
}

/// The arguments of one call, read by position. The engine checks them
/// against the declared type, so a missing or mistyped argument reads as 0.
struct Arguments {
    let values: [Value]
    init(_ values: [Value]) { self.values = values }

    func i32(_ index: Int) -> UInt32 {
        guard index < values.count else { return 0 }
        switch values[index] {
        case .i32(let v): return v
        case .i64(let v): return UInt32(truncatingIfNeeded: v)
        default: return 0
        }
    }

    func i64(_ index: Int) -> UInt64 {
        guard index < values.count else { return 0 }
        switch values[index] {
        case .i64(let v): return v
        case .i32(let v): return UInt64(v)
        default: return 0
        }
    }

    func fd(_ index: Int) -> Int32 { Int32(bitPattern: i32(index)) }
}
