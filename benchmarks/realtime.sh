#!/usr/bin/env bash
# Benchmark: response time and jitter of the Wasm runner beside the Linux
# guest (app wasm-vm), in QEMU, for each core layout (`build --cores 1|2`),
# each channel mode, with the guest idle and loaded. One command: it builds
# a workspace per core count from the mirror, boots each once with
# `sel4img qemu --script` (the channel modes take turns within the boot,
# idle and then loaded, so they meet the same host) and prints one table.
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
# (c) Channel: `emit --repeat ITERATIONS --timing empty.wasm`, one emit
#     process sending an empty module (no imports, an empty _start) over and
#     over: per request, the wait from the emit register's write to the reply
#     less the runner's own decode and run time (run_ns in the reply), with
#     the guest's monotonic clock. This is what the channel itself costs
#     (notification, VMM, interrupt or polling, emit's wake-up), without
#     emit's process start and the module's decode that are part of (a).
# p50/p99/max are nearest-rank percentiles; jitter is the standard deviation
# (of the round trips and channel waits; of the intervals between wake-ups).
# Loaded: two shell busy loops and a memory hog (64 MiB written to the
# guest's RAM-backed /tmp and removed, over and over; the guest has no disk)
# run in the guest during the measurement.
#
# QEMU's time is emulated time, not a board's: what the design controls,
# and what to read, are the ratios between configurations (printed below
# the table); the absolute figures are emulated ones.
#
# Channel modes: CHANNEL_MODES lists them (default "polled interrupt");
# EMIT_OPTIONS_<mode> gives emit's options for a mode (defaults: polled
# --poll, interrupt none: emit sleeps on the channel's interrupt). The table
# shows the mode asked for; the channel rows check the mode emit reports
# (--timing) and mark a row whose emit used another with '!'.
#
# usage: benchmarks/realtime.sh [WORKDIR]
#   SEL4IMG_MIRROR (or SEL4IMG_TEST_MIRROR)  the offline mirror to build from (required)
#   CORES="1 2"          core counts to build and compare (wasm-vm: 1 and/or 2)
#   ITERATIONS=100       round trips per configuration
#   WAKEUPS=300          periodic wake-ups per configuration
#   PERIOD_US=10000      their period (emulated microseconds; under QEMU one
#                        wake-up's own work takes ~1-2 ms, so shorter periods overrun)
#   CHANNEL_MODES="polled interrupt" and EMIT_OPTIONS_<mode> (see above)
#   SEL4IMG=path         use this sel4img instead of building one (release)
# WORKDIR keeps the workspaces (ws1, ws2): a second run rebuilds nothing.
set -euo pipefail
bench=realtime.sh default_work=/tmp/sel4img-realtime
source "$(dirname "$0")/wasm-vm-setup.sh"
iterations=${ITERATIONS:-100}
wakeups=${WAKEUPS:-300}
period_us=${PERIOD_US:-10000}
modes=${CHANNEL_MODES:-polled interrupt}
EMIT_OPTIONS_polled=${EMIT_OPTIONS_polled---poll}
for value in "$iterations" "$wakeups" "$period_us"; do
  [[ $value =~ ^[1-9][0-9]*$ ]] || { echo "benchmarks/realtime.sh: ITERATIONS, WAKEUPS and PERIOD_US are positive integers; got '$value'" >&2; exit 2; }
done
for mode in $modes; do
  [[ $mode =~ ^[a-z][a-z0-9_]*$ ]] || { echo "benchmarks/realtime.sh: CHANNEL_MODES lists names of lowercase letters, digits and _ (each has EMIT_OPTIONS_<mode>); got '$mode'" >&2; exit 2; }
done
sel4img=$(wasm_vm_sel4img)

# The two modules, C compiled to WASI commands with a 64 KiB stack.
mkdir -p "$work/modules"
for name in tiny periodic; do
  python3 -m ziglang cc -target wasm32-wasi -O2 -s -Wl,-z,stack-size=65536 "$here/benchmarks/realtime/$name.c" \
    -o "$work/modules/$name.wasm" -lm
done
# The empty module for (c): one type, one function (an empty _start), its export.
python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex("0061736d01000000" "010401600000" "03020100" "070a01065f73746172740000" "0a040102000b"))' \
  >"$work/modules/empty.wasm"

results=$work/results.txt
: >"$results"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for cores in $cores_list; do
  ws=$work/ws$cores
  echo "== building wasm-vm for $cores core(s) in $ws" >&2
  SEL4IMG_MIRROR=$mirror nice -n 10 "$sel4img" build --board qemu-virt --app wasm-vm --cores "$cores" \
    --wasm "$work/modules/tiny.wasm,$work/modules/periodic.wasm,$work/modules/empty.wasm" -w "$ws" --progress plain >"$work/build-$cores.log" 2>&1 ||
    { tail -30 "$work/build-$cores.log" >&2; exit 1; }
  # One boot per core count; each channel mode in turn within it, idle and then loaded, so the modes meet the same host.
  script=$work/script-$cores.txt
  {
    echo "cd /wasm"
    # The guest's monotonic clock in nanoseconds, from the shell.
    echo "now() { { read -r t; read -r t; read -r _w _w t _w; } </proc/timer_list; }"
    echo "now; case \$t in ''|*[!0-9]*) false;; esac"
    echo "emit tiny.wasm"
    for load in idle loaded; do
      if [ "$load" = loaded ]; then
        echo "{ while :; do :; done >/dev/null 2>&1 </dev/null & }"
        echo "{ while :; do :; done >/dev/null 2>&1 </dev/null & }"
        echo "{ while :; do dd if=/dev/zero of=/tmp/hog bs=1M count=64 2>/dev/null; rm -f /tmp/hog; done >/dev/null 2>&1 </dev/null & }"
        echo "sleep 2"
      fi
      for mode in $modes; do
        options_var=EMIT_OPTIONS_$mode
        options=${!options_var:-}
        tag="realtime: $mode $load"
        echo "rm -f /tmp/rt /tmp/clock; for i in \$(seq $iterations); do now; a=\$t; now; echo \$((t-a)) >>/tmp/clock; done"
        echo "for i in \$(seq $iterations); do now; a=\$t; emit $options tiny.wasm >/dev/null || break; now; echo \$((t-a)) >>/tmp/rt; done"
        echo "echo \"$tag clock \$(cat /tmp/clock | tr '\n' ' ')\""
        echo "echo \"$tag rt \$(cat /tmp/rt | tr '\n' ' ')\""
        echo "emit $options --repeat $iterations --timing empty.wasm 2>/tmp/timing"
        echo "echo \"$tag channel \$(sed -n 's/.* channel \(-*[0-9]*\) ns.*/\1/p' /tmp/timing | tr '\n' ' ')\""
        echo "echo \"$tag runner \$(sed -n 's/.* runner \([0-9]*\) ns.*/\1/p' /tmp/timing | tr '\n' ' ')\""
        echo "echo \"$tag used \$(sed -n 's/.* ns (\([a-z]*\))\$/\1/p' /tmp/timing | sort -u | tr '\n' ' ')\""
        echo "echo \"$tag periodic \$(emit $options periodic.wasm $wakeups $period_us)\""
      done
    done
    echo "kill \$(jobs -p) 2>/dev/null; true"
  } >"$script"
  echo "== booting: $cores core(s), channel modes: $modes" >&2
  nice -n 10 "$sel4img" qemu --board qemu-virt --app wasm-vm -w "$ws" --script "$script" --timeout 600 --command-timeout 1800 \
    >"$work/boot-$cores.log" 2>&1 || { tail -40 "$work/boot-$cores.log" >&2; exit 1; }
  grep -a "smp\|^realtime: " "$work/boot-$cores.log" | sed "s/^/$cores /" >>"$results" || true
  grep -aq -- "-smp 2" "$work/boot-$cores.log" && [ "$cores" = 1 ] && { echo "1-core build booted with -smp 2" >&2; exit 1; }
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$results" "$load_start" "$load_end" <<'EOF'
import math, re, sys
rows = {}
# Samples are nanoseconds: round trips and the clock shown in ms, the channel and the runner in us.
scale = {"rt": 1e6, "clock": 1e6, "channel": 1e3, "runner": 1e3}
for raw in open(sys.argv[1], encoding="utf-8", errors="replace"):
    parts = raw.replace("\r", "").split(None, 1)
    if len(parts) < 2 or not parts[1].startswith("realtime: "):
        continue
    cores, rest = parts
    mode, load, kind, values = (rest[len("realtime: "):].split(None, 3) + [""])[:4]
    entry = rows.setdefault((int(cores), mode, load), {})
    if kind == "periodic":
        fields = dict(re.findall(r"(\w+)=([0-9.]+)", values))
        if "jitter_ns" not in fields:
            continue
        entry["wake"] = {k: float(fields[k + "_ns"]) / 1e3 for k in ("p50", "p99", "max", "jitter")}
        entry["wake"]["overruns"] = float(fields.get("overruns", 0))
    elif kind == "used":
        entry["used"] = values.split()
    elif kind in scale:
        samples = sorted(int(v) / scale[kind] for v in values.split() if re.fullmatch(r"-?[0-9]+", v))
        if not samples:
            continue
        rank = lambda p: samples[max(0, math.ceil(p * len(samples) / 100) - 1)]
        mean = sum(samples) / len(samples)
        entry[kind] = {"p50": rank(50), "p99": rank(99), "max": samples[-1],
                       "jitter": math.sqrt(max(0.0, sum(s * s for s in samples) / len(samples) - mean * mean)), "n": len(samples)}

def cell(entry, kind, key, fmt):
    return fmt.format(entry[kind][key]) if kind in entry else "-"

print(f"wasm-vm on QEMU (emulated time); host load {sys.argv[2]} at start, {sys.argv[3]} at end")
print("rt = round trip of `emit tiny.wasm` from the guest's shell (ms); clock = two reads of the guest's clock alone (ms, p50);")
print("ch = the channel alone: emit --repeat --timing empty.wasm, reply wait less the runner's run time (us); runner = that run time (us, p50);")
print("wake = periodic.wasm's wake-up latency on seL4 after its deadline (us); jitter = standard deviation; '!' = emit used another channel mode")
head = ["cores", "channel", "guest", "rt p50", "rt p99", "rt max", "rt jitter", "clock", "ch p50", "ch p99", "ch max", "ch jitter", "runner",
        "wake p50", "wake p99", "wake max", "wake jitter", "overruns"]
print("  ".join(f"{h:>9}" for h in head))
for key in sorted(rows):
    e = rows[key]
    used = e.get("used", [])
    line = [str(key[0]), key[1] + ("" if not used or used == [key[1]] else "!"), key[2]]
    line += [cell(e, "rt", k, "{:.2f}") for k in ("p50", "p99", "max", "jitter")] + [cell(e, "clock", "p50", "{:.2f}")]
    line += [cell(e, "channel", k, "{:.0f}") for k in ("p50", "p99", "max", "jitter")] + [cell(e, "runner", "p50", "{:.0f}")]
    line += [cell(e, "wake", k, "{:.0f}") for k in ("p50", "p99", "max", "jitter", "overruns")]
    print("  ".join(f"{c:>9}" for c in line))

columns = [("rt", k) for k in ("p50", "p99", "max", "jitter")] + [("channel", k) for k in ("p50", "p99", "max", "jitter")] \
    + [("wake", k) for k in ("p50", "p99", "max", "jitter")]

def ratio(a, b, kind, key):
    if a not in rows or b not in rows or kind not in rows[a] or kind not in rows[b] or rows[b][kind][key] <= 0:
        return "-"
    return f"{rows[a][kind][key] / rows[b][kind][key]:.2f}"

def ratio_line(label, a, b):
    print("  ".join(f"{x:>9}" for x in label + [ratio(a, b, kind, key) for kind, key in columns]))

print()
print("ratios (what the design controls; ch = the channel alone)")
print("  ".join(f"{h:>9}" for h in ["", "", ""] + [("ch" if kind == "channel" else kind) + " " + key for kind, key in columns]))
modes = sorted({k[1] for k in rows}, key=lambda m: (m != "polled", m))
cores = sorted({k[0] for k in rows})
for mode in modes:
    for c in cores:
        ratio_line([f"{c} core", mode, "load/idle"], (c, mode, "loaded"), (c, mode, "idle"))
    if 1 in cores and 2 in cores:
        for load in ("idle", "loaded"):
            ratio_line(["2/1 core", mode, load], (2, mode, load), (1, mode, load))
if len(modes) > 1:
    for c in cores:
        for load in ("idle", "loaded"):
            ratio_line([f"{c} core", f"{modes[1][:3]}/{modes[0][:3]}", load], (c, modes[1], load), (c, modes[0], load))
EOF
