/*
 * The table of modules translated ahead of time (modules.c, written by
 * sel4img), without wasm2c's headers: an empty table needs none.
 */
#pragma once

struct wasm_runner_aot_result;
/* One translated module: its name in the modules archive and its entry. */
struct wasm_runner_aot_module {
    const char *name;
    void (*run)(struct wasm_runner_aot_result *result);
};
/* Ends with {0, 0}; defined by modules.c (or empty, src/aot.c, without modules). */
extern const struct wasm_runner_aot_module wasm_runner_aot_modules[];
