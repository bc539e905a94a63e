// The interpreter's floating-point instructions: f32 and f64 comparisons and arithmetic (with
// a slot or an inline constant as second operand), and the conversions between floats and
// integers. Each handler is one case of the dispatch switch (Interpreter+Dispatch.swift) and is
// always inlined into it; handlers that can trap (float-to-integer truncation) return the `Fault`.

extension Machine {
    @inline(__always)
    mutating func f32Eq(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f32(f[a]), b = f32(f[b]); f[d] = (a == b) ? 1 : 0
    }

    @inline(__always)
    mutating func f32Ne(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f32(f[a]), b = f32(f[b]); f[d] = (a != b) ? 1 : 0
    }

    @inline(__always)
    mutating func f32Lt(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f32(f[a]), b = f32(f[b]); f[d] = (a < b) ? 1 : 0
    }

    @inline(__always)
    mutating func f32Gt(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f32(f[a]), b = f32(f[b]); f[d] = (a > b) ? 1 : 0
    }

    @inline(__always)
    mutating func f32Le(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f32(f[a]), b = f32(f[b]); f[d] = (a <= b) ? 1 : 0
    }

    @inline(__always)
    mutating func f32Ge(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f32(f[a]), b = f32(f[b]); f[d] = (a >= b) ? 1 : 0
    }

    @inline(__always)
    mutating func f64Eq(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f64(f[a]), b = f64(f[b]); f[d] = (a == b) ? 1 : 0
    }

    @inline(__always)
    mutating func f64Ne(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f64(f[a]), b = f64(f[b]); f[d] = (a != b) ? 1 : 0
    }

    @inline(__always)
    mutating func f64Lt(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f64(f[a]), b = f64(f[b]); f[d] = (a < b) ? 1 : 0
    }

    @inline(__always)
    mutating func f64Gt(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f64(f[a]), b = f64(f[b]); f[d] = (a > b) ? 1 : 0
    }

    @inline(__always)
    mutating func f64Le(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f64(f[a]), b = f64(f[b]); f[d] = (a <= b) ? 1 : 0
    }

    @inline(__always)
    mutating func f64Ge(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f64(f[a]), b = f64(f[b]); f[d] = (a >= b) ? 1 : 0
    }

    @inline(__always)
    mutating func f32Abs(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = a & 0x7FFF_FFFF
    }

    @inline(__always)
    mutating func f32Neg(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = (a ^ 0x8000_0000) & 0xFFFF_FFFF
    }

    @inline(__always)
    mutating func f32Ceil(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s32(f32(a).rounded(.up))
    }

    @inline(__always)
    mutating func f32Floor(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s32(f32(a).rounded(.down))
    }

    @inline(__always)
    mutating func f32Trunc(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s32(f32(a).rounded(.towardZero))
    }

    @inline(__always)
    mutating func f32Nearest(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s32(f32(a).rounded(.toNearestOrEven))
    }

    @inline(__always)
    mutating func f32Sqrt(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s32(libmSquareRoot(f32(a)))
    }

    @inline(__always)
    mutating func f32Add(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f32(f[a]), b = f32(f[b]); f[d] = s32(a + b)
    }

    @inline(__always)
    mutating func f32Sub(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f32(f[a]), b = f32(f[b]); f[d] = s32(a - b)
    }

    @inline(__always)
    mutating func f32Mul(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f32(f[a]), b = f32(f[b]); f[d] = s32(a * b)
    }

    @inline(__always)
    mutating func f32Div(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f32(f[a]), b = f32(f[b]); f[d] = s32(a / b)
    }

    @inline(__always)
    mutating func f32Min(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f32(f[a]), b = f32(f[b]); f[d] = s32(wasmMin(a, b))
    }

    @inline(__always)
    mutating func f32Max(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f32(f[a]), b = f32(f[b]); f[d] = s32(wasmMax(a, b))
    }

    @inline(__always)
    mutating func f32Copysign(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = (f[a] & 0x7FFF_FFFF) | (f[b] & 0x8000_0000)
    }

    @inline(__always)
    mutating func f64Abs(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = a & 0x7FFF_FFFF_FFFF_FFFF
    }

    @inline(__always)
    mutating func f64Neg(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = a ^ 0x8000_0000_0000_0000
    }

    @inline(__always)
    mutating func f64Ceil(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s64(f64(a).rounded(.up))
    }

    @inline(__always)
    mutating func f64Floor(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s64(f64(a).rounded(.down))
    }

    @inline(__always)
    mutating func f64Trunc(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s64(f64(a).rounded(.towardZero))
    }

    @inline(__always)
    mutating func f64Nearest(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s64(f64(a).rounded(.toNearestOrEven))
    }

    @inline(__always)
    mutating func f64Sqrt(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s64(libmSquareRoot(f64(a)))
    }

    @inline(__always)
    mutating func f64Add(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f64(f[a]), b = f64(f[b]); f[d] = s64(a + b)
    }

    @inline(__always)
    mutating func f64Sub(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f64(f[a]), b = f64(f[b]); f[d] = s64(a - b)
    }

    @inline(__always)
    mutating func f64Mul(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f64(f[a]), b = f64(f[b]); f[d] = s64(a * b)
    }

    @inline(__always)
    mutating func f64Div(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f64(f[a]), b = f64(f[b]); f[d] = s64(a / b)
    }

    @inline(__always)
    mutating func f64Min(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f64(f[a]), b = f64(f[b]); f[d] = s64(wasmMin(a, b))
    }

    @inline(__always)
    mutating func f64Max(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f64(f[a]), b = f64(f[b]); f[d] = s64(wasmMax(a, b))
    }

    @inline(__always)
    mutating func f64Copysign(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = (f[a] & 0x7FFF_FFFF_FFFF_FFFF) | (f[b] & 0x8000_0000_0000_0000)
    }

    @inline(__always)
    mutating func i32TruncF32S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let x = f32(f[a]); guard let r = truncateS32(x) else { return x.isNaN ? .invalidConversionToInteger : .integerOverflow }; f[d] = r
        return .none
    }

    @inline(__always)
    mutating func i32TruncF32U(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let x = f32(f[a]); guard let r = truncateU32(x) else { return x.isNaN ? .invalidConversionToInteger : .integerOverflow }; f[d] = r
        return .none
    }

    @inline(__always)
    mutating func i32TruncF64S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let x = f64(f[a]); guard let r = truncateS32(x) else { return x.isNaN ? .invalidConversionToInteger : .integerOverflow }; f[d] = r
        return .none
    }

    @inline(__always)
    mutating func i32TruncF64U(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let x = f64(f[a]); guard let r = truncateU32(x) else { return x.isNaN ? .invalidConversionToInteger : .integerOverflow }; f[d] = r
        return .none
    }

    @inline(__always)
    mutating func i64TruncF32S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let x = f32(f[a]); guard let r = truncateS64(x) else { return x.isNaN ? .invalidConversionToInteger : .integerOverflow }; f[d] = r
        return .none
    }

    @inline(__always)
    mutating func i64TruncF32U(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let x = f32(f[a]); guard let r = truncateU64(x) else { return x.isNaN ? .invalidConversionToInteger : .integerOverflow }; f[d] = r
        return .none
    }

    @inline(__always)
    mutating func i64TruncF64S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let x = f64(f[a]); guard let r = truncateS64(x) else { return x.isNaN ? .invalidConversionToInteger : .integerOverflow }; f[d] = r
        return .none
    }

    @inline(__always)
    mutating func i64TruncF64U(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let x = f64(f[a]); guard let r = truncateU64(x) else { return x.isNaN ? .invalidConversionToInteger : .integerOverflow }; f[d] = r
        return .none
    }

    @inline(__always)
    mutating func f32ConvertI32S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s32(Float(Int32(bitPattern: u32(a))))
    }

    @inline(__always)
    mutating func f32ConvertI32U(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s32(Float(u32(a)))
    }

    @inline(__always)
    mutating func f32ConvertI64S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s32(Float(Int64(bitPattern: a)))
    }

    @inline(__always)
    mutating func f32ConvertI64U(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s32(Float(a))
    }

    @inline(__always)
    mutating func f32DemoteF64(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s32(Float(f64(a)))
    }

    @inline(__always)
    mutating func f64ConvertI32S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s64(Double(Int32(bitPattern: u32(a))))
    }

    @inline(__always)
    mutating func f64ConvertI32U(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s64(Double(u32(a)))
    }

    @inline(__always)
    mutating func f64ConvertI64S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s64(Double(Int64(bitPattern: a)))
    }

    @inline(__always)
    mutating func f64ConvertI64U(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s64(Double(a))
    }

    @inline(__always)
    mutating func f64PromoteF32(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = s64(Double(f32(a)))
    }

    @inline(__always)
    mutating func i32ReinterpretF32(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = f[a]
    }

    @inline(__always)
    mutating func i64ReinterpretF64(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = f[a]
    }

    @inline(__always)
    mutating func f32ReinterpretI32(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = f[a]
    }

    @inline(__always)
    mutating func f64ReinterpretI64(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = f[a]
    }

    @inline(__always)
    mutating func i32TruncSatF32S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = saturateS32(f32(f[a]))
    }

    @inline(__always)
    mutating func i32TruncSatF32U(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = saturateU32(f32(f[a]))
    }

    @inline(__always)
    mutating func i32TruncSatF64S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = saturateS32(f64(f[a]))
    }

    @inline(__always)
    mutating func i32TruncSatF64U(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = saturateU32(f64(f[a]))
    }

    @inline(__always)
    mutating func i64TruncSatF32S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = saturateS64(f32(f[a]))
    }

    @inline(__always)
    mutating func i64TruncSatF32U(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = saturateU64(f32(f[a]))
    }

    @inline(__always)
    mutating func i64TruncSatF64S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = saturateS64(f64(f[a]))
    }

    @inline(__always)
    mutating func i64TruncSatF64U(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        f[d] = saturateU64(f64(f[a]))
    }

    @inline(__always)
    mutating func f32AddConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f32(f[a]), b = f32(ip[0]); ip += 1; f[d] = s32(a + b)
    }

    @inline(__always)
    mutating func f32SubConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f32(f[a]), b = f32(ip[0]); ip += 1; f[d] = s32(a - b)
    }

    @inline(__always)
    mutating func f32MulConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f32(f[a]), b = f32(ip[0]); ip += 1; f[d] = s32(a * b)
    }

    @inline(__always)
    mutating func f32DivConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f32(f[a]), b = f32(ip[0]); ip += 1; f[d] = s32(a / b)
    }

    @inline(__always)
    mutating func f32MinConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f32(f[a]), b = f32(ip[0]); ip += 1; f[d] = s32(wasmMin(a, b))
    }

    @inline(__always)
    mutating func f32MaxConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f32(f[a]), b = f32(ip[0]); ip += 1; f[d] = s32(wasmMax(a, b))
    }

    @inline(__always)
    mutating func f64AddConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f64(f[a]), b = f64(ip[0]); ip += 1; f[d] = s64(a + b)
    }

    @inline(__always)
    mutating func f64SubConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f64(f[a]), b = f64(ip[0]); ip += 1; f[d] = s64(a - b)
    }

    @inline(__always)
    mutating func f64MulConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f64(f[a]), b = f64(ip[0]); ip += 1; f[d] = s64(a * b)
    }

    @inline(__always)
    mutating func f64DivConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f64(f[a]), b = f64(ip[0]); ip += 1; f[d] = s64(a / b)
    }

    @inline(__always)
    mutating func f64MinConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f64(f[a]), b = f64(ip[0]); ip += 1; f[d] = s64(wasmMin(a, b))
    }

    @inline(__always)
    mutating func f64MaxConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f64(f[a]), b = f64(ip[0]); ip += 1; f[d] = s64(wasmMax(a, b))
    }

    // An f64.mul fused with the add or sub that consumes its result (see the table's f64MulAdd):
    // two roundings, as the separate instructions.

    @inline(__always)
    mutating func f64MulAdd(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let c = Int(truncatingIfNeeded: ip[0]); ip += 1
        let product = f64(f[a]) * f64(f[b]); f[d] = s64(f64(f[c]) + product)
    }

    @inline(__always)
    mutating func f64MulSub(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let c = Int(truncatingIfNeeded: ip[0]); ip += 1
        let product = f64(f[a]) * f64(f[b]); f[d] = s64(product - f64(f[c]))
    }

    @inline(__always)
    mutating func f64SubMul(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let c = Int(truncatingIfNeeded: ip[0]); ip += 1
        let product = f64(f[a]) * f64(f[b]); f[d] = s64(f64(f[c]) - product)
    }

    @inline(__always)
    mutating func f64MulMul(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let c = Int(truncatingIfNeeded: ip[0]); ip += 1
        let product = f64(f[a]) * f64(f[b]); f[d] = s64(product * f64(f[c]))
    }

    @inline(__always)
    mutating func f64MulMulAdd(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let word = ip[0]; ip += 1
        let c = Int(truncatingIfNeeded: word & 0xFFFF), e = Int(truncatingIfNeeded: (word >> 16) & 0xFFFF)
        let product = (f64(f[a]) * f64(f[b])) * f64(f[c]); f[d] = s64(f64(f[e]) + product)
    }

    @inline(__always)
    mutating func f64SubMulMul(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let word = ip[0]; ip += 1
        let c = Int(truncatingIfNeeded: word & 0xFFFF), e = Int(truncatingIfNeeded: (word >> 16) & 0xFFFF)
        let product = (f64(f[a]) * f64(f[b])) * f64(f[c]); f[d] = s64(f64(f[e]) - product)
    }
}
