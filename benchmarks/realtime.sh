#!/usr/bin/env bash
# Benchmark: response time and jitter of the Wasm runner beside the Linux
# guest (app wasm-vm), in QEMU, for each core layout (`build --cores 1|2`),
# each channel mode, with the guest idle and loaded. One command: it builds
# a workspace per core count from the mirror, boots each with
# `sel4img qemu --script` and prints one table.
#
# (a) Round trip: the guest's shell times `emit tiny.wasm` (a module that
#     prints "ok") ITERATIONS times with the guest's clock (its monotonic
#     clock in nanoseconds: the "now at N nsecs" line of /proc/timer_list,
#     read with the shell's own `read`, no process started; busybox's date has
#     no %N), before and after; the cost of two reads alone is the "clock"
#     column.
# (b) Wake-up: periodic.wasm runs on the runner and sleeps to absolute
#     deadlines WAKEUPS times, PERIOD_US apart (WASI poll_oneoff, absolute
#     monotonic clock); latency = clock after waking - deadline.
# p50/p99/max are nearest-rank percentiles; jitter is the standard deviation
# (of the round trips; of the intervals between wake-ups).
# Loaded: two shell busy loops and a memory hog (64 MiB written to the
# guest's RAM-backed /tmp and removed, over and over; the guest has no disk)
# run in the guest during the measurement.
#
# QEMU's time is emulated time, not a board's: what the design controls,
# and what to read, are the ratios between configurations (printed below
# the table); the absolute figures are emulated ones.
#
# Channel modes: CHANNEL_MODES lists them (default "polled", the only one
# emit has today); EMIT_OPTIONS_<mode> gives emit's options for a mode (e.g.
# once emit takes an interrupt: CHANNEL_MODES="polled interrupt"
# EMIT_OPTIONS_polled=--poll). The guest reports which mode emit used when it
# says so on stderr; the table shows the mode asked for.
#
# usage: benchmarks/realtime.sh [WORKDIR]
#   SEL4IMG_MIRROR (or SEL4IMG_TEST_MIRROR)  the offline mirror to build from (required)
#   CORES="1 2"          core counts to build and compare (wasm-vm: 1 and/or 2)
#   ITERATIONS=100       round trips per configuration
#   WAKEUPS=300          periodic wake-ups per configuration
#   PERIOD_US=10000      their period (emulated microseconds; under QEMU one
#                        wake-up's own work takes ~1-2 ms, so shorter periods overrun)
#   CHANNEL_MODES=polled and EMIT_OPTIONS_<mode> (see above)
#   SEL4IMG=path         use this sel4img instead of building one (release)
# WORKDIR keeps the workspaces (ws1, ws2): a second run rebuilds nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
mirror=${SEL4IMG_MIRROR:-${SEL4IMG_TEST_MIRROR:-}}
if [ -z "$mirror" ]; then
  echo "benchmarks/realtime.sh: set SEL4IMG_MIRROR (or SEL4IMG_TEST_MIRROR) to the offline mirror of the seL4 and CAmkES repositories" >&2
  exit 2
fi
work=$(mkdir -p "${1:-/tmp/sel4img-realtime}" && cd "${1:-/tmp/sel4img-realtime}" && pwd)
cores_list=${CORES:-1 2}
iterations=${ITERATIONS:-100}
wakeups=${WAKEUPS:-300}
period_us=${PERIOD_US:-10000}
modes=${CHANNEL_MODES:-polled}
for value in "$iterations" "$wakeups" "$period_us"; do
  [[ $value =~ ^[1-9][0-9]*$ ]] || { echo "benchmarks/realtime.sh: ITERATIONS, WAKEUPS and PERIOD_US are positive integers; got '$value'" >&2; exit 2; }
done
for cores in $cores_list; do
  [[ $cores == 1 || $cores == 2 ]] || { echo "benchmarks/realtime.sh: CORES lists 1 and/or 2 (wasm-vm's layouts); got '$cores'" >&2; exit 2; }
done
sel4img=${SEL4IMG:-$(cd "$here" && swift build -c release --product sel4img >&2 && swift build -c release --show-bin-path)/sel4img}

# The two modules, C compiled to WASI commands with a 64 KiB stack.
mkdir -p "$work/modules"
for name in tiny periodic; do
  python3 -m ziglang cc -target wasm32-wasi -O2 -s -Wl,-z,stack-size=65536 "$here/benchmarks/realtime/$name.c" \
    -o "$work/modules/$name.wasm" -lm
done

results=$work/results.txt
: >"$results"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for cores in $cores_list; do
  ws=$work/ws$cores
  echo "== building wasm-vm for $cores core(s) in $ws" >&2
  SEL4IMG_MIRROR=$mirror nice -n 10 "$sel4img" build --board qemu-virt --app wasm-vm --cores "$cores" \
    --wasm "$work/modules/tiny.wasm,$work/modules/periodic.wasm" -w "$ws" --progress plain >"$work/build-$cores.log" 2>&1 ||
    { tail -30 "$work/build-$cores.log" >&2; exit 1; }
  for mode in $modes; do
    options_var=EMIT_OPTIONS_$mode
    options=${!options_var:-}
    script=$work/script-$cores-$mode.txt
    {
      echo "cd /wasm"
      # The guest's monotonic clock in nanoseconds, from the shell.
      echo "now() { { read -r t; read -r t; read -r _w _w t _w; } </proc/timer_list; }"
      echo "now; case \$t in ''|*[!0-9]*) false;; esac"
      echo "emit $options tiny.wasm"
      for load in idle loaded; do
        if [ "$load" = loaded ]; then
          echo "{ while :; do :; done >/dev/null 2>&1 </dev/null & }"
          echo "{ while :; do :; done >/dev/null 2>&1 </dev/null & }"
          echo "{ while :; do dd if=/dev/zero of=/tmp/hog bs=1M count=64 2>/dev/null; rm -f /tmp/hog; done >/dev/null 2>&1 </dev/null & }"
          echo "sleep 2"
        fi
        echo "rm -f /tmp/rt /tmp/clock; for i in \$(seq $iterations); do now; a=\$t; now; echo \$((t-a)) >>/tmp/clock; done"
        echo "for i in \$(seq $iterations); do now; a=\$t; emit $options tiny.wasm >/dev/null || break; now; echo \$((t-a)) >>/tmp/rt; done"
        echo "echo \"realtime: $load clock \$(cat /tmp/clock | tr '\n' ' ')\""
        echo "echo \"realtime: $load rt \$(cat /tmp/rt | tr '\n' ' ')\""
        echo "echo \"realtime: $load periodic \$(emit $options periodic.wasm $wakeups $period_us)\""
      done
      echo "kill \$(jobs -p) 2>/dev/null; true"
    } >"$script"
    echo "== booting: $cores core(s), channel $mode" >&2
    nice -n 10 "$sel4img" qemu --board qemu-virt --app wasm-vm -w "$ws" --script "$script" --timeout 600 --command-timeout 1800 \
      >"$work/boot-$cores-$mode.log" 2>&1 || { tail -40 "$work/boot-$cores-$mode.log" >&2; exit 1; }
    grep -a "smp\|^realtime: " "$work/boot-$cores-$mode.log" | sed "s/^/$cores $mode /" >>"$results" || true
    grep -aq -- "-smp 2" "$work/boot-$cores-$mode.log" && [ "$cores" = 1 ] && { echo "1-core build booted with -smp 2" >&2; exit 1; }
  done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$results" "$load_start" "$load_end" <<'EOF'
import math, re, sys
rows = {}
for raw in open(sys.argv[1], encoding="utf-8", errors="replace"):
    parts = raw.replace("\r", "").split(None, 2)
    if len(parts) < 3 or not parts[2].startswith("realtime: "):
        continue
    cores, mode, rest = parts
    load, kind, values = (rest[len("realtime: "):].split(None, 2) + [""])[:3]
    entry = rows.setdefault((int(cores), mode, load), {})
    if kind == "periodic":
        fields = dict(re.findall(r"(\w+)=([0-9.]+)", values))
        if "jitter_ns" not in fields:
            continue
        entry["wake"] = {k: float(fields[k + "_ns"]) / 1e3 for k in ("p50", "p99", "max", "jitter")}
        entry["wake"]["overruns"] = float(fields.get("overruns", 0))
    else:
        samples = sorted(int(v) / 1e6 for v in values.split())
        if not samples:
            continue
        rank = lambda p: samples[max(0, math.ceil(p * len(samples) / 100) - 1)]
        mean = sum(samples) / len(samples)
        entry[kind] = {"p50": rank(50), "p99": rank(99), "max": samples[-1],
                       "jitter": math.sqrt(max(0.0, sum(s * s for s in samples) / len(samples) - mean * mean)), "n": len(samples)}

def cell(entry, kind, key, fmt):
    return fmt.format(entry[kind][key]) if kind in entry else "-"

print(f"wasm-vm on QEMU (emulated time); host load {sys.argv[2]} at start, {sys.argv[3]} at end")
print("round trip = emit tiny.wasm from the guest's shell (ms); clock = two reads of the guest's clock alone (ms, p50);")
print("wake-up latency = periodic.wasm on seL4, after its deadline (us); jitter = standard deviation")
head = ["cores", "channel", "guest", "rt p50", "rt p99", "rt max", "rt jitter", "clock", "wake p50", "wake p99", "wake max", "wake jitter", "overruns"]
print("  ".join(f"{h:>9}" for h in head))
for key in sorted(rows):
    e = rows[key]
    line = [str(key[0]), key[1], key[2]]
    line += [cell(e, "rt", k, "{:.2f}") for k in ("p50", "p99", "max", "jitter")] + [cell(e, "clock", "p50", "{:.2f}")]
    line += [cell(e, "wake", k, "{:.0f}") for k in ("p50", "p99", "max", "jitter", "overruns")]
    print("  ".join(f"{c:>9}" for c in line))

def ratio(a, b, kind, key):
    if a not in rows or b not in rows or kind not in rows[a] or kind not in rows[b] or rows[b][kind][key] == 0:
        return "-"
    return f"{rows[a][kind][key] / rows[b][kind][key]:.2f}"

print()
print("ratios (what the design controls)")
print("  ".join(f"{h:>9}" for h in ["", "", "", "rt p50", "rt p99", "rt max", "rt jitter", "wake p50", "wake p99", "wake max", "wake jitter"]))
modes = sorted({k[1] for k in rows})
cores = sorted({k[0] for k in rows})
for mode in modes:
    for c in cores:
        a, b = (c, mode, "loaded"), (c, mode, "idle")
        print("  ".join(f"{x:>9}" for x in [f"{c} core", mode, "load/idle"] + [ratio(a, b, "rt", k) for k in ("p50", "p99", "max", "jitter")]
                         + [ratio(a, b, "wake", k) for k in ("p50", "p99", "max", "jitter")]))
    if 1 in cores and 2 in cores:
        for load in ("idle", "loaded"):
            a, b = (2, mode, load), (1, mode, load)
            print("  ".join(f"{x:>9}" for x in ["2/1 core", mode, load] + [ratio(a, b, "rt", k) for k in ("p50", "p99", "max", "jitter")]
                             + [ratio(a, b, "wake", k) for k in ("p50", "p99", "max", "jitter")]))
if len(modes) > 1:
    for c in cores:
        for load in ("idle", "loaded"):
            a, b = (c, modes[1], load), (c, modes[0], load)
            print("  ".join(f"{x:>9}" for x in [f"{c} core", f"{modes[1]}/{modes[0]}", load] + [ratio(a, b, "rt", k) for k in ("p50", "p99", "max", "jitter")]
                             + [ratio(a, b, "wake", k) for k in ("p50", "p99", "max", "jitter")]))
EOF
