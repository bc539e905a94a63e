/*
 * The Wasm runner as a CAmkES component beside the Linux guest: serves one
 * request at a time from the shared buffer (the `channel` dataport; layout
 * in guest/wasm_channel.h). Woken by `request` (the guest's emit register),
 * it copies the module and arguments out of the buffer, runs the module
 * (Swift: swift/Runner/Service.swift), writes the output and the reply back
 * and signals `done`. A trap, a module stopped by its fuel or time limit, or
 * a bad module is a reply, never the end: the runner keeps serving.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <camkes.h>

#include <CRunner/runner.h>
#include "heap.h"
#include "wasm_channel.h"

static volatile struct wasm_channel_header *header(void)
{
    return (volatile struct wasm_channel_header *)channel;
}

static void reply_error(uint32_t result, const char *message)
{
    volatile struct wasm_channel_header *h = header();
    h->result = result;
    h->exit_status = 0;
    h->output_bytes = 0;
    h->output_truncated = 0;
    size_t length = strlen(message);
    if (length >= WASM_CHANNEL_MESSAGE_BYTES) {
        length = WASM_CHANNEL_MESSAGE_BYTES - 1;
    }
    for (size_t i = 0; i < length; i++) {
        h->message[i] = message[i];
    }
    h->message[length] = '\0';
}

static void serve(uint64_t capacity)
{
    volatile struct wasm_channel_header *h = header();
    unsigned char *payload = (unsigned char *)channel + WASM_CHANNEL_PAYLOAD_OFFSET;
    uint64_t module_bytes = h->module_bytes;
    uint64_t argument_bytes = h->argument_bytes;
    uint64_t realtime = h->realtime_ns;
    uint64_t fuel = h->fuel;
    uint64_t time_limit_ms = h->time_limit_ms;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    if (module_bytes > capacity || argument_bytes > capacity - module_bytes) {
        char message[160];
        snprintf(message, sizeof message, "%llu bytes of module and %llu of arguments do not fit the %llu-byte buffer",
                 (unsigned long long)module_bytes, (unsigned long long)argument_bytes, (unsigned long long)capacity);
        printf("wasm-runner: refused a request: %s\n", message);
        reply_error(WASM_RESULT_BAD_REQUEST, message);
        return;
    }
    /* The guest could change the buffer while the module runs: run a copy. */
    unsigned char *request = malloc(module_bytes + argument_bytes + 1);
    struct wasm_runner_reply *reply = malloc(sizeof *reply);
    if (request == NULL || reply == NULL) {
        free(request);
        free(reply);
        reply_error(WASM_RESULT_BAD_REQUEST, "the runner is out of memory for this request");
        return;
    }
    memcpy(request, payload, module_bytes + argument_bytes);
    unsigned int result = wasm_runner_serve(request, (long)module_bytes, request + module_bytes, (long)argument_bytes,
                                            realtime, fuel, time_limit_ms, payload, (long)capacity, reply);
    free(request);
    h->result = result;
    h->exit_status = reply->exit_status;
    h->output_bytes = reply->output_bytes;
    h->output_truncated = reply->output_dropped > 0;
    for (size_t i = 0; i < WASM_CHANNEL_MESSAGE_BYTES; i++) {
        h->message[i] = reply->message[i];
    }
    free(reply);
}

int run(void)
{
    wasm_runner_heap_install();

    volatile struct wasm_channel_header *h = header();
    uint64_t capacity = WASM_CHANNEL_BYTES - WASM_CHANNEL_PAYLOAD_OFFSET;
    memset((void *)channel, 0, WASM_CHANNEL_PAYLOAD_OFFSET);
    h->capacity = capacity;
    h->version = WASM_CHANNEL_VERSION;
    h->state = WASM_CHANNEL_IDLE;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    h->magic = WASM_CHANNEL_MAGIC;
    h->heap_in_use = wasm_runner_heap_live();
    printf("wasm-runner: serving the guest: %llu-byte buffer, heap arena %lu bytes (%lu in use), code and read-only data %lu bytes\n",
           (unsigned long long)capacity, wasm_runner_heap_size(), wasm_runner_heap_live(), wasm_runner_text_bytes());
    fflush(stdout);

    for (;;) {
        request_wait();
        if (h->state != WASM_CHANNEL_REQUEST) {
            continue; /* a spurious notification, or the guest's own bookkeeping */
        }
        uint32_t sequence = h->sequence;
        h->state = WASM_CHANNEL_RUNNING;
        uint64_t started = wasm_runner_counter();
        serve(capacity);
        fflush(stdout);
        h->heap_in_use = wasm_runner_heap_live();
        /* The runner's own share of the round trip (emit --timing subtracts it). */
        uint64_t ticks = wasm_runner_counter() - started, frequency = wasm_runner_counter_frequency();
        h->run_ns = frequency ? ticks / frequency * 1000000000ull + ticks % frequency * 1000000000ull / frequency : 0;
        h->sequence = sequence;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        h->state = WASM_CHANNEL_DONE;
        done_emit();
    }
    return 0;
}
