// zlib (github.com/madler/zlib, a local copy named by SEL4IMG_ZLIB, never
// committed) deflating and inflating a generated buffer ROUNDS times: a real
// program's mix of table lookups, bit twiddling, hashing and memory copies.
// The buffer is text-like (words from a small vocabulary picked by an
// xorshift generator, so it compresses about 3:1) and the same on every
// runtime; each round compresses at level 1 + round % 9, inflates the result
// and checks it. Prints the compressed sizes' sum and the CRC-32 and Adler-32
// of every round's output folded together.
//
// Usage: zlib-bench [SIZE [ROUNDS]]   (default 1 MiB, 20 rounds)
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zlib.h"

static const char *const words[] = {
    "the ", "kernel ", "capability ", "of ", "a ", "thread ", "runs ", "in ", "its ", "own ",
    "address ", "space, ", "and ", "the ", "module ", "is ", "isolated. ", "memory ", "page ", "table\n",
};

int main(int argc, char **argv) {
    size_t size = argc > 1 ? (size_t)atol(argv[1]) : (size_t)1 << 20;
    int rounds = argc > 2 ? atoi(argv[2]) : 20;
    uLong bound = compressBound((uLong)size);
    unsigned char *input = malloc(size), *packed = malloc(bound), *unpacked = malloc(size);
    if (!input || !packed || !unpacked) { fprintf(stderr, "out of memory\n"); return 1; }
    uint64_t state = 0x9E3779B97F4A7C15ull;
    size_t filled = 0;
    while (filled < size) {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17;
        const char *word = words[state % (sizeof words / sizeof words[0])];
        size_t length = strlen(word);
        if (length > size - filled) length = size - filled;
        memcpy(input + filled, word, length);
        filled += length;
        // Now and then a run of noise, so the input is not all dictionary.
        if ((state >> 40) % 16 == 0 && filled + 8 <= size) {
            for (int i = 0; i < 8; i++) input[filled++] = (unsigned char)(state >> (8 * i));
        }
    }
    unsigned long long total = 0;
    uLong crc = crc32(0L, Z_NULL, 0), adler = adler32(0L, Z_NULL, 0);
    for (int round = 0; round < rounds; round++) {
        uLongf packedLength = bound;
        int status = compress2(packed, &packedLength, input, (uLong)size, 1 + round % 9);
        if (status != Z_OK) { fprintf(stderr, "round %d: compress2 failed (%d)\n", round, status); return 1; }
        uLongf unpackedLength = (uLongf)size;
        status = uncompress(unpacked, &unpackedLength, packed, packedLength);
        if (status != Z_OK || unpackedLength != size || memcmp(unpacked, input, size) != 0) {
            fprintf(stderr, "round %d: inflate did not give the input back (%d)\n", round, status);
            return 1;
        }
        total += packedLength;
        crc = crc32(crc, packed, (uInt)packedLength);
        adler = adler32(adler, unpacked, (uInt)unpackedLength);
    }
    printf("zlib %s: %d rounds of %lu bytes, compressed %llu bytes, crc32 %08lx adler32 %08lx\n",
           zlibVersion(), rounds, (unsigned long)size, total, crc, adler);
    free(input);
    free(packed);
    free(unpacked);
    return 0;
}
