import Foundation
import WasmEngine
@testable import WasmHost

/// Runs a `.wast` script of the spec suite on the ahead-of-time tier: every module goes through
/// wasm2c with the tier's trap-detail rewrite and is compiled with the tier's flags; a generated
/// C driver instantiates the modules and performs the script's actions in order, printing each
/// result or trap; this side judges them as the interpreter's harness does (NaN patterns, trap
/// text by prefix, traps named through `AOTLoadedModule.reason`).
///
/// Run here: `module`, `action`, `assert_return`, `assert_trap`, `assert_exhaustion` and
/// `assert_uninstantiable` on modules whose imports all come from `spectest`, with i32, i64,
/// f32 and f64 arguments and results. Not run here (counted by reason): modules importing from
/// other (registered) modules and the assertions on them; reference-typed arguments or results;
/// `assert_invalid`, `assert_malformed` and `assert_unlinkable` (decoding, validation and linking
/// are the shared decoder's, the same for both tiers, and run in SpecSuiteTests).
struct AOTSpecDriver {
    struct Outcome {
        var file: String
        /// Commands the interpreter's harness counts (text-format assertions excluded).
        var total = 0
        var run = 0
        var passed = 0
        var notRun: [String: Int] = [:]
        var failures: [String] = []
    }

    struct DriverError: Error, CustomStringConvertible { var description: String }

    static let spectestNames: Set<String> = [
        "print", "print_i32", "print_i64", "print_f32", "print_f64", "print_i32_f32", "print_f64_f64",
        "global_i32", "global_i64", "global_f32", "global_f64", "memory", "table",
    ]

    /// One module translated by wasm2c: its C names per export.
    struct Translated {
        var index: Int
        var importsSpectest: Bool
        /// Export name → (C function, parameter types, result types); globals have no parameters
        /// and return a pointer (`isGlobal`).
        var exports: [[UInt8]: Export]
        struct Export {
            var symbol: String
            var parameters: [String]
            var results: [String]
            var isGlobal: Bool
        }
    }

    /// What the driver does at one command, and how the result is judged.
    struct Step {
        enum Expectation {
            case values([[String: Any]])
            case anyValues
            case trap(String)
            case anyTrap
        }
        var line: Int
        var module: Int
        /// nil: instantiate the module.
        var call: (export: Translated.Export, arguments: [[String: Any]])?
        var expectation: Expectation
        var what: String
    }

    let toolchain: AOTToolchain
    /// wasm2c's configuration the translated modules and the driver compile with.
    let defines: [String]
    let directory: URL
    var outcome: Outcome
    var translated: [Int: Translated] = [:]
    var names: [String: Int] = [:]
    var steps: [Step] = []

    /// `defines`: wasm2c's configuration, the host's (`AOTToolchain.hostDefines`, guard pages) or
    /// the seL4 runner's (`AOTToolchain.defines`, explicit bounds checks).
    static func run(wast: URL, toolchain: AOTToolchain, defines: [String] = AOTToolchain.hostDefines) throws -> Outcome {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aot-wast-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var driver = AOTSpecDriver(toolchain: toolchain, defines: defines, directory: directory, outcome: Outcome(file: wast.lastPathComponent))
        try driver.plan(try driver.commands(wast))
        try driver.execute()
        return driver.outcome
    }

    func shell(_ arguments: [String], in directory: URL? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func commands(_ wast: URL) throws -> [[String: Any]] {
        let json = directory.appendingPathComponent("script.json")
        let converted = try shell(["wast2json", wast.path, "-o", json.path])
        guard converted.status == 0 else { throw DriverError(description: "wast2json \(wast.lastPathComponent): \(converted.output)") }
        // As SpecHarness: escape a raw U+FEFF, which Foundation's parser drops.
        var text = try String(contentsOf: json, encoding: .utf8)
        text = text.replacingOccurrences(of: "\u{FEFF}", with: "\\ufeff")
        guard let root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let commands = root["commands"] as? [[String: Any]] else {
            throw DriverError(description: "\(json.path): not a wast2json command list")
        }
        return commands
    }

    mutating func notRun(_ reason: String) { outcome.notRun[reason, default: 0] += 1 }

    /// Translates a module (nil when it cannot run here, with the reason counted by the caller).
    mutating func translate(_ filename: String, index: Int) throws -> Result<Translated, DriverReason> {
        let bytes = try Data(contentsOf: directory.appendingPathComponent(filename))
        let module: Module
        do { module = try Module.decode([UInt8](bytes)) } catch { return .failure(.init("module does not decode")) }
        for item in module.imports where item.module != "spectest" || !Self.spectestNames.contains(item.name) {
            return .failure(.init("imports from another module"))
        }
        let name = "s\(index)"
        let result = try shell([toolchain.wasm2c.path, filename, "-o", "\(name).c", "--module-name", name], in: directory)
        guard result.status == 0 else { return .failure(.init("wasm2c cannot translate the module")) }
        let source = directory.appendingPathComponent("\(name).c")
        try AOTTier.markTrapDetails(try String(contentsOf: source, encoding: .utf8)).write(to: source, atomically: false, encoding: .utf8)
        // The header lists the exports in the module's order: "/* export: 'NAME' */" then the prototype.
        let header = try String(contentsOf: directory.appendingPathComponent("\(name).h"), encoding: .utf8)
        let lines = header.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var prototypes: [String] = []
        for (position, line) in lines.enumerated() where line.hasPrefix("/* export: ") && position + 1 < lines.count {
            prototypes.append(lines[position + 1])
        }
        guard prototypes.count == module.exports.count else { return .failure(.init("header and exports disagree")) }
        // Keyed by bytes: Swift's String equality would merge canonically equivalent names.
        var exports: [[UInt8]: Translated.Export] = [:]
        for (export, prototype) in zip(module.exports, prototypes) where exports[Array(export.name.utf8)] == nil {
            guard let parsed = Self.parse(prototype, module: name) else { continue }
            exports[Array(export.name.utf8)] = parsed
        }
        return .success(Translated(index: index, importsSpectest: !module.imports.isEmpty, exports: exports))
    }

    struct DriverReason: Error { var text: String; init(_ text: String) { self.text = text } }

    /// `u32 w2c_s1_f(w2c_s1*, f32, u64);`, `struct wasm_multi_ifj w2c_s1_m(w2c_s1*);`, `u64* w2c_s1_g(w2c_s1* instance);`
    static func parse(_ prototype: String, module: String) -> Translated.Export? {
        guard let open = prototype.firstIndex(of: "("), let symbolStart = prototype.range(of: "w2c_\(module)_") else { return nil }
        let returnType = prototype[..<symbolStart.lowerBound].trimmingCharacters(in: .whitespaces)
        let symbol = String(prototype[symbolStart.lowerBound..<open])
        let parameterText = prototype[prototype.index(after: open)...].prefix { $0 != ")" }
        let parameters = parameterText.split(separator: ",").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        func valueType(_ c: String) -> String? {
            switch c {
            case "u32": "i32"; case "u64": "i64"; case "f32": "f32"; case "f64": "f64"
            case "wasm_rt_externref_t": "externref"; case "wasm_rt_funcref_t": "funcref"
            default: nil
            }
        }
        var parameterTypes: [String] = []
        for parameter in parameters {
            guard let type = valueType(parameter) else { return nil }
            parameterTypes.append(type)
        }
        if returnType.hasSuffix("*") {
            guard let type = valueType(String(returnType.dropLast())) else { return nil }
            return Translated.Export(symbol: symbol, parameters: [], results: [type], isGlobal: true)
        }
        var results: [String] = []
        if returnType.hasPrefix("struct wasm_multi_") {
            for c in returnType.dropFirst("struct wasm_multi_".count) {
                switch c { case "i": results.append("i32"); case "j": results.append("i64"); case "f": results.append("f32"); case "d": results.append("f64"); default: return nil }
            }
        } else if returnType != "void" {
            guard let type = valueType(returnType) else { return nil }
            results = [type]
        }
        return Translated.Export(symbol: symbol, parameters: parameterTypes, results: results, isGlobal: false)
    }

    static func isSupported(_ values: [[String: Any]]) -> Bool {
        values.allSatisfy { ["i32", "i64", "f32", "f64", "externref", "funcref"].contains($0["type"] as? String ?? "") }
    }

    mutating func plan(_ commands: [[String: Any]]) throws {
        var current: Int?
        var unsupported: [Int: String] = [:]
        var registered: [String: Int] = [:]
        var count = 0
        for command in commands {
            let type = command["type"] as? String ?? ""
            let line = command["line"] as? Int ?? 0
            switch type {
            case "module", "assert_uninstantiable":
                outcome.total += 1
                let index = count
                count += 1
                // A module not run here that imports a registered module's table, memory or
                // global would have changed it: that module's later results cannot be judged.
                let filename = command["filename"] as? String ?? ""
                if let bytes = try? Data(contentsOf: directory.appendingPathComponent(filename)),
                   let module = try? Module.decode([UInt8](bytes)) {
                    for item in module.imports where item.module != "spectest" {
                        if let source = registered[item.module], unsupported[source] == nil {
                            unsupported[source] = "shares state with a module importing from another module"
                        }
                    }
                }
                switch try translate(command["filename"] as? String ?? "", index: index) {
                case .success(let module):
                    translated[index] = module
                    steps.append(Step(line: line, module: index, call: nil,
                                      expectation: type == "module" ? .anyValues : .anyTrap, what: type))
                case .failure(let reason):
                    unsupported[index] = reason.text
                    notRun(reason.text)
                }
                if type == "module" {
                    current = index
                    if let name = command["name"] as? String { names[name] = index }
                }
            case "register":
                if let index = (command["name"] as? String).flatMap({ names[$0] }) ?? current, let name = command["as"] as? String {
                    registered[name] = index
                }
            case "action", "assert_return", "assert_trap", "assert_exhaustion":
                outcome.total += 1
                let action = command["action"] as? [String: Any] ?? [:]
                guard let index = (action["module"] as? String).flatMap({ names[$0] }) ?? current else {
                    notRun("no module")
                    continue
                }
                if let reason = unsupported[index] {
                    notRun(reason)
                    continue
                }
                guard let module = translated[index], let export = module.exports[Array((action["field"] as? String ?? "").utf8)] else {
                    notRun("export with vector types or multiple reference results")
                    if type == "action" { unsupported[index] = "after an action that could not run" }
                    continue
                }
                let arguments = action["args"] as? [[String: Any]] ?? []
                let expected = command["expected"] as? [[String: Any]] ?? []
                guard Self.isSupported(arguments), Self.isSupported(expected), arguments.count == export.parameters.count else {
                    notRun("vector arguments or results")
                    if type == "action" { unsupported[index] = "after an action that could not run" }
                    continue
                }
                let expectation: Step.Expectation
                switch type {
                case "assert_return": expectation = .values(expected)
                case "action": expectation = .anyValues
                default: expectation = .trap(command["text"] as? String ?? "")
                }
                steps.append(Step(line: line, module: index, call: (export, arguments), expectation: expectation, what: type))
            case "assert_invalid", "assert_malformed":
                if command["module_type"] as? String == "text" { continue }
                outcome.total += 1
                notRun("decoding and validation (shared by both tiers)")
            case "assert_unlinkable":
                outcome.total += 1
                notRun("linking (shared by both tiers)")
            default:
                outcome.total += 1
                notRun("command \(type)")
            }
        }
    }

    static func literal(_ value: [String: Any]) -> String {
        let text = value["value"] as? String ?? "0"
        switch value["type"] as? String ?? "" {
        case "i32": return "(u32)\(text)u"
        case "i64": return "(u64)\(text)ull"
        case "f32": return "sel4img_f32(\(text)u)"
        case "externref": return text == "null" ? "wasm_rt_externref_null_value" : "(wasm_rt_externref_t)(uintptr_t)(\(text)ull + 1)"
        case "funcref": return "wasm_rt_funcref_null_value"
        default: return "sel4img_f64(\(text)ull)"
        }
    }

    static func printer(_ type: String, _ expression: String) -> String {
        switch type {
        case "i32": return "printf(\" %u\", (unsigned)(\(expression)));"
        case "i64": return "printf(\" %llu\", (unsigned long long)(\(expression)));"
        case "f32": return "printf(\" %u\", (unsigned)sel4img_f32_bits(\(expression)));"
        case "externref": return "{ wasm_rt_externref_t e = (\(expression)); if (e) printf(\" %llu\", (unsigned long long)((uintptr_t)e - 1)); else printf(\" null\"); }"
        case "funcref": return "printf((\(expression)).func ? \" nonnull\" : \" null\");"
        default: return "printf(\" %llu\", (unsigned long long)sel4img_f64_bits(\(expression)));"
        }
    }

    static let commonHeader = """
        #include <stdio.h>
        #include <string.h>
        #include "wasm-rt.h"
        #include "wasm-rt-exceptions.h"
        #include "wasm-rt-impl.h"
        extern int32_t sel4img_aot_detail;
        static inline f32 sel4img_f32(u32 b) { f32 f; memcpy(&f, &b, 4); return f; }
        static inline f64 sel4img_f64(u64 b) { f64 f; memcpy(&f, &b, 8); return f; }
        static inline u32 sel4img_f32_bits(f32 f) { u32 b; memcpy(&b, &f, 4); return b; }
        static inline u64 sel4img_f64_bits(f64 f) { u64 b; memcpy(&b, &f, 8); return b; }
        extern struct w2c_spectest sel4img_spectest;

        """

    static let mainSource = """
        #include <stdint.h>
        #include <stdio.h>
        #include "wasm-rt.h"
        #ifndef WASM_RT_CORE_TYPES_DEFINED
        #define WASM_RT_CORE_TYPES_DEFINED
        typedef uint8_t u8; typedef int8_t s8; typedef uint16_t u16; typedef int16_t s16;
        typedef uint32_t u32; typedef int32_t s32; typedef uint64_t u64; typedef int64_t s64;
        typedef float f32; typedef double f64;
        #endif
        int32_t sel4img_aot_detail;
        struct w2c_spectest { wasm_rt_memory_t memory; wasm_rt_funcref_table_t table; u32 i32; u64 i64; f32 f32v; f64 f64v; };
        struct w2c_spectest sel4img_spectest;
        #if WASM_RT_MEMCHECK_GUARD_PAGES
        /* The host's configuration (AOTToolchain.hostDefines): an access past a memory faults, and a
         * fault in a step is that step's out-of-bounds trap, as runner/aot/wasi-glue.c reports it. */
        #include <signal.h>
        #include <stdlib.h>
        #include <string.h>
        static void sel4img_fault(int signal, siginfo_t* info, void* context) {
          if (info->si_code == SEGV_ACCERR) { sel4img_aot_detail = 0; wasm_rt_trap(WASM_RT_TRAP_OOB); }
          struct sigaction fallback; memset(&fallback, 0, sizeof(fallback)); fallback.sa_handler = SIG_DFL;
          sigaction(signal, &fallback, NULL);
        }
        static void sel4img_install_fault_handler(void) {
          static char alternate[64 * 1024];
          stack_t stack = {.ss_sp = alternate, .ss_flags = 0, .ss_size = sizeof(alternate)};
          struct sigaction action; memset(&action, 0, sizeof(action));
          action.sa_sigaction = sel4img_fault; action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
          if (sigaltstack(&stack, NULL) != 0 || sigaction(SIGSEGV, &action, NULL) != 0) abort();
        }
        #else
        static void sel4img_install_fault_handler(void) {}
        #endif
        void w2c_spectest_print(struct w2c_spectest* s) {}
        void w2c_spectest_print_i32(struct w2c_spectest* s, u32 a) {}
        void w2c_spectest_print_i64(struct w2c_spectest* s, u64 a) {}
        void w2c_spectest_print_f32(struct w2c_spectest* s, f32 a) {}
        void w2c_spectest_print_f64(struct w2c_spectest* s, f64 a) {}
        void w2c_spectest_print_i32_f32(struct w2c_spectest* s, u32 a, f32 b) {}
        void w2c_spectest_print_f64_f64(struct w2c_spectest* s, f64 a, f64 b) {}
        u32* w2c_spectest_global_i32(struct w2c_spectest* s) { return &s->i32; }
        u64* w2c_spectest_global_i64(struct w2c_spectest* s) { return &s->i64; }
        f32* w2c_spectest_global_f32(struct w2c_spectest* s) { return &s->f32v; }
        f64* w2c_spectest_global_f64(struct w2c_spectest* s) { return &s->f64v; }
        wasm_rt_memory_t* w2c_spectest_memory(struct w2c_spectest* s) { return &s->memory; }
        wasm_rt_funcref_table_t* w2c_spectest_table(struct w2c_spectest* s) { return &s->table; }

        """

    mutating func execute() throws {
        guard !steps.isEmpty else { return }
        var main = Self.mainSource
        var perModule: [Int: String] = [:]
        for (number, step) in steps.enumerated() {
            let name = "s\(step.module)"
            var body = "void step_\(number)(void) {\n  sel4img_aot_detail = 0;\n"
            body += "  int trap = wasm_rt_impl_try();\n"
            body += "  if (trap) { printf(\"\(number) T %d %d\\n\", trap, (int)sel4img_aot_detail); return; }\n"
            if let call = step.call {
                let arguments = (["&instance"] + call.arguments.map(Self.literal)).joined(separator: ", ")
                if call.export.isGlobal {
                    body += "  printf(\"\(number) V\"); \(Self.printer(call.export.results[0], "*\(call.export.symbol)(&instance)"))\n"
                } else if call.export.results.isEmpty {
                    body += "  \(call.export.symbol)(\(arguments));\n  printf(\"\(number) V\");\n"
                } else if call.export.results.count == 1 {
                    body += "  __auto_type r = \(call.export.symbol)(\(arguments));\n"
                    body += "  printf(\"\(number) V\"); \(Self.printer(call.export.results[0], "r"))\n"
                } else {
                    let chars = call.export.results.map { ["i32": "i", "i64": "j", "f32": "f", "f64": "d"][$0]! }
                    body += "  struct wasm_multi_\(chars.joined()) r = \(call.export.symbol)(\(arguments));\n  printf(\"\(number) V\");\n"
                    for (position, type) in call.export.results.enumerated() {
                        body += "  \(Self.printer(type, "r.\(chars[position])\(position)"))\n"
                    }
                }
            } else {
                let spectest = translated[step.module]?.importsSpectest == true ? ", &sel4img_spectest" : ""
                body += "  wasm2c_\(name)_instantiate(&instance\(spectest));\n  printf(\"\(number) V\");\n"
            }
            body += "  printf(\"\\n\"); fflush(stdout);\n}\n"
            perModule[step.module, default: Self.commonHeader.replacingOccurrences(of: "#include \"wasm-rt.h\"", with: "#include \"\(name).h\"") + "static w2c_\(name) instance;\n"] += body
            main += "void step_\(number)(void);\n"
        }
        main += "int main(void) {\n  wasm_rt_init();\n  sel4img_install_fault_handler();\n"
        main += "  wasm_rt_allocate_memory(&sel4img_spectest.memory, 1, 2, false, WASM_DEFAULT_PAGE_SIZE);\n"
        main += "  wasm_rt_allocate_funcref_table(&sel4img_spectest.table, 10, 20);\n"
        main += "  sel4img_spectest.i32 = 666; sel4img_spectest.i64 = 666; sel4img_spectest.f32v = 666.6f; sel4img_spectest.f64v = 666.6;\n"
        for number in steps.indices { main += "  step_\(number)();\n" }
        main += "  return 0;\n}\n"
        try main.write(to: directory.appendingPathComponent("main.c"), atomically: false, encoding: .utf8)
        var objects: [String] = []
        let flags = ["-O2", "-fno-strict-aliasing", "-fsignaling-nans", "-w"] + defines
            + ["-I", directory.path, "-I", toolchain.runtime.path] + (toolchain.include.map { ["-I", $0.path] } ?? [])
        // Each module and its steps compile on their own: a module the compiler refuses only
        // loses its own steps (reported as failures: the tier would have fallen back).
        var refused: Set<Int> = []
        for (module, source) in perModule.sorted(by: { $0.key < $1.key }) {
            try source.write(to: directory.appendingPathComponent("drv_s\(module).c"), atomically: false, encoding: .utf8)
            let object = "s\(module).o"
            let compiled = try shell([toolchain.compiler] + flags + ["-c", "s\(module).c", "-o", object], in: directory)
            let driven = try shell([toolchain.compiler] + flags + ["-c", "drv_s\(module).c", "-o", "drv_s\(module).o"], in: directory)
            if compiled.status != 0 || driven.status != 0 {
                refused.insert(module)
                outcome.failures.append("\(outcome.file): module s\(module) does not compile: \(AOTTier.firstError(compiled.output + driven.output))")
                continue
            }
            objects += [object, "drv_s\(module).o"]
        }
        if !refused.isEmpty {
            // Leave their steps out of main.
            var filtered = Self.mainSource + steps.indices.filter { !refused.contains(steps[$0].module) }.map { "void step_\($0)(void);\n" }.joined()
            filtered += "int main(void) {\n  wasm_rt_init();\n  sel4img_install_fault_handler();\n"
            filtered += "  wasm_rt_allocate_memory(&sel4img_spectest.memory, 1, 2, false, WASM_DEFAULT_PAGE_SIZE);\n"
            filtered += "  wasm_rt_allocate_funcref_table(&sel4img_spectest.table, 10, 20);\n"
            filtered += "  sel4img_spectest.i32 = 666; sel4img_spectest.i64 = 666; sel4img_spectest.f32v = 666.6f; sel4img_spectest.f64v = 666.6;\n"
            for number in steps.indices where !refused.contains(steps[number].module) { filtered += "  step_\(number)();\n" }
            filtered += "  return 0;\n}\n"
            try filtered.write(to: directory.appendingPathComponent("main.c"), atomically: false, encoding: .utf8)
        }
        let runtime = AOTToolchain.runtimeSources.map { toolchain.runtime.appendingPathComponent($0).path }
        let linked = try shell([toolchain.compiler] + flags + ["main.c"] + objects + runtime + ["-o", "driver", "-lm"], in: directory)
        guard linked.status == 0 else {
            throw DriverError(description: "\(outcome.file): the driver does not link: \(AOTTier.firstError(linked.output))")
        }
        let ran = try shell([directory.appendingPathComponent("driver").path], in: directory)
        var results: [Int: [String]] = [:]
        for line in ran.output.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            if let number = fields.first.flatMap({ Int($0) }) { results[number] = Array(fields.dropFirst()) }
        }
        for (number, step) in steps.enumerated() {
            if refused.contains(step.module) { outcome.run += 1; continue }
            outcome.run += 1
            guard let fields = results[number] else {
                outcome.failures.append("\(outcome.file):\(step.line): \(step.what): no result (the driver stopped with status \(ran.status))")
                continue
            }
            if let problem = judge(step, fields) {
                outcome.failures.append("\(outcome.file):\(step.line): \(step.what): \(problem)")
            } else {
                outcome.passed += 1
            }
        }
    }

    func judge(_ step: Step, _ fields: [String]) -> String? {
        let trapped = fields.first == "T"
        let message = trapped && fields.count >= 3
            ? AOTLoadedModule.reason(trap: Int32(fields[1]) ?? 0, detail: Int32(fields[2]) ?? 0).message : ""
        switch step.expectation {
        case .anyValues:
            return trapped ? "trapped: \(message)" : nil
        case .anyTrap:
            return trapped ? nil : "expected a trap, got none"
        case .trap(let text):
            guard trapped else { return "expected trap \"\(text)\", got values \(fields.dropFirst())" }
            return message.hasPrefix(text) || text.hasPrefix(message) ? nil : "expected trap \"\(text)\", got \"\(message)\""
        case .values(let expected):
            guard !trapped else { return "expected values, trapped: \(message)" }
            let got = Array(fields.dropFirst())
            guard got.count == expected.count else { return "expected \(expected.count) results, got \(got)" }
            for (value, want) in zip(got, expected) {
                let type = want["type"] as? String ?? ""
                let text = want["value"] as? String ?? ""
                if type == "externref" || type == "funcref" {
                    if text == "null" ? value != "null" : (type == "funcref" ? value == "null" : value != text) {
                        return "expected \(type) \(text), got \(value)"
                    }
                    continue
                }
                guard let bits = UInt64(value) else { return "unreadable result \(value)" }
                switch (type, text) {
                case ("f32", "nan:canonical"): if bits & 0x7FFF_FFFF != 0x7FC0_0000 { return "expected canonical NaN, got f32 0x\(String(bits, radix: 16))" }
                case ("f32", "nan:arithmetic"): if bits & 0x7FC0_0000 != 0x7FC0_0000 { return "expected arithmetic NaN, got f32 0x\(String(bits, radix: 16))" }
                case ("f64", "nan:canonical"): if bits & 0x7FFF_FFFF_FFFF_FFFF != 0x7FF8_0000_0000_0000 { return "expected canonical NaN, got f64 0x\(String(bits, radix: 16))" }
                case ("f64", "nan:arithmetic"): if bits & 0x7FF8_0000_0000_0000 != 0x7FF8_0000_0000_0000 { return "expected arithmetic NaN, got f64 0x\(String(bits, radix: 16))" }
                default: if UInt64(text) != bits { return "expected \(type) \(text), got \(value)" }
                }
            }
            return nil
        }
    }
}
