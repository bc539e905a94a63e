#!/usr/bin/env bash
# Benchmark: `sel4img flash` against `dd` and `bmaptool copy`, writing a
# mostly empty 1 GiB image into a regular file.
#
# The image is sparse: a 512-byte boot sector, a 64 MiB FAT-like region of
# data after the first MiB, and eight 512 KiB extents scattered over the rest
# (68 MiB of data in all). Each tool writes it to a fresh file and must make
# the file equal to the image:
#   dd if=IMG of=OUT bs=4M conv=fsync     copies all 1 GiB, verifies nothing
#   bmaptool copy --bmap IMG.bmap IMG OUT  writes the mapped ranges, checks the
#                                          image's data against the map's hashes
#   sel4img flash --yes IMG OUT           checks the image against its map, writes
#                                          the mapped ranges (block 0 last), fsyncs,
#                                          reads every range back past the page
#                                          cache and compares SHA-256s
# Every run is followed (untimed) by `cmp IMG OUT`. The page cache is warm for
# every tool alike (the image was just written). Each figure is the median of
# RUNS runs (default 5).
#
# Usage: benchmarks/flash.sh [WORKDIR]
#   SEL4IMG=path/to/sel4img  use this binary instead of building one
#   RUNS=N                   runs per tool
# Needs: swift (unless SEL4IMG is set), dd, cmp, python3, and bmaptool
# (`apt-get install bmap-tools`, or `pip install bmaptool`; skipped if missing).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/sel4img-flash-bench.XXXXXX)}
runs=${RUNS:-5}
mkdir -p "$work"

if [[ -z "${SEL4IMG:-}" ]]; then
    echo "building sel4img (release)..." >&2
    (cd "$here" && swift build -c release --product sel4img >&2)
    SEL4IMG="$(cd "$here" && swift build -c release --show-bin-path)/sel4img"
fi
if ! "$SEL4IMG" flash --help 2>/dev/null | grep -q "USAGE: sel4img flash"; then
    echo "error: $SEL4IMG has no 'flash' subcommand (is FlashCommand registered in SEL4Img.swift?)" >&2
    exit 1
fi

img="$work/sel4.img"
out="$work/out.img"
echo "creating a sparse 1 GiB image in $work..." >&2
rm -f "$img" "$img".bmap "$img".bmap.json
truncate -s 1G "$img"
put() { # put OFFSET_BYTES LENGTH_BYTES: random data into the image
    head -c "$2" /dev/urandom | dd of="$img" bs=64K seek="$1" oflag=seek_bytes conv=notrunc status=none
}
put 0 512
put $((1 << 20)) $((64 << 20))
for mib in 130 200 333 420 555 700 850 1000; do put $((mib << 20)) $((512 << 10)); done

# IMAGE.bmap.json as sel4img's build writes it (DiskImage.BlockMap.scan:
# 64 KiB blocks, ranges of at most 4 MiB, SHA-256 per range and of the image).
python3 - "$img" <<'PY'
import hashlib, json, sys
path = sys.argv[1]
block, max_range = 64 << 10, 4 << 20
whole, ranges, cur = hashlib.sha256(), [], None
zero = bytes(block)
with open(path, "rb") as f:
    offset = 0
    while True:
        b = f.read(block)
        if not b:
            break
        whole.update(b)
        if b != zero[: len(b)]:
            if cur is None or cur[1] + len(b) > max_range:
                if cur: ranges.append(cur)
                cur = [offset, 0, hashlib.sha256()]
            cur[2].update(b); cur[1] += len(b)
        elif cur:
            ranges.append(cur); cur = None
        offset += len(b)
    if cur: ranges.append(cur)
doc = {"blockSize": block, "format": 1, "imageSHA256": whole.hexdigest(), "imageSize": offset,
       "ranges": [{"length": l, "offset": o, "sha256": h.hexdigest()} for o, l, h in ranges]}
with open(path + ".bmap.json", "w") as f:
    json.dump(doc, f, indent=2, sort_keys=True); f.write("\n")
print(f"{len(ranges)} ranges, {sum(l for _, l, _ in ranges) / 2**20:.1f} MiB of data", file=sys.stderr)
PY

have_bmaptool=0
if command -v bmaptool >/dev/null 2>&1; then
    have_bmaptool=1
    bmaptool create -o "$img.bmap" "$img" 2>/dev/null
fi

# median TIMES...: the middle value
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# measure NAME COMMAND...: runs COMMAND $runs times on a fresh $out, checks it, prints the median seconds
measure() {
    local name=$1; shift
    local times=()
    for _ in $(seq "$runs"); do
        rm -f "$out"; sync
        local start end
        start=$(date +%s.%N)
        "$@" >/dev/null 2>"$work/stderr" || { echo "error: $name failed:" >&2; cat "$work/stderr" >&2; exit 1; }
        end=$(date +%s.%N)
        cmp -s "$img" "$out" || { echo "error: $name wrote something other than the image" >&2; exit 1; }
        times+=("$(echo "$end - $start" | bc -l)")
    done
    median "${times[@]}"
}

echo "running each tool $runs times..." >&2
t_sel4img=$(measure "sel4img flash" "$SEL4IMG" flash --yes --progress quiet "$img" "$out")
t_dd=$(measure dd dd if="$img" of="$out" bs=4M conv=fsync status=none)
t_bmap=""
if (( have_bmaptool )); then
    t_bmap=$(measure "bmaptool copy" bmaptool copy --bmap "$img.bmap" "$img" "$out")
fi
mv "$img.bmap.json" "$img.bmap.json.aside"
t_scan=$(measure "sel4img flash (no map)" "$SEL4IMG" flash --yes --progress quiet "$img" "$out")
mv "$img.bmap.json.aside" "$img.bmap.json"

row() { # row NAME SECONDS WHAT
    if [[ -z "$2" ]]; then printf '%-34s %9s %12s  %s\n' "$1" "-" "-" "not installed"; return; fi
    printf '%-34s %8.3fs %11.2fx  %s\n' "$1" "$2" "$(echo "$2 / $t_sel4img" | bc -l)" "$3"
}
echo
echo "1 GiB image, $(python3 -c 'import json,sys; print(round(sum(r["length"] for r in json.load(open(sys.argv[1]))["ranges"]) / 2**20, 1))' "$img.bmap.json") MiB of data, into a new regular file (median of $runs runs)"
printf '%-34s %9s %12s  %s\n' "tool" "time" "vs sel4img" "what it does"
row "sel4img flash --yes" "$t_sel4img" "map-checked, written, fsynced, read back and verified"
row "dd bs=4M conv=fsync" "$t_dd" "all 1 GiB written and fsynced, nothing verified"
row "bmaptool copy" "$t_bmap" "mapped ranges written, image checked against the map"
row "sel4img flash (no .bmap.json)" "$t_scan" "as above, after scanning and hashing the whole image"
rm -f "$out"
