// FNV-1a and a 64-bit multiply-xorshift mix over a generated buffer: integer
// arithmetic, shifts and 64-bit multiplies in a hot loop.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int size = argc > 1 ? atoi(argv[1]) : 1 << 20;
    int rounds = argc > 2 ? atoi(argv[2]) : 60;
    uint8_t *buffer = malloc((size_t)size);
    if (!buffer) { fprintf(stderr, "out of memory\n"); return 1; }
    uint64_t state = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < size; i++) {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17;
        buffer[i] = (uint8_t)state;
    }
    uint32_t fnv = 2166136261u;
    uint64_t mix = 0;
    for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < size; i++) {
            fnv = (fnv ^ buffer[i]) * 16777619u;
            mix = (mix ^ (buffer[i] + (uint64_t)r)) * 0xff51afd7ed558ccdull;
            mix ^= mix >> 33;
        }
    }
    printf("fnv1a %08x mix %016llx\n", fnv, (unsigned long long)mix);
    free(buffer);
    return 0;
}
