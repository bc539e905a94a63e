/* benchmarks/realtime.sh: the short module whose emit round trip the guest's
 * shell times. It prints one word and exits 0: the round trip is dominated by
 * the channel, the runner's decode and instantiation, not by the module. */
#include <stdio.h>

int main(void)
{
    puts("ok");
    return 0;
}
