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
#include "wasi-imports.h"

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
WASI_IMPORT_CALLS(WASI_FN)
void w2c_wasi__snapshot__preview1_proc_exit(wasi_t *w, u32 p0)
{
    ARGS(p0);
    call_host(w, 38, a);
    /* Swift always stops the run here. */
    w->stopped = 1;
    wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE);
}
u32 w2c_wasi__snapshot__preview1_sched_yield(wasi_t *w) { ARGS(0); return call_host(w, 40, a); }

/* The numbers TrapReason(wasm2cTrap:detail:) maps. */
_Static_assert(WASM_RT_TRAP_OOB == 1 && WASM_RT_TRAP_INT_OVERFLOW == 2 && WASM_RT_TRAP_DIV_BY_ZERO == 3 &&
                   WASM_RT_TRAP_INVALID_CONVERSION == 4 && WASM_RT_TRAP_UNREACHABLE == 5 &&
                   WASM_RT_TRAP_CALL_INDIRECT == 6 && WASM_RT_TRAP_NULL_REF == 7 &&
                   WASM_RT_TRAP_UNCAUGHT_EXCEPTION == 8 && WASM_RT_TRAP_UNALIGNED == 9 &&
                   WASM_RT_TRAP_EXHAUSTION == 10,
               "wasm_rt_trap_t numbering changed: update TrapReason(wasm2cTrap:detail:)");
