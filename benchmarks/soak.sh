#!/usr/bin/env bash
# Benchmark: stability and reply latency of wasm-vm's runner beside the Linux
# guest, in one boot of qemu-virt (QEMU's emulated time: compare the figures
# with each other, not with hardware).
#
#   1. Reply latency, polled vs interrupt: ROUNDS rounds, alternating, of
#      EMITS emits of a tiny module each with `emit --poll` (the buffer polled
#      in 50 us, then 1 ms steps) and with `emit` (asleep on the channel's
#      interrupt, /dev/uioN). Per round: milliseconds per emit (the guest's
#      /proc/uptime, 10 ms resolution, over the whole round).
#   2. Soak: `emit-soak COUNT JOBS` in the guest (runner/guest/emit-soak):
#      COUNT emits from JOBS concurrent shells, cycling normal, trapping,
#      fuel-exhausted, oversized, out-of-heap and malformed modules, each
#      result checked; the runner's heap in use after a warm-up emit and after
#      the soak must be equal, and the runner must still serve.
#
# usage: benchmarks/soak.sh [MIRROR] [COUNT] [JOBS]
#   MIRROR defaults to $SEL4IMG_TEST_MIRROR; COUNT 10000; JOBS 4.
#   Environment: ROUNDS (default 3), EMITS (default 100), SEL4IMG (the binary),
#   KEEP=DIR keeps the scratch files there; WS=DIR builds in (or reuses) that
#   workspace, so a second run rebuilds only the guest's files.
set -euo pipefail
mirror=$(realpath "${1:-${SEL4IMG_TEST_MIRROR:?usage: benchmarks/soak.sh MIRROR [COUNT] [JOBS] (or set SEL4IMG_TEST_MIRROR)}}")
count=${2:-10000}
jobs=${3:-4}
rounds=${ROUNDS:-3}
emits=${EMITS:-100}
here=$(cd "$(dirname "$0")/.." && pwd)
sel4img=${SEL4IMG:-$(cd "$here" && swift build --show-bin-path)/sel4img}
for tool in python3 wat2wasm; do
  command -v "$tool" >/dev/null || { echo "benchmarks/soak.sh needs $tool (scripts/setup.sh installs it)" >&2; exit 1; }
done

if [ -n "${KEEP:-}" ]; then
  scratch=$KEEP; mkdir -p "$scratch"
else
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/sel4img-soak-bench.XXXXXX")
  trap 'rm -rf "$scratch"' EXIT
fi
modules="$scratch/modules"
mkdir -p "$modules"
printf '#include <stdio.h>\nint main(void) { printf("tiny\\n"); return 0; }\n' >"$modules/tiny.c"
for name in tiny soak_ok soak_trap soak_spin; do
  source=$modules/$name.c
  [ "$name" = tiny ] || source=$here/benchmarks/soak/$name.c
  python3 -m ziglang cc -target wasm32-wasi -O2 -s -Wl,-z,stack-size=65536 "$source" -o "$modules/$name.wasm"
done
wat2wasm "$here/benchmarks/soak/soak_hungry.wat" -o "$modules/soak_hungry.wasm"
list=$(ls "$modules"/*.wasm | paste -sd, -)

ws=${WS:-$scratch/ws}
export SEL4IMG_MIRROR=$mirror
started=$(date +%s)
"$sel4img" build --board qemu-virt --app wasm-vm --wasm "$list" -w "$ws" --progress quiet >"$scratch/build.log" 2>&1 \
  || { tail -30 "$scratch/build.log"; exit 1; }
echo "build: $(( $(date +%s) - started )) s (load average $(cut -d' ' -f1-3 /proc/loadavg))"

# One line per round: "latency MODE: N emits in T s".
round='n=0; s=$(cut -d" " -f1 /proc/uptime); while [ $n -lt '"$emits"' ]; do emit MODE /wasm/tiny.wasm >/dev/null || break; n=$((n+1)); done; e=$(cut -d" " -f1 /proc/uptime); echo "latency LABEL: $n emits in $(awk "BEGIN { print $e - $s }") s"'
{
  for _ in $(seq "$rounds"); do
    echo "${round//MODE/--poll}" | sed 's/LABEL/polled/'
    echo "${round//MODE/}" | sed 's/LABEL/interrupt/'
  done
  echo 'awk "/uio_pci_generic/ { print \"interrupts taken: \" \$2 }" /proc/interrupts'
  echo "emit-soak $count $jobs"
  echo 'emit --heap /wasm/tiny.wasm'
} >"$scratch/script.txt"
load=$(cut -d' ' -f1-3 /proc/loadavg)
set +e
"$sel4img" qemu --board qemu-virt --app wasm-vm -w "$ws" --timeout 300 --command-timeout $((count / 5 + 600)) \
  --script "$scratch/script.txt" >"$scratch/console.txt" 2>"$scratch/qemu.err"
status=$?
set -e
tr -d '\r' <"$scratch/console.txt" | grep -E '^(latency |interrupts taken|emit-soak: |emit: runner heap|sel4img-guest: channel|wasm-runner: serving)' || true
python3 - "$scratch/console.txt" "$emits" <<'PY'
import re, sys, statistics
text = open(sys.argv[1], encoding="utf-8", errors="replace").read().replace("\r", "")
emits = int(sys.argv[2])
rows = {}
for mode, n, secs in re.findall(r"^latency (\w+): (\d+) emits in ([0-9.]+) s$", text, re.M):
    rows.setdefault(mode, []).append(float(secs) * 1000 / int(n))
if "polled" in rows and "interrupt" in rows:
    p, i = statistics.median(rows["polled"]), statistics.median(rows["interrupt"])
    print(f"ms per emit (median of {len(rows['polled'])} rounds of {emits}, emulated): polled {p:.2f}, interrupt {i:.2f}, interrupt/polled {i / p:.3f}")
    print("rounds: polled " + ", ".join(f"{x:.2f}" for x in rows["polled"]) + "; interrupt " + ", ".join(f"{x:.2f}" for x in rows["interrupt"]))
PY
echo "qemu: exit $status (load average $load at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end)"
[ "$status" = 0 ] || { tail -5 "$scratch/qemu.err"; exit 1; }
