/*
 * The WASI imports of the modules translated ahead of time: every
 * wasi_snapshot_preview1 function goes to the Swift runner's one WASI
 * implementation (wasm_runner_aot_wasi in swift/Runner/AOT.swift, the same
 * WASI the interpreter calls) with its index in wasm_runner_aot_function_names,
 * its arguments widened to 64 bits and the module's memory as it is at that
 * moment (a memory.grow may have moved it). Built only when sel4img translated
 * at least one module (WASM_RUNNER_AOT_DIR).
 */
#include "aot.h"

int32_t sel4img_aot_detail;

static uint32_t call_host(struct w2c_wasi__snapshot__preview1 *wasi, uint32_t function, const unsigned long long *arguments)
{
    unsigned char *base = 0;
    unsigned long long size = 0;
    if (wasi->memory) {
        base = wasi->memory->data;
        size = wasi->memory->size;
    }
    int stop = 0;
    uint32_t result = wasm_runner_aot_wasi(function, arguments, base, size, &stop);
    if (stop) {
        wasi->stopped = 1;
        /* Unwinds like a trap (and resets wasm2c's call depth); Swift knows why. */
        wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE);
    }
    return result;
}

typedef struct w2c_wasi__snapshot__preview1 wasi_t;
/* wasm2c's names for the types, as in the translated modules' headers. */
typedef uint32_t u32;
typedef uint64_t u64;
#define ARGS(...) const unsigned long long a[] = {__VA_ARGS__, 0}; (void)a
#define WASI_FN(index, name, params, ...) \
    u32 w2c_wasi__snapshot__preview1_##name params { ARGS(__VA_ARGS__); return call_host(w, index, a); }

/* The indexes of wasm_runner_aot_function_names (src/aot.c): the preview1 witx order. */
WASI_FN(0, args_get, (wasi_t *w, u32 p0, u32 p1), p0, p1)
WASI_FN(1, args_sizes_get, (wasi_t *w, u32 p0, u32 p1), p0, p1)
WASI_FN(2, environ_get, (wasi_t *w, u32 p0, u32 p1), p0, p1)
WASI_FN(3, environ_sizes_get, (wasi_t *w, u32 p0, u32 p1), p0, p1)
WASI_FN(4, clock_res_get, (wasi_t *w, u32 p0, u32 p1), p0, p1)
WASI_FN(5, clock_time_get, (wasi_t *w, u32 p0, u64 p1, u32 p2), p0, p1, p2)
WASI_FN(6, fd_advise, (wasi_t *w, u32 p0, u64 p1, u64 p2, u32 p3), p0, p1, p2, p3)
WASI_FN(7, fd_allocate, (wasi_t *w, u32 p0, u64 p1, u64 p2), p0, p1, p2)
WASI_FN(8, fd_close, (wasi_t *w, u32 p0), p0)
WASI_FN(9, fd_datasync, (wasi_t *w, u32 p0), p0)
WASI_FN(10, fd_fdstat_get, (wasi_t *w, u32 p0, u32 p1), p0, p1)
WASI_FN(11, fd_fdstat_set_flags, (wasi_t *w, u32 p0, u32 p1), p0, p1)
WASI_FN(12, fd_fdstat_set_rights, (wasi_t *w, u32 p0, u64 p1, u64 p2), p0, p1, p2)
WASI_FN(13, fd_filestat_get, (wasi_t *w, u32 p0, u32 p1), p0, p1)
WASI_FN(14, fd_filestat_set_size, (wasi_t *w, u32 p0, u64 p1), p0, p1)
WASI_FN(15, fd_filestat_set_times, (wasi_t *w, u32 p0, u64 p1, u64 p2, u32 p3), p0, p1, p2, p3)
WASI_FN(16, fd_pread, (wasi_t *w, u32 p0, u32 p1, u32 p2, u64 p3, u32 p4), p0, p1, p2, p3, p4)
WASI_FN(17, fd_prestat_get, (wasi_t *w, u32 p0, u32 p1), p0, p1)
WASI_FN(18, fd_prestat_dir_name, (wasi_t *w, u32 p0, u32 p1, u32 p2), p0, p1, p2)
WASI_FN(19, fd_pwrite, (wasi_t *w, u32 p0, u32 p1, u32 p2, u64 p3, u32 p4), p0, p1, p2, p3, p4)
WASI_FN(20, fd_read, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3), p0, p1, p2, p3)
WASI_FN(21, fd_readdir, (wasi_t *w, u32 p0, u32 p1, u32 p2, u64 p3, u32 p4), p0, p1, p2, p3, p4)
WASI_FN(22, fd_renumber, (wasi_t *w, u32 p0, u32 p1), p0, p1)
WASI_FN(23, fd_seek, (wasi_t *w, u32 p0, u64 p1, u32 p2, u32 p3), p0, p1, p2, p3)
WASI_FN(24, fd_sync, (wasi_t *w, u32 p0), p0)
WASI_FN(25, fd_tell, (wasi_t *w, u32 p0, u32 p1), p0, p1)
WASI_FN(26, fd_write, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3), p0, p1, p2, p3)
WASI_FN(27, path_create_directory, (wasi_t *w, u32 p0, u32 p1, u32 p2), p0, p1, p2)
WASI_FN(28, path_filestat_get, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3, u32 p4), p0, p1, p2, p3, p4)
WASI_FN(29, path_filestat_set_times, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3, u64 p4, u64 p5, u32 p6),
        p0, p1, p2, p3, p4, p5, p6)
WASI_FN(30, path_link, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3, u32 p4, u32 p5, u32 p6),
        p0, p1, p2, p3, p4, p5, p6)
WASI_FN(31, path_open, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3, u32 p4, u64 p5, u64 p6, u32 p7, u32 p8),
        p0, p1, p2, p3, p4, p5, p6, p7, p8)
WASI_FN(32, path_readlink, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3, u32 p4, u32 p5), p0, p1, p2, p3, p4, p5)
WASI_FN(33, path_remove_directory, (wasi_t *w, u32 p0, u32 p1, u32 p2), p0, p1, p2)
WASI_FN(34, path_rename, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3, u32 p4, u32 p5), p0, p1, p2, p3, p4, p5)
WASI_FN(35, path_symlink, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3, u32 p4), p0, p1, p2, p3, p4)
WASI_FN(36, path_unlink_file, (wasi_t *w, u32 p0, u32 p1, u32 p2), p0, p1, p2)
WASI_FN(37, poll_oneoff, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3), p0, p1, p2, p3)
void w2c_wasi__snapshot__preview1_proc_exit(wasi_t *w, u32 p0)
{
    ARGS(p0);
    call_host(w, 38, a);
    /* Swift always stops the run here. */
    w->stopped = 1;
    wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE);
}
WASI_FN(39, proc_raise, (wasi_t *w, u32 p0), p0)
u32 w2c_wasi__snapshot__preview1_sched_yield(wasi_t *w) { ARGS(0); return call_host(w, 40, a); }
WASI_FN(41, random_get, (wasi_t *w, u32 p0, u32 p1), p0, p1)
WASI_FN(42, sock_accept, (wasi_t *w, u32 p0, u32 p1, u32 p2), p0, p1, p2)
WASI_FN(43, sock_recv, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3, u32 p4, u32 p5), p0, p1, p2, p3, p4, p5)
WASI_FN(44, sock_send, (wasi_t *w, u32 p0, u32 p1, u32 p2, u32 p3, u32 p4), p0, p1, p2, p3, p4)
WASI_FN(45, sock_shutdown, (wasi_t *w, u32 p0, u32 p1), p0, p1)

/* The numbers TrapReason(wasm2cTrap:detail:) maps. */
_Static_assert(WASM_RT_TRAP_OOB == 1 && WASM_RT_TRAP_INT_OVERFLOW == 2 && WASM_RT_TRAP_DIV_BY_ZERO == 3 &&
                   WASM_RT_TRAP_INVALID_CONVERSION == 4 && WASM_RT_TRAP_UNREACHABLE == 5 &&
                   WASM_RT_TRAP_CALL_INDIRECT == 6 && WASM_RT_TRAP_NULL_REF == 7 &&
                   WASM_RT_TRAP_UNCAUGHT_EXCEPTION == 8 && WASM_RT_TRAP_UNALIGNED == 9 &&
                   WASM_RT_TRAP_EXHAUSTION == 10,
               "wasm_rt_trap_t numbering changed: update TrapReason(wasm2cTrap:detail:)");
