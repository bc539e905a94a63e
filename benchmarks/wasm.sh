#!/usr/bin/env bash
# Benchmark: sel4img's Wasm runner (`sel4img wasm run`, host build) against
# the full WasmKit 0.4.2 interpreter (`wasmkit-cli run`) and wasmtime (a JIT,
# through its Python package) on the same CPU-bound WASI modules.
#
# Modules are C compiled here with zig (`python3 -m ziglang cc -target
# wasm32-wasi -O2`): n-body (floating point), a sieve (byte loads/stores),
# a hash loop (64-bit integer arithmetic), and CoreMark when
# SEL4IMG_COREMARK names a local copy of github.com/eembc/coremark (never
# committed), and zlib deflating and inflating a generated buffer
# (benchmarks/wasm/zlib-bench.c) when SEL4IMG_ZLIB names a local copy of
# github.com/madler/zlib (never committed). Every runtime must print the same output and exit status as the
# others (checked); each figure is the median of RUNS runs (default 3). The
# ratios are runner/WasmKit (target: <= 1.00) and runner/wasmtime.
# Peak RSS (from /usr/bin/time) is printed for the runner and WasmKit.
# Two more columns: the same C compiled natively (gcc -O2, NATIVE_CC to change
# it) and the ahead-of-time tier (`sel4img wasm run --aot`, wasm2c + cc -O2,
# its cache in WORKDIR; the first, compiling run is timed apart as "aot build"),
# with aot/native (target: <= 1.5).
#
# The sel4img measured is the binary users get: built as scripts/install.sh and
# scripts/package-deb.sh build it (release, --static-swift-stdlib, scratch path
# .build/release-static), or the one SEL4IMG names. Its start-up (loading its
# shared libraries) is part of every runner and aot figure, as it is for users.
#
# Usage: benchmarks/wasm.sh [WORKDIR]
#   SEL4IMG=path/to/sel4img     use this binary instead of building one (as scripts/install.sh does)
#   WASMKIT=path/to/wasmkit-cli use this binary instead of building
#                               benchmarks/wasm/reference (WasmKit 0.4.2, release)
#   RUNS=N                      runs per runtime and module
#   SEL4IMG_COREMARK=DIR        add CoreMark (ITERATIONS from COREMARK_ITERATIONS, default 2000)
#   SEL4IMG_ZLIB=DIR            add zlib (zlib-bench.c over DIR's library sources; ZLIB_ARGS,
#                               default "1048576 10": buffer bytes and rounds)
#   NATIVE_CC=cc                the native column's compiler (default gcc, always -O2)
#   BASELINE=path/to/sel4img    compare the runner with this (older) runner binary instead of
#                               with WasmKit and wasmtime: the two run alternately (ABAB...,
#                               RUNS times each) and each module gets new/old = median ratio,
#                               with the lowest and highest ratio of the interleaved pairs, of
#                               elapsed and of CPU (user + system) time: on a loaded machine the
#                               CPU time is the steadier figure
#   WASM_RUN_OPTIONS="--fuel N"  sel4img wasm run options for the runner and the baseline (e.g. to
#                               compare the metered interpreter loops: --fuel, --time-limit)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/sel4img-wasm-bench.XXXXXX)}
runs=${RUNS:-3}
mkdir -p "$work"

if [[ -z "${SEL4IMG:-}" ]]; then
    # The same build as scripts/install.sh's: the static Foundation's URLSession links -lcurl,
    # whose unversioned link Debian has only in libcurl4-*-dev, so one is made in the scratch path.
    echo "building sel4img (release, static Swift stdlib, as scripts/install.sh does)..." >&2
    scratch="$here/.build/release-static"
    curl=$(/sbin/ldconfig -p | awk '$1 == "libcurl.so.4" && /x86-64|aarch64/ { print $NF; exit }')
    if [[ -z "$curl" ]]; then
        echo "error: libcurl.so.4 is not installed; the static Swift Foundation needs it (sudo apt-get install libcurl4)" >&2
        exit 1
    fi
    mkdir -p "$scratch/link"
    ln -sfn "$curl" "$scratch/link/libcurl.so"
    (cd "$here" && swift build --scratch-path "$scratch" -c release --static-swift-stdlib \
        -Xlinker -L"$scratch/link" --product sel4img >&2)
    SEL4IMG="$scratch/release/sel4img"
fi
if [[ -z "${WASMKIT:-}" && -z "${BASELINE:-}" ]]; then
    echo "building the WasmKit 0.4.2 reference (release)..." >&2
    (cd "$here/benchmarks/wasm/reference" && swift build -c release --product wasmkit-cli >&2)
    WASMKIT="$(cd "$here/benchmarks/wasm/reference" && swift build -c release --show-bin-path)/wasmkit-cli"
fi
wasmtime_run="$here/scripts/wasmtime-run.py"

# name, source(s), arguments
modules=(
    "nbody|nbody.c|2000000"
    "sieve|sieve.c|8000000 10"
    "hash|hash.c|1048576 100"
)
echo "compiling modules with zig..." >&2
for entry in "${modules[@]}"; do
    IFS='|' read -r name src _ <<<"$entry"
    python3 -m ziglang cc -target wasm32-wasi -O2 "$here/benchmarks/wasm/$src" -o "$work/$name.wasm"
done
native_cc=${NATIVE_CC:-gcc}
echo "compiling the same C natively with $native_cc -O2..." >&2
for entry in "${modules[@]}"; do
    IFS='|' read -r name src _ <<<"$entry"
    "$native_cc" -O2 "$here/benchmarks/wasm/$src" -o "$work/native.$name" -lm
done
if [[ -n "${SEL4IMG_COREMARK:-}" ]]; then
    cm=$SEL4IMG_COREMARK
    "$native_cc" -O2 -I"$cm" -I"$cm/posix" -DPERFORMANCE_RUN=1 \
        -DITERATIONS="${COREMARK_ITERATIONS:-2000}" -DFLAGS_STR='"-O2 zig wasm32-wasi"' -DSEED_METHOD=SEED_ARG \
        -DMEM_METHOD=MEM_MALLOC -DUSE_CLOCK=1 -DHAS_TIME_H=1 -Wno-deprecated-declarations \
        "$cm"/core_list_join.c "$cm"/core_main.c "$cm"/core_matrix.c "$cm"/core_state.c \
        "$cm"/core_util.c "$cm"/posix/core_portme.c -o "$work/native.coremark" -lm
fi
export SEL4IMG_AOT_CACHE="$work/aot-cache"
if [[ -n "${SEL4IMG_ZLIB:-}" ]]; then
    zlib_sources=()
    for file in adler32 compress crc32 deflate inffast inflate inftrees trees uncompr zutil; do
        zlib_sources+=("$SEL4IMG_ZLIB/$file.c")
    done
    if [[ ! -f "$SEL4IMG_ZLIB/zlib.h" ]]; then
        echo "error: SEL4IMG_ZLIB=$SEL4IMG_ZLIB has no zlib.h: give a copy of github.com/madler/zlib" >&2
        exit 1
    fi
    "$native_cc" -O2 -I"$SEL4IMG_ZLIB" "${zlib_sources[@]}" "$here/benchmarks/wasm/zlib-bench.c" -o "$work/native.zlib"
    python3 -m ziglang cc -target wasm32-wasi -O2 -I"$SEL4IMG_ZLIB" "${zlib_sources[@]}" \
        "$here/benchmarks/wasm/zlib-bench.c" -o "$work/zlib.wasm"
    modules+=("zlib|-|${ZLIB_ARGS:-1048576 10}")
else
    echo "skipping zlib: set SEL4IMG_ZLIB to a local copy of github.com/madler/zlib to add it" >&2
fi
if [[ -n "${SEL4IMG_COREMARK:-}" ]]; then
    cm=$SEL4IMG_COREMARK
    iterations=${COREMARK_ITERATIONS:-2000}
    python3 -m ziglang cc -target wasm32-wasi -O2 -I"$cm" -I"$cm/posix" -DPERFORMANCE_RUN=1 \
        -DITERATIONS="$iterations" -DFLAGS_STR='"-O2 zig wasm32-wasi"' -DSEED_METHOD=SEED_ARG \
        -DMEM_METHOD=MEM_MALLOC -DUSE_CLOCK=1 -DHAS_TIME_H=1 -Wno-deprecated-declarations \
        "$cm"/core_list_join.c "$cm"/core_main.c "$cm"/core_matrix.c "$cm"/core_state.c \
        "$cm"/core_util.c "$cm"/posix/core_portme.c -o "$work/coremark.wasm"
    modules+=("coremark|-|0x0 0x0 0x66 $iterations")
fi

# run RUNTIME MODULE ARGS...: prints "seconds maxrss_kib cpu_seconds", output to $work/out.RUNTIME.MODULE
run() {
    local runtime=$1 name=$2; shift 2
    local cmd
    case $runtime in
        # shellcheck disable=SC2206 # options are words on purpose
        runner) cmd=("$SEL4IMG" wasm run ${WASM_RUN_OPTIONS:-} "$work/$name.wasm" "$@") ;;
        aot) cmd=("$SEL4IMG" wasm run --aot "$work/$name.wasm" "$@") ;;
        native) cmd=("$work/native.$name" "$@") ;;
        # shellcheck disable=SC2206
        baseline) cmd=("$BASELINE" wasm run ${WASM_RUN_OPTIONS:-} "$work/$name.wasm" "$@") ;;
        wasmkit) cmd=("$WASMKIT" run "$work/$name.wasm" "$@") ;;
        wasmtime) cmd=(python3 "$wasmtime_run" "$work/$name.wasm" "$@") ;;
    esac
    local status=0
    # CPU time from bash's own `time` (getrusage of the children, to the millisecond: /usr/bin/time
    # rounds to 10 ms, as much as CoreMark's whole run natively); elapsed and peak RSS from /usr/bin/time.
    local TIMEFORMAT='%3U %3S'
    { time /usr/bin/time -f "%e %M" -o "$work/time" "${cmd[@]}" >"$work/out.$runtime.$name" 2>"$work/err.$runtime.$name" || status=$?; } 2>"$work/cputime"
    # CoreMark prints its own timing lines; drop them before comparing.
    grep -v -E "^(Total ticks|Total time|Iterations/Sec|CoreMark 1.0|Compiler version|Compiler flags|Memory location|\(e.g.|Errors detected|Correct operation|ERROR! Must execute)" \
        "$work/out.$runtime.$name" >"$work/cmp.$runtime.$name" || true
    echo "exit $status" >>"$work/cmp.$runtime.$name"
    printf "%s %s\n" "$(tail -1 "$work/time")" "$(tail -1 "$work/cputime")" | awk '{ printf "%s %s %.3f\n", $1, $2, $3 + $4 }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

if [[ -n "${BASELINE:-}" ]]; then
    printf "%-9s %9s %9s %8s %13s   %9s %9s %8s %13s\n" module "old" "new" "new/old" "pairs" "old cpu" "new cpu" "new/old" "pairs"
    for entry in "${modules[@]}"; do
        IFS='|' read -r name _ args <<<"$entry"
        for f in old new pairs oldcpu newcpu cpupairs; do : >"$work/samples.$f"; done
        for _ in $(seq "$runs"); do
            # shellcheck disable=SC2086 # args are words on purpose
            read -r old _ oldcpu < <(run baseline "$name" $args)
            # shellcheck disable=SC2086
            read -r new _ newcpu < <(run runner "$name" $args)
            echo "$old" >>"$work/samples.old"
            echo "$new" >>"$work/samples.new"
            echo "$new / $old" | bc -l >>"$work/samples.pairs"
            echo "$oldcpu" >>"$work/samples.oldcpu"
            echo "$newcpu" >>"$work/samples.newcpu"
            echo "$newcpu / $oldcpu" | bc -l >>"$work/samples.cpupairs"
        done
        if ! cmp -s "$work/cmp.runner.$name" "$work/cmp.baseline.$name"; then
            echo "error: $name: the runner's output differs from the baseline's:" >&2
            diff "$work/cmp.runner.$name" "$work/cmp.baseline.$name" >&2 || true
            exit 1
        fi
        row=()
        for kind in "" cpu; do
            old=$(median <"$work/samples.old$kind")
            new=$(median <"$work/samples.new$kind")
            row+=("$old" "$new" "$(echo "$new / $old" | bc -l)" \
                  "$(sort -n "$work/samples.${kind}pairs" | head -1)" "$(sort -n "$work/samples.${kind}pairs" | tail -1)")
        done
        printf "%-9s %8ss %8ss %8.3f %6.3f-%.3f   %8ss %8ss %8.3f %6.3f-%.3f\n" "$name" "${row[@]}"
    done
    echo "(median of $runs interleaved runs each; both printed the same output and exit status)"
    exit 0
fi

printf "%-9s %8s %8s %8s %8s %8s %10s %10s %10s %10s %10s %12s %12s\n" module native aot runner wasmkit wasmtime "aot/native" "(cpu)" "r/wasmkit" "r/wasmtime" "aot build" "runner RSS" "wasmkit RSS"
for entry in "${modules[@]}"; do
    IFS='|' read -r name _ args <<<"$entry"
    declare -A secs=() rss=() cpu=()
    # The first --aot run translates and compiles into the cache: timed on its own.
    # shellcheck disable=SC2086 # args are words on purpose
    read -r build _ _ < <(run aot "$name" $args)
    if grep -q "^note:" "$work/err.aot.$name"; then
        echo "error: $name: the AOT tier fell back to the interpreter:" >&2
        cat "$work/err.aot.$name" >&2
        exit 1
    fi
    for runtime in native aot runner wasmkit wasmtime; do
        : >"$work/samples"
        for _ in $(seq "$runs"); do
            # shellcheck disable=SC2086 # args are words on purpose
            run "$runtime" "$name" $args >>"$work/samples"
        done
        secs[$runtime]=$(cut -d' ' -f1 "$work/samples" | median)
        rss[$runtime]=$(cut -d' ' -f2 "$work/samples" | median)
        cpu[$runtime]=$(cut -d' ' -f3 "$work/samples" | median)
    done
    for runtime in native aot wasmkit wasmtime; do
        if ! cmp -s "$work/cmp.runner.$name" "$work/cmp.$runtime.$name"; then
            echo "error: $name: the runner's output differs from $runtime's:" >&2
            diff "$work/cmp.runner.$name" "$work/cmp.$runtime.$name" >&2 || true
            exit 1
        fi
    done
    printf "%-9s %7ss %7ss %7ss %7ss %7ss %10.2f %10.2f %10.2f %10.2f %9ss %8s KiB %8s KiB\n" "$name" \
        "${secs[native]}" "${secs[aot]}" "${secs[runner]}" "${secs[wasmkit]}" "${secs[wasmtime]}" \
        "$(echo "${secs[aot]} / ${secs[native]}" | bc -l)" "$(echo "${cpu[aot]} / ${cpu[native]}" | bc -l)" \
        "$(echo "${secs[runner]} / ${secs[wasmkit]}" | bc -l)" "$(echo "${secs[runner]} / ${secs[wasmtime]}" | bc -l)" \
        "$build" "${rss[runner]}" "${rss[wasmkit]}"
done
echo "(median of $runs runs each, elapsed; (cpu): user + system time, steadier on a loaded machine; every runtime printed the same output and exit status)"
