import Foundation
import Support
import WASI
import WasmEngine

/// The seL4 runner's ahead-of-time tier, at build time: wabt's wasm2c translates each module
/// given with `--wasm` to C (`--module-name mN`, so every module's symbols are its own), the
/// trap checks are marked as for `wasm run --aot` (`AOTTier.markTrapDetails`), and one generated
/// file (`modules.c`) lists the translated modules with a run function each, for the runner's C
/// glue (runner/sel4/src/aot-wasi.c). The board's cross compiler builds these in the runner's
/// CMake project. Nothing written names a path, so two workspaces get the same bytes.
public struct AOTTranslation: Sendable {
    /// One module the runner finds by its name in the modules archive.
    public struct Translated: Sendable, Equatable {
        public var name: String
        /// The C identifier wasm2c's names carry (`m0`, `m1`, ...).
        public var identifier: String
        public var exportsMemory: Bool
        public var hasStart: Bool
        public var importsWASI: Bool
    }

    public var wasm2c: URL
    public var runtime: URL

    public init(wasm2c: URL, runtime: URL) {
        self.wasm2c = wasm2c
        self.runtime = runtime
    }

    /// wasm2c's runtime files the runner compiles (the exceptions part holds the unwind target
    /// that traps longjmp to).
    public static let runtimeFiles = ["wasm-rt.h", "wasm-rt-impl.h", "wasm-rt-impl.c", "wasm-rt-impl-tableops.inc",
                                      "wasm-rt-mem-impl.c", "wasm-rt-mem-impl-helper.inc", "wasm-rt-exceptions.h",
                                      "wasm-rt-exceptions-impl.c"]

    /// Checks that the glue can link `module` (every import a wasi_snapshot_preview1 function of
    /// the interpreter's type), then translates it; returns the files (name to contents).
    public func translate(_ bytes: [UInt8], name: String, identifier: String) throws(AOTUnavailable) -> (Translated, [String: Data]) {
        let module: Module
        do throws(WasmError) { module = try Module.decode(bytes) } catch {
            throw AOTUnavailable("it does not decode: \(error.description)")
        }
        let wasi = WASI(arguments: [], environment: [], preopens: [], platform: HostPlatform())
        let functions = Dictionary(wasi.functions.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for item in module.imports {
            guard item.module == "wasi_snapshot_preview1", let function = functions[item.name],
                  case .function(let type) = item.kind, type == function.type else {
                throw AOTUnavailable("it imports \"\(item.module.escapingControlCharacters)\" \"\(item.name.escapingControlCharacters)\", which is not a wasi_snapshot_preview1 function the runner provides")
            }
        }
        let fileManager = FileManager.default
        let work: URL
        do { work = try AOTTier.makeDirectory(in: fileManager.temporaryDirectory, prefix: "sel4img-wasm2c-") } catch {
            throw AOTUnavailable("cannot make a directory to translate in: \(AOTTier.reason(error))")
        }
        defer { try? fileManager.removeItem(at: work) }
        let input = work.appendingPathComponent("module.wasm")
        do { try Data(bytes).write(to: input) } catch { throw AOTUnavailable("cannot write \(input.path): \(AOTTier.reason(error))") }
        let result: ProcessRunner.Result
        do {
            result = try ProcessRunner().run([wasm2c.path, "module.wasm", "-o", "\(identifier).c", "--module-name", identifier],
                                             in: work, check: false)
        } catch {
            throw AOTUnavailable("wasm2c did not run: \(AOTTier.reason(error))")
        }
        guard result.status == 0 else {
            throw AOTUnavailable("wasm2c cannot translate it: \(AOTTier.firstError(result.output))")
        }
        var files: [String: Data] = [:]
        do {
            let source = try String(contentsOf: work.appendingPathComponent("\(identifier).c"), encoding: .utf8)
            files["\(identifier).c"] = Data(AOTTier.markTrapDetails(source).utf8)
            files["\(identifier).h"] = try Data(contentsOf: work.appendingPathComponent("\(identifier).h"))
        } catch {
            throw AOTUnavailable("cannot read wasm2c's output: \(AOTTier.reason(error))")
        }
        let exportsMemory = module.exports.contains { export in
            if export.name == "memory", case .memory = export.kind { return true }
            return false
        }
        let hasStart = module.exports.contains { export in
            if export.name == "_start", case .function = export.kind { return true }
            return false
        }
        return (Translated(name: name, identifier: identifier, exportsMemory: exportsMemory, hasStart: hasStart,
                           importsWASI: !module.imports.isEmpty), files)
    }

    /// wasm2c's runtime files, read from its package (the runner compiles its own copies).
    public func runtimeSources() throws(AOTUnavailable) -> [String: Data] {
        var files: [String: Data] = [:]
        for name in Self.runtimeFiles {
            do { files[name] = try Data(contentsOf: runtime.appendingPathComponent(name)) } catch {
                throw AOTUnavailable("cannot read wasm2c's runtime \(runtime.appendingPathComponent(name).path)")
            }
        }
        return files
    }

    /// The name of `definesHeader` in the translation directory.
    public static let definesFile = "wasm-rt-defines.h"

    /// wasm2c's configuration as `sel4img wasm run --aot` compiles with it (`AOTToolchain.defines`),
    /// as a header the runner's CMake project includes first in every file of its AOT tier: one
    /// list for both tiers.
    public static var definesHeader: String {
        var text = "/* Generated by sel4img (WasmHost/AOTTranslation.swift) from AOTToolchain.defines: do not edit.\n"
            + " * wasm2c's configuration, the same as `sel4img wasm run --aot` compiles with. */\n#pragma once\n"
        for define in AOTToolchain.defines {
            let body = define.hasPrefix("-D") ? String(define.dropFirst(2)) : define
            if let equals = body.firstIndex(of: "=") {
                text += "#define \(body[..<equals]) \(body[body.index(after: equals)...])\n"
            } else {
                text += "#define \(body) 1\n"
            }
        }
        return text
    }

    /// The generated list of translated modules: one run function per module over the glue's
    /// WASM_RUNNER_AOT_RUN, and the table the runner looks names up in. Without modules it needs
    /// no wasm2c header (none is in the directory then).
    public static func modulesSource(_ modules: [Translated]) -> String {
        var text = """
            /* Generated by sel4img (WasmHost/AOTTranslation.swift) from the modules given with --wasm: do not edit.
             * The modules wasm2c translated, for the runner's ahead-of-time tier (src/aot.c, src/aot-wasi.c). */
            #include "\(modules.isEmpty ? "aot-modules.h" : "aot.h")"

            """
        for module in modules {
            let id = module.identifier
            text += """
                #include "\(id).h"
                static void run_\(id)(struct wasm_runner_aot_result* result) {
                  w2c_\(id)* instance = calloc(1, sizeof(w2c_\(id)));
                  struct w2c_wasi__snapshot__preview1 wasi = {0};
                  if (!instance) {
                    result->ending = WASM_RUNNER_AOT_NO_MEMORY;
                    return;
                  }
                \(module.exportsMemory ? "  wasi.memory = w2c_\(id)_memory(instance);\n" : "")\
                  WASM_RUNNER_AOT_RUN(result, wasi, wasm2c_\(id)_instantiate(instance\(module.importsWASI ? ", &wasi" : "")),
                                      \(module.hasStart ? "w2c_\(id)_0x5Fstart(instance)" : "(void)0"), wasm2c_\(id)_free(instance));
                  free(instance);
                }

                """
        }
        text += "const struct wasm_runner_aot_module wasm_runner_aot_modules[] = {\n"
        for module in modules {
            text += "    {\"\(cString(module.name))\", run_\(module.identifier)},\n"
        }
        text += "    {0, 0},\n};\n"
        return text
    }

    /// A module name as a C string literal's contents.
    static func cString(_ name: String) -> String {
        var text = ""
        for byte in name.utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                text += "\\" + String(UnicodeScalar(byte))
            } else if byte >= 0x20 && byte < 0x7f && byte != UInt8(ascii: "?") {
                text += String(UnicodeScalar(byte))
            } else {
                text += "\\" + String(byte, radix: 8).leftPadded(to: 3)
            }
        }
        return text
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
