#!/usr/bin/env bash
# Benchmark: cold sync of sel4img's sel4test manifest against `git clone` of the
# same projects one after another, and the warm no-op sync. Both read the same
# offline mirror over git's pack protocol (file:// URLs, so git cannot take its
# hard-link shortcut and both tools really transfer objects).
#
# usage: benchmarks/sync.sh MIRROR [RUNS]     (MIRROR as made by shared/tools/make-mirror)
set -euo pipefail
mirror=$(realpath "${1:?usage: benchmarks/sync.sh MIRROR [RUNS]}")
runs=${2:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
sel4img=${SEL4IMG:-$(cd "$here" && swift build -c release --show-bin-path)/sel4img}
manifest=$here/manifests/sel4test.xml
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# path url commit, from the manifest (absolute remotes only, as sel4img's manifests use)
projects=$(python3 - "$manifest" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
remotes = {r.get("name"): r.get("fetch").rstrip("/") for r in root.iter("remote")}
default = root.find("default").get("remote")
for p in root.iter("project"):
    print(p.get("path"), remotes[p.get("remote") or default] + "/" + p.get("name"), p.get("revision"))
PY
)

git_clones() {
  local dest=$1
  while read -r path url commit; do
    local local_path=${url#https://}
    local_path=$mirror/${local_path%.git}.git
    git clone -q --no-checkout "file://$local_path" "$dest/$path"
    git -C "$dest/$path" -c advice.detachedHead=false checkout -q "$commit"
  done <<<"$projects"
}

cold_git=() cold_sel4img=() warm=()
for i in $(seq "$runs"); do
  t0=$(now); git_clones "$scratch/git-$i"; t1=$(now)
  cold_git+=("$(echo "$t1 - $t0" | bc)")
  t0=$(now)
  "$sel4img" init --manifest "$manifest" -w "$scratch/ws-$i" --mirror "$mirror" >/dev/null
  "$sel4img" sync -w "$scratch/ws-$i" --progress quiet >/dev/null
  t1=$(now)
  cold_sel4img+=("$(echo "$t1 - $t0" | bc)")
  for j in 1 2 3; do
    t0=$(now); "$sel4img" sync -w "$scratch/ws-$i" --progress quiet >/dev/null; t1=$(now)
    warm+=("$(echo "$t1 - $t0" | bc)")
  done
  rm -rf "$scratch/git-$i" "$scratch/ws-$i"
done

n=$(wc -l <<<"$projects")
g=$(printf '%s\n' "${cold_git[@]}" | median)
s=$(printf '%s\n' "${cold_sel4img[@]}" | median)
w=$(printf '%s\n' "${warm[@]}" | median)
printf '%-44s %10s\n' "cold, $n projects (median of $runs)" "seconds"
printf '%-44s %10.2f\n' "git clone + checkout, one after another" "$g"
printf '%-44s %10.2f   ratio %.2f (target <= 1.00)\n' "sel4img init + sync -j4" "$s" "$(echo "$s / $g" | bc -l)"
printf '%-44s %10.3f   (target < 1 s)\n' "sel4img sync, nothing to do (median of $((runs * 3)))" "$w"
