import Foundation

/// A host item to put into an archive, as given on the command line: `SRC:DEST`
/// (`build/init:/init`, `overlay/etc:/etc`).
public struct HostAddition: Equatable, Sendable {
    public var source: URL
    /// The normalised archive path.
    public var destination: String

    public init(source: URL, destination: String) throws {
        self.source = source
        self.destination = try CPIOPath.normalize(destination)
    }

    /// Parses `SRC:DEST`; the last colon separates them, so SRC may contain colons.
    /// A relative SRC is taken from `directory`.
    public init(parsing text: String, relativeTo directory: URL) throws {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex else {
            throw CPIOError.invalid("bad addition '\(text)': expected SRC:DEST", hint: "e.g. --add build/init:/init adds the host file build/init as /init")
        }
        let source = String(text[..<colon])
        let url = source.hasPrefix("/") ? URL(fileURLWithPath: source) : directory.appendingPathComponent(source)
        do {
            try self.init(source: url.standardizedFileURL, destination: String(text[text.index(after: colon)...]))
        } catch let error as CPIOError {
            throw CPIOError.invalid("bad addition '\(text)': \(error.message)")
        }
        guard (try? HostItem.lstat(self.source)) != nil else {
            throw CPIOError.invalid("bad addition '\(text)': \(self.source.path) does not exist")
        }
    }
}

/// A symlink to put into an archive, as given on the command line:
/// `TARGET:PATH` (`busybox:/bin/sh`, `/proc/self/mounts:/etc/mtab`).
public struct SymlinkSpec: Equatable, Sendable {
    public var target: String
    public var path: String

    /// Parses `TARGET:PATH`; the last colon separates them.
    public init(parsing text: String) throws {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex else {
            throw CPIOError.invalid("bad symlink '\(text)': expected TARGET:PATH", hint: "e.g. --symlink busybox:/bin/sh makes /bin/sh point to busybox")
        }
        target = String(text[..<colon])
        do {
            path = try CPIOPath.normalize(String(text[text.index(after: colon)...]))
        } catch let error as CPIOError {
            throw CPIOError.invalid("bad symlink '\(text)': \(error.message)")
        }
    }
}

/// A device node or FIFO as given on the command line: `c:5:1:/dev/console`,
/// `b:7:0:/dev/loop0`, `p:/run/initctl`, optionally with a mode
/// (`c:5:1:/dev/console:0620`).
public struct DeviceSpec: Equatable, Sendable {
    public var kind: CPIOEntry.Kind
    public var path: String
    public var mode: UInt16

    public init(kind: CPIOEntry.Kind, path: String, mode: UInt16? = nil) throws {
        self.kind = kind
        self.path = try CPIOPath.normalize(path)
        self.mode = mode ?? CPIOEntry.defaultMode(for: kind)
    }

    /// Parses `TYPE:MAJOR:MINOR:PATH[:MODE]` (TYPE `c` or `b`) or `p:PATH[:MODE]`.
    public init(parsing text: String) throws {
        func bad(_ why: String) -> CPIOError {
            CPIOError.invalid("bad device '\(text)': \(why)",
                              hint: "write c:MAJOR:MINOR:PATH, b:MAJOR:MINOR:PATH or p:PATH, e.g. c:5:1:/dev/console")
        }
        var fields = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let type = fields.first, ["c", "b", "p"].contains(type) else {
            throw bad("the type must be c (character), b (block) or p (FIFO)")
        }
        let numbers = type == "p" ? 0 : 2
        guard fields.count == 2 + numbers || fields.count == 3 + numbers else {
            throw bad(type == "p" ? "expected p:PATH[:MODE]" : "expected \(type):MAJOR:MINOR:PATH[:MODE]")
        }
        var mode: UInt16?
        if fields.count == 3 + numbers {
            guard let m = UInt16(fields.removeLast(), radix: 8), m <= 0o7777 else { throw bad("the mode must be octal, at most 7777") }
            mode = m
        }
        var kind = CPIOEntry.Kind.fifo
        if numbers == 2 {
            guard let major = UInt32(fields[1]), let minor = UInt32(fields[2]), major <= 0xFFF, minor <= 0xFFFFF else {
                throw bad("major and minor must be numbers (major at most 4095, minor at most 1048575)")
            }
            kind = type == "c" ? .characterDevice(major: major, minor: minor) : .blockDevice(major: major, minor: minor)
        }
        guard !fields[1 + numbers].isEmpty else { throw bad("the path is empty") }
        try self.init(kind: kind, path: fields[1 + numbers], mode: mode)
    }
}
