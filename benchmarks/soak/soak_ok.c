/* Soak module: prints n and 1+2+...+n for its argument n and exits with n % 100. */
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 0;
    long sum = 0;
    for (long i = 1; i <= n; i++) sum += i;
    printf("n=%ld sum=%ld\n", n, sum);
    return (int)(n % 100);
}
