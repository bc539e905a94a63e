#!/usr/bin/env bash
# Regenerates the Wasm interpreter's instruction set (Sources/WasmEngine/Opcode.swift and
# Interpreter+Dispatch.swift) from scripts/wasm-instructions.json.
# Usage: scripts/generate-opcodes.sh [--check]   (--check: fail when a generated file is stale;
# scripts/test.sh runs it so)
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 scripts/generate-opcodes.py "$@"
