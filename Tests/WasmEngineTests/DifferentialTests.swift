import Foundation
import Testing
import TestSupport
import WasmEngine

/// Differential runs against wasmtime (the PyPI module, through
/// scripts/wasmtime-invoke.py): random valid modules from `wasm-tools smith`,
/// every exported function called in export order with zero arguments, and
/// each call's results (bit-exact; NaNs only as NaNs, since the spec lets
/// their payload vary) or trap must agree. A module stops being compared at
/// the first call either engine could not finish (fuel, stack depth): the two
/// count fuel differently, and later calls would start from different states.
@Suite struct DifferentialTests {
    static let fuel: UInt64 = 1_000_000

    enum Outcome: Equatable, CustomStringConvertible {
        case results([[String]])
        case trap
        case inconclusive

        var description: String {
            switch self {
            case .results(let values): "results \(values.map { $0.joined(separator: " ") })"
            case .trap: "trap"
            case .inconclusive: "inconclusive"
            }
        }
    }

    /// A value as wasmtime-invoke.py prints it.
    static func encode(_ value: Value) -> [String] {
        switch value {
        case .i32(let v): ["i32", String(v)]
        case .i64(let v): ["i64", String(v)]
        case .f32(let bits): ["f32", "0x" + String(bits, radix: 16)]
        case .f64(let bits): ["f64", "0x" + String(bits, radix: 16)]
        case .funcRef(let r): ["funcref", r == nil ? "null" : "ref"]
        case .externRef(let r): ["externref", r == nil ? "null" : "ref"]
        }
    }

    static func isNaN(_ value: [String]) -> Bool {
        guard value.count == 2, let bits = UInt64(value[1].dropFirst(2), radix: 16) else { return false }
        switch value[0] {
        case "f32": return Float(bitPattern: UInt32(truncatingIfNeeded: bits)).isNaN
        case "f64": return Double(bitPattern: bits).isNaN
        default: return false
        }
    }

    static func agree(_ a: Outcome, _ b: Outcome) -> Bool {
        guard case .results(let x) = a, case .results(let y) = b else { return a == b }
        return x.count == y.count && zip(x, y).allSatisfy { $0 == $1 || ($0[0] == $1[0] && isNaN($0) && isNaN($1)) }
    }

    /// wasmtime's outcome for each export, in order (fewer entries when it stopped early).
    static func wasmtime(_ file: URL) throws -> (refused: Bool, calls: [(String, Outcome)]) {
        let script = repositoryRoot.appendingPathComponent("scripts/wasmtime-invoke.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, file.path, String(fuel)]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw WastRunner.HarnessError(description: "wasmtime-invoke.py failed on \(file.lastPathComponent): \(message)")
        }
        var calls: [(String, Outcome)] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            if object["module"] != nil || object["instantiate"] != nil { return (true, []) }
            guard let name = object["export"] as? String else { continue }
            if object["trap"] != nil {
                calls.append((name, .trap))
            } else if object["inconclusive"] != nil {
                calls.append((name, .inconclusive))
            } else if let results = object["results"] as? [[String]] {
                calls.append((name, .results(results)))
            }
        }
        return (false, calls)
    }

    @Test func randomModulesGiveTheSameResultsAsWasmtime() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sel4img-diff-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var compared = 0, modules = 0
        for n in 1...60 {
            let bytes = try RandomModuleTests.smith(RandomModuleTests.seed(UInt64(5000 + n), count: 3000 + 41 * n),
                                                    extraFlags: ["--max-memory32-bytes", String(1024 * 65536), "--min-funcs", "4"])
            let file = directory.appendingPathComponent("smith-\(n).wasm")
            try Data(bytes).write(to: file)
            let reference = try Self.wasmtime(file)
            if reference.refused { continue }
            let module = try Module.decode(bytes)
            let store = Store(configuration: Configuration(fuel: Self.fuel, maxMemoryPages: 1024))
            let instance: Instance
            do {
                instance = try Instance.instantiate(module, imports: Imports(), store: store)
            } catch {
                Issue.record("smith module \(n): wasmtime instantiated it, WasmEngine did not: \(error.description)")
                continue
            }
            modules += 1
            for (name, expected) in reference.calls {
                if expected == .inconclusive { break }
                guard case .function(let function)? = instance.export(name) else {
                    Issue.record("smith module \(n): no exported function '\(name)'")
                    break
                }
                store.addFuel(Self.fuel &- (store.fuelRemaining ?? 0))
                let ours: Outcome
                do {
                    ours = .results(try instance.invoke(function, function.type.parameters.map { Value.zero($0) }).map(Self.encode))
                } catch {
                    if error.reason == .outOfFuel || error.reason == .callStackExhausted { break }
                    ours = .trap
                }
                #expect(Self.agree(ours, expected), "smith module \(n) (seed \(5000 + n)), export '\(name)': WasmEngine \(ours), wasmtime \(expected)")
                compared += 1
            }
        }
        print("differential: \(compared) calls compared in \(modules) modules")
        #expect(compared >= 40)
    }
}
