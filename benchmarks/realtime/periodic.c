/*
 * benchmarks/realtime.sh: a periodic task on the Wasm runner that records its
 * own wake-up times. usage: periodic.wasm COUNT PERIOD_US
 *
 * Each wake-up is an absolute deadline (the previous one + period) slept to
 * with clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME) (WASI poll_oneoff with
 * an absolute clock subscription; the seL4 runner waits on the ARM generic
 * timer's virtual counter). Latency is the monotonic clock just after waking
 * minus the deadline; jitter is the standard deviation of the intervals
 * between successive wake-ups. A deadline already past when the task goes
 * to sleep is an overrun (the work between wake-ups took longer than the
 * period): it is counted, and the next deadline is a period from then, so
 * one overrun does not make every later wake-up late. Prints one line of
 * figures in nanoseconds:
 *   periodic: n=COUNT period_ns=P p50_ns=... p99_ns=... max_ns=... jitter_ns=... overruns=K
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t ns(const struct timespec *t)
{
    return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

static int compare(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The nearest-rank percentile of sorted values. */
static uint64_t percentile(const uint64_t *sorted, int count, int p)
{
    int rank = (p * count + 99) / 100;
    return sorted[rank < 1 ? 0 : rank - 1];
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: periodic.wasm COUNT PERIOD_US\n");
        return 2;
    }
    int count = atoi(argv[1]);
    uint64_t period = (uint64_t)atoll(argv[2]) * 1000u;
    if (count < 2 || count > 100000 || period == 0) {
        fprintf(stderr, "periodic: COUNT must be 2..100000 and PERIOD_US positive\n");
        return 2;
    }
    uint64_t *latency = malloc(sizeof *latency * (size_t)count);
    uint64_t *woke = malloc(sizeof *woke * (size_t)count);
    if (latency == NULL || woke == NULL) {
        return 3;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    uint64_t deadline = ns(&now);
    int overruns = 0;
    for (int k = 0; k < count; k++) {
        deadline += period;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (ns(&now) >= deadline) {
            overruns++;
            deadline = ns(&now) + period;
        }
        struct timespec at = {.tv_sec = (time_t)(deadline / 1000000000u), .tv_nsec = (long)(deadline % 1000000000u)};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
        clock_gettime(CLOCK_MONOTONIC, &now);
        woke[k] = ns(&now);
        latency[k] = woke[k] > deadline ? woke[k] - deadline : 0;
    }
    double sum = 0, squares = 0;
    for (int k = 1; k < count; k++) {
        double interval = (double)(woke[k] - woke[k - 1]);
        sum += interval;
        squares += interval * interval;
    }
    double mean = sum / (count - 1);
    double jitter = sqrt(fmax(0.0, squares / (count - 1) - mean * mean));
    qsort(latency, (size_t)count, sizeof *latency, compare);
    printf("periodic: n=%d period_ns=%llu p50_ns=%llu p99_ns=%llu max_ns=%llu jitter_ns=%.0f overruns=%d\n", count,
           (unsigned long long)period, (unsigned long long)percentile(latency, count, 50),
           (unsigned long long)percentile(latency, count, 99), (unsigned long long)latency[count - 1], jitter, overruns);
    return 0;
}
