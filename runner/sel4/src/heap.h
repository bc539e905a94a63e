/* The runner's heap arena (heap.c). */
#pragma once

#include <CRunner/runner.h>

/* Installs the brk/mmap/munmap/mremap handlers; call before the first malloc. */
void wasm_runner_heap_install(void);
