// Byte-level reading of the binary format: LEB128 with exact-length checks, names, value types.

/// A cursor over the module bytes, bounded by the end of the current section or body.
struct Reader {
    let bytes: [UInt8]
    var position: Int
    var end: Int

    init(bytes: [UInt8], position: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.position = position
        self.end = end ?? bytes.count
    }

    var isAtEnd: Bool { position >= end }

    func malformed(_ message: String, at offset: Int? = nil) -> WasmError {
        WasmError(.malformed, message, offset: offset ?? position)
    }

    mutating func byte() throws(WasmError) -> UInt8 {
        guard position < end else {
            throw malformed(end < bytes.count ? "unexpected end of section or function" : "unexpected end")
        }
        let b = bytes[position]
        position += 1
        return b
    }

    func peek() -> UInt8? { position < end ? bytes[position] : nil }

    mutating func u32() throws(WasmError) -> UInt32 {
        let start = position
        var result: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            let b = try byte()
            if shift == 28 {
                if b & 0x80 != 0 { throw malformed("integer representation too long", at: start) }
                if b & 0x70 != 0 { throw malformed("integer too large", at: start) }
            }
            result |= UInt32(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// A signed LEB128 of `bits` bits (32, 33 or 64), sign-extended to 64 bits.
    mutating func signed(bits: Int) throws(WasmError) -> Int64 {
        let start = position
        var result: Int64 = 0
        var shift = 0
        let maxBytes = (bits + 6) / 7
        var count = 0
        while true {
            let b = try byte()
            count += 1
            if count == maxBytes {
                if b & 0x80 != 0 { throw malformed("integer representation too long", at: start) }
                // The unused high bits of the last byte must all equal the sign bit.
                let used = bits - shift          // bits of payload in this byte
                let signBit = (b >> UInt8(used - 1)) & 1
                let mask = UInt8(0x7F) & ~UInt8((1 << used) - 1)
                let high = b & mask
                if !(signBit == 0 ? high == 0 : high == mask) { throw malformed("integer too large", at: start) }
            }
            result |= Int64(b & 0x7F) << Int64(shift)
            shift += 7
            if b & 0x80 == 0 {
                if shift < 64 && b & 0x40 != 0 { result |= -1 << Int64(shift) }
                return result
            }
        }
    }

    mutating func s32() throws(WasmError) -> Int32 { Int32(truncatingIfNeeded: try signed(bits: 32)) }
    mutating func s64() throws(WasmError) -> Int64 { try signed(bits: 64) }

    mutating func fixed32() throws(WasmError) -> UInt32 {
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(try byte()) << UInt32(8 * i) }
        return v
    }

    mutating func fixed64() throws(WasmError) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(try byte()) << UInt64(8 * i) }
        return v
    }

    mutating func bytes(_ count: Int) throws(WasmError) -> [UInt8] {
        guard count <= end - position else {
            throw malformed(end < bytes.count ? "unexpected end of section or function" : "unexpected end")
        }
        let slice = Array(bytes[position..<position + count])
        position += count
        return slice
    }

    /// A vector length; rejects lengths that cannot possibly fit in what is left.
    mutating func count() throws(WasmError) -> Int {
        let n = try u32()
        return Int(n)
    }

    mutating func name() throws(WasmError) -> String {
        let length = try count()
        let start = position
        guard length <= end - position else {
            throw malformed(end < bytes.count ? "unexpected end of section or function" : "unexpected end")
        }
        let raw = Array(bytes[position..<position + length])
        position += length
        guard isValidUTF8(raw) else { throw malformed("malformed UTF-8 encoding", at: start) }
        return String(decoding: raw, as: UTF8.self)
    }

    mutating func valueType() throws(WasmError) -> ValueType {
        let at = position
        let b = try byte()
        guard let type = ValueType(binary: b) else { throw malformed("malformed value type", at: at) }
        return type
    }

    mutating func referenceType() throws(WasmError) -> ValueType {
        let at = position
        let b = try byte()
        switch b {
        case 0x70: return .funcRef
        case 0x6F: return .externRef
        default: throw malformed("malformed reference type", at: at)
        }
    }

    mutating func limits() throws(WasmError) -> Limits {
        let at = position
        let flag = try byte()
        switch flag {
        case 0x00: return Limits(min: try u32())
        case 0x01:
            let min = try u32()
            return Limits(min: min, max: try u32())
        default: throw malformed("integer too large", at: at)
        }
    }
}

extension ValueType {
    init?(binary: UInt8) {
        switch binary {
        case 0x7F: self = .i32
        case 0x7E: self = .i64
        case 0x7D: self = .f32
        case 0x7C: self = .f64
        case 0x70: self = .funcRef
        case 0x6F: self = .externRef
        default: return nil
        }
    }
}

/// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
func isValidUTF8(_ bytes: [UInt8]) -> Bool {
    var i = 0
    let n = bytes.count
    while i < n {
        let b0 = bytes[i]
        if b0 < 0x80 { i += 1; continue }
        var need = 0
        var minCode: UInt32 = 0
        var code: UInt32 = 0
        if b0 & 0xE0 == 0xC0 { need = 1; minCode = 0x80; code = UInt32(b0 & 0x1F) }
        else if b0 & 0xF0 == 0xE0 { need = 2; minCode = 0x800; code = UInt32(b0 & 0x0F) }
        else if b0 & 0xF8 == 0xF0 { need = 3; minCode = 0x10000; code = UInt32(b0 & 0x07) }
        else { return false }
        if i + need >= n { return false }
        for k in 1...need {
            let b = bytes[i + k]
            if b & 0xC0 != 0x80 { return false }
            code = code << 6 | UInt32(b & 0x3F)
        }
        if code < minCode || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF) { return false }
        i += need + 1
    }
    return true
}
