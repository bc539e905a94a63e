/*
 * What the Swift side needs from the platform: console output, the ARM
 * generic timer, pseudo-random bytes, and arc4random_buf (Embedded Swift's
 * hashing seeds from it).
 */
#include <stddef.h>
#include <stdint.h>
#include <sel4/sel4.h>

#include <CRunner/runner.h>

void wasm_runner_console_write(const unsigned char *bytes, unsigned long count)
{
    for (unsigned long i = 0; i < count; i++) {
        seL4_DebugPutChar((char)bytes[i]);
    }
}

unsigned long long wasm_runner_counter(void)
{
    uint64_t value;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(value) :: "memory");
    return value;
}

unsigned long long wasm_runner_counter_frequency(void)
{
    uint64_t value;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(value));
    return value;
}

/* xoshiro256** (Blackman and Vigna), seeded by splitmix64 from the counter. */
static uint64_t state[4];
static int seeded;

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t next(void)
{
    if (!seeded) {
        uint64_t z = wasm_runner_counter() ^ 0x9e3779b97f4a7c15ULL;
        for (int i = 0; i < 4; i++) {
            z += 0x9e3779b97f4a7c15ULL;
            uint64_t x = z;
            x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
            x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
            state[i] = x ^ (x >> 31);
        }
        seeded = 1;
    }
    uint64_t result = rotl(state[1] * 5, 7) * 9;
    uint64_t t = state[1] << 17;
    state[2] ^= state[0];
    state[3] ^= state[1];
    state[1] ^= state[2];
    state[0] ^= state[3];
    state[2] ^= t;
    state[3] = rotl(state[3], 45);
    return result;
}

void wasm_runner_random(unsigned char *bytes, unsigned long count)
{
    while (count > 0) {
        uint64_t value = next();
        for (int i = 0; i < 8 && count > 0; i++, count--) {
            *bytes++ = (unsigned char)(value >> (8 * i));
        }
    }
}

void arc4random_buf(void *buffer, size_t count)
{
    wasm_runner_random(buffer, count);
}

/* Linker-defined bounds of the image (ld.lld provides them when referenced). */
extern char __ehdr_start[], etext[], edata[];

unsigned long wasm_runner_text_bytes(void)
{
    return (unsigned long)(etext - __ehdr_start);
}

unsigned long wasm_runner_data_bytes(void)
{
    return (unsigned long)(edata - etext);
}
