#!/usr/bin/env bash
# Runs sel4img's tests. With SEL4IMG_TEST_MIRROR set to an offline mirror of
# the seL4 repositories (DIR/github.com/seL4/seL4.git, …), the integration
# tests also sync, build and boot sel4test from it.
set -euo pipefail
cd "$(dirname "$0")/.."
# pip puts wat2wasm, wast2json and wasm-tools in Python's scripts directory.
PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"
export PATH
# The interpreter's instruction set is generated from scripts/wasm-instructions.json: a generated
# file that differs from what the table gives fails here.
scripts/generate-opcodes.sh --check
swift build --build-tests
# The Wasm engine and WASI must stay Embedded-Swift clean (the seL4 runner builds them so).
scripts/check-embedded.sh
swift test --skip-build "$@"
