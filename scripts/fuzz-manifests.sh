#!/usr/bin/env bash
# Feeds mutated manifests (byte flips, truncation, duplicated elements and
# attributes, deep nesting, huge attributes, control characters, include
# loops) through the manifest loader: every one must load or fail with a
# ManifestError naming its file. The normal test run does 500 cases; this
# runs CASES (default 10000) with SEED (default 17) and prints the count,
# the outcomes and the time.
#   scripts/fuzz-manifests.sh [CASES] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests >/dev/null
SEL4IMG_MANIFEST_FUZZ_CASES="${1:-10000}" SEL4IMG_MANIFEST_FUZZ_SEED="${2:-17}" \
    swift test --skip-build --filter ManifestFuzzTests 2>&1 | grep -E '^(manifest fuzz|slow cases|case |✔ Test run|✘)'
