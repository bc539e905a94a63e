/*
 * The runner's heap: a static arena behind musl's malloc.
 *
 * libsel4muslcsys's static morecore cannot free what it maps (munmap is a
 * no-op that logs an error, mremap asserts), and the runner frees large
 * buffers all the time: linear memories that grew, module bytes, compiled
 * code. So the runner installs its own brk/mmap/munmap/mremap handlers over
 * one arena: brk grows up from the bottom, mmap takes page runs from the top
 * (first fit among freed runs, else below the lowest mapping) and munmap
 * gives them back, merging neighbours. mremap says ENOMEM, so musl's realloc
 * copies. Memory handed out by mmap is zeroed (musl's calloc relies on that).
 * When the arena is full, malloc returns NULL: the Wasm engine must check
 * growth against wasm_runner_heap_available() rather than let Swift trap.
 *
 * The malloc family is also wrapped (-Wl,--wrap=...) to count live bytes and
 * their peak, which the runner prints per module.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <sys/mman.h>
#include <bits/syscall.h>
#include <muslcsys/vsyscall.h>

#include "heap.h"

#define PAGE_BYTES 4096UL
#define MAX_FREE_RUNS 512

static char arena[WASM_RUNNER_HEAP_BYTES] __attribute__((aligned(4096)));

static uintptr_t brk_start;   /* bottom of the brk region */
static uintptr_t brk_current; /* current break */
static uintptr_t map_floor;   /* lowest byte handed out by mmap (or the arena's end) */

struct run {
    uintptr_t start;
    size_t bytes;
};
/* Freed page runs above map_floor, sorted by address, never adjacent. */
static struct run free_runs[MAX_FREE_RUNS];
static int free_count;

static size_t round_pages(size_t bytes)
{
    return (bytes + PAGE_BYTES - 1) & ~(PAGE_BYTES - 1);
}

static void remove_run(int index)
{
    memmove(&free_runs[index], &free_runs[index + 1], (size_t)(free_count - index - 1) * sizeof(struct run));
    free_count--;
}

static long heap_brk(va_list ap)
{
    uintptr_t wanted = va_arg(ap, uintptr_t);
    if (wanted == 0) {
        return (long)brk_current;
    }
    if (wanted >= brk_start && wanted <= map_floor) {
        brk_current = wanted;
    }
    return (long)brk_current;
}

static long heap_mmap(va_list ap)
{
    void *addr = va_arg(ap, void *);
    size_t length = va_arg(ap, size_t);
    int prot = va_arg(ap, int);
    int flags = va_arg(ap, int);
    (void)addr;
    (void)prot;
    if (length == 0) {
        return -EINVAL;
    }
    if (!(flags & MAP_ANONYMOUS) || (flags & MAP_FIXED)) {
        return -ENOMEM;
    }
    size_t bytes = round_pages(length);
    uintptr_t found = 0;
    for (int i = 0; i < free_count; i++) {
        if (free_runs[i].bytes >= bytes) {
            /* Take the run's top end, so what is left stays where it was. */
            free_runs[i].bytes -= bytes;
            found = free_runs[i].start + free_runs[i].bytes;
            if (free_runs[i].bytes == 0) {
                remove_run(i);
            }
            break;
        }
    }
    if (!found) {
        if (map_floor - brk_current < bytes) {
            return -ENOMEM;
        }
        map_floor -= bytes;
        found = map_floor;
    }
    memset((void *)found, 0, bytes);
    return (long)found;
}

static long heap_munmap(va_list ap)
{
    uintptr_t start = (uintptr_t)va_arg(ap, void *);
    size_t bytes = round_pages(va_arg(ap, size_t));
    uintptr_t end = (uintptr_t)arena + sizeof(arena);
    if (start < map_floor || start + bytes > end || (start & (PAGE_BYTES - 1))) {
        return -EINVAL;
    }
    if (start == map_floor) {
        map_floor += bytes;
        while (free_count > 0 && free_runs[0].start == map_floor) {
            map_floor += free_runs[0].bytes;
            remove_run(0);
        }
        return 0;
    }
    int i = 0;
    while (i < free_count && free_runs[i].start < start) {
        i++;
    }
    int merges_before = i > 0 && free_runs[i - 1].start + free_runs[i - 1].bytes == start;
    int merges_after = i < free_count && start + bytes == free_runs[i].start;
    if (merges_before && merges_after) {
        free_runs[i - 1].bytes += bytes + free_runs[i].bytes;
        remove_run(i);
    } else if (merges_before) {
        free_runs[i - 1].bytes += bytes;
    } else if (merges_after) {
        free_runs[i].start = start;
        free_runs[i].bytes += bytes;
    } else if (free_count < MAX_FREE_RUNS) {
        memmove(&free_runs[i + 1], &free_runs[i], (size_t)(free_count - i) * sizeof(struct run));
        free_runs[i].start = start;
        free_runs[i].bytes = bytes;
        free_count++;
    }
    /* else: too many scattered runs; these pages stay lost (never seen in practice). */
    return 0;
}

static long heap_mremap(va_list ap)
{
    (void)ap;
    return -ENOMEM; /* musl's realloc then allocates, copies and frees */
}

static long heap_madvise(va_list ap)
{
    (void)ap;
    return 0;
}

void wasm_runner_heap_install(void)
{
    brk_start = brk_current = (uintptr_t)arena;
    map_floor = (uintptr_t)arena + sizeof(arena);
    muslcsys_install_syscall(__NR_brk, heap_brk);
    muslcsys_install_syscall(__NR_mmap, heap_mmap);
    muslcsys_install_syscall(__NR_munmap, heap_munmap);
    muslcsys_install_syscall(__NR_mremap, heap_mremap);
    muslcsys_install_syscall(__NR_madvise, heap_madvise);
}

unsigned long wasm_runner_heap_available(void)
{
    size_t largest = map_floor - brk_current;
    for (int i = 0; i < free_count; i++) {
        if (free_runs[i].bytes > largest) {
            largest = free_runs[i].bytes;
        }
    }
    return largest;
}

unsigned long wasm_runner_heap_size(void)
{
    return sizeof(arena);
}

/* Accounting. Wrapped functions may call each other inside musl (calloc and
 * aligned_alloc call malloc): only the outermost call counts. */
static size_t live_bytes, peak_bytes;
static int depth;

void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
void __real_free(void *);
int __real_posix_memalign(void **, size_t, size_t);
void *__real_aligned_alloc(size_t, size_t);

static void count_in(void *p)
{
    if (p && depth == 0) {
        live_bytes += malloc_usable_size(p);
        if (live_bytes > peak_bytes) {
            peak_bytes = live_bytes;
        }
    }
}

static void count_out(void *p)
{
    if (p && depth == 0) {
        live_bytes -= malloc_usable_size(p);
    }
}

void *__wrap_malloc(size_t n)
{
    depth++;
    void *p = __real_malloc(n);
    depth--;
    count_in(p);
    return p;
}

void *__wrap_calloc(size_t count, size_t size)
{
    depth++;
    void *p = __real_calloc(count, size);
    depth--;
    count_in(p);
    return p;
}

void *__wrap_realloc(void *old, size_t n)
{
    size_t before = (old && depth == 0) ? malloc_usable_size(old) : 0;
    depth++;
    void *p = __real_realloc(old, n);
    depth--;
    if (p && depth == 0) {
        live_bytes -= before;
        count_in(p);
    }
    return p;
}

void __wrap_free(void *p)
{
    count_out(p);
    depth++;
    __real_free(p);
    depth--;
}

int __wrap_posix_memalign(void **out, size_t alignment, size_t size)
{
    depth++;
    int error = __real_posix_memalign(out, alignment, size);
    depth--;
    if (error == 0) {
        count_in(*out);
    }
    return error;
}

void *__wrap_aligned_alloc(size_t alignment, size_t size)
{
    depth++;
    void *p = __real_aligned_alloc(alignment, size);
    depth--;
    count_in(p);
    return p;
}

unsigned long wasm_runner_heap_live(void)
{
    return live_bytes;
}

unsigned long wasm_runner_heap_peak(void)
{
    return peak_bytes;
}

void wasm_runner_heap_reset_peak(void)
{
    peak_bytes = live_bytes;
}
