/*
 * sel4img's ahead-of-time tier: the glue between a module translated by
 * wabt's wasm2c (compiled with `--module-name m`, so its symbols are w2c_m_*)
 * and the host that runs it. `sel4img wasm run --aot` compiles this file with
 * the module's C and wasm2c's runtime into one shared object, loads it, and
 * calls sel4img_aot_run.
 *
 * Every wasi_snapshot_preview1 function goes back to the host through one
 * callback (`call`), with the function's index in sel4img_aot_function_names,
 * its arguments widened to 64 bits, and the module's memory as it is at that
 * moment (base and size: a memory.grow may have moved it). So WASI is the
 * host's one implementation, the same one the interpreter calls. Traps end
 * in wasm_rt_trap, which longjmps back to sel4img_aot_run; proc_exit and a
 * failing host function do the same, so nothing of the module stays on the
 * stack.
 *
 * Defines from the host's compile line:
 *   SEL4IMG_AOT_KEY             the cache key, returned by sel4img_aot_key (a
 *                               check that a cached object is the one wanted)
 *   SEL4IMG_AOT_MEMORY_EXPORT   the module exports its memory as "memory"
 *   SEL4IMG_AOT_HAS_START       the module exports a function "_start"
 *   SEL4IMG_AOT_IMPORTS_WASI    the module imports from wasi_snapshot_preview1
 *                               (then wasm2c's instantiate takes the import)
 *
 * On the host, wasm2c's code is compiled in its guard-page mode
 * (WASM_RT_MEMCHECK_GUARD_PAGES=1: each 32-bit memory is an 8 GiB reservation
 * whose pages past the memory's size are inaccessible, and accesses carry no
 * bounds check). An access out of bounds then faults, and this file's SIGSEGV
 * handler, running on an alternate stack, ends the run with the trap
 * WASM_RT_TRAP_OOB. wasm2c's own handler is not used (WASM_RT_SKIP_SIGNAL_RECOVERY):
 * it takes every fault of the process for a trap and resets SIGSEGV to the
 * default afterwards, which would hide crashes elsewhere in sel4img and drop
 * the Swift runtime's backtracer. This one traps only a fault on a thread that
 * is running translated code (not a WASI call into the host), and hands every
 * other fault to the handler that was there before it.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "m.h"
#include "wasm-rt-exceptions.h"
#include "wasm-rt-impl.h"

/* The WASI functions, one list for both glues (in the seL4 runner's sources). */
#include "../sel4/include/wasi-imports.h"

#define EXPORT __attribute__((visibility("default")))

#ifndef SEL4IMG_AOT_KEY
#error "compile with -DSEL4IMG_AOT_KEY=\"...\""
#endif

/* What the host gives: one callback for every WASI function. `stop` is set
 * to 1 when the call ends the run (proc_exit, or a trap in the host); the
 * host keeps the details. */
typedef uint32_t (*sel4img_aot_call)(void* context, uint32_t function, const uint64_t* arguments,
                                     uint8_t* memory, uint64_t memory_size, int32_t* stop);

struct sel4img_aot_host {
  void* context;
  sel4img_aot_call call;
};

/* How a run ended. */
enum {
  SEL4IMG_AOT_RETURNED = 0, /* _start returned */
  SEL4IMG_AOT_STOPPED = 1,  /* the host stopped it (proc_exit, host trap) */
  SEL4IMG_AOT_TRAPPED = 2,  /* a wasm trap: `trap` is the wasm_rt_trap_t */
  SEL4IMG_AOT_NO_THREAD = 3 /* no thread with a large enough stack */
};

struct sel4img_aot_result {
  int32_t ending;
  int32_t trap;
  /* What the translated code's checks said (sel4img_aot_detail). */
  int32_t detail;
};

/* Set by the translated code just before a trap, to say more than
 * wasm_rt_trap_t does (the host rewrites wasm2c's checks to set it): for
 * WASM_RT_TRAP_CALL_INDIRECT 1 index past the table, 2 null entry, 3 type
 * mismatch; for WASM_RT_TRAP_OOB 4 a table access (else linear memory). */
int32_t sel4img_aot_detail;

EXPORT const char* sel4img_aot_key(void) { return SEL4IMG_AOT_KEY; }

/* The WASI functions in the order of the preview1 witx (WASI.functionNames). */
#define SEL4IMG_AOT_NAME(name) #name,
EXPORT const char* const sel4img_aot_function_names[] = {WASI_IMPORT_NAMES(SEL4IMG_AOT_NAME) NULL};

/* The embedder's side of the import: what every WASI function is given. */
struct w2c_wasi__snapshot__preview1 {
  const struct sel4img_aot_host* host;
  wasm_rt_memory_t* memory;
  int32_t stopped;
};

#if WASM_RT_MEMCHECK_GUARD_PAGES
/* 1 while this thread runs translated code: a fault then is the module's. */
static __thread volatile sig_atomic_t in_module;
static struct sigaction previous_action;
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static int handler_installed;

static void fault_handler(int signal, siginfo_t* info, void* context) {
  if (in_module && info->si_code == SEGV_ACCERR) {
    in_module = 0;
    /* Memory, not a table (sel4img_aot_detail 4 is set only by table checks). */
    sel4img_aot_detail = 0;
    /* siglongjmp to sel4img_aot_run's thread function; SA_NODEFER left SIGSEGV unblocked. */
    wasm_rt_trap(WASM_RT_TRAP_OOB);
  }
  /* Not the module's: the handler before this one (the Swift runtime's, another module's) decides. */
  if (previous_action.sa_flags & SA_SIGINFO) {
    previous_action.sa_sigaction(signal, info, context);
  } else if (previous_action.sa_handler != SIG_DFL && previous_action.sa_handler != SIG_IGN) {
    previous_action.sa_handler(signal);
  } else {
    /* The fault happens again on return, with the default action: the process ends as it would have. */
    struct sigaction fallback;
    memset(&fallback, 0, sizeof(fallback));
    fallback.sa_handler = SIG_DFL;
    sigaction(signal, &fallback, NULL);
  }
}

static void install_handler(void) {
  struct sigaction action;
  memset(&action, 0, sizeof(action));
  action.sa_sigaction = fault_handler;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  handler_installed = sigaction(SIGSEGV, &action, &previous_action) == 0;
}
#define ENTER_MODULE() (in_module = 1)
#define LEAVE_MODULE() (in_module = 0)
#else
#define ENTER_MODULE() ((void)0)
#define LEAVE_MODULE() ((void)0)
#endif

static uint32_t call_host(struct w2c_wasi__snapshot__preview1* wasi, uint32_t function,
                          const uint64_t* arguments) {
  uint8_t* base = NULL;
  uint64_t size = 0;
  if (wasi->memory) {
    base = (uint8_t*)wasi->memory->data;
    size = wasi->memory->size;
  }
  int32_t stop = 0;
  LEAVE_MODULE();
  uint32_t result = wasi->host->call(wasi->host->context, function, arguments, base, size, &stop);
  ENTER_MODULE();
  if (stop) {
    wasi->stopped = 1;
    /* Unwinds like a trap (and resets wasm2c's call depth); the host knows why. */
    wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE);
  }
  return result;
}

typedef struct w2c_wasi__snapshot__preview1 wasi_t;
#define ARGS(...) const uint64_t a[] = {__VA_ARGS__, 0}; (void)a
#define WASI_FN(index, name, params, ...) \
  u32 w2c_wasi__snapshot__preview1_##name params { ARGS(__VA_ARGS__); return call_host(w, index, a); }

WASI_IMPORT_CALLS(WASI_FN)
void w2c_wasi__snapshot__preview1_proc_exit(wasi_t* w, u32 p0) {
  ARGS(p0);
  call_host(w, 38, a);
  /* The host always stops the run here. */
  w->stopped = 1;
  wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE);
}
u32 w2c_wasi__snapshot__preview1_sched_yield(wasi_t* w) { ARGS(0); return call_host(w, 40, a); }

struct run {
  const struct sel4img_aot_host* host;
  struct sel4img_aot_result* result;
};

static void* run_module(void* argument) {
  struct run* run = argument;
  struct sel4img_aot_result* result = run->result;
  w2c_m* instance = calloc(1, sizeof(w2c_m));
  if (!instance) {
    result->ending = SEL4IMG_AOT_NO_THREAD;
    return NULL;
  }
  struct w2c_wasi__snapshot__preview1 wasi = {run->host, NULL, 0};
#ifdef SEL4IMG_AOT_MEMORY_EXPORT
  /* The field's address is fixed before instantiation: WASI calls from a
   * start function see the memory too. */
  wasi.memory = w2c_m_memory(instance);
#endif
  wasm_rt_init();
#if WASM_RT_MEMCHECK_GUARD_PAGES
  /* The handler runs on a stack of its own: the fault may come from this thread's stack limit. */
  enum { ALTERNATE_STACK_BYTES = 64 * 1024 };
  stack_t alternate = {.ss_sp = malloc(ALTERNATE_STACK_BYTES), .ss_flags = 0, .ss_size = ALTERNATE_STACK_BYTES};
  stack_t before;
  if (!alternate.ss_sp || sigaltstack(&alternate, &before) != 0) {
    free(alternate.ss_sp);
    free(instance);
    result->ending = SEL4IMG_AOT_NO_THREAD;
    return NULL;
  }
#endif
  int instantiated = 0;
  sel4img_aot_detail = 0;
  int trap = wasm_rt_impl_try();
  if (trap != 0) LEAVE_MODULE();
  if (trap == 0) {
    ENTER_MODULE();
#ifdef SEL4IMG_AOT_IMPORTS_WASI
    wasm2c_m_instantiate(instance, &wasi);
#else
    wasm2c_m_instantiate(instance);
#endif
    instantiated = 1;
#ifdef SEL4IMG_AOT_HAS_START
    w2c_m_0x5Fstart(instance);
#endif
    LEAVE_MODULE();
    result->ending = SEL4IMG_AOT_RETURNED;
  } else if (wasi.stopped) {
    result->ending = SEL4IMG_AOT_STOPPED;
  } else {
    result->ending = SEL4IMG_AOT_TRAPPED;
    result->trap = trap;
    result->detail = sel4img_aot_detail;
  }
  /* A trap inside instantiation leaves the instance half made: free only a whole one. */
  if (instantiated) wasm2c_m_free(instance);
  free(instance);
  wasm_rt_free();
#if WASM_RT_MEMCHECK_GUARD_PAGES
  sigaltstack(&before, NULL);
  free(alternate.ss_sp);
#endif
  return NULL;
}

/* Runs the module's start function and _start on a thread of its own whose
 * stack holds WASM_RT_MAX_CALL_STACK_DEPTH frames of any reasonable size
 * (wasm2c counts the depth; the stack must not run out first). */
EXPORT void sel4img_aot_run(const struct sel4img_aot_host* host, struct sel4img_aot_result* result,
                            uint64_t stack_bytes) {
  memset(result, 0, sizeof(*result));
#if WASM_RT_MEMCHECK_GUARD_PAGES
  /* Once per process and object; the host loads objects with RTLD_NODELETE, so the handler stays. */
  pthread_once(&handler_once, install_handler);
  if (!handler_installed) {
    result->ending = SEL4IMG_AOT_NO_THREAD;
    return;
  }
#endif
  struct run run = {host, result};
  pthread_attr_t attributes;
  pthread_t thread;
  if (pthread_attr_init(&attributes) != 0 || pthread_attr_setstacksize(&attributes, stack_bytes) != 0 ||
      pthread_create(&thread, &attributes, run_module, &run) != 0) {
    result->ending = SEL4IMG_AOT_NO_THREAD;
    return;
  }
  pthread_attr_destroy(&attributes);
  pthread_join(thread, NULL);
}

/* The host maps these numbers to its trap reasons. */
_Static_assert(WASM_RT_TRAP_OOB == 1 && WASM_RT_TRAP_INT_OVERFLOW == 2 && WASM_RT_TRAP_DIV_BY_ZERO == 3 &&
                   WASM_RT_TRAP_INVALID_CONVERSION == 4 && WASM_RT_TRAP_UNREACHABLE == 5 &&
                   WASM_RT_TRAP_CALL_INDIRECT == 6 && WASM_RT_TRAP_NULL_REF == 7 &&
                   WASM_RT_TRAP_UNCAUGHT_EXCEPTION == 8 && WASM_RT_TRAP_UNALIGNED == 9 &&
                   WASM_RT_TRAP_EXHAUSTION == 10,
               "wasm_rt_trap_t numbering changed: update AOTLoadedModule.reason in sel4img");
