import Foundation
import Testing
import WASI
import WasmEngine

/// Each WASI call, called directly through a module that re-exports the
/// imports, with memory set up and checked from the test.
@Suite struct WASICallTests {
    @Test("every preview1 function is defined, so any WASI module links")
    func everyFunctionDefined() throws {
        let h = try Harness()
        #expect(WASI<CapturePlatform>.functionNames.count == 46)
        #expect(Set(WASI<CapturePlatform>.functionNames) == Set(wasiSignatures.map(\.name)))
        _ = h
    }

    @Test("args_sizes_get and args_get give argc, sizes and NUL-terminated strings")
    func arguments() throws {
        let h = try Harness()
        #expect(try h.call("args_sizes_get", 0, 4) == E.success)
        #expect(h.load32(0) == 3)
        #expect(h.load32(4) == UInt32("prog".utf8.count + "one".utf8.count + "two words".utf8.count + 3))
        #expect(try h.call("args_get", 100, 200) == E.success)
        #expect(h.load32(100) == 200)
        #expect(h.string(Int(h.load32(104)), 4) == "one\0")
        #expect(h.string(Int(h.load32(108)), 10) == "two words\0")
    }

    @Test("environ_sizes_get and environ_get give KEY=VALUE strings")
    func environment() throws {
        let h = try Harness()
        #expect(try h.call("environ_sizes_get", 0, 4) == E.success)
        #expect(h.load32(0) == 2)
        #expect(h.load32(4) == 4 + 18)
        #expect(try h.call("environ_get", 100, 200) == E.success)
        #expect(h.string(Int(h.load32(104)), 18) == "GREETING=hi there\0")
    }

    @Test("argument and environment calls with pointers past memory are EFAULT")
    func argumentsFault() throws {
        let h = try Harness()
        #expect(try h.call("args_sizes_get", 65534, 0) == E.fault)
        #expect(try h.call("args_get", 0, 65530) == E.fault)
        #expect(try h.call("environ_get", -4, 0) == E.fault)
        #expect(try h.call("environ_sizes_get", 0, 0x7FFF_FFFF) == E.fault)
    }

    @Test("clock_time_get and clock_res_get read the platform's clocks; unknown clocks are EINVAL")
    func clocks() throws {
        let h = try Harness()
        for id in 0...3 {
            #expect(try h.call("clock_time_get", id, 1, 8) == E.success)
            #expect(h.load64(8) == 1_700_000_000_000_000_000 + UInt64(id))
            #expect(try h.call("clock_res_get", id, 16) == E.success)
            #expect(h.load64(16) == 1000)
        }
        #expect(try h.call("clock_time_get", 4, 0, 8) == E.inval)
        #expect(try h.call("clock_res_get", 99, 8) == E.inval)
        #expect(try h.call("clock_time_get", 0, 0, 65530) == E.fault)
    }

    @Test("random_get fills the buffer; zero length is fine; out of range is EFAULT")
    func random() throws {
        let h = try Harness()
        #expect(try h.call("random_get", 32, 5) == E.success)
        #expect(h.bytes(32, 5) == [1, 8, 15, 22, 29])
        #expect(try h.call("random_get", 65536, 0) == E.success)
        #expect(try h.call("random_get", 65530, 7) == E.fault)
    }

    @Test("fd_write gathers iovecs to stdout and stderr and reports the count")
    func write() throws {
        let h = try Harness()
        _ = h.store(string: "hello, ", at: 100)
        _ = h.store(string: "world\n", at: 200)
        h.iovec(at: 0, buffer: 100, length: 7)
        h.iovec(at: 8, buffer: 200, length: 6)
        #expect(try h.call("fd_write", 1, 0, 2, 16) == E.success)
        #expect(h.load32(16) == 13)
        #expect(try h.call("fd_write", 2, 8, 1, 16) == E.success)
        #expect(h.wasi.platform.stdoutText == "hello, world\n")
        #expect(h.wasi.platform.stderrText == "world\n")
    }

    @Test("fd_write to stdin, a file, a directory or an unknown fd is EBADF")
    func writeBadDescriptors() throws {
        let h = try Harness()
        h.iovec(at: 0, buffer: 100, length: 1)
        #expect(try h.call("fd_write", 0, 0, 1, 16) == E.badf)
        #expect(try h.call("fd_write", 3, 0, 1, 16) == E.badf)
        #expect(try h.call("fd_write", 99, 0, 1, 16) == E.badf)
        #expect(try h.call("fd_write", -1, 0, 1, 16) == E.badf)
        let (errno, fd) = try h.open("a.txt")
        #expect(errno == E.success)
        #expect(try h.call("fd_write", fd, 0, 1, 16) == E.badf)
        #expect(try h.call("fd_pwrite", fd, 0, 1, 0, 16) == E.badf)
        #expect(h.wasi.platform.stdout.isEmpty)
    }

    @Test("fd_write with iovecs or buffers outside memory is EFAULT and writes nothing")
    func writeFault() throws {
        let h = try Harness()
        #expect(try h.call("fd_write", 1, 65532, 1, 16) == E.fault)      // iovec array past the end
        h.iovec(at: 0, buffer: 65530, length: 10)
        #expect(try h.call("fd_write", 1, 0, 1, 16) == E.fault)          // buffer past the end
        h.iovec(at: 0, buffer: 0xFFFF_FFF0, length: 0x20)
        #expect(try h.call("fd_write", 1, 0, 1, 16) == E.fault)          // wraps around 4 GiB
        h.iovec(at: 0, buffer: 100, length: 1)
        #expect(try h.call("fd_write", 1, 0, 1, 65535) == E.fault)       // nwritten past the end
        #expect(try h.call("fd_write", 1, 0, 0x2000_0000, 16) == E.fault) // absurd iovec count
        #expect(h.wasi.platform.stdout.count <= 1)
    }

    @Test("fd_read reads stdin until end of input")
    func readStdin() throws {
        let h = try Harness(stdin: Array("typed input".utf8))
        h.iovec(at: 0, buffer: 100, length: 5)
        h.iovec(at: 8, buffer: 200, length: 100)
        #expect(try h.call("fd_read", 0, 0, 2, 16) == E.success)
        #expect(h.load32(16) == 11)
        #expect(h.string(100, 5) == "typed")
        #expect(h.string(200, 6) == " input")
        #expect(try h.call("fd_read", 0, 0, 2, 16) == E.success)
        #expect(h.load32(16) == 0)
        #expect(try h.call("fd_read", 1, 0, 2, 16) == E.badf)
        #expect(try h.call("fd_read", 42, 0, 2, 16) == E.badf)
    }

    @Test("stdio is not seekable: fd_seek, fd_tell and fd_pread are ESPIPE")
    func stdioSeek() throws {
        let h = try Harness()
        #expect(try h.call("fd_seek", 1, 0, 1, 8) == E.spipe)
        #expect(try h.call("fd_tell", 0, 8) == E.spipe)
        h.iovec(at: 0, buffer: 100, length: 1)
        #expect(try h.call("fd_pread", 0, 0, 1, 0, 8) == E.spipe)
        #expect(try h.call("fd_seek", 7, 0, 1, 8) == E.badf)
    }

    @Test("fd_fdstat_get describes stdio, preopens and files")
    func fdstat() throws {
        let h = try Harness()
        #expect(try h.call("fd_fdstat_get", 1, 64) == E.success)
        #expect(h.load8(64) == 0)                           // not a terminal: unknown, like wasmtime on a pipe
        #expect(h.load64(72) & (1 << 6) != 0)               // FD_WRITE
        #expect(h.load64(72) & (1 << 2) == 0)               // no FD_SEEK
        #expect(try h.call("fd_fdstat_get", 3, 64) == E.success)
        #expect(h.load8(64) == 3)                           // directory
        #expect(h.load64(72) & (1 << 13) != 0)              // PATH_OPEN
        #expect(h.load64(72) & (1 << 2) == 0)               // directories cannot seek
        let (_, fd) = try h.open("a.txt", fdflags: 4)
        #expect(try h.call("fd_fdstat_get", fd, 64) == E.success)
        #expect(h.load8(64) == 4)                           // regular file
        #expect(h.load16(66) == 4)                          // NONBLOCK as opened
        #expect(h.load64(72) & (1 << 1) != 0)               // FD_READ
        #expect(h.load64(72) & (1 << 6) == 0)               // no FD_WRITE
        #expect(try h.call("fd_fdstat_get", 9, 64) == E.badf)
        #expect(try h.call("fd_fdstat_get", 1, 65530) == E.fault)
    }

    @Test("fd_fdstat_set_flags accepts APPEND on stdio, refuses NONBLOCK with ENOSYS")
    func setFlags() throws {
        let h = try Harness()
        #expect(try h.call("fd_fdstat_set_flags", 1, 0) == E.success)
        #expect(try h.call("fd_fdstat_set_flags", 1, 1) == E.success)
        #expect(try h.call("fd_fdstat_set_flags", 0, 4) == E.nosys)
        #expect(try h.call("fd_fdstat_set_flags", 1, 0x100) == E.inval)
        #expect(try h.call("fd_fdstat_set_flags", 12, 0) == E.badf)
    }

    @Test("fd_fdstat_set_rights can drop rights but not gain them")
    func setRights() throws {
        let h = try Harness()
        let (_, fd) = try h.open("a.txt")
        #expect(try h.call("fd_fdstat_set_rights", fd, 0x2, 0) == E.success)
        #expect(try h.call("fd_fdstat_set_rights", fd, 0x6, 0) == 76)
        #expect(try h.call("fd_fdstat_get", fd, 64) == E.success)
        #expect(h.load64(72) == 0x2)
    }

    @Test("the preopen is fd 3 with its guest path; fd 4 and stdio are EBADF for fd_prestat_get")
    func prestat() throws {
        let h = try Harness()
        #expect(try h.call("fd_prestat_get", 3, 8) == E.success)
        #expect(h.load8(8) == 0)
        #expect(h.load32(12) == 8)
        #expect(try h.call("fd_prestat_dir_name", 3, 100, 8) == E.success)
        #expect(h.string(100, 8) == "/sandbox")
        #expect(try h.call("fd_prestat_dir_name", 3, 100, 3) == E.nametoolong)
        #expect(try h.call("fd_prestat_get", 4, 8) == E.badf)
        #expect(try h.call("fd_prestat_get", 1, 8) == E.badf)
        #expect(try h.call("fd_prestat_get", 3, 65534) == E.fault)
        #expect(try h.call("fd_prestat_dir_name", 3, 65530, 8) == E.fault)
    }

    @Test("path_open, fd_read, fd_seek, fd_tell, fd_pread and fd_close on a file in the tree")
    func readFile() throws {
        let h = try Harness()
        let (errno, fd) = try h.open("a.txt")
        #expect(errno == E.success)
        #expect(fd == 4)
        h.iovec(at: 0, buffer: 100, length: 5)
        #expect(try h.call("fd_read", fd, 0, 1, 16) == E.success)
        #expect(h.load32(16) == 5)
        #expect(h.string(100, 5) == "hello")
        #expect(try h.call("fd_tell", fd, 24) == E.success)
        #expect(h.load64(24) == 5)
        #expect(try h.call("fd_seek", fd, -5, 2, 24) == E.success)   // 5 before the end
        #expect(h.load64(24) == 7)
        #expect(try h.call("fd_read", fd, 0, 1, 16) == E.success)
        #expect(h.string(100, 5) == "tree\n")
        #expect(try h.call("fd_read", fd, 0, 1, 16) == E.success)
        #expect(h.load32(16) == 0)                                   // end of file
        #expect(try h.call("fd_pread", fd, 0, 1, 7, 16) == E.success)
        #expect(h.string(100, 4) == "tree")
        #expect(try h.call("fd_pread", fd, 0, 1, 1000, 16) == E.success)
        #expect(h.load32(16) == 0)
        #expect(try h.call("fd_seek", fd, -100, 1, 24) == E.inval)
        #expect(try h.call("fd_seek", fd, 0, 3, 24) == E.inval)
        #expect(try h.call("fd_seek", fd, 100, 0, 24) == E.success)  // past the end is allowed
        #expect(try h.call("fd_close", fd) == E.success)
        #expect(try h.call("fd_close", fd) == E.badf)
        #expect(try h.call("fd_read", fd, 0, 1, 16) == E.badf)
    }

    @Test("fd_filestat_get and path_filestat_get report type, size and inode")
    func filestat() throws {
        let h = try Harness()
        let length = h.store(string: "sub/b.txt", at: 1000)
        #expect(try h.call("path_filestat_get", 3, 0, 1000, length, 64) == E.success)
        #expect(h.load8(64 + 16) == 4)
        #expect(h.load64(64 + 32) == 3)
        let inode = h.load64(64 + 8)
        let (_, fd) = try h.open("sub/b.txt")
        #expect(try h.call("fd_filestat_get", fd, 200) == E.success)
        #expect(h.load64(200 + 8) == inode)
        #expect(h.load64(200) == h.load64(64))                      // same device
        #expect(try h.call("fd_filestat_get", 3, 200) == E.success)
        #expect(h.load8(200 + 16) == 3)
        #expect(try h.call("fd_filestat_get", 1, 200) == E.success)
        #expect(try h.call("fd_filestat_get", 50, 200) == E.badf)
        #expect(try h.call("fd_filestat_get", 3, 65500) == E.fault)
        let missing = h.store(string: "nope", at: 1000)
        #expect(try h.call("path_filestat_get", 3, 0, 1000, missing, 64) == E.noent)
    }

    @Test("path_open refuses absolute paths and '..' escapes with ENOTCAPABLE", arguments: [
        "/etc/passwd", "..", "../a.txt", "sub/../../a.txt", "sub/deeper/../../..", "./../sandbox/a.txt", "//a.txt",
    ])
    func escapes(path: String) throws {
        let h = try Harness()
        #expect(try h.open(path).0 == E.notcapable)
    }

    @Test("path_open resolves '.', '..' inside the tree and repeated slashes")
    func containedPaths() throws {
        let h = try Harness()
        for path in ["./a.txt", "sub/../a.txt", "sub//b.txt", "sub/deeper/../b.txt", ".", "sub/", "sub/deeper/.."] {
            #expect(try h.open(path).0 == E.success, "\(path)")
        }
        // Relative to an opened subdirectory, '..' may not climb above it.
        let (_, sub) = try h.open("sub", oflags: 2)
        #expect(try h.open("b.txt", from: sub).0 == E.success)
        #expect(try h.open("../a.txt", from: sub).0 == E.notcapable)
    }

    @Test("path_open errors: missing, not a directory, write access, create, bad fd, bad pointers")
    func openErrors() throws {
        let h = try Harness()
        #expect(try h.open("missing.txt").0 == E.noent)
        #expect(try h.open("").0 == E.noent)
        #expect(try h.open("a.txt/").0 == E.notdir)
        #expect(try h.open("a.txt/x").0 == E.notdir)
        #expect(try h.open("a.txt", oflags: 2).0 == E.notdir)           // O_DIRECTORY on a file
        #expect(try h.open("a.txt", rights: 0x40).0 == E.rofs)          // FD_WRITE
        #expect(try h.open("a.txt", fdflags: 1).0 == E.rofs)            // APPEND
        #expect(try h.open("a.txt", oflags: 8).0 == E.rofs)             // TRUNC
        #expect(try h.open("new.txt", oflags: 1).0 == E.rofs)           // CREAT
        #expect(try h.open("a.txt", oflags: 1 | 4).0 == E.exist)        // CREAT|EXCL
        #expect(try h.open("sub", rights: 0x40).0 == E.isdir)
        #expect(try h.open("a.txt", from: 1).0 == E.notdir)
        #expect(try h.open("a.txt", from: 77).0 == E.badf)
        let (_, file) = try h.open("a.txt")
        #expect(try h.open("x", from: file).0 == E.notdir)
        #expect(try h.call("path_open", 3, 0, 65530, 100, 0, 2, 0, 0, 16) == E.fault)
        let length = h.store(string: "a.txt", at: 1000)
        #expect(try h.call("path_open", 3, 0, 1000, length, 0, 2, 0, 0, 65534) == E.fault)
    }

    @Test("fd_readdir lists '.', '..' and entries in name order, resuming at a cookie")
    func readdir() throws {
        let h = try Harness()
        #expect(try h.call("fd_readdir", 3, 2000, 4000, 0, 16) == E.success)
        let used = Int(h.load32(16))
        var names: [String] = [], nexts: [UInt64] = [], types: [UInt8] = []
        var p = 2000
        while p < 2000 + used {
            let length = Int(h.load32(p + 16))
            nexts.append(h.load64(p))
            types.append(h.load8(p + 20))
            names.append(h.string(p + 24, length))
            p += 24 + length
        }
        #expect(names == [".", "..", "a.txt", "empty.txt", "sub"])
        #expect(nexts == [1, 2, 3, 4, 5])
        #expect(types == [3, 3, 4, 4, 3])
        // From cookie 3 on, a buffer smaller than the entry is filled completely (ask again with more).
        #expect(try h.call("fd_readdir", 3, 2000, 10, 3, 16) == E.success)
        #expect(h.load32(16) == 10)
        #expect(try h.call("fd_readdir", 3, 2000, 4000, 5, 16) == E.success)
        #expect(h.load32(16) == 0)
        let (_, file) = try h.open("a.txt")
        #expect(try h.call("fd_readdir", file, 2000, 100, 0, 16) == E.notdir)
        #expect(try h.call("fd_readdir", 1, 2000, 100, 0, 16) == E.badf)
        #expect(try h.call("fd_readdir", 3, 65500, 100, 0, 16) == E.fault)
    }

    @Test("calls that would change the tree are EROFS, after EBADF, EFAULT and ENOTCAPABLE checks")
    func readOnly() throws {
        let h = try Harness()
        let a = h.store(string: "a.txt", at: 1000)
        let n = h.store(string: "new", at: 1100)
        let up = h.store(string: "../x", at: 1200)
        #expect(try h.call("path_create_directory", 3, 1100, n) == E.rofs)
        #expect(try h.call("path_unlink_file", 3, 1000, a) == E.rofs)
        #expect(try h.call("path_remove_directory", 3, 1000, a) == E.rofs)
        #expect(try h.call("path_rename", 3, 1000, a, 3, 1100, n) == E.rofs)
        #expect(try h.call("path_link", 3, 0, 1000, a, 3, 1100, n) == E.rofs)
        #expect(try h.call("path_symlink", 1000, a, 3, 1100, n) == E.rofs)
        #expect(try h.call("path_filestat_set_times", 3, 0, 1000, a, 0, 0, 0) == E.rofs)
        #expect(try h.call("path_create_directory", 3, 1200, up) == E.notcapable)
        #expect(try h.call("path_rename", 3, 1000, a, 3, 1200, up) == E.notcapable)
        #expect(try h.call("path_unlink_file", 3, 1100, n) == E.noent)
        #expect(try h.call("path_create_directory", 9, 1100, n) == E.badf)
        #expect(try h.call("path_create_directory", 3, 65530, 100) == E.fault)
        #expect(try h.call("path_filestat_set_times", 3, 0, 1000, a, 0, 0, 3) == E.inval)
        let (_, fd) = try h.open("a.txt")
        #expect(try h.call("fd_filestat_set_size", fd, 0) == E.badf)
        #expect(try h.call("fd_allocate", fd, 0, 10) == E.badf)
        #expect(try h.call("fd_filestat_set_times", fd, 0, 0, 0) == E.rofs)
    }

    @Test("path_readlink: the trees hold no symlinks, so existing paths are EINVAL")
    func readlink() throws {
        let h = try Harness()
        let a = h.store(string: "a.txt", at: 1000)
        #expect(try h.call("path_readlink", 3, 1000, a, 2000, 100, 16) == E.inval)
        let m = h.store(string: "nope", at: 1000)
        #expect(try h.call("path_readlink", 3, 1000, m, 2000, 100, 16) == E.noent)
    }

    @Test("fd_renumber moves a descriptor onto another open one")
    func renumber() throws {
        let h = try Harness()
        let (_, fd) = try h.open("a.txt")
        #expect(try h.call("fd_renumber", fd, 1) == E.success)
        #expect(try h.call("fd_fdstat_get", 1, 64) == E.success)
        #expect(h.load8(64) == 4)
        #expect(try h.call("fd_close", fd) == E.badf)
        #expect(try h.call("fd_renumber", 2, 50) == E.badf)
        #expect(try h.call("fd_renumber", 50, 2) == E.badf)
    }

    @Test("closing the preopen makes its fd EBADF for later calls")
    func closePreopen() throws {
        let h = try Harness()
        #expect(try h.call("fd_close", 3) == E.success)
        #expect(try h.call("fd_prestat_get", 3, 8) == E.badf)
        #expect(try h.open("a.txt").0 == E.badf)
    }

    @Test("fd_advise, fd_sync and fd_datasync")
    func adviseSync() throws {
        let h = try Harness()
        let (_, fd) = try h.open("a.txt")
        #expect(try h.call("fd_advise", fd, 0, 10, 1) == E.success)
        #expect(try h.call("fd_advise", fd, 0, 10, 9) == E.inval)
        #expect(try h.call("fd_advise", 1, 0, 10, 0) == E.spipe)
        #expect(try h.call("fd_sync", fd) == E.success)
        #expect(try h.call("fd_datasync", 3) == E.success)
        #expect(try h.call("fd_sync", 1) == E.inval)
        #expect(try h.call("fd_sync", 30) == E.badf)
    }

    @Test("unsupported calls are ENOSYS; socket calls are EBADF or ENOTSOCK; none traps")
    func unsupported() throws {
        let h = try Harness()
        #expect(try h.call("proc_raise", 6) == E.nosys)
        #expect(try h.call("sched_yield") == E.success)
        #expect(try h.call("sock_shutdown", 1, 2) == E.notsock)
        #expect(try h.call("sock_shutdown", 40, 2) == E.badf)
        #expect(try h.call("sock_accept", 3, 0, 16) == E.notsock)
        #expect(try h.call("sock_recv", 0, 0, 0, 0, 16, 20) == E.notsock)
        #expect(try h.call("sock_send", 1, 0, 0, 0, 16) == E.notsock)
    }

    @Test("poll_oneoff waits for the earliest clock; fd subscriptions on stdio are ready at once")
    func poll() throws {
        let h = try Harness()
        // Two relative monotonic clocks: 5 ms (userdata 11) and 1 ms (userdata 22).
        func clock(at p: Int, userdata: UInt32, nanoseconds: UInt32, flags: UInt8 = 0) {
            h.store([UInt8](repeating: 0, count: 48), at: p)
            h.store32(userdata, at: p)
            h.store([0], at: p + 8)
            h.store32(1, at: p + 16)
            h.store32(nanoseconds, at: p + 24)
            h.store([flags], at: p + 40)
        }
        clock(at: 0, userdata: 11, nanoseconds: 5_000_000)
        clock(at: 48, userdata: 22, nanoseconds: 1_000_000)
        #expect(try h.call("poll_oneoff", 0, 200, 2, 400) == E.success)
        #expect(h.load32(400) == 1)
        #expect(h.load64(200) == 22)
        #expect(h.load8(210) == 0)
        #expect(h.wasi.platform.slept == 1_000_000)
        // An fd_write subscription on stdout is ready without waiting.
        h.store([UInt8](repeating: 0, count: 48), at: 96)
        h.store32(33, at: 96)
        h.store([2], at: 96 + 8)
        h.store32(1, at: 96 + 16)
        #expect(try h.call("poll_oneoff", 0, 200, 3, 400) == E.success)
        #expect(h.load32(400) == 1)
        #expect(h.load64(200) == 33)
        #expect(h.load8(210) == 2)
        #expect(h.wasi.platform.slept == 1_000_000)
        #expect(try h.call("poll_oneoff", 0, 200, 0, 400) == E.inval)
        #expect(try h.call("poll_oneoff", 65500, 200, 2, 400) == E.fault)
    }

    @Test("proc_exit ends _start with its code; returning from _start is 0")
    func procExit() throws {
        for (body, expected) in [("(call $exit (i32.const 7))", Int32(7)), ("", 0), ("(call $exit (i32.const 255))", 255)] {
            let bytes = try wat("""
                (module
                  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                  (memory (export "memory") 1)
                  (func (export "_start") \(body)))
                """)
            let wasi = WASI(arguments: [], environment: [], preopens: [], platform: CapturePlatform())
            var imports = Imports()
            wasi.define(into: &imports)
            let instance = try Instance.instantiate(try Module.decode(bytes), imports: imports, store: Store())
            #expect(try wasi.run(instance) == expected)
        }
    }

    @Test("a module without memory gets EFAULT from calls that take pointers")
    func noMemory() throws {
        let bytes = try wat("""
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (func (export "_start") (call $exit (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 0)))))
            """)
        let wasi = WASI(arguments: [], environment: [], preopens: [], platform: CapturePlatform())
        var imports = Imports()
        wasi.define(into: &imports)
        let instance = try Instance.instantiate(try Module.decode(bytes), imports: imports, store: Store())
        #expect(try wasi.run(instance) == 21)
    }
}
