/*
 * The Wasm runner's ahead-of-time tier: modules given with --wasm that wabt's
 * wasm2c translated at build time (sel4img writes their C and modules.c, which
 * lists them, into WASM_RUNNER_AOT_DIR), compiled with the board's cross
 * compiler. What the Swift side sees is in include/CRunner/runner.h
 * (wasm_runner_aot_find, wasm_runner_aot_run); this header is for modules.c
 * and the glue.
 */
#pragma once

#include <stdint.h>
#include <stdlib.h>

#include "aot-modules.h"
#include "wasm-rt.h"
#include "wasm-rt-exceptions.h"
#include "wasm-rt-impl.h"

/* What every WASI import of a module is given (wasm2c's import instance). */
struct w2c_wasi__snapshot__preview1 {
    wasm_rt_memory_t *memory;
    /* Set when a WASI call ended the run (proc_exit, or a trap in the host). */
    int32_t stopped;
};

/* Set by the translated code just before a trap (sel4img marks wasm2c's checks;
 * see TrapReason(wasm2cTrap:detail:) in WasmEngine). */
extern int32_t sel4img_aot_detail;

#include "CRunner/runner.h"

/* Instantiates, runs the start call, frees: a trap anywhere longjmps back here
 * (wasm2c's wasm_rt_impl_try), so nothing of the module stays on the stack. */
#define WASM_RUNNER_AOT_RUN(result, wasi, instantiate, start, release)                   \
    do {                                                                               \
        int instantiated_ = 0;                                                         \
        wasm_rt_init();                                                                \
        sel4img_aot_detail = 0;                                                        \
        int trap_ = wasm_rt_impl_try();                                                \
        if (trap_ == 0) {                                                              \
            instantiate;                                                               \
            instantiated_ = 1;                                                         \
            start;                                                                     \
            (result)->ending = WASM_RUNNER_AOT_RETURNED;                               \
        } else if ((wasi).stopped) {                                                   \
            (result)->ending = WASM_RUNNER_AOT_STOPPED;                                \
        } else {                                                                       \
            (result)->ending = WASM_RUNNER_AOT_TRAPPED;                                \
            (result)->trap = trap_;                                                    \
            (result)->detail = sel4img_aot_detail;                                     \
        }                                                                              \
        (result)->memory_bytes = (wasi).memory ? (unsigned long)(wasi).memory->size : 0; \
        /* A trap inside instantiation leaves the instance half made. */               \
        if (instantiated_) release;                                                    \
        wasm_rt_free();                                                                \
    } while (0)
