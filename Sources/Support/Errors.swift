import Foundation

/// An error a person can act on. Every module's error type conforms, so the
/// command layer can print one line (plus an optional hint) and pick the exit
/// status in one place.
public protocol UserFacingError: Error, CustomStringConvertible {
    /// What to do about it, or nil when the message says enough.
    var hint: String? { get }
    /// The process exit status for this error (1 unless a command contract says otherwise).
    var exitCode: Int32 { get }
}

extension UserFacingError {
    public var hint: String? { nil }
    public var exitCode: Int32 { 1 }
}

/// Several failures collected over work that keeps going (syncing many projects,
/// checking many tools), reported together at the end.
public struct AggregateError: UserFacingError {
    public var summary: String
    public var failures: [any Error]

    public init(summary: String, failures: [any Error]) {
        self.summary = summary
        self.failures = failures
    }

    public var description: String {
        var lines = [summary]
        for failure in failures {
            lines.append("  - \(String(describing: failure))")
        }
        return lines.joined(separator: "\n")
    }
}
