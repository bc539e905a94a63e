/*
 * The channel between the guest's `emit` agent and the Wasm runner beside
 * the guest: one shared buffer (a CAmkES dataport the guest sees as BAR 1 of
 * a virtual PCI device, vendor 0x1af4 device 0xa111) and two notifications
 * (the guest writes BAR 0 offset 0 to wake the runner; the runner's reply
 * bumps BAR 0 offset 4 and raises the device's INTx interrupt, PCI style:
 * status bit 3, masked by command bit 10). Both sides include this header.
 *
 * The buffer starts with this header; the payload starts at
 * WASM_CHANNEL_PAYLOAD_OFFSET. A request is the module's bytes followed by
 * its arguments (NUL-terminated strings, argv[0] first); the reply is the
 * module's output (stdout and stderr in the order written), in the same
 * place. The runner copies a request out of the buffer before it runs it,
 * so the guest cannot change a module while it runs.
 *
 * One request at a time: the guest writes the request, sets `state` to
 * REQUEST and notifies; the runner sets RUNNING, then DONE with `sequence`
 * echoed, then notifies. The guest serialises its own callers (a lock file).
 */
#pragma once

#include <stdint.h>

#define WASM_CHANNEL_MAGIC 0x314d5357u /* "WSM1" little-endian */
#define WASM_CHANNEL_VERSION 2u /* 2: fuel and time_limit_ms, WASM_RESULT_STOPPED */
#define WASM_CHANNEL_PAYLOAD_OFFSET 4096u
#define WASM_CHANNEL_MESSAGE_BYTES 512u

/* PCI identity of the connection device the VMM presents to the guest. */
#define WASM_CHANNEL_PCI_VENDOR 0x1af4u
#define WASM_CHANNEL_PCI_DEVICE 0xa111u

enum wasm_channel_state {
    WASM_CHANNEL_STARTING = 0, /* the runner has not set the buffer up yet */
    WASM_CHANNEL_IDLE = 1,
    WASM_CHANNEL_REQUEST = 2,
    WASM_CHANNEL_RUNNING = 3,
    WASM_CHANNEL_DONE = 4,
};

enum wasm_channel_result {
    WASM_RESULT_EXITED = 0,      /* exit_status is the module's exit code */
    WASM_RESULT_TRAPPED = 1,     /* message says why */
    WASM_RESULT_INVALID = 2,     /* malformed or invalid module, or it failed to instantiate */
    WASM_RESULT_BAD_REQUEST = 3, /* sizes out of range, bad arguments */
    WASM_RESULT_STOPPED = 4,     /* fuel or time limit reached: message says which and where */
};

struct wasm_channel_header {
    uint32_t magic;            /* runner: WASM_CHANNEL_MAGIC once serving */
    uint32_t version;          /* runner: WASM_CHANNEL_VERSION */
    uint32_t state;            /* enum wasm_channel_state */
    uint32_t sequence;         /* guest: request number; runner: echoed in DONE */
    uint64_t capacity;         /* runner: payload bytes available */
    uint64_t module_bytes;     /* guest */
    uint64_t argument_bytes;   /* guest: NUL-terminated strings, argv[0] first */
    uint64_t realtime_ns;      /* guest: its clock, for WASI's realtime clock */
    uint32_t result;           /* runner: enum wasm_channel_result */
    int32_t exit_status;       /* runner: the module's exit code when EXITED */
    uint64_t output_bytes;     /* runner: bytes of output in the payload */
    uint32_t output_truncated; /* runner: 1 when output beyond capacity was dropped */
    uint32_t reserved;
    uint64_t run_ns;           /* runner: time spent decoding and running */
    char message[WASM_CHANNEL_MESSAGE_BYTES]; /* runner: NUL-terminated, for TRAPPED/INVALID/BAD_REQUEST/STOPPED */
    uint64_t fuel;             /* guest: fuel units (a call or a loop repetition each), 0 = no limit */
    uint64_t time_limit_ms;    /* guest: milliseconds from the start of instantiation, 0 = no limit */
    uint64_t heap_in_use;      /* runner: its heap's live bytes once the request's memory is freed (0 from runners before it) */
};
