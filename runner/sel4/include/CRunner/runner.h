/*
 * What the C glue (the .c files in src) gives the Swift side of the Wasm runner. Only
 * plain C types, so the header needs no libc headers when Swift imports it.
 */
#pragma once

/* Writes bytes to the console (seL4_DebugPutChar). */
void wasm_runner_console_write(const unsigned char *bytes, unsigned long count);

/* The ARM generic timer's virtual count (CNTVCT_EL0) and its frequency in Hz (CNTFRQ_EL0). */
unsigned long long wasm_runner_counter(void);
unsigned long long wasm_runner_counter_frequency(void);

/* Pseudo-random bytes (xoshiro256**, seeded from the counter at start: there
 * is no entropy source on these boards as the runner uses them). */
void wasm_runner_random(unsigned char *bytes, unsigned long count);

/* Heap accounting: bytes currently allocated through malloc and friends
 * (usable sizes), and the highest value since wasm_runner_heap_reset_peak. */
unsigned long wasm_runner_heap_live(void);
unsigned long wasm_runner_heap_peak(void);
void wasm_runner_heap_reset_peak(void);
/* Bytes of the heap arena not yet handed out (an upper bound for one allocation). */
unsigned long wasm_runner_heap_available(void);
/* The arena's size. */
unsigned long wasm_runner_heap_size(void);

/* The root task's image: bytes from its start to the end of code (ELF headers,
 * read-only data and code, as ld.lld lays them out), and of initialised data. */
unsigned long wasm_runner_text_bytes(void);
unsigned long wasm_runner_data_bytes(void);

/* The reply to one module run for the guest (the wasm-vm app's component):
 * what wasm_runner_serve fills in besides the module's output. */
#define WASM_RUNNER_MESSAGE_BYTES 512
struct wasm_runner_reply {
    int exit_status;
    unsigned long output_bytes;
    /* bytes the module wrote beyond the output capacity, dropped */
    unsigned long output_dropped;
    char message[WASM_RUNNER_MESSAGE_BYTES];
};

/* Runs one module (Swift, swift/Runner/Service.swift): arguments are
 * NUL-terminated strings, argv[0] first; output receives stdout and stderr;
 * fuel and time_limit_ms bound the run (0: none).
 * Returns enum wasm_channel_result (guest/wasm_channel.h). */
unsigned int wasm_runner_serve(const unsigned char *module, long module_length,
                               const unsigned char *arguments, long arguments_length,
                               unsigned long long realtime_ns,
                               unsigned long long fuel, unsigned long long time_limit_ms,
                               unsigned char *output, long output_capacity,
                               struct wasm_runner_reply *reply);
