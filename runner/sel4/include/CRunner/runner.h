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

/* The ahead-of-time tier (src/aot.c): modules wasm2c translated at build time.
 * How a run ended: */
#define WASM_RUNNER_AOT_RETURNED 0 /* _start returned */
#define WASM_RUNNER_AOT_STOPPED 1  /* a WASI call stopped it (proc_exit, a host trap) */
#define WASM_RUNNER_AOT_TRAPPED 2  /* a wasm trap: trap is wasm2c's wasm_rt_trap_t */
#define WASM_RUNNER_AOT_NO_MEMORY 3 /* no heap for the instance or the stack */
struct wasm_runner_aot_result {
    int ending;
    int trap;
    /* What the translated code's checks recorded (TrapReason(wasm2cTrap:detail:)). */
    int detail;
    /* The module's linear memory when it ended. */
    unsigned long memory_bytes;
};
/* The index of the translated module named name (the archive's name), or -1. */
int wasm_runner_aot_find(const unsigned char *name, unsigned long length);
/* Allocates the tier's stack once (call before measuring a run's heap); 0 when the heap is short. */
int wasm_runner_aot_prepare(void);
unsigned long wasm_runner_aot_stack_bytes(void);
/* Runs module index: instantiation, start function and _start, on the tier's stack. */
void wasm_runner_aot_run(int index, struct wasm_runner_aot_result *result);
/* The WASI function behind index, or 0 past the last. */
const char *wasm_runner_aot_function_name(unsigned index);
/* Swift (swift/Runner/AOT.swift): calls WASI function `function` of the running module
 * with its memory as it is now; sets *stop when the run must end (proc_exit, a host trap). */
unsigned int wasm_runner_aot_wasi(unsigned int function, const unsigned long long *arguments,
                                  unsigned char *memory, unsigned long long memory_size, int *stop);
