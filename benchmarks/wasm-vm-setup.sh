# Sourced by the benchmarks that build and boot wasm-vm from the mirror
# (boot.sh, realtime.sh): with `bench` naming the script and `default_work`
# its work directory, sets `here`, `mirror`, `work` (from $1) and `cores_list`
# (CORES, checked), and `wasm_vm_sel4img` prints the sel4img to use (SEL4IMG,
# or a release build made here).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mirror=${SEL4IMG_MIRROR:-${SEL4IMG_TEST_MIRROR:-}}
if [ -z "$mirror" ]; then
  echo "benchmarks/$bench: set SEL4IMG_MIRROR (or SEL4IMG_TEST_MIRROR) to the offline mirror of the seL4 and CAmkES repositories" >&2
  exit 2
fi
work=$(mkdir -p "${1:-$default_work}" && cd "${1:-$default_work}" && pwd)
cores_list=${CORES:-1 2}
for cores in $cores_list; do
  [[ $cores == 1 || $cores == 2 ]] || { echo "benchmarks/$bench: CORES lists 1 and/or 2 (wasm-vm's layouts); got '$cores'" >&2; exit 2; }
done

wasm_vm_sel4img() {
  if [ -n "${SEL4IMG:-}" ]; then
    echo "$SEL4IMG"
  else
    (cd "$here" && swift build -c release --product sel4img >&2 && echo "$(swift build -c release --show-bin-path)/sel4img")
  fi
}
