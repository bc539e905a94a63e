/*
 * Included first in every file of the ahead-of-time tier (-include).
 *
 * wasm2c's configuration (WASM_RT_*) is the one `sel4img wasm run --aot`
 * compiles with: sel4img writes it from AOTToolchain.defines into
 * wasm-rt-defines.h beside the translation (WASM_RUNNER_AOT_DIR).
 *
 * wasm2c's runtime saves and restores the signal mask around traps
 * (sigsetjmp(buf, 1)), which on seL4 would be a system call sel4muslcsys does
 * not implement. The runner has no signals, so plain setjmp/longjmp are the
 * same thing.
 *
 * Its per-thread state (WASM_RT_THREAD_LOCAL: _Thread_local in C11, else __thread)
 * would outgrow musl's built-in TLS block, and musl would then mmap one at
 * start-up, before the runner has a heap. The root task runs modules on one
 * thread, so the state is plain globals.
 */
#pragma once
#include "wasm-rt-defines.h"
#include <setjmp.h>
#define sigsetjmp(buffer, save_mask) setjmp(buffer)
#define siglongjmp longjmp
#define _Thread_local
#define __thread
