// Sieve of Eratosthenes, repeated: byte loads and stores, tight integer loops.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    int limit = argc > 1 ? atoi(argv[1]) : 8000000;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    unsigned char *composite = malloc((size_t)limit + 1);
    if (!composite) { fprintf(stderr, "out of memory\n"); return 1; }
    int count = 0;
    for (int r = 0; r < rounds; r++) {
        memset(composite, 0, (size_t)limit + 1);
        count = 0;
        for (int i = 2; i <= limit; i++) {
            if (composite[i]) continue;
            count++;
            for (long long j = (long long)i * i; j <= limit; j += i) composite[j] = 1;
        }
    }
    printf("%d primes up to %d\n", count, limit);
    free(composite);
    return 0;
}
