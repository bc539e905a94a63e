import Foundation
import Testing
import TestSupport
@testable import WasmEngine

/// The interpreter's instruction set is generated from scripts/wasm-instructions.json by
/// scripts/generate-opcodes.py (scripts/test.sh also runs it with --check). These tests check the
/// compiled-in result against the table, and that the generator rejects stale outputs and bad
/// tables.
@Suite struct InstructionTableTests {
    struct Entry: Decodable {
        var name: String
        var code: String
        var constantFormOf: String?
        var value: UInt16 { UInt16(code.dropFirst(2), radix: 16)! }
    }
    struct Table: Decodable { var instructions: [Entry] }

    static func table() throws -> [Entry] {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("scripts/wasm-instructions.json"))
        return try JSONDecoder().decode(Table.self, from: data).instructions
    }

    @Test func opcodeCasesAreTheTablesInstructions() throws {
        let entries = try Self.table()
        let byCode = Dictionary(uniqueKeysWithValues: entries.map { ($0.value, $0.name) })
        #expect(Opcode.count == entries.map(\.value).max()! + 1)
        for value in 0..<Opcode.count {
            let opcode = try #require(Opcode(rawValue: value))
            let expected = byCode[value] ?? "unused" + String(value, radix: 16, uppercase: true).leftPadded(to: 2)
            #expect("\(opcode)" == expected, "opcode 0x\(String(value, radix: 16))")
        }
    }

    @Test func fusableIndexIsTheOrderOfTheConstantForms() throws {
        let entries = try Self.table()
        let codes = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.value) })
        var expected: [UInt8: Int] = [:]
        for entry in entries {
            guard let source = entry.constantFormOf else { continue }
            expected[UInt8(codes[source]!)] = Int(entry.value - Op.withConst)
        }
        #expect(expected.count == 62)
        for byte in 0...255 {
            #expect(Op.fusableIndex(UInt8(byte)) == expected[UInt8(byte)], "operator 0x\(String(byte, radix: 16))")
        }
        #expect(Op.withConst == Opcode.i32EqConst.rawValue)
        #expect(Op.i32AddConst == Opcode.i32AddConst.rawValue)
        #expect(Op.prefixFC == Opcode.i32TruncSatF32S.rawValue)
        #expect(Op.f64LoadSub == Opcode.f64LoadSub.rawValue)
        #expect(Op.f64MulAdd == Opcode.f64MulAdd.rawValue)
        #expect(Op.f64SubMul == Opcode.f64SubMul.rawValue)
    }

    /// Runs scripts/generate-opcodes.py --check on a copy of the table, the generator and the
    /// engine's sources, after `edit` changed the table text.
    static func check(editing edit: (String) -> String) throws -> (status: Int32, stderr: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("opcodes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let engine = directory.appendingPathComponent("Sources/WasmEngine")
        try FileManager.default.createDirectory(at: engine, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("scripts"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("scripts/generate-opcodes.py"),
                                         to: directory.appendingPathComponent("scripts/generate-opcodes.py"))
        let table = try String(contentsOf: repositoryRoot.appendingPathComponent("scripts/wasm-instructions.json"), encoding: .utf8)
        try edit(table).write(to: directory.appendingPathComponent("scripts/wasm-instructions.json"), atomically: true, encoding: .utf8)
        for file in ["Opcode.swift", "Interpreter+Dispatch.swift", "Interpreter+Control.swift", "Interpreter+Memory.swift", "Interpreter+Numeric.swift", "Interpreter+Float.swift"] {
            try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent("Sources/WasmEngine/\(file)"),
                                             to: engine.appendingPathComponent(file))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", directory.appendingPathComponent("scripts/generate-opcodes.py").path, "--check"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    @Test func generatedFilesAreUpToDate() throws {
        let result = try Self.check { $0 }
        #expect(result.stderr == "")
        #expect(result.status == 0)
    }

    @Test func anInstructionAddedToTheTableMakesTheGeneratedFilesStale() throws {
        let result = try Self.check {
            $0.replacingOccurrences(of: #"{"name": "i64XorShrUConst", "code": "0x1D5""#,
                                    with: #"{"name": "i32Nop", "code": "0x206", "group": "numeric"}, {"name": "i64XorShrUConst", "code": "0x1D5""#)
        }
        #expect(result.status == 1)
        #expect(result.stderr == """
            generate-opcodes: Sources/WasmEngine/Interpreter+Numeric.swift: no handler func i32Nop(...) for i32Nop (group numeric)
            generate-opcodes: Sources/WasmEngine/Opcode.swift is out of date with scripts/wasm-instructions.json: run scripts/generate-opcodes.sh and commit the result
            generate-opcodes: Sources/WasmEngine/Interpreter+Dispatch.swift is out of date with scripts/wasm-instructions.json: run scripts/generate-opcodes.sh and commit the result

            """)
    }

    @Test func aCodeUsedTwiceIsRejected() throws {
        let result = try Self.check {
            $0.replacingOccurrences(of: #"{"name": "f64LoadSub", "code": "0x1CC""#, with: #"{"name": "f64LoadSub", "code": "0x1CB""#)
        }
        #expect(result.status == 2)
        #expect(result.stderr == "generate-opcodes: scripts/wasm-instructions.json: instruction 392 (f64LoadSub): code 0x1CB also used by f64MulLoad\n")
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
