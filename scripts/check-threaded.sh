#!/usr/bin/env bash
# Checks that the Wasm interpreter in an object or binary is threaded code that cannot grow the
# stack: every instruction handler (Sources/WasmEngine/Interpreter+Dispatch.swift) ends by calling
# the next instruction's handler, which only the optimizer's tail-call lowering turns into a jump.
# A handler where it does not (reference counting after the call, a result returned through
# memory, or a merged function with a stack argument) would grow the stack by a frame for every
# instruction it runs. Handlers are the C entry points (`...To`) of the functions named
# unmetered*/metered*; an indirect call in one (x86-64 `call *`, AArch64 `blr`), or a call of
# another handler, is such a call.
# Usage: scripts/check-threaded.sh FILE WHAT   (WHAT names FILE in the messages)
# OBJDUMP may name the objdump to use (default: llvm-objdump, else objdump).
set -euo pipefail
(( $# == 2 )) || { echo "usage: scripts/check-threaded.sh FILE WHAT" >&2; exit 2; }
file=$1 what=$2
objdump=${OBJDUMP:-$(command -v llvm-objdump || command -v objdump)} || { echo "check-threaded: no objdump (install binutils)" >&2; exit 2; }
[[ -r $file ]] || { echo "check-threaded: $file: not readable" >&2; exit 2; }
"$objdump" -d --no-show-raw-insn "$file" | awk -v what="$what" '
    /^[0-9a-f]+ <.*>:$/ { name = $2; handler = (name ~ /10WasmEngine[0-9]+(un)?metered[A-Z].*To(Tm)?>:$/); if (handler) n++ }
    handler && ($0 ~ /call[a-z]*[ \t]+\*/ || $0 ~ /[ \t]blr[ \t]/) { bad[name] = 1 }
    handler && ($0 ~ /(call[a-z]*|[ \t]bl)[ \t].*10WasmEngine[0-9]+(un)?metered[A-Z].*To(Tm)?>/) { bad[name] = 1 }
    END {
        for (b in bad) { print "    " b; count++ }
        if (n == 0) { print "threaded " what ": no interpreter handlers found"; exit 1 }
        if (count) { print "threaded " what ": " count " of " n " handlers call the next one instead of jumping to it"; exit 1 }
        printf "threaded   ok   %s: %d handlers, each jumps to the next\n", what, n
    }'
