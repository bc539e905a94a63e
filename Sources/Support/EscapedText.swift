extension String {
    /// The text with control characters (C0, DEL, C1) written as escapes
    /// (`\n`, `\t`, `\u{1B}`), for messages that echo names from files, archives,
    /// modules or the user: such a name cannot break a line or send escape
    /// sequences to the terminal. The one escaper every module uses.
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value):
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
