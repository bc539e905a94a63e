import CRunner
import WASI
import WasmEngine

/// The root task's entry from C (src/main.c): runs every module listed in
/// the archive's modules.txt, in order, each in its own store with WASI
/// (arguments: its name, then the index's arguments; the archive's files
/// preopened read-only at /bundle). Prints a status line per module and a
/// summary; returns the number of modules that failed.
@_cdecl("wasm_runner_run")
public func wasmRunnerRun(_ archive: UnsafePointer<UInt8>, _ length: Int) -> Int32 {
    let entries: [ArchiveEntry]
    do throws(ArchiveError) {
        entries = try NewcArchive.parse(UnsafeBufferPointer(start: archive, count: length))
    } catch {
        Console.line("wasm-runner: cannot read the modules archive: \(error.message)")
        return 1
    }
    guard let indexEntry = entries.first(where: { $0.path == "modules.txt" }) else {
        Console.line("wasm-runner: cannot find modules.txt in the modules archive")
        return 1
    }
    let index = ModuleIndex(indexEntry.contents)

    var tree = WASIFileTree()
    for entry in entries {
        do throws(WASIFileTree.Error) {
            if entry.isDirectory {
                try tree.addDirectory(entry.path)
            } else if entry.isFile {
                try tree.addFile(entry.path, contents: Array(entry.contents))
            }
        } catch {
            Console.line("wasm-runner: cannot read the modules archive: \(error.description)")
            return 1
        }
    }

    var failed = 0
    for name in index.modules {
        if !run(module: name, arguments: [name] + index.arguments, tree: tree, epoch: UInt64(indexEntry.mtime),
                compareTiers: index.compareTiers) {
            failed += 1
        }
    }
    let count = index.modules.count
    Console.line("wasm-runner: heap in use after the modules \(wasm_runner_heap_live()) bytes, largest free block \(wasm_runner_heap_available()) bytes")
    if failed == 0 {
        Console.line("wasm-runner: all \(count) module\(count == 1 ? "" : "s") exited 0")
    } else {
        Console.line("wasm-runner: \(failed) of \(count) module\(count == 1 ? "" : "s") failed")
    }
    return Int32(failed)
}

/// Runs one module; true when it exited with status 0. With `compareTiers` (`--wasm-tier both`),
/// a module translated ahead of time runs again on the interpreter: both times and their ratio
/// are printed, and tiers that end differently fail the module.
func run(module name: String, arguments: [String], tree: WASIFileTree, epoch: UInt64, compareTiers: Bool = false) -> Bool {
    guard let bytes = tree.contents(of: "modules/" + name) else {
        Console.line("wasm-runner: \(name) failed to load: modules/\(name) is not in the archive")
        return false
    }
    let aheadOfTime = aotIndex(of: name)
    let first = runOnce(name, bytes, arguments: arguments, tree: tree, epoch: epoch, aheadOfTime: aheadOfTime)
    guard compareTiers, aheadOfTime != nil else { return first.succeeded }
    let second = runOnce(name, bytes, arguments: arguments, tree: tree, epoch: epoch, aheadOfTime: nil)
    let hundredths = second.nanoseconds &* 100 / max(first.nanoseconds, 1)
    Console.line("wasm-runner: \(name) interpreter/ahead-of-time time ratio \(hundredths / 100).\(String(hundredths % 100).leftPadded(2))")
    if first.ending != second.ending {
        Console.line("wasm-runner: \(name) ended differently: ahead of time \(first.ending), on the interpreter \(second.ending)")
        return false
    }
    return first.succeeded && second.succeeded
}

/// One run of a module on one tier: its status lines printed, and what the tiers compare.
func runOnce(_ name: String, _ bytes: [UInt8], arguments: [String], tree: WASIFileTree, epoch: UInt64,
             aheadOfTime: Int32?) -> (succeeded: Bool, ending: String, nanoseconds: UInt64) {
    var usage = ModuleUsage()
    // Which tier runs it: wasm2c's translation when sel4img made one at build time.
    Console.line("wasm-runner: \(name) runs \(aheadOfTime == nil ? "on the interpreter" : "ahead of time (wasm2c)")")
    let started = SeL4Platform.uptime()
    let (outcome, _) = execute(bytes, arguments: arguments, preopens: [(guestPath: "/bundle", tree: tree)],
                               platform: SeL4Platform(epochSeconds: epoch), usage: &usage, aheadOfTime: aheadOfTime)
    let elapsed = SeL4Platform.uptime() &- started
    let ending: String
    switch outcome {
    case .exited(let status):
        ending = "exited with status \(status)"
        Console.line("wasm-runner: \(name) \(ending)")
    case .trapped(let description):
        // The tiers agree on the reason; only the interpreter knows the function and offset.
        ending = "trapped: " + (description.splitOnce(" in function ") ?? description)
        Console.line("wasm-runner: \(name) trapped: \(description)")
    case .stopped(let description):
        ending = "stopped: \(description)"
        Console.line("wasm-runner: \(name) \(ending)")
    case .failedToLoad(let description):
        Console.line("wasm-runner: \(name) failed to load: \(description)")
        return (false, "failed to load", elapsed)
    case .failedToInstantiate(let description):
        Console.line("wasm-runner: \(name) failed to instantiate: \(description)")
        return (false, "failed to instantiate", elapsed)
    }
    Console.line("wasm-runner: \(name) ran in \(elapsed / 1_000_000).\(String(elapsed / 1_000 % 1_000).leftPadded(3)) ms")
    Console.line("wasm-runner: \(name) peak heap \(usage.peakHeap) bytes beyond linear memory (linear memory \(usage.linearMemory) bytes)")
    if case .exited(0) = outcome { return (true, ending, elapsed) }
    return (false, ending, elapsed)
}

extension String {
    /// Zeros in front up to `width` characters.
    func leftPadded(_ width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}

extension String {
    /// The text before the first `separator`, or nil when it does not occur.
    func splitOnce(_ separator: String) -> String? {
        let text = Array(utf8), mark = Array(separator.utf8)
        guard mark.count <= text.count else { return nil }
        for start in 0...(text.count - mark.count) where Array(text[start..<start + mark.count]) == mark {
            return String(decoding: text[0..<start], as: UTF8.self)
        }
        return nil
    }
}
