import ArgumentParser
import DTS
import Foundation
import Support

/// `sel4img dt`: show, compile, combine and make device trees (libfdt, checked against dtc).
struct DTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dt",
        abstract: "Show, compile and overlay device trees (DTS and DTB).",
        discussion: """
            Examples:
              sel4img dt show board.dtb
              sel4img dt compile board.dts -o board.dtb --symbols
              sel4img dt overlay --bootargs "console=ttyAMA0" -o boot.dtbo
              sel4img dt apply board.dtb boot.dtbo -o final.dtb
            """,
        subcommands: [Show.self, Compile.self, Apply.self, MakeOverlay.self]
    )

    /// Reads a DTB (by its magic number) or compiles a DTS file.
    static func load(_ path: String, symbols: Bool = false) throws -> DeviceTree {
        try DeviceTree(dtbOrDTSFile: path, options: DTSCompileOptions(symbols: symbols))
    }

    static func readDTB(_ path: String) throws -> [UInt8] {
        try named(path) { try DTSFile.read(URL(fileURLWithPath: path)) }
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try named(path) { try DTSFile.write(bytes, to: URL(fileURLWithPath: path)) }
    }

    /// Errors name the file as the user wrote it, not as an absolute path.
    private static func named<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch var error as DTSError where error.file == URL(fileURLWithPath: path).path {
            error.file = path
            throw error
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print a DTB or DTS file as DTS text.",
            discussion: """
                The text is exactly what 'dtc -I dtb -O dts' prints for the same DTB:
                values shown as strings, <cells> or [bytes] by their content. Examples:
                  sel4img dt show build/kernel.dtb
                  sel4img dt show tools/dts/rpi4.dts --symbols
                """
        )
        @Flag(help: "For DTS input, add __symbols__ as 'dtc -@' does.") var symbols = false
        @Argument(help: ArgumentHelp("A DTB (.dtb/.dtbo) or DTS file.", valueName: "file")) var file: String

        func run() throws {
            print(try DTCommand.load(file, symbols: symbols).dtsText, terminator: "")
        }
    }

    struct Compile: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compile",
            abstract: "Compile a DTS file (or re-pack a DTB) into a DTB.",
            discussion: """
                Phandles are allocated as dtc allocates them; a /plugin/ source becomes an overlay with __fixups__ and __local_fixups__. The output is byte-for-byte reproducible. Examples (the second makes a base for label overlays, the third compiles a /plugin/ source):
                  sel4img dt compile board.dts -o board.dtb
                  sel4img dt compile board.dts -o board.dtb --symbols
                  sel4img dt compile uart.dts -o uart.dtbo
                """
        )
        @Flag(name: [.customLong("symbols"), .customShort("@")], help: "Add __symbols__ (needed by overlays that target labels).") var symbols = false
        @Option(name: .shortAndLong, help: ArgumentHelp("The DTB to write.", valueName: "out.dtb")) var output: String
        @Argument(help: ArgumentHelp("The DTS (or DTB) file.", valueName: "file")) var file: String

        func run() throws {
            try DTCommand.write(try DTCommand.load(file, symbols: symbols).dtb(file: output), to: output)
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Apply overlays to a base DTB, as fdtoverlay does.",
            discussion: """
                Overlays apply in order. Overlays that target labels (&uart0) need a base compiled with symbols; overlays that target paths work on any base. Examples:
                  sel4img dt apply board.dtb boot.dtbo -o final.dtb
                  sel4img dt apply board.dtb uart.dtbo memory.dtbo -o final.dtb
                """
        )
        @Option(name: .shortAndLong, help: ArgumentHelp("The DTB to write.", valueName: "out.dtb")) var output: String
        @Argument(help: ArgumentHelp("The base DTB.", valueName: "base.dtb")) var base: String
        @Argument(help: ArgumentHelp("One or more overlays (.dtbo).", valueName: "overlay.dtbo")) var overlays: [String]

        func validate() throws {
            if overlays.isEmpty { throw ValidationError("name at least one overlay after the base DTB") }
        }

        func run() throws {
            let applied = try DeviceTree.applyOverlays(try overlays.map { ($0, try DTCommand.readDTB($0)) }, to: try DTCommand.readDTB(base), baseName: base)
            try DTCommand.write(applied, to: output)
        }
    }

    struct MakeOverlay: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "overlay",
            abstract: "Write an overlay (.dtbo) that sets /chosen, memory or any property.",
            discussion: """
                Values in --set use DTS syntax; a target is a node path or a label. Sizes take K, M and G suffixes. Give --base to take the memory node's name and the root's #address-cells/#size-cells from the board's DTB (without it: memory@BASE with 2 address cells and 2 size cells). Examples (the last sets an empty property):
                  sel4img dt overlay --chosen-stdout /soc/serial@7e215040 \\
                      --bootargs "console=ttyS0" -o boot.dtbo
                  sel4img dt overlay --base rpi4.dtb --memory 0x0:1G \\
                      --initrd 0x4400000:0x100000 -o mem.dtbo
                  sel4img dt overlay --set '/soc/serial@7e215040:status="okay"' \\
                      --set 'uart0:clock-frequency=<48000000>' -o uart.dtbo
                  sel4img dt overlay --set '/chosen:linux,booted-by-sel4img' -o flag.dtbo
                """
        )
        @Option(name: .customLong("set"), help: ArgumentHelp("Set a property: TARGET:NAME=VALUE or TARGET:NAME (empty).", valueName: "target:prop=value")) var assignments: [String] = []
        @Option(help: ArgumentHelp("Set /chosen/stdout-path.", valueName: "path")) var chosenStdout: String?
        @Option(help: ArgumentHelp("Set /chosen/bootargs.", valueName: "arguments")) var bootargs: String?
        @Option(help: ArgumentHelp("Set the memory node's reg to one region.", valueName: "base:size")) var memory: String?
        @Option(help: ArgumentHelp("Set linux,initrd-start and -end from a start and size.", valueName: "start:size")) var initrd: String?
        @Option(help: ArgumentHelp("The board DTB to take cell sizes and the memory node's name from.", valueName: "base.dtb")) var base: String?
        @Option(name: .shortAndLong, help: ArgumentHelp("The overlay to write.", valueName: "out.dtbo")) var output: String

        func validate() throws {
            if assignments.isEmpty, chosenStdout == nil, bootargs == nil, memory == nil, initrd == nil {
                throw ValidationError("nothing to put in the overlay: give --set, --chosen-stdout, --bootargs, --memory or --initrd")
            }
            if let memory { _ = try Self.region(memory, option: "--memory") }
            if let initrd { _ = try Self.region(initrd, option: "--initrd") }
            for assignment in assignments { _ = try Self.split(assignment) }
        }

        func run() throws {
            var overlay = Overlay()
            let board = try base.map { try DeviceTree(dtb: try DTCommand.readDTB($0), file: $0) }
            let cells = board?.rootCells ?? (address: 2, size: 2)
            for assignment in assignments {
                let (target, name, value) = try Self.split(assignment)
                overlay.set(try Property(name: name, dtsValue: value, source: "--set"), on: target.hasPrefix("/") ? .path(target) : .label(target))
            }
            if let chosenStdout { overlay.setStdoutPath(chosenStdout) }
            if let bootargs { overlay.setBootargs(bootargs) }
            if let memory {
                let (start, size) = try Self.region(memory, option: "--memory")
                try overlay.setMemory(base: start, size: size, addressCells: cells.address, sizeCells: cells.size,
                                      nodeName: board?.memoryNodePath.map { String($0.dropFirst()) })
            }
            if let initrd {
                let (start, size) = try Self.region(initrd, option: "--initrd")
                try overlay.setInitrd(start: start, end: start + size, addressCells: cells.address)
            }
            try DTCommand.write(try overlay.deviceTree.dtb(file: output), to: output)
        }

        /// `TARGET:NAME=VALUE` → (target, name, value); the value may itself contain ':' and '='.
        static func split(_ text: String) throws -> (String, String, String?) {
            guard let colon = text.firstIndex(of: ":") else {
                throw ValidationError("--set '\(text)': expected TARGET:NAME=VALUE, e.g. /chosen:bootargs=\"quiet\"")
            }
            let target = String(text[..<colon])
            let rest = text[text.index(after: colon)...]
            let name = String(rest.prefix { $0 != "=" })
            let value = rest.firstIndex(of: "=").map { String(rest[rest.index(after: $0)...]) }
            guard !target.isEmpty, !name.isEmpty else {
                throw ValidationError("--set '\(text)': expected TARGET:NAME=VALUE, e.g. /chosen:bootargs=\"quiet\"")
            }
            return (target, name, value)
        }

        /// `BASE:SIZE` with hex or decimal numbers and K/M/G suffixes.
        static func region(_ text: String, option: String) throws -> (UInt64, UInt64) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, let start = number(parts[0]), let size = number(parts[1]) else {
                throw ValidationError("\(option) '\(text)': expected BASE:SIZE such as 0x0:4G or 0x4400000:0x100000")
            }
            guard start.addingReportingOverflow(size).overflow == false else {
                throw ValidationError("\(option) '\(text)': the region ends beyond 2^64")
            }
            return (start, size)
        }

        static func number(_ text: Substring) -> UInt64? {
            var digits = text.lowercased()
            var scale: UInt64 = 1
            if let last = digits.last, let shift = ["k": 10, "m": 20, "g": 30][last] {
                scale = 1 << UInt64(shift)
                digits.removeLast()
            }
            let value = digits.hasPrefix("0x") ? UInt64(digits.dropFirst(2), radix: 16) : UInt64(digits)
            guard let value else { return nil }
            let (result, overflow) = value.multipliedReportingOverflow(by: scale)
            return overflow ? nil : result
        }
    }
}
