// Wasm numeric semantics that Swift's operators do not give directly: NaN-propagating min/max,
// trapping and saturating float-to-int truncation; and the fuel-mode switch of the interpreter.

/// Selects the interpreter loop: the metered one spends fuel at calls and backward branches
/// (and reads the clock under a time limit), the unmetered one has no fuel code at all (both are
/// specialisations of the same generic loop).
protocol FuelMode { static var metered: Bool { get } }
enum MeteredFuel: FuelMode { static var metered: Bool { true } }
enum UnmeteredFuel: FuelMode { static var metered: Bool { false } }

// libm's square roots, which the optimizer turns into the machine's instruction (with libm's call
// only for a negative operand). The standard library's `squareRoot()` goes through a C shim that
// the threaded handlers call instead of inlining (Interpreter+Float.swift).
@_effects(readnone) @_extern(c, "sqrt") func libmSquareRoot(_ x: Double) -> Double
@_effects(readnone) @_extern(c, "sqrtf") func libmSquareRoot(_ x: Float) -> Float

@inline(__always) func u32(_ v: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: v) }
@inline(__always) func f32(_ v: UInt64) -> Float { Float(bitPattern: UInt32(truncatingIfNeeded: v)) }
@inline(__always) func f64(_ v: UInt64) -> Double { Double(bitPattern: v) }
@inline(__always) func s32(_ v: Float) -> UInt64 { UInt64(v.bitPattern) }
@inline(__always) func s64(_ v: Double) -> UInt64 { v.bitPattern }

@inline(__always) func wasmMin<F: BinaryFloatingPoint>(_ a: F, _ b: F) -> F {
    if a.isNaN || b.isNaN { return a + b }
    if a == b { return a.sign == .minus ? a : b }
    return a < b ? a : b
}

@inline(__always) func wasmMax<F: BinaryFloatingPoint>(_ a: F, _ b: F) -> F {
    if a.isNaN || b.isNaN { return a + b }
    if a == b { return a.sign == .minus ? b : a }
    return a > b ? a : b
}

// Trapping truncations: nil when the value is NaN or out of range. Bounds are compared after
// truncation toward zero, against powers of two that Float and Double both represent exactly.
// Written for Double, not as generic functions: the standard library's generic float-to-integer
// conversion is a call with its result in memory, which kept the threaded handlers that use it
// from jumping to the next one (scripts/check-embedded.sh). Float converts to Double exactly, so
// the Float forms give the same results through the Double ones.
@inline(__always) func truncateS32(_ x: Double) -> UInt64? {
    let t = x.rounded(.towardZero)
    guard !x.isNaN, t >= -2147483648.0, t < 2147483648.0 else { return nil }
    return UInt64(UInt32(bitPattern: Int32(t)))
}
@inline(__always) func truncateU32(_ x: Double) -> UInt64? {
    let t = x.rounded(.towardZero)
    guard !x.isNaN, t >= 0, t < 4294967296.0 else { return nil }
    return UInt64(UInt32(t))
}
@inline(__always) func truncateS64(_ x: Double) -> UInt64? {
    let t = x.rounded(.towardZero)
    guard !x.isNaN, t >= -9223372036854775808.0, t < 9223372036854775808.0 else { return nil }
    return UInt64(bitPattern: Int64(t))
}
@inline(__always) func truncateU64(_ x: Double) -> UInt64? {
    let t = x.rounded(.towardZero)
    guard !x.isNaN, t >= 0, t < 18446744073709551616.0 else { return nil }
    return UInt64(t)
}
@inline(__always) func saturateS32(_ x: Double) -> UInt64 {
    if x.isNaN { return 0 }
    let t = x.rounded(.towardZero)
    if t < -2147483648.0 { return UInt64(UInt32(bitPattern: Int32.min)) }
    if t >= 2147483648.0 { return UInt64(UInt32(Int32.max)) }
    return UInt64(UInt32(bitPattern: Int32(t)))
}
@inline(__always) func saturateU32(_ x: Double) -> UInt64 {
    if x.isNaN { return 0 }
    let t = x.rounded(.towardZero)
    if t < 0 { return 0 }
    if t >= 4294967296.0 { return 0xFFFF_FFFF }
    return UInt64(UInt32(t))
}
@inline(__always) func saturateS64(_ x: Double) -> UInt64 {
    if x.isNaN { return 0 }
    let t = x.rounded(.towardZero)
    if t < -9223372036854775808.0 { return UInt64(bitPattern: Int64.min) }
    if t >= 9223372036854775808.0 { return UInt64(bitPattern: Int64.max) }
    return UInt64(bitPattern: Int64(t))
}
@inline(__always) func saturateU64(_ x: Double) -> UInt64 {
    if x.isNaN { return 0 }
    let t = x.rounded(.towardZero)
    if t < 0 { return 0 }
    if t >= 18446744073709551616.0 { return .max }
    return UInt64(t)
}
@inline(__always) func truncateS32(_ x: Float) -> UInt64? { truncateS32(Double(x)) }
@inline(__always) func truncateU32(_ x: Float) -> UInt64? { truncateU32(Double(x)) }
@inline(__always) func truncateS64(_ x: Float) -> UInt64? { truncateS64(Double(x)) }
@inline(__always) func truncateU64(_ x: Float) -> UInt64? { truncateU64(Double(x)) }
@inline(__always) func saturateS32(_ x: Float) -> UInt64 { saturateS32(Double(x)) }
@inline(__always) func saturateU32(_ x: Float) -> UInt64 { saturateU32(Double(x)) }
@inline(__always) func saturateS64(_ x: Float) -> UInt64 { saturateS64(Double(x)) }
@inline(__always) func saturateU64(_ x: Float) -> UInt64 { saturateU64(Double(x)) }

