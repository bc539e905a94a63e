import Support

/// Every failure of the DTS module: what kind, where (file, line, node) and a message.
///
/// Printed as `file:line: message (node /path)`, dropping the parts that are unknown.
public struct DTSError: UserFacingError, Equatable {
    public enum Kind: Equatable, Sendable {
        /// libfdt returned this (negative) error code.
        case libfdt(Int32)
        /// The DTB is not a well-formed flattened device tree.
        case malformed
        /// DTS source that does not parse.
        case syntax
        /// A label, path or phandle that resolves to nothing, or a duplicate.
        case reference
        /// A node or property that was asked for is absent.
        case notFound
        /// An edit that cannot be made (bad name, value too large).
        case invalidEdit
        /// A file that cannot be read or written.
        case io
    }

    public var kind: Kind
    public var file: String?
    public var line: Int?
    public var node: String?
    public var message: String

    public init(_ kind: Kind, _ message: String, file: String? = nil, line: Int? = nil, node: String? = nil) {
        self.kind = kind
        self.message = message
        self.file = file
        self.line = line
        self.node = node
    }

    public var context: ErrorContext { ErrorContext(file: file, line: line, key: node) }

    /// `file:line: message (node /path)`: the node follows the message, as dtc says it.
    public var description: String {
        var text = ErrorContext(file: file, line: line).prefix + message
        if let node { text += " (node \(node))" }
        return escaped(text)
    }

    public var hint: String? {
        switch kind {
        case .malformed, .libfdt:
            return file.map { escaped("check that \($0) is a device tree blob, e.g. with 'dtc -I dtb -O dts \($0)'") }
        case .reference where message.contains("unknown label"):
            return "define the label ('name: node { … }') before using it, or compile an overlay with /plugin/"
        default:
            return nil
        }
    }
}

/// `text` with control characters (names from a hostile DTB or DTS) shown as `\xNN`, so a message stays one line.
func escaped(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else { return text }
    var out = ""
    for scalar in text.unicodeScalars {
        if scalar.value < 0x20 || scalar.value == 0x7f {
            out += "\\x" + DTSPrinter.hex(UInt64(scalar.value), width: 2)
        } else {
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}
