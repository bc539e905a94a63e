import Foundation

/// Parsing and printing of the numbers board files hold: addresses and sizes.
public enum Quantity {
    static let kib: UInt64 = 1 << 10
    static let mib: UInt64 = 1 << 20
    static let gib: UInt64 = 1 << 30
    static let tib: UInt64 = 1 << 40

    /// A hexadecimal address: `0x` followed by 1–16 hex digits, or `0`.
    /// Underscores may group digits (`0xfe20_1000`).
    public static func address(_ text: String) -> UInt64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "0" { return 0 }
        let lower = trimmed.lowercased()
        guard lower.hasPrefix("0x") else { return nil }
        let digits = lower.dropFirst(2).filter { $0 != "_" }
        guard !digits.isEmpty, digits.count <= 16, digits.allSatisfy(\.isHexDigit) else { return nil }
        return UInt64(digits, radix: 16)
    }

    /// A size in bytes, written as `2G`, `1024M`, `512K`, `1T` (binary units;
    /// `GiB`/`MiB`/`KiB` also accepted), `0x80000000` or plain decimal bytes.
    /// Zero is not a size.
    public static func size(_ text: String) -> UInt64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased().hasPrefix("0x") {
            guard let value = address(trimmed), value > 0 else { return nil }
            return value
        }
        var number = Substring(trimmed)
        var unit: UInt64 = 1
        let suffixes: [(String, UInt64)] = [
            ("KiB", kib), ("MiB", mib), ("GiB", gib), ("TiB", tib),
            ("K", kib), ("M", mib), ("G", gib), ("T", tib),
        ]
        for (suffix, multiplier) in suffixes where number.uppercased().hasSuffix(suffix.uppercased()) {
            number = number.dropLast(suffix.count)
            unit = multiplier
            break
        }
        guard !number.isEmpty, number.allSatisfy(\.isASCII), number.allSatisfy(\.isNumber),
              let value = UInt64(number), value > 0 else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: unit)
        return overflow ? nil : product
    }

    /// The shortest exact spelling of a size: `2G`, `1536M`, `4K`, or bytes.
    public static func formatSize(_ bytes: UInt64) -> String {
        for (suffix, unit) in [("T", tib), ("G", gib), ("M", mib), ("K", kib)] where bytes >= unit && bytes % unit == 0 {
            return "\(bytes / unit)\(suffix)"
        }
        return "\(bytes)"
    }

    /// `0x` and lower-case hex, as board files write addresses.
    public static func formatAddress(_ address: UInt64) -> String {
        "0x" + String(address, radix: 16)
    }
}
