import Foundation
import Support

/// A FAT directory timestamp taken from `SOURCE_DATE_EPOCH`, never from the
/// host clock. FAT stores local civil time without a zone; sel4img stores UTC
/// (as mtools and Linux do with `tz=UTC`). FAT cannot express dates before
/// 1980-01-01 or after 2107-12-31, so epochs outside that range are clamped
/// to its ends (reproducible builds often use `SOURCE_DATE_EPOCH=0` or `1`).
public struct FATTimestamp: Sendable, Equatable {
    /// `((year - 1980) << 9) | (month << 5) | day`
    public var date: UInt16
    /// `(hour << 11) | (minute << 5) | (second / 2)`
    public var time: UInt16
    /// Creation time's extra hundredths (0 or 100, for odd seconds).
    public var hundredths: UInt8

    /// 1980-01-01 00:00:00 UTC, the earliest FAT time.
    public static let earliestEpoch: Int64 = 315_532_800
    /// 2107-12-31 23:59:58 UTC, the latest FAT time.
    public static let latestEpoch: Int64 = 4_354_819_198

    public init(sourceDateEpoch: Int64) {
        let epoch = min(max(sourceDateEpoch, Self.earliestEpoch), Self.latestEpoch)
        let days = epoch / 86_400
        let secondsOfDay = epoch % 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        date = UInt16(year - 1980) << 9 | UInt16(month) << 5 | UInt16(day)
        let hour = secondsOfDay / 3600, minute = secondsOfDay / 60 % 60, second = secondsOfDay % 60
        time = UInt16(hour) << 11 | UInt16(minute) << 5 | UInt16(second / 2)
        hundredths = UInt8(second % 2) * 100
    }

    public init(date: UInt16, time: UInt16, hundredths: UInt8 = 0) {
        self.date = date
        self.time = time
        self.hundredths = hundredths
    }

    public var year: Int { 1980 + Int(date >> 9) }
    public var month: Int { Int(date >> 5 & 0x0F) }
    public var day: Int { Int(date & 0x1F) }
    public var hour: Int { Int(time >> 11) }
    public var minute: Int { Int(time >> 5 & 0x3F) }
    public var second: Int { Int(time & 0x1F) * 2 + Int(hundredths / 100) }

    /// Year, month, day of a day count since 1970-01-01 (Howard Hinnant's
    /// `civil_from_days`), so no calendar or time zone of the host is involved.
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// Deterministic 32-bit identifiers (FAT volume serial, MBR disk signature):
/// the first four bytes of SHA-256 over a purpose string and the inputs, so
/// the same build gives the same number and different builds differ.
enum DerivedID {
    static func make(_ purpose: String, _ parts: [String]) -> UInt32 {
        let hex = SHA256Hex.of(([purpose] + parts).joined(separator: "\u{0}"))
        let value = UInt32(hex.prefix(8), radix: 16) ?? 0
        return value == 0 ? 1 : value
    }
}
