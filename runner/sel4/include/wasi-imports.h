/*
 * The wasi_snapshot_preview1 functions, in the order of the preview1 witx:
 * the one list both ahead-of-time glues are written from, runner/aot/wasi-glue.c
 * (`sel4img wasm run --aot`) and runner/sel4/src/aot-wasi.c (the seL4 runner).
 * A function's index is the one the Swift WASI knows it by (WASI.functionNames;
 * the host checks the names at load time).
 *
 *   WASI_IMPORT_NAMES(X)  X(name) for all 46 functions, in index order.
 *   WASI_IMPORT_CALLS(X)  X(index, name, (parameters), arguments...) for the
 *                         functions that return a result and take arguments:
 *                         all but proc_exit (38) and sched_yield (40), which
 *                         each glue writes out itself.
 *
 * The parameters use wasm2c's names: the includer defines wasi_t, u32 and u64.
 */
#ifndef SEL4IMG_WASI_IMPORTS_H
#define SEL4IMG_WASI_IMPORTS_H

#define WASI_IMPORT_NAMES(X) \
    X(args_get) \
    X(args_sizes_get) \
    X(environ_get) \
    X(environ_sizes_get) \
    X(clock_res_get) \
    X(clock_time_get) \
    X(fd_advise) \
    X(fd_allocate) \
    X(fd_close) \
    X(fd_datasync) \
    X(fd_fdstat_get) \
    X(fd_fdstat_set_flags) \
    X(fd_fdstat_set_rights) \
    X(fd_filestat_get) \
    X(fd_filestat_set_size) \
    X(fd_filestat_set_times) \
    X(fd_pread) \
    X(fd_prestat_get) \
    X(fd_prestat_dir_name) \
    X(fd_pwrite) \
    X(fd_read) \
    X(fd_readdir) \
    X(fd_renumber) \
    X(fd_seek) \
    X(fd_sync) \
    X(fd_tell) \
    X(fd_write) \
    X(path_create_directory) \
    X(path_filestat_get) \
    X(path_filestat_set_times) \
    X(path_link) \
    X(path_open) \
    X(path_readlink) \
    X(path_remove_directory) \
    X(path_rename) \
    X(path_symlink) \
    X(path_unlink_file) \
    X(poll_oneoff) \
    X(proc_exit) \
    X(proc_raise) \
    X(sched_yield) \
    X(random_get) \
    X(sock_accept) \
    X(sock_recv) \
    X(sock_send) \
    X(sock_shutdown)

#define WASI_IMPORT_CALLS(X) \
    X(0, args_get, (wasi_t *w, u32 p0, u32 p1), p0, p1) \
    X(1, args_sizes_get, (wasi_t *w, u32 p0, u32 p1), p0, p1) \
    X(2, environ_get, (wasi_t *w, u32 p0, u32 p1), p0, p1) \
    X(3, environ_sizes_get, (wasi_t *w, u32 p0, u32 p1), p0, p1) \
    X(4, clock_res_get, (wasi_t *w, u32 p0, u32 p1), p0, p1) \
    X(5, clock_time_get, (wasi_t *w, u32 p0, u64 p1, u32 p2), p0, p1, p2) \
    X(6, fd_advise, (wasi_t *w, u32 p0, u64 p1, u64 p2, u32 p3), p0, p1, p2, p3) \
    X(7, fd_allocate, (wasi_t *w, u32 p0, u64 p1, u64 p2), p0, p1, p2) \
    X(8, fd_close, (wasi_t *w, u32 p0), p0) \
    X(9, fd_datasync, (wasi_t *w, u32 p0), p0) \
    X(10, fd_fdstat_get, (wasi_t *w, u32 p0, u32 p1), p0, p1) \
    X(11, fd_fdstat_set_flags, (wasi_t *w, u32 p0, u32 p1), p0, p1) \
    X(12, fd_fdstat_set_rights, (wasi_t *w, u32 p0, u64 p1, u64 p2), p0, p1, p2) \
    X(13, fd_filestat_get, (wasi_t *w, u32 p0, u32 p1), p0, p1) \
    X(14, fd_filestat_set_size, (wasi_t *w, u32 p0, u64 p1), p0, p1) \
    X(15, fd_filestat_set_times, (wasi_t *w, u32 p0, u64 p1, u64 p2, u32 p3), p0, p1, p2, p3) \
    X(16, fd_pread, (wasi_t *w, u32 p0, u32 p1, u32 p2, u64 p3, u32 p4), p0, p1, p2, p3, p4) \
    X(17, fd_prestat_get, (wasi_t *w, u32 p0, u32 p1), p0, p1) \
    X(18, fd_prestat_dir_name, (wasi_t *w, u32 p0, u32 p1, u32 p2), p0, p1, p2) \
    X(19, fd_pwrite, (wasi_t *w, u32 p0, u32 p1, u32 p2, u64 p3, u32 p4), p0, p1, p2, p3, p4) \
    X(20, fd_read, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3), p0, p1, p2, p3) \
    X(21, fd_readdir, (wasi_t *w, u32 p0, u32 p1, u32 p2, u64 p3, u32 p4), p0, p1, p2, p3, p4) \
    X(22, fd_renumber, (wasi_t *w, u32 p0, u32 p1), p0, p1) \
    X(23, fd_seek, (wasi_t *w, u32 p0, u64 p1, u32 p2, u32 p3), p0, p1, p2, p3) \
    X(24, fd_sync, (wasi_t *w, u32 p0), p0) \
    X(25, fd_tell, (wasi_t *w, u32 p0, u32 p1), p0, p1) \
    X(26, fd_write, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3), p0, p1, p2, p3) \
    X(27, path_create_directory, (wasi_t *w, u32 p0, u32 p1, u32 p2), p0, p1, p2) \
    X(28, path_filestat_get, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3, u32 p4), p0, p1, p2, p3, p4) \
    X(29, path_filestat_set_times, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3, u64 p4, u64 p5, u32 p6), p0, p1, p2, p3, p4, p5, p6) \
    X(30, path_link, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3, u32 p4, u32 p5, u32 p6), p0, p1, p2, p3, p4, p5, p6) \
    X(31, path_open, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3, u32 p4, u64 p5, u64 p6, u32 p7, u32 p8), p0, p1, p2, p3, p4, p5, p6, p7, p8) \
    X(32, path_readlink, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3, u32 p4, u32 p5), p0, p1, p2, p3, p4, p5) \
    X(33, path_remove_directory, (wasi_t *w, u32 p0, u32 p1, u32 p2), p0, p1, p2) \
    X(34, path_rename, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3, u32 p4, u32 p5), p0, p1, p2, p3, p4, p5) \
    X(35, path_symlink, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3, u32 p4), p0, p1, p2, p3, p4) \
    X(36, path_unlink_file, (wasi_t *w, u32 p0, u32 p1, u32 p2), p0, p1, p2) \
    X(37, poll_oneoff, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3), p0, p1, p2, p3) \
    X(39, proc_raise, (wasi_t *w, u32 p0), p0) \
    X(41, random_get, (wasi_t *w, u32 p0, u32 p1), p0, p1) \
    X(42, sock_accept, (wasi_t *w, u32 p0, u32 p1, u32 p2), p0, p1, p2) \
    X(43, sock_recv, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3, u32 p4, u32 p5), p0, p1, p2, p3, p4, p5) \
    X(44, sock_send, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3, u32 p4), p0, p1, p2, p3, p4) \
    X(45, sock_shutdown, (wasi_t *w, u32 p0, u32 p1), p0, p1)

#endif
