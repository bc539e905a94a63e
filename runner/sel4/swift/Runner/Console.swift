import CRunner

/// The debug console, shared by the runner's messages and the modules'
/// stdout/stderr. It remembers whether the last byte ended a line, so a
/// status line never continues a module's unfinished one.
enum Console {
    static var atLineStart = true

    static func write(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        wasm_runner_console_write(base.assumingMemoryBound(to: UInt8.self), UInt(bytes.count))
        atLineStart = bytes[bytes.count - 1] == 0x0A
    }

    /// Prints one line of the runner's own, starting a new line if needed.
    static func line(_ text: String) {
        var text = text
        if !atLineStart { text = "\n" + text }
        text += "\n"
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }
}
