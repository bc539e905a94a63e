/*
 * The Wasm runner's root task: sets up the heap and console, reports the
 * image's size, hands the embedded modules archive to the Swift runner, and
 * never returns (a root task returning from main faults at address 0).
 */
#include <stdio.h>
#include <sel4/sel4.h>
#include <arch_stdio.h>

#include "heap.h"

extern const unsigned char wasm_runner_archive[], wasm_runner_archive_end[];

/* The Swift runner (swift/Runner): runs every module, prints a status line
 * for each and a summary; returns how many failed. */
extern int wasm_runner_run(const unsigned char *archive, long length);

static size_t console_write(void *data, size_t count)
{
    wasm_runner_console_write(data, count);
    return count;
}

int main(void)
{
    wasm_runner_heap_install();
    sel4muslcsys_register_stdio_write_fn(console_write);

    long length = (long)(wasm_runner_archive_end - wasm_runner_archive);
    printf("wasm-runner: root task image %lu bytes of code and read-only data, %lu bytes of data; heap arena %lu bytes; modules archive %ld bytes\n",
           wasm_runner_text_bytes(), wasm_runner_data_bytes(), wasm_runner_heap_size(), length);
    fflush(stdout);

    wasm_runner_run(wasm_runner_archive, length);
    fflush(stdout);

    seL4_TCB_Suspend(seL4_CapInitThreadTCB);
    for (;;) {
        seL4_Yield();
    }
}
