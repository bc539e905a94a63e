import WasmEngine

/// WASI preview1 (`wasi_snapshot_preview1`) for one module instance, over a
/// platform that supplies stdio, clocks and randomness.
///
/// Files come from read-only `WASIFileTree`s preopened as fds 3, 4, …; there
/// is no other file system. Every preview1 function is defined: the ones this
/// implementation cannot support return ENOSYS, calls that would change a
/// tree return EROFS, and bad descriptors EBADF. Guest pointers are checked
/// (EFAULT), so no module input crashes the host.
///
///     let wasi = WASI(arguments: ["hello.wasm"], environment: ["K=V"],
///                     preopens: [(guestPath: "/", tree: tree)], platform: HostPlatform())
///     var imports = Imports()
///     wasi.define(into: &imports)
///     let instance = try Instance.instantiate(module, imports: imports, store: Store())
///     let status = try wasi.run(instance)
///
/// A class, not a struct: the host functions share the descriptor table.
public final class WASI<Platform: WASIPlatform> {
    /// The platform; public so a caller can read what a test platform captured.
    public var platform: Platform

    let arguments: [[UInt8]]
    let environment: [[UInt8]]
    var trees: [WASIFileTree]
    var descriptors: [Int32: Descriptor] = [:]

    /// The most descriptors open at once; path_open past it is EMFILE.
    static var maxDescriptors: Int { 1 << 16 }

    /// `arguments` includes the program name (argv[0]); `environment` holds
    /// "KEY=VALUE" strings. Preopens become fds 3, 4, … in order.
    public init(arguments: [String], environment: [String],
                preopens: [(guestPath: String, tree: WASIFileTree)], platform: Platform) {
        self.arguments = arguments.map { Array($0.utf8) }
        self.environment = environment.map { Array($0.utf8) }
        self.platform = platform
        self.trees = []
        descriptors[0] = Descriptor(kind: .stdio(0), rightsBase: WASIABI.stdinRights, rightsInheriting: 0)
        descriptors[1] = Descriptor(kind: .stdio(1), rightsBase: WASIABI.stdoutRights, rightsInheriting: 0)
        descriptors[2] = Descriptor(kind: .stdio(2), rightsBase: WASIABI.stdoutRights, rightsInheriting: 0)
        for (index, preopen) in preopens.enumerated() {
            trees.append(preopen.tree)
            var descriptor = Descriptor(kind: .directory(tree: index, node: 0), rightsBase: WASIABI.directoryRights,
                                        rightsInheriting: WASIABI.inheritingRights)
            descriptor.preopenPath = Array(preopen.guestPath.utf8)
            descriptors[Int32(3 + index)] = descriptor
        }
    }

    /// Runs the command's `_start` and returns its exit code: the proc_exit
    /// code, or 0 when `_start` returns. Any other trap is thrown.
    public func run(_ instance: Instance) throws(Trap) -> Int32 {
        guard let start = instance.export("_start"), case .function = start else {
            throw Trap(.host("the module exports no _start function (not a WASI command)"))
        }
        do throws(Trap) {
            _ = try instance.invoke("_start", [])
            return 0
        } catch {
            if case .exit(let code) = error.reason { return code }
            throw error
        }
    }

    /// Adds every `wasi_snapshot_preview1` function to `imports`.
    public func define(into imports: inout Imports) {
        for function in functions {
            imports.define(module: "wasi_snapshot_preview1", name: function.name,
                           HostFunction(type: function.type) { (caller: inout Caller, values: [Value]) throws(Trap) -> [Value] in
                try function.call(memory: caller.memory?.buffer, values)
            })
        }
    }

    /// Every `wasi_snapshot_preview1` function, callable over raw memory bytes: what
    /// `define(into:)` gives the interpreter, and what the ahead-of-time tier calls from C.
    public var functions: [WASIFunction] {
        var functions: [WASIFunction] = []
        let i32 = ValueType.i32, i64 = ValueType.i64
        func call(_ name: String, _ parameters: [ValueType],
                  _ body: @escaping (GuestMemory, Arguments) throws(WASIErrno) -> Void) {
            functions.append(WASIFunction(name: name, type: FunctionType(parameters: parameters, results: [.i32])) {
                (buffer: UnsafeMutableRawBufferPointer?, values: [Value]) throws(Trap) -> [Value] in
                do throws(WASIErrno) {
                    try body(GuestMemory(buffer), Arguments(values))
                    return [.i32(0)]
                } catch {
                    return [.i32(UInt32(error.rawValue))]
                }
            })
        }

        // Arguments, environment, clocks, randomness, the process.
        call("args_get", [i32, i32]) { m, a throws(WASIErrno) in try self.stringsGet(self.arguments, m, a) }
        call("args_sizes_get", [i32, i32]) { m, a throws(WASIErrno) in try self.stringsSizesGet(self.arguments, m, a) }
        call("environ_get", [i32, i32]) { m, a throws(WASIErrno) in try self.stringsGet(self.environment, m, a) }
        call("environ_sizes_get", [i32, i32]) { m, a throws(WASIErrno) in try self.stringsSizesGet(self.environment, m, a) }
        call("clock_res_get", [i32, i32]) { m, a throws(WASIErrno) in try self.clockResGet(m, a) }
        call("clock_time_get", [i32, i64, i32]) { m, a throws(WASIErrno) in try self.clockTimeGet(m, a) }
        call("random_get", [i32, i32]) { m, a throws(WASIErrno) in try self.randomGet(m, a) }
        call("sched_yield", []) { _, _ throws(WASIErrno) in }
        call("poll_oneoff", [i32, i32, i32, i32]) { m, a throws(WASIErrno) in try self.pollOneoff(m, a) }
        call("proc_raise", [i32]) { _, _ throws(WASIErrno) in throw .nosys }
        functions.append(WASIFunction(name: "proc_exit", type: FunctionType(parameters: [i32], results: [])) {
            (_: UnsafeMutableRawBufferPointer?, values: [Value]) throws(Trap) -> [Value] in
            throw Trap(.exit(Int32(bitPattern: Arguments(values).i32(0))))
        })

        // Descriptors.
        call("fd_advise", [i32, i64, i64, i32]) { m, a throws(WASIErrno) in try self.fdAdvise(m, a) }
        call("fd_allocate", [i32, i64, i64]) { m, a throws(WASIErrno) in try self.fdAllocate(m, a) }
        call("fd_close", [i32]) { m, a throws(WASIErrno) in try self.fdClose(m, a) }
        call("fd_datasync", [i32]) { m, a throws(WASIErrno) in try self.fdSync(m, a) }
        call("fd_sync", [i32]) { m, a throws(WASIErrno) in try self.fdSync(m, a) }
        call("fd_fdstat_get", [i32, i32]) { m, a throws(WASIErrno) in try self.fdFdstatGet(m, a) }
        call("fd_fdstat_set_flags", [i32, i32]) { m, a throws(WASIErrno) in try self.fdFdstatSetFlags(m, a) }
        call("fd_fdstat_set_rights", [i32, i64, i64]) { m, a throws(WASIErrno) in try self.fdFdstatSetRights(m, a) }
        call("fd_filestat_get", [i32, i32]) { m, a throws(WASIErrno) in try self.fdFilestatGet(m, a) }
        call("fd_filestat_set_size", [i32, i64]) { m, a throws(WASIErrno) in try self.fdFilestatSetSize(m, a) }
        call("fd_filestat_set_times", [i32, i64, i64, i32]) { m, a throws(WASIErrno) in try self.fdFilestatSetTimes(m, a) }
        call("fd_pread", [i32, i32, i32, i64, i32]) { m, a throws(WASIErrno) in try self.fdPread(m, a) }
        call("fd_prestat_get", [i32, i32]) { m, a throws(WASIErrno) in try self.fdPrestatGet(m, a) }
        call("fd_prestat_dir_name", [i32, i32, i32]) { m, a throws(WASIErrno) in try self.fdPrestatDirName(m, a) }
        call("fd_pwrite", [i32, i32, i32, i64, i32]) { m, a throws(WASIErrno) in try self.fdPwrite(m, a) }
        call("fd_read", [i32, i32, i32, i32]) { m, a throws(WASIErrno) in try self.fdRead(m, a) }
        call("fd_readdir", [i32, i32, i32, i64, i32]) { m, a throws(WASIErrno) in try self.fdReaddir(m, a) }
        call("fd_renumber", [i32, i32]) { m, a throws(WASIErrno) in try self.fdRenumber(m, a) }
        call("fd_seek", [i32, i64, i32, i32]) { m, a throws(WASIErrno) in try self.fdSeek(m, a) }
        call("fd_tell", [i32, i32]) { m, a throws(WASIErrno) in try self.fdTell(m, a) }
        call("fd_write", [i32, i32, i32, i32]) { m, a throws(WASIErrno) in try self.fdWrite(m, a) }

        // Paths.
        call("path_create_directory", [i32, i32, i32]) { m, a throws(WASIErrno) in
            try self.checkChange(m, fd: a.fd(0), path: a.i32(1), length: a.i32(2))
            throw .rofs
        }
        call("path_filestat_get", [i32, i32, i32, i32, i32]) { m, a throws(WASIErrno) in try self.pathFilestatGet(m, a) }
        call("path_filestat_set_times", [i32, i32, i32, i32, i64, i64, i32]) { m, a throws(WASIErrno) in
            try Self.checkTimeFlags(a.i32(6))
            try self.checkChange(m, fd: a.fd(0), path: a.i32(2), length: a.i32(3), mustExist: true)
            throw .rofs
        }
        call("path_link", [i32, i32, i32, i32, i32, i32, i32]) { m, a throws(WASIErrno) in
            try self.checkChange(m, fd: a.fd(0), path: a.i32(2), length: a.i32(3), mustExist: true)
            try self.checkChange(m, fd: a.fd(4), path: a.i32(5), length: a.i32(6))
            throw .rofs
        }
        call("path_open", [i32, i32, i32, i32, i32, i64, i64, i32, i32]) { m, a throws(WASIErrno) in try self.pathOpen(m, a) }
        call("path_readlink", [i32, i32, i32, i32, i32, i32]) { m, a throws(WASIErrno) in try self.pathReadlink(m, a) }
        call("path_remove_directory", [i32, i32, i32]) { m, a throws(WASIErrno) in
            try self.checkChange(m, fd: a.fd(0), path: a.i32(1), length: a.i32(2), mustExist: true)
            throw .rofs
        }
        call("path_rename", [i32, i32, i32, i32, i32, i32]) { m, a throws(WASIErrno) in
            try self.checkChange(m, fd: a.fd(0), path: a.i32(1), length: a.i32(2), mustExist: true)
            try self.checkChange(m, fd: a.fd(3), path: a.i32(4), length: a.i32(5))
            throw .rofs
        }
        call("path_symlink", [i32, i32, i32, i32, i32]) { m, a throws(WASIErrno) in
            _ = try m.read(a.i32(0), a.i32(1))
            try self.checkChange(m, fd: a.fd(2), path: a.i32(3), length: a.i32(4))
            throw .rofs
        }
        call("path_unlink_file", [i32, i32, i32]) { m, a throws(WASIErrno) in
            try self.checkChange(m, fd: a.fd(0), path: a.i32(1), length: a.i32(2), mustExist: true)
            throw .rofs
        }

        // Sockets: no descriptor here is a socket.
        call("sock_accept", [i32, i32, i32]) { m, a throws(WASIErrno) in try self.notSocket(a.fd(0)) }
        call("sock_recv", [i32, i32, i32, i32, i32, i32]) { m, a throws(WASIErrno) in try self.notSocket(a.fd(0)) }
        call("sock_send", [i32, i32, i32, i32, i32]) { m, a throws(WASIErrno) in try self.notSocket(a.fd(0)) }
        call("sock_shutdown", [i32, i32]) { m, a throws(WASIErrno) in try self.notSocket(a.fd(0)) }
        return functions
    }

    /// The names of every function `define(into:)` adds, in the order of the
    /// preview1 witx (for tests and documentation).
    public static var functionNames: [String] {
        ["args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_res_get", "clock_time_get",
         "fd_advise", "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get", "fd_fdstat_set_flags",
         "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread",
         "fd_prestat_get", "fd_prestat_dir_name", "fd_pwrite", "fd_read", "fd_readdir", "fd_renumber", "fd_seek",
         "fd_sync", "fd_tell", "fd_write", "path_create_directory", "path_filestat_get", "path_filestat_set_times",
         "path_link", "path_open", "path_readlink", "path_remove_directory", "path_rename", "path_symlink",
         "path_unlink_file", "poll_oneoff", "proc_exit", "proc_raise", "sched_yield", "random_get",
         "sock_accept", "sock_recv", "sock_send", "sock_shutdown"]
    }

    func notSocket(_ fd: Int32) throws(WASIErrno) {
        guard descriptors[fd] != nil else { throw .badf }
        throw .notsock
    }
}

/// One `wasi_snapshot_preview1` function of a `WASI` instance.
public struct WASIFunction {
    public let name: String
    /// The witx signature (every function but proc_exit returns an errno as i32).
    public let type: FunctionType
    let body: (UnsafeMutableRawBufferPointer?, [Value]) throws(Trap) -> [Value]

    init(name: String, type: FunctionType, _ body: @escaping (UnsafeMutableRawBufferPointer?, [Value]) throws(Trap) -> [Value]) {
        self.name = name
        self.type = type
        self.body = body
    }

    /// Calls the function with the module's linear memory (nil: the module has none, so every
    /// pointer is EFAULT). Returns the errno for all but proc_exit, which throws `.exit(code)`.
    public func call(memory: UnsafeMutableRawBufferPointer?, _ values: [Value]) throws(Trap) -> [Value] {
        try body(memory, values)
    }
}

/// One open descriptor.
struct Descriptor {
    enum Kind {
        /// Host stdio 0, 1 or 2 (kept when renumbered).
        case stdio(Int32)
        case directory(tree: Int, node: Int)
        case file(tree: Int, node: Int)
    }

    var kind: Kind
    /// The read position of a file.
    var position: UInt64 = 0
    var flags: UInt16 = 0
    var rightsBase: UInt64
    var rightsInheriting: UInt64
    /// The guest path of a preopened directory (fd_prestat_*).
    var preopenPath: [UInt8]?

    init(kind: Kind, rightsBase: UInt64, rightsInheriting: UInt64) {
        self.kind = kind
        self.rightsBase = rightsBase
        self.rightsInheriting = rightsInheriting
    }
}
