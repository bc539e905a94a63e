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
        if !run(module: name, arguments: [name] + index.arguments, tree: tree, epoch: UInt64(indexEntry.mtime)) {
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

/// Runs one module; true when it exited with status 0.
func run(module name: String, arguments: [String], tree: WASIFileTree, epoch: UInt64) -> Bool {
    guard let bytes = tree.contents(of: "modules/" + name) else {
        Console.line("wasm-runner: \(name) failed to load: modules/\(name) is not in the archive")
        return false
    }
    var usage = ModuleUsage()
    let aheadOfTime = aotIndex(of: name)
    // Which tier runs it: wasm2c's translation when sel4img made one at build time.
    Console.line("wasm-runner: \(name) runs \(aheadOfTime == nil ? "on the interpreter" : "ahead of time (wasm2c)")")
    let started = SeL4Platform.uptime()
    let (outcome, _) = execute(bytes, arguments: arguments, preopens: [(guestPath: "/bundle", tree: tree)],
                               platform: SeL4Platform(epochSeconds: epoch), usage: &usage, aheadOfTime: aheadOfTime)
    let elapsed = SeL4Platform.uptime() &- started
    switch outcome {
    case .exited(let status):
        Console.line("wasm-runner: \(name) exited with status \(status)")
    case .trapped(let description):
        Console.line("wasm-runner: \(name) trapped: \(description)")
    case .stopped(let description):
        Console.line("wasm-runner: \(name) stopped: \(description)")
    case .failedToLoad(let description):
        Console.line("wasm-runner: \(name) failed to load: \(description)")
        return false
    case .failedToInstantiate(let description):
        Console.line("wasm-runner: \(name) failed to instantiate: \(description)")
        return false
    }
    Console.line("wasm-runner: \(name) ran in \(elapsed / 1_000_000).\(String(elapsed / 1_000 % 1_000).leftPadded(3)) ms")
    Console.line("wasm-runner: \(name) peak heap \(usage.peakHeap) bytes beyond linear memory (linear memory \(usage.linearMemory) bytes)")
    if case .exited(0) = outcome { return true }
    return false
}

extension String {
    /// Zeros in front up to `width` characters.
    func leftPadded(_ width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
