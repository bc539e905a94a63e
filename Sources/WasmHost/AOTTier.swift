import Foundation
import Support
import WasmEngine

/// The ahead-of-time tier of `sel4img wasm run --aot`: wasm2c translates the module to C, the
/// host compiler builds that with wasm2c's runtime and sel4img's glue (runner/aot/wasi-glue.c)
/// into a shared object, and the object is kept in a cache keyed by the module's SHA-256 and the
/// toolchain's identity, so the next run only loads it.
///
/// Cache entries appear whole or not at all: each build happens in a private directory inside
/// the cache and is renamed into place. An entry that does not load (truncated, overwritten) is
/// rebuilt with a note; an unwritable cache builds into a temporary directory instead.
public struct AOTTier: Sendable {
    /// The glue C file (runner/aot/wasi-glue.c in sel4img's data directory).
    public var glue: URL
    public var cacheDirectory: URL
    /// Where tools are looked up (`SEL4IMG_WASM2C`, `SEL4IMG_WASM2C_RUNTIME`, `CC`, `PATH`).
    public var environment: [String: String]

    public init(glue: URL, cacheDirectory: URL, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.glue = glue
        self.cacheDirectory = cacheDirectory
        self.environment = environment
    }

    /// The glue's place inside sel4img's data directory.
    public static let gluePath = "runner/aot/wasi-glue.c"

    /// The list of WASI functions the glue includes, shared with the seL4 runner's glue
    /// (runner/sel4/include/wasi-imports.h): part of the cache key like the glue itself.
    public static func importsHeader(forGlue glue: URL) -> URL {
        glue.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("sel4/include/wasi-imports.h")
    }

    /// `$SEL4IMG_AOT_CACHE`, else `$XDG_CACHE_HOME/sel4img/aot`, else `~/.cache/sel4img/aot`.
    public static func defaultCacheDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        UserCache.directory("aot", overriddenBy: "SEL4IMG_AOT_CACHE", environment: environment)
    }

    /// A compiled module ready to load.
    struct Object {
        var url: URL
        var key: String
        /// Set when the object was built outside the cache: remove it after loading.
        var temporaryDirectory: URL?
    }

    /// The cache key of `bytes` under `toolchain`; the files it covers are hashed once and then
    /// known by their stat fields (`AOTFileDigests`, kept in the cache as `digests`).
    func key(for bytes: Data, toolchain: AOTToolchain) throws(AOTUnavailable) -> String {
        var digests = AOTFileDigests(memo: cacheDirectory.appendingPathComponent("digests"))
        defer { digests.save() }
        return try key(for: bytes, toolchain: toolchain, digests: &digests)
    }

    func key(for bytes: Data, toolchain: AOTToolchain, digests: inout AOTFileDigests) throws(AOTUnavailable) -> String {
        SHA256Hex.of(SHA256Hex.of(bytes) + "\n" + (try toolchain.identity(glue: glue, digests: &digests)))
    }

    func cachedObject(key: String) -> URL {
        cacheDirectory.appendingPathComponent("\(key).so")
    }

    /// Translates and compiles `bytes` into the cache (or, when the cache cannot be written, into
    /// a temporary directory, with a note saying so).
    func build(_ bytes: Data, module: Module, key: String, toolchain: AOTToolchain,
               note: (String) -> Void) throws(AOTUnavailable) -> Object {
        let fileManager = FileManager.default
        var work: URL
        var temporary = false
        do {
            try Self.makeDirectories(cacheDirectory)
            work = try Self.makeDirectory(in: cacheDirectory, prefix: ".build-")
        } catch {
            note("cannot write the AOT cache \(cacheDirectory.path) (\(Self.reason(error))); compiling into a temporary directory")
            do {
                work = try Self.makeDirectory(in: fileManager.temporaryDirectory, prefix: "sel4img-aot-")
            } catch {
                throw AOTUnavailable("cannot make a directory to compile in: \(Self.reason(error))")
            }
            temporary = true
        }
        defer { if !temporary { try? fileManager.removeItem(at: work) } }
        do throws(AOTUnavailable) {
            let object = try compile(bytes, module: module, key: key, toolchain: toolchain, in: work)
            if temporary { return Object(url: object, key: key, temporaryDirectory: work) }
            let destination = cachedObject(key: key)
            // rename(2) replaces a damaged entry atomically; a reader sees the old file or the new.
            guard rename(object.path, destination.path) == 0 else {
                throw AOTUnavailable("cannot move the compiled module into \(destination.path): \(String(cString: strerror(errno)))")
            }
            return Object(url: destination, key: key, temporaryDirectory: nil)
        } catch {
            if temporary { try? fileManager.removeItem(at: work) }
            throw error
        }
    }

    /// wasm2c, the trap-detail rewrite, then one compiler run; returns the object's path in `work`.
    func compile(_ bytes: Data, module: Module, key: String, toolchain: AOTToolchain, in work: URL) throws(AOTUnavailable) -> URL {
        let runner = ProcessRunner()
        let input = work.appendingPathComponent("module.wasm")
        do { try bytes.write(to: input) } catch { throw AOTUnavailable("cannot write \(input.path): \(Self.reason(error))") }
        let translate = [toolchain.wasm2c.path, input.path, "-o", work.appendingPathComponent("m.c").path, "--module-name", "m"]
        let translated: ProcessRunner.Result
        do { translated = try runner.run(translate, check: false) } catch {
            throw AOTUnavailable("wasm2c did not run: \(Self.reason(error))")
        }
        guard translated.status == 0 else {
            throw AOTUnavailable("wasm2c cannot translate it: \(Self.firstError(translated.output))")
        }
        let source = work.appendingPathComponent("m.c")
        do {
            let text = try String(contentsOf: source, encoding: .utf8)
            try Self.markTrapDetails(text).write(to: source, atomically: false, encoding: .utf8)
        } catch {
            throw AOTUnavailable("cannot read wasm2c's output \(source.path): \(Self.reason(error))")
        }
        let object = work.appendingPathComponent("module.so")
        var command = [toolchain.compiler] + AOTToolchain.optimization + AOTToolchain.hostDefines
        command += ["-I", work.path, "-I", toolchain.runtime.path]
        if let include = toolchain.include { command += ["-I", include.path] }
        command.append("-DSEL4IMG_AOT_KEY=\"\(key)\"")
        if module.exports.contains(where: { $0.name == "memory" && { if case .memory = $0 { true } else { false } }($0.kind) }) {
            command.append("-DSEL4IMG_AOT_MEMORY_EXPORT")
        }
        if module.exports.contains(where: { $0.name == "_start" && { if case .function = $0 { true } else { false } }($0.kind) }) {
            command.append("-DSEL4IMG_AOT_HAS_START")
        }
        if !module.imports.isEmpty { command.append("-DSEL4IMG_AOT_IMPORTS_WASI") }
        command += [source.path, glue.path] + AOTToolchain.runtimeSources.map { toolchain.runtime.appendingPathComponent($0).path }
        command += ["-o", object.path, "-lm", "-lpthread"]
        let compiled: ProcessRunner.Result
        do { compiled = try runner.run(command, in: work, check: false) } catch {
            throw AOTUnavailable("the C compiler '\(toolchain.compiler)' did not run: \(Self.reason(error))")
        }
        guard compiled.status == 0 else {
            throw AOTUnavailable("the C compiler failed on wasm2c's output: \(Self.firstError(compiled.output))")
        }
        return object
    }

    /// wasm2c reports every failed call_indirect check as one trap, and a table access out of
    /// bounds as a memory one; the interpreter tells an index past the table ("undefined
    /// element"), a null entry ("uninitialized element"), a wrong type, and table from memory
    /// apart. The checks in wasm2c's output set `sel4img_aot_detail` to say which, for the glue
    /// to report (1, 2, 3: call_indirect's index, null, type; 4: a table access).
    static func markTrapDetails(_ text: String) -> String {
        var text = text
        let outOfBounds = "    // Table index out of bounds. Raise Wasm trap.\n    TRAP(CALL_INDIRECT);"
        let typeCheck = "    // Type check failed. Raise Wasm trap.\n    TRAP(CALL_INDIRECT);"
        text = text
            .replacingOccurrences(of: outOfBounds, with: "    sel4img_aot_detail = 1;\n    TRAP(CALL_INDIRECT);")
            .replacingOccurrences(of: typeCheck, with: "    sel4img_aot_detail = func_ref->func ? 3 : 2;\n    TRAP(CALL_INDIRECT);")
        // The table operations: from funcref_table_init to the last DEFINE_TABLE_FILL.
        if let start = text.range(of: "static inline void funcref_table_init("),
           let end = text.range(of: "DEFINE_TABLE_FILL(externref)", range: start.upperBound..<text.endIndex) {
            let tableOperations = String(text[start.lowerBound..<end.upperBound])
                .replacingOccurrences(of: "TRAP(OOB)", with: "(sel4img_aot_detail = 4, TRAP(OOB))")
                .replacingOccurrences(of: "RANGE_CHECK(", with: "SEL4IMG_TABLE_RANGE_CHECK(")
            text.replaceSubrange(start.lowerBound..<end.upperBound, with: tableOperations)
        }
        let prelude = """
            #include <stdint.h>
            extern int32_t sel4img_aot_detail;
            #define SEL4IMG_TABLE_RANGE_CHECK(table, offset, len)                              \\
              do {                                                                         \\
                uint64_t end_;                                                             \\
                if (__builtin_add_overflow((uint64_t)(offset), (uint64_t)(len), &end_) ||  \\
                    end_ > (table)->size) {                                                \\
                  sel4img_aot_detail = 4;                                                  \\
                  TRAP(OOB);                                                               \\
                }                                                                          \\
              } while (0)

            """
        return prelude + text
    }

    /// The first line of a tool's output that says "error", else its first line.
    static func firstError(_ output: String) -> String {
        let lines = output.split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let line = lines.first(where: { $0.contains("error") }) ?? lines.first ?? "no output"
        return line.escapingControlCharacters
    }

    static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        if let error = error as? CocoaError, let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if let error = error as? UserFacingError { return error.description }
        return (error as NSError).localizedDescription
    }

    /// `mkdir -p`, with the errno of the step that failed (Foundation's error does not say).
    static func makeDirectories(_ url: URL) throws {
        var path = ""
        for component in url.standardizedFileURL.path.split(separator: "/") {
            path += "/" + component
            if mkdir(path, 0o755) != 0 {
                let code = errno
                var info = stat()
                guard code == EEXIST, stat(path, &info) == 0 else { throw NSError(domain: NSPOSIXErrorDomain, code: Int(code)) }
                guard info.st_mode & S_IFMT == S_IFDIR else { throw NSError(domain: NSPOSIXErrorDomain, code: Int(ENOTDIR)) }
            }
        }
    }

    static func makeDirectory(in parent: URL, prefix: String) throws -> URL {
        var template = Array(parent.appendingPathComponent(prefix + "XXXXXX").path.utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw NSError(domain: NSPOSIXErrorDomain, code: Int(errno))
        }
        return URL(fileURLWithPath: String(cString: made))
    }
}
