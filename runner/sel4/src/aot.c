/*
 * The Wasm runner's ahead-of-time tier, the part every build has: finding a
 * translated module by name, and running it on a stack of its own. The
 * modules themselves (modules.c, the wasm2c output, src/aot-wasi.c) are in the
 * build only when sel4img translated some; without them (the wasm-vm app's
 * component, or WASM_RUNNER_AOT_EMPTY) the table is empty and every module
 * runs on the interpreter.
 */
#include <stdlib.h>
#include <string.h>

#include "CRunner/runner.h"

#include "aot-modules.h"
#include "wasi-imports.h"

#ifdef WASM_RUNNER_AOT_EMPTY
const struct wasm_runner_aot_module wasm_runner_aot_modules[] = {{0, 0}};
#endif

/* wasm2c counts the call depth (WASM_RT_MAX_CALL_STACK_DEPTH, the
 * interpreter's 4096 frames); the stack must not run out first: 2 KiB a frame.
 * The root task's own stack (Sel4RuntimeRootStack) is 1 MiB. */
#define AOT_STACK_BYTES (8UL << 20)
static unsigned char *aot_stack;

/* The preview1 witx order; aot-wasi.c calls wasm_runner_aot_wasi with these indexes. */
#define AOT_NAME(name) #name,
static const char *const function_names[] = {WASI_IMPORT_NAMES(AOT_NAME) 0};

const char *wasm_runner_aot_function_name(unsigned index)
{
    return index < sizeof(function_names) / sizeof(function_names[0]) ? function_names[index] : 0;
}

int wasm_runner_aot_find(const unsigned char *name, unsigned long length)
{
    for (int i = 0; wasm_runner_aot_modules[i].name; i++) {
        const char *candidate = wasm_runner_aot_modules[i].name;
        if (strlen(candidate) == length && memcmp(candidate, name, length) == 0) {
            return i;
        }
    }
    return -1;
}

int wasm_runner_aot_prepare(void)
{
    if (!aot_stack) {
        aot_stack = malloc(AOT_STACK_BYTES);
    }
    return aot_stack != 0;
}

unsigned long wasm_runner_aot_stack_bytes(void)
{
    return AOT_STACK_BYTES;
}

/* Calls function(argument) with the stack pointer at stack_top (16-byte aligned). */
void wasm_runner_call_on_stack(void (*function)(struct wasm_runner_aot_result *), struct wasm_runner_aot_result *argument,
                               void *stack_top);
__asm__(".text\n"
        ".global wasm_runner_call_on_stack\n"
        ".type wasm_runner_call_on_stack, %function\n"
        "wasm_runner_call_on_stack:\n"
        "    stp x29, x30, [sp, #-16]!\n"
        "    mov x29, sp\n"
        "    mov sp, x2\n"
        "    sub sp, sp, #16\n"
        "    str x29, [sp]\n"
        "    mov x3, x0\n"
        "    mov x0, x1\n"
        "    blr x3\n"
        "    ldr x29, [sp]\n"
        "    mov sp, x29\n"
        "    ldp x29, x30, [sp], #16\n"
        "    ret\n"
        ".size wasm_runner_call_on_stack, . - wasm_runner_call_on_stack\n");

void wasm_runner_aot_run(int index, struct wasm_runner_aot_result *result)
{
    memset(result, 0, sizeof(*result));
    if (!wasm_runner_aot_prepare()) {
        result->ending = WASM_RUNNER_AOT_NO_MEMORY;
        return;
    }
    unsigned long top = ((unsigned long)aot_stack + AOT_STACK_BYTES) & ~15UL;
    wasm_runner_call_on_stack(wasm_runner_aot_modules[index].run, result, (void *)top);
}
