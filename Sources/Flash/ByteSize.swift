import Foundation

/// Sizes as people read them: binary units for images ("2.0 GiB"), decimal
/// gigabytes for disks, as printed on the label ("32.0 GB").
public enum ByteSize {
    /// "512 bytes", "3.5 KiB", "70.0 MiB", "1.9 GiB", with one decimal.
    public static func binary(_ bytes: UInt64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB"]
        if bytes < 1024 { return "\(bytes) bytes" }
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return String(format: "%.1f", value) + " " + units[unit]
    }

    /// "32.0 GB", "500.1 MB": the unit disk makers use.
    public static func decimal(_ bytes: UInt64) -> String {
        let units = ["kB", "MB", "GB", "TB"]
        if bytes < 1000 { return "\(bytes) bytes" }
        var value = Double(bytes) / 1000
        var unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        return String(format: "%.1f", value) + " " + units[unit]
    }

    /// Always in MiB, one decimal ("0.1 MiB", "1024.0 MiB"), for progress and summaries.
    public static func mebibytes(_ bytes: UInt64) -> String {
        String(format: "%.1f MiB", Double(bytes) / 1_048_576)
    }
}
