import Foundation
import Support
import Testing

/// The one error shape every module's error has (`UserFacingError`,
/// `ModuleError`, `ErrorContext`, `AggregateError`).
@Suite("Error shape")
struct ErrorShapeTests {
    enum SampleKind: String, ErrorKind {
        case plain, fatal
        var exitCode: Int32 { self == .fatal ? 3 : 1 }
    }

    enum HostileKind: ErrorKind {
        case name
        static var escapesControlCharacters: Bool { true }
    }

    typealias SampleError = ModuleError<SampleKind>

    /// An error with a place of its own, as Board and Manifest errors are.
    struct PlacedError: UserFacingError {
        var message: String
        var context: ErrorContext
    }

    @Test("the default description puts FILE:LINE: key 'KEY': before the message, dropping what is unknown", arguments: [
        (ErrorContext(file: "boards/rpi4.yaml", line: 7, key: "memory.size"), "boards/rpi4.yaml:7: key 'memory.size': bad"),
        (ErrorContext(file: "apps/x.yaml", key: "guest.files./init"), "apps/x.yaml: key 'guest.files./init': bad"),
        (ErrorContext(file: "m.xml", line: 3), "m.xml:3: bad"),
        (ErrorContext(file: "m.xml"), "m.xml: bad"),
        (ErrorContext(line: 3, key: "k"), "key 'k': bad"),
        (ErrorContext(project: "kernel", offset: 42), "bad"),
        (ErrorContext(), "bad"),
    ])
    func placedDescription(_ context: ErrorContext, _ expected: String) {
        let error = PlacedError(message: "bad", context: context)
        #expect(error.description == expected)
        #expect(readableDescription(of: error) == expected)
        #expect(error.hint == nil && error.exitCode == 1 && error.kindName == nil)
    }

    @Test("a module error has its kind's exit status and name, and the description is its message")
    func moduleError() {
        let error = SampleError(.fatal, "it broke", hint: "fix it")
        #expect(error.description == "it broke")
        #expect(error.exitCode == 3 && SampleError(kind: .plain, message: "m").exitCode == 1)
        #expect(error.kindName == "fatal")
        #expect(SampleError(.plain, "m", context: ErrorContext(file: "f", line: 2)).description == "f:2: m")
        #expect(error == SampleError(kind: .fatal, message: "it broke", hint: "fix it"))
        let any: any Error = error
        #expect((any as? any UserFacingError)?.exitCode == 3)
    }

    @Test("a kind that escapes control characters makes message and hint one printable line")
    func escaping() {
        let error = ModuleError<HostileKind>(.name, "entry 'a\nb'", hint: "see\u{1B}[31m")
        #expect(error.message == "entry 'a\\nb'")
        #expect(error.hint == "see\\u{1B}[31m")
        #expect(SampleError(.plain, "two\nlines").message == "two\nlines")
    }

    @Test("an aggregate keeps every item's hint: inline after the item, collected once each, or left to the caller")
    func aggregateHints() {
        let a = SampleError(.plain, "a failed", hint: "do A")
        let b = SampleError(.plain, "b failed", hint: "do B")
        let again = SampleError(.plain, "c failed", hint: "do A")
        let collected = AggregateError(summary: "3 failed:", failures: [a, b, again, POSIXError(.ENOSPC)])
        #expect(collected.description == "3 failed:\n  - a failed\n  - b failed\n  - c failed\n  - no space left on the device")
        #expect(collected.hint == "do A\ndo B")
        #expect(collected.failures.count == 4 && collected.exitCode == 1)

        let inline = AggregateError(summary: "sync failed:", items: [
            .init(a, label: "kernel", hint: .inline),
            .init(b, hint: .collected),
            .init(CocoaError(.fileReadNoPermission, userInfo: [NSFilePathErrorKey: "/p"]), label: "tools", hint: .inline),
        ])
        #expect(inline.description == """
            sync failed:
              - kernel: a failed (do A)
              - b failed
              - tools: cannot read /p: permission denied (check the permissions of /p and the directories above it)
            """)
        #expect(inline.hint == "do B")

        let omitted = AggregateError(summary: "1 failed:", failures: [a], hints: .omitted)
        #expect(omitted.description == "1 failed:\n  - a failed" && omitted.hint == nil)
        #expect(omitted.items.first?.hint == "do A")
    }
}
