/*
 * emit [--fuel N] [--time-limit MS] [--poll] [--heap] [--repeat N] [--timing] FILE.wasm [ARGS...]: runs a WebAssembly
 * module on the Wasm runner beside this Linux guest, through the
 * shared-memory channel in wasm_channel.h, and prints what the module printed.
 * --fuel and --time-limit bound the run as on `sel4img wasm run`: the runner
 * stops the module after N units of fuel (one per call and per repetition of a
 * loop) or MS milliseconds, and goes on serving. --repeat N sends the module
 * N times from one process (one read, one lock, one mapping), stopping at the
 * first run whose status is not 0; --timing prints each run's wait for the
 * reply, the runner's run_ns and their difference, the channel's own cost
 * (benchmarks/realtime.sh's "channel" figures).
 *
 * Exit status, as `sel4img wasm run` on a host (WasmExitStatus): 0-125 the
 * module's exit code; 126 when it cannot run (unreadable, invalid, too large
 * for the buffer, no runner); 134 when it traps; 152 when its fuel or time
 * limit stopped it; 255 when it exits with a code outside 0-125; 64 for a bad
 * option. All but 0-125 come with a line on stderr. Calls from several shells
 * are serialised with a lock file; a waiting call says so on stderr.
 *
 * The channel is the runner's virtual PCI device: BAR 0 holds the event
 * registers (a write to offset 0 wakes the runner), BAR 1 the buffer. Both
 * are mapped through sysfs (resourceN_wc: normal non-cacheable memory, so
 * unaligned copies are allowed). The runner's reply raises the device's
 * interrupt; with the kernel's uio_pci_generic driver bound to the device
 * (the guest's init loads it), emit sleeps on /dev/uioN until it comes (a
 * read waits for it; clearing Interrupt Disable in the device's sysfs config
 * space unmasks it). Without the driver, or with
 * --poll, it polls the buffer (50 us steps for the first millisecond, then
 * 1 ms) and, unless asked to with --poll, says so on stderr.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wasm_channel.h"

#define LOCK_FILE "/run/emit.lock"
#define SYSFS_PCI "/sys/bus/pci/devices"

static const char *program = "emit";

/* The statuses that are not the module's own (sel4img's WasmExitStatus). */
enum { EXIT_USAGE = 64, EXIT_CANNOT_RUN = 126, EXIT_TRAP = 134, EXIT_BOUND_EXCEEDED = 152, EXIT_CODE_OUT_OF_RANGE = 255 };

/* The largest --time-limit: in nanoseconds it must fit 64 bits (as on the host). */
#define MAXIMUM_TIME_LIMIT_MS (UINT64_MAX / 1000000u)
/* The largest --repeat. */
#define MAXIMUM_REPEAT 1000000u

static void fail(const char *format, const char *detail)
{
    fprintf(stderr, "%s: ", program);
    fprintf(stderr, format, detail);
    fputc('\n', stderr);
    exit(EXIT_CANNOT_RUN);
}

static unsigned long read_hex_file(const char *directory, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", directory, name);
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        return 0;
    }
    unsigned long value = 0;
    if (fscanf(file, "%lx", &value) != 1) {
        value = 0;
    }
    fclose(file);
    return value;
}

/* The sysfs directory of the channel device, or NULL. */
static char *find_device(void)
{
    static char found[512];
    DIR *directory = opendir(SYSFS_PCI);
    if (directory == NULL) {
        return NULL;
    }
    struct dirent *entry;
    char *result = NULL;
    while ((entry = readdir(directory)) != NULL) {
        if (entry->d_name[0] == '.') {
            continue;
        }
        char device[512];
        snprintf(device, sizeof device, "%s/%s", SYSFS_PCI, entry->d_name);
        if (read_hex_file(device, "vendor") == WASM_CHANNEL_PCI_VENDOR
            && read_hex_file(device, "device") == WASM_CHANNEL_PCI_DEVICE) {
            snprintf(found, sizeof found, "%s", device);
            result = found;
            break;
        }
    }
    closedir(directory);
    return result;
}

/* The channel's interrupt: /dev/uioN of the device's uio_pci_generic binding, opened, or -1. */
static int open_interrupt(const char *device)
{
    char path[600];
    snprintf(path, sizeof path, "%s/uio", device);
    DIR *directory = opendir(path);
    if (directory == NULL) {
        return -1;
    }
    int fd = -1;
    struct dirent *entry;
    while ((entry = readdir(directory)) != NULL) {
        if (strncmp(entry->d_name, "uio", 3) == 0) {
            snprintf(path, sizeof path, "/dev/%s", entry->d_name);
            fd = open(path, O_RDWR | O_CLOEXEC);
            break;
        }
    }
    closedir(directory);
    return fd;
}

/* Unmasks the channel's interrupt: uio_pci_generic's handler masks it by
 * setting the device's Interrupt Disable bit (command register bit 10) and
 * leaves unmasking to its user, through the device's config space in sysfs. */
static int unmask_interrupt(int config)
{
    unsigned char command_high;
    if (pread(config, &command_high, 1, 5) != 1) {
        return -1;
    }
    if (command_high & 0x04) {
        command_high &= (unsigned char)~0x04;
        if (pwrite(config, &command_high, 1, 5) != 1) {
            return -1;
        }
    }
    return 0;
}

/* Maps BAR `index` of the device; sets *size. */
static volatile unsigned char *map_bar(const char *device, int index, size_t *size)
{
    char path[600];
    snprintf(path, sizeof path, "%s/resource%d_wc", device, index);
    int fd = open(path, O_RDWR | O_SYNC);
    if (fd < 0) {
        snprintf(path, sizeof path, "%s/resource%d", device, index);
        fd = open(path, O_RDWR | O_SYNC);
    }
    if (fd < 0) {
        fail("cannot open the channel device (%s): are you root?", path);
    }
    struct stat status;
    if (fstat(fd, &status) != 0 || status.st_size <= 0) {
        fail("cannot size the channel device (%s)", path);
    }
    *size = (size_t)status.st_size;
    void *mapping = mmap(NULL, *size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (mapping == MAP_FAILED) {
        fail("cannot map the channel device (%s)", path);
    }
    return mapping;
}

static unsigned char *read_module(const char *path, size_t *size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "%s: cannot read %s: %s\n", program, path, strerror(errno));
        exit(EXIT_CANNOT_RUN);
    }
    struct stat status;
    if (fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
        fprintf(stderr, "%s: %s is not a regular file\n", program, path);
        exit(EXIT_CANNOT_RUN);
    }
    unsigned char *bytes = malloc((size_t)status.st_size + 1);
    if (bytes == NULL) {
        fail("out of memory reading %s", path);
    }
    size_t done = 0;
    while (done < (size_t)status.st_size) {
        ssize_t got = read(fd, bytes + done, (size_t)status.st_size - done);
        if (got <= 0) {
            fprintf(stderr, "%s: cannot read %s: %s\n", program, path, got < 0 ? strerror(errno) : "file shrank");
            exit(EXIT_CANNOT_RUN);
        }
        done += (size_t)got;
    }
    close(fd);
    *size = done;
    return bytes;
}

/* Copies with byte stores: the buffer is uncached device memory to the guest. */
static void copy_out(volatile unsigned char *to, const unsigned char *from, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        to[i] = from[i];
    }
}

/* The value of --fuel or --time-limit: a whole number from 1 to `maximum`, or exit 64. */
static uint64_t bound_value(const char *option, const char *text, uint64_t maximum, const char *unit)
{
    if (text == NULL) {
        fprintf(stderr, "%s: %s needs a value: a whole number of %s from 1 to %llu\n", program, option, unit,
                (unsigned long long)maximum);
        exit(EXIT_USAGE);
    }
    int digits = text[0] != '\0';
    for (const char *c = text; *c != '\0'; c++) {
        digits = digits && *c >= '0' && *c <= '9';
    }
    errno = 0;
    unsigned long long value = digits ? strtoull(text, NULL, 10) : 0;
    if (!digits || errno == ERANGE || value == 0 || value > maximum) {
        fprintf(stderr, "%s: %s must be a whole number of %s from 1 to %llu, got '", program, option, unit,
                (unsigned long long)maximum);
        for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++) {
            if (*c < 0x20 || *c == 0x7f) {
                fprintf(stderr, "\\x%02x", *c);
            } else {
                fputc(*c, stderr);
            }
        }
        fputs("'\n", stderr);
        exit(EXIT_USAGE);
    }
    return value;
}

static void sleep_ns(long nanoseconds)
{
    struct timespec delay = {0, nanoseconds};
    nanosleep(&delay, NULL);
}

static uint64_t monotonic_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
}

/* One request: writes the module and its arguments, wakes the runner, waits
 * for the reply (on the interrupt while *uio >= 0, else polling), prints the
 * output and returns emit's exit status for it. */
static int run_once(volatile struct wasm_channel_header *header, volatile uint32_t *events, volatile unsigned char *payload,
                    uint64_t capacity, const unsigned char *module, size_t module_size, int argument_count, char **arguments,
                    uint64_t fuel, uint64_t time_limit_ms, int show_heap, int timing, uint64_t run, int config, int *uio)
{
    const char *path = arguments[0];
    copy_out(payload, module, module_size);
    size_t offset = module_size;
    for (int i = 0; i < argument_count; i++) {
        size_t length = strlen(arguments[i]) + 1;
        copy_out(payload + offset, (const unsigned char *)arguments[i], length);
        offset += length;
    }
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);

    uint32_t sequence = header->sequence + 1;
    header->module_bytes = module_size;
    header->argument_bytes = offset - module_size;
    header->realtime_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
    header->fuel = fuel;
    header->time_limit_ms = time_limit_ms;
    header->sequence = sequence;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    header->state = WASM_CHANNEL_REQUEST;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint64_t sent = monotonic_ns();
    events[0] = 1; /* the emit register: wakes the runner */

    if (*uio >= 0 && unmask_interrupt(config) != 0) {
        fprintf(stderr, "%s: cannot unmask the channel's interrupt (%s): polling for the reply\n", program, strerror(errno));
        close(*uio);
        *uio = -1;
    }
    /* Sleep on the interrupt; a wake-up for an earlier reply, or none within
     * a second, means look at the buffer and wait again. */
    int lost = 0;
    while (*uio >= 0) {
        if (header->state == WASM_CHANNEL_DONE && header->sequence == sequence) {
            break;
        }
        struct pollfd wait = {.fd = *uio, .events = POLLIN};
        int woken = poll(&wait, 1, 1000);
        if (woken > 0) {
            uint32_t count;
            if (read(*uio, &count, sizeof count) != (ssize_t)sizeof count || unmask_interrupt(config) != 0) {
                fprintf(stderr, "%s: cannot wait for the channel's interrupt (%s): polling for the reply\n", program,
                        strerror(errno));
                close(*uio);
                *uio = -1;
            }
        } else if (woken == 0 && !lost && header->state == WASM_CHANNEL_DONE && header->sequence == sequence) {
            fprintf(stderr, "%s: the runner's reply came without its interrupt\n", program);
            lost = 1;
        } else if (woken < 0 && errno != EINTR) {
            fprintf(stderr, "%s: cannot wait for the channel's interrupt (%s): polling for the reply\n", program, strerror(errno));
            close(*uio);
            *uio = -1;
        }
    }
    /* Poll for the reply: 50 us steps for the first millisecond, then 1 ms. */
    for (long waited = 0;; waited++) {
        if (header->state == WASM_CHANNEL_DONE && header->sequence == sequence) {
            break;
        }
        sleep_ns(waited < 20 ? 50000 : 1000000);
    }
    uint64_t replied = monotonic_ns();
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    uint64_t output_bytes = header->output_bytes;
    if (output_bytes > capacity) {
        output_bytes = capacity;
    }
    unsigned char *output = malloc(output_bytes + 1);
    if (output == NULL) {
        fail("out of memory for %s's output", path);
    }
    for (uint64_t i = 0; i < output_bytes; i++) {
        output[i] = payload[i];
    }
    fwrite(output, 1, output_bytes, stdout);
    fflush(stdout);
    free(output);

    char message[WASM_CHANNEL_MESSAGE_BYTES];
    for (unsigned i = 0; i < sizeof message; i++) {
        message[i] = header->message[i];
    }
    message[sizeof message - 1] = '\0';
    uint32_t result = header->result;
    int32_t status = header->exit_status;
    uint64_t run_ns = header->run_ns;
    if (timing) {
        /* The reply's wait less the runner's own decode and run: what the
         * channel (notification, VMM, interrupt or polling, wake-up) cost. */
        uint64_t waited_ns = replied - sent;
        fprintf(stderr, "%s: timing %llu: reply %llu ns, runner %llu ns, channel %lld ns (%s)\n", program,
                (unsigned long long)run, (unsigned long long)waited_ns, (unsigned long long)run_ns,
                (long long)waited_ns - (long long)run_ns, *uio >= 0 ? "interrupt" : "polled");
    }
    if (show_heap) {
        fprintf(stderr, "%s: runner heap in use: %llu bytes\n", program, (unsigned long long)header->heap_in_use);
    }
    if (header->output_truncated) {
        fprintf(stderr, "%s: %s printed more than the runner's buffer holds; the rest was dropped\n", program, path);
    }
    header->state = WASM_CHANNEL_IDLE;

    switch (result) {
    case WASM_RESULT_EXITED:
        if (status >= 0 && status <= 125) {
            return status;
        }
        fprintf(stderr, "%s: %s: exit code %u is outside 0-125; exit status %d\n", program, path,
                (unsigned)status, EXIT_CODE_OUT_OF_RANGE);
        return EXIT_CODE_OUT_OF_RANGE;
    case WASM_RESULT_TRAPPED:
        fprintf(stderr, "%s: %s trapped: %s\n", program, path, message);
        return EXIT_TRAP;
    case WASM_RESULT_STOPPED:
        fprintf(stderr, "%s: %s: %s\n", program, path, message);
        return EXIT_BOUND_EXCEEDED;
    case WASM_RESULT_INVALID:
        fprintf(stderr, "%s: %s cannot run: %s\n", program, path, message);
        return EXIT_CANNOT_RUN;
    default:
        fprintf(stderr, "%s: the runner refused the request: %s\n", program, message);
        return EXIT_CANNOT_RUN;
    }
}

int main(int argc, char **argv)
{
    /* Options come before FILE; everything after FILE goes to the module. */
    uint64_t fuel = 0, time_limit_ms = 0;
    uint64_t repeat = 1;
    int poll_only = 0, show_heap = 0, timing = 0;
    int first = 1;
    while (first < argc) {
        if (strcmp(argv[first], "--poll") == 0) {
            poll_only = 1;
            first += 1;
        } else if (strcmp(argv[first], "--heap") == 0) {
            show_heap = 1;
            first += 1;
        } else if (strcmp(argv[first], "--timing") == 0) {
            timing = 1;
            first += 1;
        } else if (strcmp(argv[first], "--repeat") == 0) {
            repeat = bound_value("--repeat", first + 1 < argc ? argv[first + 1] : NULL, MAXIMUM_REPEAT, "runs");
            first += 2;
        } else if (strcmp(argv[first], "--fuel") == 0) {
            fuel = bound_value("--fuel", first + 1 < argc ? argv[first + 1] : NULL, UINT64_MAX, "units");
            first += 2;
        } else if (strcmp(argv[first], "--time-limit") == 0) {
            time_limit_ms = bound_value("--time-limit", first + 1 < argc ? argv[first + 1] : NULL, MAXIMUM_TIME_LIMIT_MS,
                                        "milliseconds");
            first += 2;
        } else {
            break;
        }
    }
    if (first >= argc || strcmp(argv[first], "--help") == 0 || strcmp(argv[first], "-h") == 0) {
        fprintf(first >= argc ? stderr : stdout,
                "usage: emit [--fuel N] [--time-limit MS] [--poll] [--heap] [--repeat N] [--timing] FILE.wasm [ARGS...]\n"
                "Runs the WebAssembly module (WASI preview1) on the seL4 Wasm runner beside\n"
                "this guest and prints its output. --fuel N stops it after N units (one per\n"
                "call and per repetition of a loop), --time-limit MS after MS milliseconds.\n"
                "emit sleeps until the runner's reply interrupt (/dev/uioN, uio_pci_generic);\n"
                "--poll polls the buffer instead (without the driver it polls anyway and says so).\n"
                "--heap prints the runner's heap in use after the run on stderr.\n"
                "--repeat N sends the module N times from this one process (stopping at the\n"
                "first run whose status is not 0); --timing prints, per run on stderr, the\n"
                "wait for the reply, the runner's own decode and run time, and the rest: what\n"
                "the channel cost (ns, the guest's monotonic clock; the runner's is its own).\n"
                "Exit status: 0-125 the module's exit code; 126 when it cannot run; 134 when\n"
                "it traps; 152 when --fuel or --time-limit stopped it; 255 when it exits with\n"
                "a code outside 0-125; 64 for a bad option.\n");
        return first >= argc ? EXIT_CANNOT_RUN : 0;
    }
    const char *path = argv[first];

    size_t module_size;
    unsigned char *module = read_module(path, &module_size);

    /* argv for the module: the path as given, then the arguments. */
    size_t argument_bytes = 0;
    for (int i = first; i < argc; i++) {
        argument_bytes += strlen(argv[i]) + 1;
    }

    char *device = find_device();
    if (device == NULL) {
        fail("no Wasm runner channel: no PCI device %s", "1af4:a111 in " SYSFS_PCI);
    }

    int lock = open(LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0) {
        fail("cannot open the lock file %s", LOCK_FILE);
    }
    if (flock(lock, LOCK_EX | LOCK_NB) != 0) {
        fprintf(stderr, "%s: the runner is busy with another emit; waiting for it\n", program);
        if (flock(lock, LOCK_EX) != 0) {
            fail("cannot lock %s", LOCK_FILE);
        }
    }

    int uio = poll_only ? -1 : open_interrupt(device);
    int config = -1;
    if (uio >= 0) {
        char path[600];
        snprintf(path, sizeof path, "%s/config", device);
        config = open(path, O_RDWR | O_CLOEXEC);
        if (config < 0) {
            fprintf(stderr, "%s: cannot open %s to unmask the channel's interrupt (%s): polling for the reply\n", program, path,
                    strerror(errno));
            close(uio);
            uio = -1;
        }
    } else if (!poll_only) {
        fprintf(stderr, "%s: no interrupt for the runner's channel (uio_pci_generic has not taken PCI device 1af4:a111): polling for the reply\n",
                program);
    }

    size_t event_size, buffer_size;
    volatile uint32_t *events = (volatile uint32_t *)map_bar(device, 0, &event_size);
    volatile unsigned char *buffer = map_bar(device, 1, &buffer_size);
    volatile struct wasm_channel_header *header = (volatile struct wasm_channel_header *)buffer;

    if (header->magic != WASM_CHANNEL_MAGIC || header->version != WASM_CHANNEL_VERSION) {
        fprintf(stderr, "%s: the Wasm runner is not serving (channel magic %08x, version %u)\n", program,
                header->magic, header->version);
        return 1;
    }
    uint64_t capacity = header->capacity;
    if (capacity > buffer_size - WASM_CHANNEL_PAYLOAD_OFFSET) {
        capacity = buffer_size - WASM_CHANNEL_PAYLOAD_OFFSET;
    }
    if (module_size + argument_bytes > capacity) {
        fprintf(stderr, "%s: %s is too large for the runner's buffer: %zu bytes of module and arguments, %llu available\n",
                program, path, module_size + argument_bytes, (unsigned long long)capacity);
        return 1;
    }

    volatile unsigned char *payload = buffer + WASM_CHANNEL_PAYLOAD_OFFSET;
    int exit_status = 0;
    for (uint64_t run = 1; run <= repeat; run++) {
        exit_status = run_once(header, events, payload, capacity, module, module_size, argc - first, argv + first, fuel,
                               time_limit_ms, show_heap, timing, run, config, &uio);
        if (exit_status != 0) {
            break;
        }
    }
    return exit_status;
}
