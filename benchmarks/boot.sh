#!/usr/bin/env bash
# Benchmark: guest boot time of wasm-vm on qemu-virt (or BOARD=rpi4, QEMU's
# raspi4b) with and without the Wasm runner, for 1 and 2 cores: QEMU's start
# (power-on) to the guest's shell prompt, BOOTS boots of each, alternating,
# median.
#
# "With" is the system as `sel4img build --app wasm-vm --cores N` builds it.
# "Without" is the same build directory reconfigured with CMake's
# WasmVMRunner=OFF (runner/camkes/CMakeLists.txt): the same kernel, VMM,
# virtual PCI bus, guest kernel and initramfs, but no runner component and
# no channel device (the guest's init says "no Wasm runner channel"). Its
# capDL loader image is copied aside and the build directory is then
# reconfigured back (WasmVMRunner=ON) and rebuilt, so the workspace stays
# as built. Each boot runs QEMU directly with the command line of
# `sel4img qemu --plan` (the image swapped for the copy; on rpi4, which
# boots its SD image, a padded copy of the disk whose FAT's sel4.bin is the
# build's image, with U-Boot and the DTB taken from it as `sel4img qemu`
# does); the times are the
# host's wall clock from starting QEMU to the line "Booting Linux" (seL4,
# the capDL loader and the VMM) and to the shell's prompt after
# "sel4img-guest: ready" ("/root # ", then busybox's cursor query). A boot also checks which system it was: the
# runner's "wasm-runner: serving" line with it, the init's "no Wasm runner
# channel" without.
#
# QEMU's time is emulated time on a shared host: read the ratios
# (with/without) of one run; the absolute seconds are this host's.
#
# usage: benchmarks/boot.sh [WORKDIR]
#   SEL4IMG_MIRROR (or SEL4IMG_TEST_MIRROR)  the offline mirror to build from (required)
#   BOARD=qemu-virt  or rpi4 (built --emulated, booted from its SD image)
#   CORES="1 2"   core counts (wasm-vm: 1 and/or 2)
#   BOOTS=3       boots of each system per core count
#   WASM=a,b      modules for the guest's /wasm (as `build --wasm`), to share
#                 benchmarks/realtime.sh's workspaces: WASM=$(ls WORKDIR/modules/*.wasm | paste -sd,)
#   SEL4IMG=path  use this sel4img instead of building one (release)
# WORKDIR (default /tmp/sel4img-boot) keeps the workspaces ws1, ws2.
set -euo pipefail
bench=boot.sh default_work=/tmp/sel4img-boot
source "$(dirname "$0")/wasm-vm-setup.sh"
boots=${BOOTS:-3}
[[ $boots =~ ^[1-9][0-9]*$ ]] || { echo "benchmarks/boot.sh: BOOTS is a positive integer; got '$boots'" >&2; exit 2; }
for tool in cmake ninja python3; do
  command -v "$tool" >/dev/null || { echo "benchmarks/boot.sh needs $tool (scripts/setup.sh installs it)" >&2; exit 1; }
done
board=${BOARD:-qemu-virt}
case $board in
  qemu-virt) board_options=() boot_timeout=300 ;;
  # U-Boot reads the SD card at about 200 KiB/s on raspi4b: minutes before seL4 starts.
  rpi4) board_options=(--emulated) boot_timeout=1200
        command -v mcopy >/dev/null || { echo "benchmarks/boot.sh needs mcopy for BOARD=rpi4 (mtools; scripts/setup.sh installs it)" >&2; exit 1; } ;;
  *) echo "benchmarks/boot.sh: BOARD is qemu-virt or rpi4; got '$board'" >&2; exit 2 ;;
esac
sel4img=$(wasm_vm_sel4img)
wasm_option=()
[ -z "${WASM:-}" ] || wasm_option=(--wasm "$WASM")

mkdir -p "$work/boot"
times=$work/boot/times.txt
: >"$times"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
for cores in $cores_list; do
  ws=$work/ws$cores
  build=$ws/build/$board-wasm-vm
  echo "== building wasm-vm for $board, $cores core(s) in $ws" >&2
  SEL4IMG_MIRROR=$mirror nice -n 10 "$sel4img" build --board "$board" --app wasm-vm "${board_options[@]}" --cores "$cores" "${wasm_option[@]}" \
    -w "$ws" --progress plain >"$work/boot/build-$cores.log" 2>&1 || { tail -30 "$work/boot/build-$cores.log" >&2; exit 1; }
  "$sel4img" qemu --board "$board" --app wasm-vm -w "$ws" --plan >"$work/boot/plan-$cores.json"
  medium() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["medium"].get(sys.argv[2]) or "")' "$work/boot/plan-$cores.json" "$1"; }
  image=$(medium image) scratch=$(medium scratch)
  if [ -n "$scratch" ]; then
    # A disk boot (rpi4): the seL4 image is the FAT partition's sel4.bin;
    # QEMU gets the firmware files and a padded copy of the disk.
    disk=$image
    mcopy -n -i "$disk@@1M" ::sel4.bin "$work/boot/with-$cores.elf"
    mkdir -p "$(dirname "$scratch")"
    for key in bios deviceTree; do mcopy -n -i "$disk@@1M" "::$(basename "$(medium $key)")" "$(medium $key)"; done
    image=$work/boot/with-$cores.elf
  else
    cp "$image" "$work/boot/with-$cores.elf"
  fi
  # Build as sel4img builds (its SOURCE_DATE_EPOCH, no compiler cache), so the rebuild with the runner gives back its image.
  export CCACHE_DISABLE=1 SOURCE_DATE_EPOCH
  SOURCE_DATE_EPOCH=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["sourceDateEpoch"])' "$ws/artifacts/$board-wasm-vm/provenance.json")
  # The build directory's own copy of the image QEMU boots (the app's outputs: elfloader/elfloader or images/...).
  built=
  for candidate in "$build/$(basename "$image")" "$build"/*/"$(basename "$image")" "$build"/images/*; do
    if [ -f "$candidate" ] && cmp -s "$candidate" "$image"; then built=$candidate; break; fi
  done
  [ -n "$built" ] || { echo "benchmarks/boot.sh: no file in $build is the image sel4img built ($image): run sel4img build again" >&2; exit 1; }
  echo "== building it again without the runner (WasmVMRunner=OFF), then back" >&2
  log=$work/boot/norunner-$cores.log
  restore() { cmake -DWasmVMRunner=ON "$build" >>"$log" 2>&1 && nice -n 10 ninja -C "$build" >>"$log" 2>&1; }
  trap 'restore || echo "benchmarks/boot.sh: could not rebuild $build with the runner (see $log): run sel4img build" >&2' EXIT
  { cmake -DWasmVMRunner=OFF "$build" && nice -n 10 ninja -C "$build"; } >"$log" 2>&1 || { tail -30 "$log" >&2; exit 1; }
  if grep -q "runner_" "$build/wasm_vm.cdl"; then
    echo "benchmarks/boot.sh: $build/wasm_vm.cdl still has the runner's objects with WasmVMRunner=OFF" >&2; exit 1
  fi
  cp "$built" "$work/boot/without-$cores.elf"
  trap - EXIT
  restore || { tail -30 "$log" >&2; exit 1; }
  cmp -s "$built" "$image" ||
    { echo "benchmarks/boot.sh: rebuilding $build with the runner did not give back the image sel4img built ($image)" >&2; exit 1; }
  if [ -n "$scratch" ]; then
    # Each system's SD card, padded to a power of two: the disk as built, and
    # the disk with the image without the runner as its sel4.bin.
    for system in with without; do
      cp "$disk" "$work/boot/$system-$cores.img"
      [ "$system" = with ] || mcopy -o -i "$work/boot/$system-$cores.img@@1M" "$work/boot/$system-$cores.elf" ::sel4.bin
      python3 -c 'import os, sys; size = os.path.getsize(sys.argv[1]); os.truncate(sys.argv[1], 1 << (size - 1).bit_length())' "$work/boot/$system-$cores.img"
    done
  fi
  for round in $(seq "$boots"); do
    for system in with without; do
      echo "== boot $round of $boots: $cores core(s), $system the runner" >&2
      if [ -n "$scratch" ]; then swap=("$scratch" "$work/boot/$system-$cores.img"); else swap=("$image" "$work/boot/$system-$cores.elf"); fi
      nice -n 10 python3 - "$work/boot/plan-$cores.json" "${swap[@]}" "$system" \
        "$work/boot/console-$cores-$system-$round.log" "$boot_timeout" <<'EOF' | sed "s/^/$cores $system /" >>"$times"
import json, os, re, signal, subprocess, sys, time
plan, built, image, system, log, timeout = sys.argv[1:7]
timeout = float(timeout)
# The image QEMU boots: an argument of its own (-kernel FILE) or part of one (-drive file=FILE,...).
original = json.load(open(plan))["arguments"]
arguments = [a.replace(built, image) if a == built or a.startswith(f"file={built},") else a for a in original]
if arguments == original:
    sys.exit(f"benchmarks/boot.sh: the plan's QEMU command line has no {built}")
started = time.monotonic()
qemu = subprocess.Popen(arguments, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
console, linux, ready, prompt = b"", None, None, None
os.set_blocking(qemu.stdout.fileno(), False)
try:
    # Past the prompt only until the runner's own line (it may print late on one core).
    while (prompt is None or (system == "with" and b"wasm-runner: serving" not in console and time.monotonic() - started < prompt + 30)) \
            and time.monotonic() - started < timeout and qemu.poll() is None:
        chunk = qemu.stdout.read() or b""
        if not chunk:
            time.sleep(0.005)
            continue
        console += chunk
        now = time.monotonic() - started
        if linux is None and b"Booting Linux" in console:
            linux = now
        if ready is None and re.search(rb"^sel4img-guest: ready\r?$", console, re.M):
            ready = now
        if prompt is None and ready is not None and re.search(rb"sel4img-guest: ready\r?\n(.*\n)*.*# (\x1b\[[0-9;]*[A-Za-z])*$", console):
            prompt = now
finally:
    os.killpg(qemu.pid, signal.SIGTERM)
    qemu.wait()
    open(log, "wb").write(console)
text = console.decode("utf-8", "replace")
serving, alone = "wasm-runner: serving" in text, "sel4img-guest: no Wasm runner channel" in text
if prompt is None or linux is None:
    sys.exit(f"benchmarks/boot.sh: no shell prompt within {timeout:.0f} s ({log})")
if (system == "with") != serving or (system == "with") == alone:
    sys.exit(f"benchmarks/boot.sh: the '{system}' boot has runner: {serving}, guest without channel: {alone} ({log})")
up = re.search(r"up in ([0-9.]+) s", text)
print(f"linux {linux:.2f} prompt {prompt:.2f} guest-uptime {up.group(1) if up else '-'}")
EOF
      [ "${PIPESTATUS[0]}" = 0 ] || exit 1
    done
  done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

python3 - "$times" "$load_start" "$load_end" "$boots" "$board" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    cores, system, *fields = line.split()
    values = dict(zip(fields[::2], fields[1::2]))
    rows.setdefault((int(cores), system), []).append(values)
print(f"wasm-vm boot on {sys.argv[5]} (QEMU), {sys.argv[4]} boots each, alternating; host load {sys.argv[2]} at start, {sys.argv[3]} at end")
print("seconds of the host's clock from QEMU's start: to 'Booting Linux' (seL4, capDL loader, VMM) and to the guest's shell prompt;")
print("guest = the guest kernel's own uptime when init reached its last line")
head = ["cores", "runner", "linux med", "prompt med", "prompt min", "prompt max", "guest med"]
print("  ".join(f"{h:>10}" for h in head))
median = lambda key, runs: statistics.median(float(r[key]) for r in runs)
for (cores, system), runs in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1] != "with")):
    prompts = [float(r["prompt"]) for r in runs]
    guest = [float(r["guest-uptime"]) for r in runs if r["guest-uptime"] != "-"]
    print("  ".join(f"{c:>10}" for c in [str(cores), system, f"{median('linux', runs):.2f}", f"{median('prompt', runs):.2f}",
                                           f"{min(prompts):.2f}", f"{max(prompts):.2f}", f"{statistics.median(guest):.2f}" if guest else "-"]))
print()
print("ratios with/without the runner (medians)")
for cores in sorted({c for c, _ in rows}):
    if (cores, "with") in rows and (cores, "without") in rows:
        w, wo = rows[(cores, "with")], rows[(cores, "without")]
        print(f"{cores} core(s): to Linux {median('linux', w) / median('linux', wo):.2f}, to the prompt {median('prompt', w) / median('prompt', wo):.2f}")
if all((c, s) in rows for c in (1, 2) for s in ("with", "without")):
    for system in ("with", "without"):
        print(f"2/1 cores, {system} the runner: to the prompt {median('prompt', rows[(2, system)]) / median('prompt', rows[(1, system)]):.2f}")
EOF
