#!/usr/bin/env bash
# Benchmark: `sel4img build --board qemu-virt --app sel4test` against seL4's own
# `init-build.sh` + `ninja` on the same synced workspace, alternating, each from
# an empty build directory and an empty seL4 cache; then the no-op rebuild.
#
# usage: benchmarks/build.sh WORKSPACE [RUNS]   (a workspace synced from manifests/sel4test.xml)
set -euo pipefail
ws=$(realpath "${1:?usage: benchmarks/build.sh WORKSPACE [RUNS]}")
runs=${2:-2}
here=$(cd "$(dirname "$0")/.." && pwd)
sel4img=${SEL4IMG:-$(cd "$here" && swift build -c release --show-bin-path)/sel4img}

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

manual=() tool=() noop=()
for i in $(seq "$runs"); do
  rm -rf "$ws/bench-manual" "$ws/.sel4_cache" "$ws/build/qemu-virt-sel4test" "$ws/.sel4img/cmake-cache"
  mkdir -p "$ws/bench-manual"
  t0=$(now)
  (cd "$ws/bench-manual" && ../init-build.sh -DPLATFORM=qemu-arm-virt -DAARCH64=1 -DSIMULATION=TRUE -DQEMU_MEMORY=2048 \
     -DCROSS_COMPILER_PREFIX=aarch64-linux-gnu- -DRELEASE=FALSE -DVERIFICATION=FALSE >/dev/null && ninja >/dev/null)
  t1=$(now)
  manual+=("$(echo "$t1 - $t0" | bc)")
  rm -rf "$ws/.sel4_cache"
  t0=$(now)
  "$sel4img" build --board qemu-virt --app sel4test -w "$ws" --no-sync --progress quiet >/dev/null
  t1=$(now)
  tool+=("$(echo "$t1 - $t0" | bc)")
  for j in 1 2 3; do
    t0=$(now); "$sel4img" build --board qemu-virt --app sel4test -w "$ws" --progress quiet >/dev/null; t1=$(now)
    noop+=("$(echo "$t1 - $t0" | bc)")
  done
done
rm -rf "$ws/bench-manual"
m=$(printf '%s\n' "${manual[@]}" | median)
t=$(printf '%s\n' "${tool[@]}" | median)
n=$(printf '%s\n' "${noop[@]}" | median)
printf '%-48s %10s\n' "qemu-virt sel4test, clean build (median of $runs)" "seconds"
printf '%-48s %10.1f\n' "init-build.sh + ninja by hand" "$m"
printf '%-48s %10.1f   overhead %+.1f %% (target <= 3 %%)\n' "sel4img build" "$t" "$(echo "($t / $m - 1) * 100" | bc -l)"
printf '%-48s %10.3f   (target < 1 s)\n' "sel4img build, nothing changed (median of $((runs * 3)))" "$n"
