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
    wasm_runner_heap_reset_peak()
    let baseline = wasm_runner_heap_live()
    var linearMemory = 0
    var succeeded = false
    // Growth needs the old and the new memory at once: cap memories at half
    // of what the heap has left, so memory.grow fails (-1) before malloc does.
    let available = Int(wasm_runner_heap_available())
    let maxPages = UInt32(max(1, min(65536, (available / 2 - (2 << 20)) / 65536)))
    do {
        let module: Module
        do throws(WasmError) {
            module = try Module.decode(bytes)
        } catch {
            Console.line("wasm-runner: \(name) failed to load: \(error.description)")
            return false
        }
        let wasi = WASI(arguments: arguments, environment: [], preopens: [(guestPath: "/bundle", tree: tree)],
                        platform: SeL4Platform(epochSeconds: epoch))
        var imports = Imports()
        wasi.define(into: &imports)
        // 1 MiB of value stack (the engine's default is 2 MiB): the runner's
        // target is under 2 MiB of heap per module beyond linear memory.
        let store = Store(configuration: Configuration(valueStackSlots: 1 << 17, maxMemoryPages: maxPages))
        // Store and instances reference each other: release frees the module's memory for the next one.
        defer { store.release() }
        let instance: Instance
        do throws(InstantiationError) {
            instance = try Instance.instantiate(module, imports: imports, store: store)
        } catch {
            Console.line("wasm-runner: \(name) failed to instantiate: \(error.description)")
            return false
        }
        do throws(Trap) {
            let status = try wasi.run(instance)
            Console.line("wasm-runner: \(name) exited with status \(status)")
            succeeded = status == 0
        } catch {
            Console.line("wasm-runner: \(name) trapped: \(error.description)")
        }
        linearMemory = instance.memory?.byteCount ?? 0
    }
    let peak = Int(wasm_runner_heap_peak()) - Int(baseline)
    Console.line("wasm-runner: \(name) peak heap \(max(0, peak - linearMemory)) bytes beyond linear memory (linear memory \(linearMemory) bytes)")
    return succeeded
}
