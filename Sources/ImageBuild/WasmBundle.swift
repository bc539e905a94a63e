import CPIO
import Foundation
import Support
import WasmEngine

/// The WebAssembly modules an app such as `wasm-runner` runs, as given with
/// `--wasm` and `--args`, and the archive the root task embeds:
///
///     modules.txt          the index: "module NAME" per module in run order, then "arg WORD" per argument
///     modules/NAME         each module's bytes
///
/// A newc CPIO archive written by `CPIOArchive` with one timestamp
/// (SOURCE_DATE_EPOCH), so the same inputs give the same bytes. The archive
/// sorts its entries by path; the index keeps the order given.
public struct WasmBundle: Sendable, Equatable {
    /// Module files, in run order (a file may be given twice: it runs twice).
    public var modules: [URL]
    /// Arguments for every module, after the module's name (argv[0]).
    public var arguments: [String]
    /// Which tier runs the modules, for apps with an ahead-of-time tier (`wasm.aotSetting`).
    public var tier: Tier

    /// `--wasm-tier`.
    public enum Tier: String, Sendable, Equatable, CaseIterable {
        /// Ahead of time when wasm2c translates the module, else the interpreter.
        case aot
        /// The interpreter only: nothing is translated.
        case interpreter
        /// Each translated module runs twice, ahead of time and then on the interpreter, in the
        /// same boot: the runner prints both times and their ratio, and fails a module whose
        /// tiers disagree.
        case both
    }

    public static let indexName = "modules.txt"
    public static let modulesDirectory = "modules"

    public init(modules: [URL], arguments: [String] = [], tier: Tier = .aot) {
        self.modules = modules
        self.arguments = arguments
        self.tier = tier
    }

    /// Splits `--args` text into words the way a shell would for simple
    /// cases: blanks separate words, '…' and "…" quote, a backslash escapes
    /// the next character outside single quotes.
    public static func splitArguments(_ text: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for c in text {
            if escaped {
                current.append(c); escaped = false; inWord = true
            } else if let q = quote {
                if c == q { quote = nil } else if c == "\\" && q == "\"" { escaped = true } else { current.append(c) }
            } else if c == "'" || c == "\"" {
                quote = c; inWord = true
            } else if c == "\\" {
                escaped = true
            } else if c == " " || c == "\t" || c == "\n" {
                if inWord { words.append(current); current = ""; inWord = false }
            } else {
                current.append(c); inWord = true
            }
        }
        if let quote { throw BuildError(.invalidModule, "--args has an unterminated \(quote) quote: \(text)") }
        if escaped { throw BuildError(.invalidModule, "--args ends with a lone backslash: \(text)") }
        if inWord { words.append(current) }
        return words
    }

    /// The name each module has in the archive (its file name), in run order.
    public func names() throws -> [String] {
        guard !modules.isEmpty else {
            throw BuildError(.invalidModule, "no WebAssembly modules given", hint: "pass --wasm FILE.wasm (several: --wasm A.wasm,B.wasm or --wasm again)")
        }
        var byName: [String: URL] = [:]
        var names: [String] = []
        for url in modules {
            let name = url.lastPathComponent
            if let other = byName[name], other.standardizedFileURL.path != url.standardizedFileURL.path {
                throw BuildError(.invalidModule, "two modules are named \(name): \(other.path) and \(url.path)",
                                 hint: "the archive keeps file names only; rename one of them")
            }
            if name.contains("\n") || name.hasPrefix(".") {
                throw BuildError(.invalidModule, "\(url.path): a module's file name may not start with '.' or contain a line break")
            }
            byName[name] = url
            names.append(name)
        }
        for argument in arguments where argument.contains("\n") || argument.contains("\0") {
            throw BuildError(.invalidModule, "--args words may not contain line breaks or NUL bytes")
        }
        return names
    }

    /// Reads every module and decodes and validates it with the engine the
    /// root task runs, so a bad module stops the build, not the boot.
    public func load() throws -> [(name: String, bytes: Data)] {
        let names = try names()
        var loaded: [(name: String, bytes: Data)] = []
        var seen: [String: Data] = [:]
        for (name, url) in zip(names, modules) {
            if let bytes = seen[name] { loaded.append((name, bytes)); continue }
            let bytes: Data
            do {
                bytes = try Data(contentsOf: url)
            } catch {
                throw BuildError(.invalidModule, "cannot read the WebAssembly module \(url.path): \((error as NSError).localizedDescription)")
            }
            do {
                _ = try Module.decode([UInt8](bytes))
            } catch {
                throw BuildError(.invalidModule, "\(url.path) is not a module the runner can load: \(error.description)",
                                 hint: "check it with 'sel4img wasm run \(url.path)' or 'wasm-tools validate \(url.path)'")
            }
            seen[name] = bytes
            loaded.append((name, bytes))
        }
        return loaded
    }

    /// The index file's text.
    public static func indexText(names: [String], arguments: [String], tier: Tier = .aot) -> String {
        var text = "# Written by sel4img: the modules to run, in order, then the arguments each gets after its name.\n"
        for name in names { text += "module \(name)\n" }
        for argument in arguments { text += "arg \(argument)\n" }
        if tier == .both { text += "tiers both\n" }
        return text
    }

    /// Validates the modules and writes the archive to `url`, unless a file
    /// with the same bytes is there already (so Ninja sees no change).
    /// Returns whether it wrote.
    @discardableResult
    public func writeArchive(to url: URL, timestamp: Int64) throws -> Bool {
        let loaded = try load()
        var archive = CPIOArchive()
        try archive.addFile(Self.indexName, contents: Data(Self.indexText(names: loaded.map(\.name), arguments: arguments, tier: tier).utf8))
        for (name, bytes) in loaded where archive["\(Self.modulesDirectory)/\(name)"] == nil {
            try archive.addFile("\(Self.modulesDirectory)/\(name)", contents: bytes)
        }
        let fm = FileManager.default
        try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let staging = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).new")
        defer { try? fm.removeItem(at: staging) }
        try archive.write(to: staging, options: CPIOWriteOptions(compression: .none, timestamp: timestamp))
        return try fm.replaceIfChanged(url, with: staging)
    }
}
