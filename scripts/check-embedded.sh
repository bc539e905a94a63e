#!/usr/bin/env bash
# Compiles Sources/WasmEngine, Sources/WASI and the seL4 runner's Swift
# (runner/sel4/swift/Runner) as Embedded Swift for aarch64-none-none-elf, with
# the flags runner/sel4/CMakeLists.txt uses, one object per module. Prints
# each object's size and fails when a module does not compile or when the
# objects together need a symbol the seL4 root task does not provide.
#
# Usage: scripts/check-embedded.sh [-v]   (-v lists every undefined symbol)
# SWIFTC may name the swiftc to use (default: swiftc on PATH). Needs only the
# Swift toolchain: no seL4 checkout, no cross compiler.
set -euo pipefail
cd "$(dirname "$0")/.."

verbose=false
[[ "${1:-}" == "-v" ]] && verbose=true

swiftc=$(command -v "${SWIFTC:-swiftc}") || { echo "check-embedded: swiftc not found (set SWIFTC or put a Swift toolchain on PATH)" >&2; exit 2; }
toolchain=$(cd "$(dirname "$(readlink -f "$swiftc")")/../.." && pwd)
nm="$toolchain/usr/bin/llvm-nm"
objdump="$toolchain/usr/bin/llvm-objdump"
[[ -x "$objdump" ]] || objdump=$(command -v llvm-objdump || command -v aarch64-linux-gnu-objdump) || { echo "check-embedded: no objdump" >&2; exit 2; }
[[ -x "$nm" ]] || nm=$(command -v llvm-nm || command -v aarch64-linux-gnu-nm) || { echo "check-embedded: no llvm-nm" >&2; exit 2; }
if [[ ! -f "$toolchain/usr/lib/swift/embedded/aarch64-none-none-elf/libswiftUnicodeDataTables.a" ]]; then
    echo "check-embedded: $toolchain has no Embedded Swift for aarch64-none-none-elf" >&2
    exit 2
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

flags=(-target aarch64-none-none-elf -enable-experimental-feature Embedded -enable-experimental-feature Extern -wmo -parse-as-library -Osize
       -Xfrontend -function-sections -Xfrontend -disable-stack-protector -Xfrontend -disable-llvm-merge-functions-pass
       -module-cache-path "$out/module-cache" -I "$out")

# Symbols the root task provides: seL4's musllibc, the runner's C glue
# (runner/sel4/src, declared in include/CRunner/runner.h), musl's libm functions
# that Float/Double operations lower to, and the toolchain's
# libswiftUnicodeDataTables.a (_swift_stdlib_*).
allowed='^(free|malloc|calloc|realloc|posix_memalign|aligned_alloc|memcmp|memcpy|memmove|memset|strlen|putchar|arc4random_buf|abort|exit|(sqrt|ceil|floor|trunc|rint|nearbyint|fmin|fmax|fabs|copysign|fma)f?|_swift_stdlib_.*|wasm_runner_.*)$'

status=0
compile() { # name, extra flags..., -- sources...
    local name=$1; shift
    local extra=()
    while [[ $1 != -- ]]; do extra+=("$1"); shift; done
    shift
    local started=$SECONDS
    if "$swiftc" "${flags[@]}" "${extra[@]}" -module-name "$name" -emit-module -emit-module-path "$out/$name.swiftmodule" \
            -c "$@" -o "$out/$name.o" 2>"$out/$name.log"; then
        local text=0 data=0 idx sect size vma type
        # Section headers: Idx Name Size VMA Type (TEXT, DATA, BSS; rodata counts as DATA).
        while read -r idx sect size vma type; do
            [[ $idx =~ ^[0-9]+$ && $size =~ ^[0-9a-f]+$ ]] || continue
            case "$type" in
                *TEXT*) text=$((text + 16#$size)) ;;
                *DATA*|*BSS*) data=$((data + 16#$size)) ;;
            esac
        done < <("$objdump" -h "$out/$name.o" 2>/dev/null)
        printf '%-10s ok   %3d files  %8d bytes object  (code %d, data %d)  %ds\n' \
            "$name" "$#" "$(stat -c %s "$out/$name.o")" "$text" "$data" "$((SECONDS - started))"
    else
        printf '%-10s FAILED (%d files)\n' "$name" "$#"
        grep -E 'error:' "$out/$name.log" | sort -u | head -40 | sed 's/^/    /'
        status=1
    fi
}

shopt -s nullglob
engine=(Sources/WasmEngine/*.swift)
wasi=(Sources/WASI/*.swift)
runner=(runner/sel4/swift/Runner/*.swift)
(( ${#engine[@]} )) || { echo "check-embedded: Sources/WasmEngine has no Swift files" >&2; exit 2; }

compile WasmEngine -- "${engine[@]}"
[[ -f "$out/WasmEngine.swiftmodule" ]] && (( ${#wasi[@]} )) && compile WASI -- "${wasi[@]}"
[[ -f "$out/WASI.swiftmodule" ]] && (( ${#runner[@]} )) && compile Runner -I runner/sel4/include -- "${runner[@]}"

# The interpreter's handlers must each jump to the next (scripts/check-threaded.sh), in the seL4
# runner's object and in a host build of WasmEngine with Package.swift's release flags.
threaded() { OBJDUMP="$objdump" scripts/check-threaded.sh "$@" || status=1; }
[[ -f "$out/WasmEngine.o" ]] && threaded "$out/WasmEngine.o" "aarch64 Embedded"
hostflags=(-O -wmo -parse-as-library -enable-experimental-feature Extern -Xfrontend -disable-llvm-merge-functions-pass
           -Xcc -fno-omit-frame-pointer -Xcc -momit-leaf-frame-pointer)
mkdir -p "$out/host"
if "$swiftc" "${hostflags[@]}" -module-name WasmEngine -c "${engine[@]}" -o "$out/host/WasmEngine.o" 2>"$out/host.log"; then
    threaded "$out/host/WasmEngine.o" "host -O"
else
    echo "threaded host -O: WasmEngine did not compile:"; grep -E 'error:' "$out/host.log" | head -20 | sed 's/^/    /'
    status=1
fi

objects=("$out"/*.o)
if (( ${#objects[@]} )); then
    # Undefined in some object and defined in none.
    "$nm" --defined-only -j "${objects[@]}" 2>/dev/null | grep -v ':$' | sort -u >"$out/defined"
    "$nm" --undefined-only -j "${objects[@]}" 2>/dev/null | grep -v ':$' | grep -v '^$' | sort -u >"$out/undefined"
    comm -23 "$out/undefined" "$out/defined" >"$out/needed"
    grep -Ev "$allowed" "$out/needed" >"$out/unexpected" || true
    echo "undefined symbols: $(wc -l <"$out/needed") ($(grep -Ec "$allowed" "$out/needed" || true) provided by the root task)"
    $verbose && sed 's/^/    /' "$out/needed"
    if [[ -s "$out/unexpected" ]]; then
        echo "symbols the seL4 root task does not provide:"
        sed 's/^/    /' "$out/unexpected"
        status=1
    fi
fi
exit $status
