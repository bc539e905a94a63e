/* Soak module: prints a line, then loops until its fuel or time limit stops it. */
#include <stdio.h>
volatile int stop;
int main(void) {
    printf("spinning\n"); fflush(stdout);
    unsigned long n = 0;
    while (!stop) n++;
    printf("%lu\n", n);
    return 0;
}
