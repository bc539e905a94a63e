#!/usr/bin/env bash
# Benchmark: creation throughput of `sel4img cpio create` against GNU
# `find . | cpio -o -H newc` on the same trees, plain and gzip-compressed
# (`| gzip -n`, the usual way to get a reproducible-ish rootfs.cpio.gz).
# Trees: a generated one (5,000 files, 200 MB in 100 directories) and /usr/share/doc.
# Each command runs once to warm the page cache, then RUNS times; medians are shown.
# Ratio = GNU time / sel4img time (above 1: sel4img is faster).
#
# usage: benchmarks/cpio.sh [RUNS]       (SEL4IMG=path overrides the release binary)
set -euo pipefail
runs=${1:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z ${SEL4IMG:-} ]]; then
  (cd "$here" && swift build -c release --product sel4img >/dev/null)
  SEL4IMG=$(cd "$here" && swift build -c release --show-bin-path)/sel4img
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export SOURCE_DATE_EPOCH=0

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# time_of CMD...: median wall time of RUNS runs after one warm-up run.
time_of() {
  "$@"
  for _ in $(seq "$runs"); do
    local t0 t1; t0=$(now); "$@"; t1=$(now)
    echo "$t1 - $t0" | bc
  done | median
}

# 5,000 files of 1 to 80 KiB (40 KiB on average: 200 MB), 50 to a directory.
gen=$scratch/generated
for d in $(seq 0 99); do
  mkdir -p "$gen/d$d"
  for f in $(seq 0 49); do
    echo "$(( (d * 50 + f) * 7919 % 80 + 1 ))"
  done | awk -v dir="$gen/d$d" '{printf "%s/f%02d %d\n", dir, NR-1, $1 * 1024}'
done | while read -r file size; do head -c "$size" /dev/urandom > "$file"; done

gnu_plain() { (cd "$1" && find . -mindepth 1 | cpio -o -H newc --quiet > "$scratch/gnu.cpio"); }
gnu_gzip() { (cd "$1" && find . -mindepth 1 | cpio -o -H newc --quiet | gzip -n > "$scratch/gnu.cpio.gz"); }
ours_plain() { "$SEL4IMG" cpio create "$scratch/ours.cpio" --dir "$1" >/dev/null; }
ours_gzip() { "$SEL4IMG" cpio create "$scratch/ours.cpio.gz" --dir "$1" >/dev/null; }

printf '%-16s %7s %8s %-6s %10s %10s %7s %9s\n' tree files MB output "GNU s" "sel4img s" ratio "sel4img MB/s"
for tree in "$gen" /usr/share/doc; do
  files=$(find "$tree" -mindepth 1 | wc -l)
  mb=$(du -sm --apparent-size "$tree" | cut -f1)
  for kind in plain gzip; do
    g=$(time_of "gnu_$kind" "$tree")
    s=$(time_of "ours_$kind" "$tree")
    printf '%-16s %7d %8d %-6s %10.3f %10.3f %7.2f %9.0f\n' "$(basename "$tree")" "$files" "$mb" "$kind" "$g" "$s" \
      "$(echo "$g / $s" | bc -l)" "$(echo "$mb / $s" | bc -l)"
  done
  # Same content: both archives list the same paths.
  diff <(cpio -t --quiet < "$scratch/gnu.cpio" | sed 's|^\./||' | LC_ALL=C sort) \
       <(cpio -t --quiet < "$scratch/ours.cpio" | LC_ALL=C sort) >/dev/null || echo "  (listings differ for $tree)"
done
