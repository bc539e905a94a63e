#!/usr/bin/env bash
# Benchmark: the shared compiler cache (`sel4img build --cache`). One app for one
# board is built in five fresh workspaces synced from the mirror, side by side in
# one run: no cache, a cold and a warm cache directory, a cold and a warm Redis
# (a private redis-server on a free loopback port, started here and stopped at
# exit). Each time is the `sel4img build` step alone (the workspace is synced
# before the clock starts); CPU is user+system of the build and all it ran.
# Every build's SHA256SUMS must equal the uncached build's.
# With Redis, seL4's memoize store (musllibc's whole build) is per machine
# (SEL4IMG_MEMOIZE_CACHE, here one in the scratch directory): "warm Redis" is
# a machine that built before, "warm Redis, new machine" one with an empty
# memoize store that gets only ccache's results from Redis.
#
# usage: benchmarks/cache.sh [MIRROR] [BOARD] [APP]
#   MIRROR defaults to $SEL4IMG_TEST_MIRROR; BOARD qemu-virt; APP sel4test.
#   Target: a warm build (directory or Redis) takes at most 1/3 of the uncached time.
set -euo pipefail
mirror=$(realpath "${1:-${SEL4IMG_TEST_MIRROR:?usage: benchmarks/cache.sh MIRROR [BOARD] [APP] (or set SEL4IMG_TEST_MIRROR)}}")
board=${2:-qemu-virt}
app=${3:-sel4test}
here=$(cd "$(dirname "$0")/.." && pwd)
sel4img=${SEL4IMG:-$(cd "$here" && swift build -c release --show-bin-path)/sel4img}
for tool in ccache redis-server python3; do
  command -v "$tool" >/dev/null || { echo "benchmarks/cache.sh needs $tool (scripts/setup.sh installs it)" >&2; exit 1; }
done
manifest=$(python3 -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["manifest"])' "$here/apps/$app.yaml" 2>/dev/null || echo "$app.xml")

scratch=$(mktemp -d "${TMPDIR:-/tmp}/sel4img-cache-bench.XXXXXX")
redis_pid=
cleanup() {
  if [ -n "$redis_pid" ]; then kill "$redis_pid" 2>/dev/null || true; wait "$redis_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$scratch/redis"
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$scratch/redis" >"$scratch/redis/log" 2>&1 &
redis_pid=$!
for _ in $(seq 50); do
  python3 - "$port" <<'EOF' && break || sleep 0.1
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1); s.sendall(b"PING\r\n")
sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
EOF
done

# name, cache option, memoize store for Redis
runs=("no cache|--no-cache|-" "cold directory|--cache=$scratch/cache|-" "warm directory|--cache=$scratch/cache|-"
      "cold Redis|--cache=redis://127.0.0.1:$port|$scratch/memoize"
      "warm Redis|--cache=redis://127.0.0.1:$port|$scratch/memoize"
      "warm Redis, new machine|--cache=redis://127.0.0.1:$port|$scratch/memoize-new")
declare -a names secs cpus rates sums
load=$(cut -d' ' -f1-3 /proc/loadavg)
i=0
for run in "${runs[@]}"; do
  name=${run%%|*} rest=${run#*|}
  option=${rest%%|*} memoize=${rest#*|}
  ws="$scratch/ws$i"
  "$sel4img" init --manifest "$here/manifests/$manifest" -w "$ws" --progress quiet >/dev/null
  "$sel4img" sync -w "$ws" --mirror "$mirror" --progress quiet >/dev/null
  SEL4IMG_MEMOIZE_CACHE=$([ "$memoize" = - ] || echo "$memoize") /usr/bin/time -f '%e %U %S' -o "$scratch/time$i" \
    "$sel4img" build --board "$board" --app "$app" -w "$ws" --mirror "$mirror" "$option" --json --progress quiet >"$scratch/result$i.json"
  read -r wall user sys <"$scratch/time$i"
  names[i]=$name secs[i]=$wall cpus[i]=$(echo "$user + $sys" | bc)
  rates[i]=$(python3 - "$scratch/result$i.json" <<'EOF'
import json, sys
use = json.load(open(sys.argv[1])).get("compilerCache")
if not use: print("-")
else:
    total, hits = use["compilations"], use["hits"]
    remote = f", {use['remoteHits']} from Redis" if use["cache"].startswith("redis://") else ""
    memoized = "".join(f", {name} memoized" for name in use.get("memoized", []))
    print(f"{hits}/{total} ({100 * hits / total if total else 0:.1f}%){remote}{memoized}")
EOF
)
  sums[i]=$(sha256sum <"$ws/artifacts/$board-$app/SHA256SUMS" | cut -d' ' -f1)
  rm -rf "$ws"
  i=$((i + 1))
done

status=0
printf '%s %s from %s, fresh workspaces; %s cores, load average at the start %s, at the end %s\n' \
  "$board" "$app" "$mirror" "$(nproc)" "$load" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-24s %9s %7s %9s %7s  %-46s %s\n' "build" "seconds" "ratio" "CPU s" "ratio" "hits" "SHA256SUMS"
for j in "${!names[@]}"; do
  # Every build, cached or not, must give the uncached build's SHA256SUMS.
  if [ "${sums[j]}" = "${sums[0]}" ]; then same="same as uncached"
  else same="DIFFERENT from uncached"; status=1; fi
  printf '%-24s %9.1f %7.2f %9.1f %7.2f  %-46s %s\n' "${names[j]}" "${secs[j]}" "$(echo "${secs[j]} / ${secs[0]}" | bc -l)" \
    "${cpus[j]}" "$(echo "${cpus[j]} / ${cpus[0]}" | bc -l)" "${rates[j]}" "$same"
done
for j in 2 4 5; do
  ok=$(echo "${secs[j]} * 3 <= ${secs[0]}" | bc)
  printf '%s: %.2f of the uncached time (target <= 0.33): %s\n' "${names[j]}" "$(echo "${secs[j]} / ${secs[0]}" | bc -l)" \
    "$([ "$ok" = 1 ] && echo met || echo MISSED)"
done
exit $status
