import Foundation

/// How board and app files are named in messages, and how their names come
/// from their file names.
enum DisplayPath {
    /// `<directory>/<file>`, e.g. `boards/rpi4.yaml`: short, and the same
    /// wherever the checkout lives.
    static func of(_ url: URL) -> String {
        let directory = url.deletingLastPathComponent().lastPathComponent
        return directory.isEmpty || directory == "/" ? url.lastPathComponent : "\(directory)/\(url.lastPathComponent)"
    }

    static func read(_ url: URL, shown: String) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            let reason = FileManager.default.fileExists(atPath: url.path) ? error.localizedDescription : "no such file"
            throw BoardError.unreadable(shown, reason: reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw BoardError.unreadable(shown, reason: "not UTF-8 text")
        }
        return text
    }

    /// The file name without `.yaml`, checked to be usable as a name.
    static func name(of url: URL, shown: String) throws -> String {
        var name = url.lastPathComponent
        if name.hasSuffix(".yaml") { name.removeLast(5) }
        guard isValidName(name) else { throw BoardError.badFileName(shown, name: name) }
        return name
    }

    /// Lower-case letters, digits, `-`, `_` and `.`, starting with a letter or digit.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLowercase || first.isNumber else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "-_.".contains($0)) }
    }
}
