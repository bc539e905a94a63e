// The interpreter's integer instructions: comparisons, arithmetic (with a slot or an inline
// constant as second operand) and bit operations on i32 and i64, and the integer-to-integer
// conversions. Floating-point instructions and conversions to and from floats are in
// Interpreter+Float.swift. Each handler is inlined into its instruction's threaded-code
// function (Interpreter+Dispatch.swift); handlers that can trap (division) return the `Fault`.

extension Machine {
    @inline(__always)
    mutating func i32Eqz(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = u32(a) == 0 ? 1 : 0
    }

    @inline(__always)
    mutating func i32Eq(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = ((a == b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32Ne(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = ((a != b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32LtS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = ((Int32(bitPattern: a) < Int32(bitPattern: b)) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32LtU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = ((a < b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32GtS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = ((Int32(bitPattern: a) > Int32(bitPattern: b)) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32GtU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = ((a > b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32LeS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = ((Int32(bitPattern: a) <= Int32(bitPattern: b)) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32LeU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = ((a <= b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32GeS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = ((Int32(bitPattern: a) >= Int32(bitPattern: b)) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32GeU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = ((a >= b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64Eqz(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = a == 0 ? 1 : 0
    }

    @inline(__always)
    mutating func i64Eq(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = ((a == b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64Ne(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = ((a != b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64LtS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = ((Int64(bitPattern: a) < Int64(bitPattern: b)) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64LtU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = ((a < b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64GtS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = ((Int64(bitPattern: a) > Int64(bitPattern: b)) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64GtU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = ((a > b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64LeS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = ((Int64(bitPattern: a) <= Int64(bitPattern: b)) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64LeU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = ((a <= b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64GeS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = ((Int64(bitPattern: a) >= Int64(bitPattern: b)) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64GeU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = ((a >= b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32Clz(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = UInt64(u32(a).leadingZeroBitCount)
    }

    @inline(__always)
    mutating func i32Ctz(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = UInt64(u32(a).trailingZeroBitCount)
    }

    @inline(__always)
    mutating func i32Popcnt(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = UInt64(u32(a).nonzeroBitCount)
    }

    @inline(__always)
    mutating func i32Add(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a &+ b)
    }

    @inline(__always)
    mutating func i32Sub(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a &- b)
    }

    @inline(__always)
    mutating func i32Mul(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a &* b)
    }

    @inline(__always)
    mutating func i32DivS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let a = u32(f[a]), b = u32(f[b]); let x = Int32(bitPattern: a), y = Int32(bitPattern: b); if y == 0 { return .integerDivideByZero }; if x == .min && y == -1 { return .integerOverflow }; f[d] = UInt64(UInt32(bitPattern: x / y))
        return .none
    }

    @inline(__always)
    mutating func i32DivU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let a = u32(f[a]), b = u32(f[b]); if b == 0 { return .integerDivideByZero }; f[d] = UInt64(a / b)
        return .none
    }

    @inline(__always)
    mutating func i32RemS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let a = u32(f[a]), b = u32(f[b]); let x = Int32(bitPattern: a), y = Int32(bitPattern: b); if y == 0 { return .integerDivideByZero }; f[d] = y == -1 ? 0 : UInt64(UInt32(bitPattern: x % y))
        return .none
    }

    @inline(__always)
    mutating func i32RemU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let a = u32(f[a]), b = u32(f[b]); if b == 0 { return .integerDivideByZero }; f[d] = UInt64(a % b)
        return .none
    }

    @inline(__always)
    mutating func i32And(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a & b)
    }

    @inline(__always)
    mutating func i32Or(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a | b)
    }

    @inline(__always)
    mutating func i32Xor(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a ^ b)
    }

    @inline(__always)
    mutating func i32Shl(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a &<< b)
    }

    @inline(__always)
    mutating func i32ShrS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(UInt32(bitPattern: Int32(bitPattern: a) &>> Int32(bitPattern: b)))
    }

    @inline(__always)
    mutating func i32ShrU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a &>> b)
    }

    @inline(__always)
    mutating func i32Rotl(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a &<< b | a &>> (32 &- b))
    }

    @inline(__always)
    mutating func i32Rotr(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]); f[d] = UInt64(a &>> b | a &<< (32 &- b))
    }

    @inline(__always)
    mutating func i64Clz(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = UInt64(a.leadingZeroBitCount)
    }

    @inline(__always)
    mutating func i64Ctz(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = UInt64(a.trailingZeroBitCount)
    }

    @inline(__always)
    mutating func i64Popcnt(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = UInt64(a.nonzeroBitCount)
    }

    @inline(__always)
    mutating func i64Add(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = a &+ b
    }

    @inline(__always)
    mutating func i64Sub(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = a &- b
    }

    @inline(__always)
    mutating func i64Mul(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = a &* b
    }

    @inline(__always)
    mutating func i64DivS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let a = f[a], b = f[b]; let x = Int64(bitPattern: a), y = Int64(bitPattern: b); if y == 0 { return .integerDivideByZero }; if x == .min && y == -1 { return .integerOverflow }; f[d] = UInt64(bitPattern: x / y)
        return .none
    }

    @inline(__always)
    mutating func i64DivU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let a = f[a], b = f[b]; if b == 0 { return .integerDivideByZero }; f[d] = a / b
        return .none
    }

    @inline(__always)
    mutating func i64RemS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let a = f[a], b = f[b]; let x = Int64(bitPattern: a), y = Int64(bitPattern: b); if y == 0 { return .integerDivideByZero }; f[d] = y == -1 ? 0 : UInt64(bitPattern: x % y)
        return .none
    }

    @inline(__always)
    mutating func i64RemU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let a = f[a], b = f[b]; if b == 0 { return .integerDivideByZero }; f[d] = a % b
        return .none
    }

    @inline(__always)
    mutating func i64And(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = a & b
    }

    @inline(__always)
    mutating func i64Or(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = a | b
    }

    @inline(__always)
    mutating func i64Xor(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = a ^ b
    }

    @inline(__always)
    mutating func i64Shl(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = a &<< b
    }

    @inline(__always)
    mutating func i64ShrS(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = UInt64(bitPattern: Int64(bitPattern: a) &>> Int64(bitPattern: b))
    }

    @inline(__always)
    mutating func i64ShrU(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = a &>> b
    }

    @inline(__always)
    mutating func i64Rotl(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = a &<< b | a &>> (64 &- b)
    }

    @inline(__always)
    mutating func i64Rotr(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b]; f[d] = a &>> b | a &<< (64 &- b)
    }

    @inline(__always)
    mutating func i32WrapI64(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = a & 0xFFFF_FFFF
    }

    @inline(__always)
    mutating func i64ExtendI32S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = UInt64(bitPattern: Int64(Int32(bitPattern: u32(a))))
    }

    @inline(__always)
    mutating func i64ExtendI32U(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = a & 0xFFFF_FFFF
    }

    @inline(__always)
    mutating func i32Extend8S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = UInt64(UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: a))))
    }

    @inline(__always)
    mutating func i32Extend16S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = UInt64(UInt32(bitPattern: Int32(Int16(truncatingIfNeeded: a))))
    }

    @inline(__always)
    mutating func i64Extend8S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: a)))
    }

    @inline(__always)
    mutating func i64Extend16S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = UInt64(bitPattern: Int64(Int16(truncatingIfNeeded: a)))
    }

    @inline(__always)
    mutating func i64Extend32S(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a]; f[d] = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: a)))
    }

    @inline(__always)
    mutating func i32EqConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((a == b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32NeConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((a != b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32LtSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((Int32(bitPattern: a) < Int32(bitPattern: b)) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32LtUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((a < b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32GtSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((Int32(bitPattern: a) > Int32(bitPattern: b)) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32GtUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((a > b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32LeSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((Int32(bitPattern: a) <= Int32(bitPattern: b)) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32LeUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((a <= b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32GeSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((Int32(bitPattern: a) >= Int32(bitPattern: b)) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32GeUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = ((a >= b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i32AddConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a &+ b)
    }

    @inline(__always)
    mutating func i32SubConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a &- b)
    }

    @inline(__always)
    mutating func i32MulConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a &* b)
    }

    @inline(__always)
    mutating func i32DivSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; let x = Int32(bitPattern: a), y = Int32(bitPattern: b); if y == 0 { return .integerDivideByZero }; if x == .min && y == -1 { return .integerOverflow }; f[d] = UInt64(UInt32(bitPattern: x / y))
        return .none
    }

    @inline(__always)
    mutating func i32DivUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; if b == 0 { return .integerDivideByZero }; f[d] = UInt64(a / b)
        return .none
    }

    @inline(__always)
    mutating func i32RemSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; let x = Int32(bitPattern: a), y = Int32(bitPattern: b); if y == 0 { return .integerDivideByZero }; f[d] = y == -1 ? 0 : UInt64(UInt32(bitPattern: x % y))
        return .none
    }

    @inline(__always)
    mutating func i32RemUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; if b == 0 { return .integerDivideByZero }; f[d] = UInt64(a % b)
        return .none
    }

    @inline(__always)
    mutating func i32AndConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a & b)
    }

    @inline(__always)
    mutating func i32OrConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a | b)
    }

    @inline(__always)
    mutating func i32XorConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a ^ b)
    }

    @inline(__always)
    mutating func i32ShlConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a &<< b)
    }

    @inline(__always)
    mutating func i32ShrSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(UInt32(bitPattern: Int32(bitPattern: a) &>> Int32(bitPattern: b)))
    }

    @inline(__always)
    mutating func i32ShrUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a &>> b)
    }

    @inline(__always)
    mutating func i32RotlConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a &<< b | a &>> (32 &- b))
    }

    @inline(__always)
    mutating func i32RotrConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(ip[0]); ip += 1; f[d] = UInt64(a &>> b | a &<< (32 &- b))
    }

    @inline(__always)
    mutating func i64EqConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = ((a == b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64NeConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = ((a != b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64LtSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = ((Int64(bitPattern: a) < Int64(bitPattern: b)) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64LtUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = ((a < b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64GtSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = ((Int64(bitPattern: a) > Int64(bitPattern: b)) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64GtUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = ((a > b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64LeSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = ((Int64(bitPattern: a) <= Int64(bitPattern: b)) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64LeUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = ((a <= b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64GeSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = ((Int64(bitPattern: a) >= Int64(bitPattern: b)) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64GeUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = ((a >= b) ? 1 : 0)
    }

    @inline(__always)
    mutating func i64AddConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = a &+ b
    }

    @inline(__always)
    mutating func i64SubConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = a &- b
    }

    @inline(__always)
    mutating func i32XorMulConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]), k = u32(ip[0]); ip += 1; f[d] = UInt64((a ^ b) &* k)
    }

    @inline(__always)
    mutating func i64XorMulConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b], k = ip[0]; ip += 1; f[d] = (a ^ b) &* k
    }

    @inline(__always)
    mutating func i32AddConstAndConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let w = ip[0]; ip += 1
        f[d] = UInt64((u32(f[a]) &+ UInt32(truncatingIfNeeded: w)) & UInt32(truncatingIfNeeded: w >> 32))
    }

    @inline(__always)
    mutating func i32AddAdd(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]), c = u32(f[Int(truncatingIfNeeded: ip[0])]); ip += 1; f[d] = UInt64(a &+ b &+ c)
    }

    @inline(__always)
    mutating func i32MulAdd(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]), c = u32(f[Int(truncatingIfNeeded: ip[0])]); ip += 1; f[d] = UInt64(a &* b &+ c)
    }

    @inline(__always)
    mutating func i32ShlConstAdd(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), b = u32(f[b]), shift = u32(ip[0]); ip += 1; f[d] = UInt64((a &<< shift) &+ b)
    }

    @inline(__always)
    mutating func i32ShrUAndConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = u32(f[a]), k = u32(ip[0]); ip += 1; f[d] = UInt64((a &>> UInt32(truncatingIfNeeded: b)) & k)
    }

    @inline(__always)
    mutating func i64XorShrUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = f[b], k = ip[0]; ip += 1; f[d] = b ^ (a &>> k)
    }

    @inline(__always)
    mutating func i64MulConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = a &* b
    }

    @inline(__always)
    mutating func i64DivSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let a = f[a], b = ip[0]; ip += 1; let x = Int64(bitPattern: a), y = Int64(bitPattern: b); if y == 0 { return .integerDivideByZero }; if x == .min && y == -1 { return .integerOverflow }; f[d] = UInt64(bitPattern: x / y)
        return .none
    }

    @inline(__always)
    mutating func i64DivUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let a = f[a], b = ip[0]; ip += 1; if b == 0 { return .integerDivideByZero }; f[d] = a / b
        return .none
    }

    @inline(__always)
    mutating func i64RemSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let a = f[a], b = ip[0]; ip += 1; let x = Int64(bitPattern: a), y = Int64(bitPattern: b); if y == 0 { return .integerDivideByZero }; f[d] = y == -1 ? 0 : UInt64(bitPattern: x % y)
        return .none
    }

    @inline(__always)
    mutating func i64RemUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) -> Fault {
        let a = f[a], b = ip[0]; ip += 1; if b == 0 { return .integerDivideByZero }; f[d] = a % b
        return .none
    }

    @inline(__always)
    mutating func i64AndConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = a & b
    }

    @inline(__always)
    mutating func i64OrConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = a | b
    }

    @inline(__always)
    mutating func i64XorConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = a ^ b
    }

    @inline(__always)
    mutating func i64ShlConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = a &<< b
    }

    @inline(__always)
    mutating func i64ShrSConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = UInt64(bitPattern: Int64(bitPattern: a) &>> Int64(bitPattern: b))
    }

    @inline(__always)
    mutating func i64ShrUConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = a &>> b
    }

    @inline(__always)
    mutating func i64RotlConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = a &<< b | a &>> (64 &- b)
    }

    @inline(__always)
    mutating func i64RotrConst(_ d: Int, _ a: Int, _ b: Int, _ imm: UInt32) {
        let a = f[a], b = ip[0]; ip += 1; f[d] = a &>> b | a &<< (64 &- b)
    }
}
