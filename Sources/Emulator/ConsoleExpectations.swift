import Foundation

/// The regular expressions that decide a boot from its console: a line
/// matching a success pattern passes it, a line matching a failure pattern
/// fails it. Failure patterns are checked first, so a line matching both fails.
/// Lines are matched after `ConsoleText.clean`, anywhere in the line
/// (anchor with `^`/`$` to match whole lines).
public struct ConsoleExpectations: Sendable, Equatable {
    /// Success patterns, as given.
    public let success: [String]
    /// Failure patterns, as given.
    public let failure: [String]
    let successMatchers: [ConsolePattern]
    let failureMatchers: [ConsolePattern]

    /// Compiles the patterns. An invalid or empty pattern is reported with the
    /// command-line option it came from (`--expect` for success patterns,
    /// `--fail` for failure patterns by default).
    public init(
        success: [String],
        failure: [String] = [],
        successOption: String = "--expect",
        failureOption: String = "--fail"
    ) throws {
        self.success = success
        self.failure = failure
        successMatchers = try success.map { try ConsolePattern($0, option: successOption) }
        failureMatchers = try failure.map { try ConsolePattern($0, option: failureOption) }
    }

    public static func == (lhs: ConsoleExpectations, rhs: ConsoleExpectations) -> Bool {
        lhs.success == rhs.success && lhs.failure == rhs.failure
    }

    /// What a cleaned console line says about the boot, or nil when it says nothing.
    func verdict(for line: String) -> ConsoleVerdict? {
        if failureMatchers.contains(where: { $0.matches(line) }) { return .failed }
        if successMatchers.contains(where: { $0.matches(line) }) { return .passed }
        return nil
    }

    /// The success patterns for a message, e.g. `'All is well' or 'passed'`.
    var successDescription: String? {
        success.isEmpty ? nil : success.map { "'\($0)'" }.joined(separator: " or ")
    }
}

enum ConsoleVerdict: Sendable, Equatable {
    case passed, failed
}

/// One compiled pattern. `NSRegularExpression` is immutable and documented as
/// safe to use from several threads.
final class ConsolePattern: @unchecked Sendable {
    let source: String
    private let regex: NSRegularExpression

    init(_ source: String, option: String) throws {
        guard !source.isEmpty else { throw EmulatorError.emptyPattern(option: option) }
        self.source = source
        do {
            regex = try NSRegularExpression(pattern: source)
        } catch {
            throw EmulatorError.invalidPattern(pattern: source, option: option)
        }
    }

    func matches(_ line: String) -> Bool {
        regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil
    }
}
