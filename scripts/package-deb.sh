#!/usr/bin/env bash
# Builds a Debian package of sel4img with dpkg-deb: OUTDIR/sel4img_VERSION_ARCH.deb
# (default OUTDIR: .build/deb), laid out by scripts/install.sh with PREFIX=/usr.
# Depends names the package of every shared library the binary links (found with
# readelf, ldd and dpkg -S); a library no package provides (the Swift runtime in
# /opt/swift, say) is an error, which is why the release binary links it statically.
# Install it with: sudo apt-get install ./sel4img_VERSION_ARCH.deb
#
# Usage: scripts/package-deb.sh [--binary FILE] [OUTDIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd -P)
binary_args=()
if [ "${1:-}" = --binary ]; then
    binary_args=(--binary "${2:?--binary needs a file}")
    shift 2
fi
outdir=${1:-$root/.build/deb}
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd -P)
version=$(tr -d ' \n' < "$root/VERSION")
arch=$(dpkg --print-architecture)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
DESTDIR="$stage/root" "$root/scripts/install.sh" "${binary_args[@]}" /usr
binary="$stage/root/usr/bin/sel4img"

# The packages of the libraries the binary loads.
packages=()
while read -r library; do
    owner=$(dpkg -S "$library" 2>/dev/null | head -n1 | cut -d: -f1 || true)
    if [ -z "$owner" ]; then
        # /lib is a link to /usr/lib on Debian 12: dpkg knows some files only by the other name.
        other=${library#/usr}; [ "$other" = "$library" ] && other=/usr$library
        owner=$(dpkg -S "$other" 2>/dev/null | head -n1 | cut -d: -f1 || true)
    fi
    if [ -z "$owner" ]; then
        echo "error: $binary loads $library, which no Debian package provides" >&2
        echo "hint: build with 'swift build -c release --static-swift-stdlib' (scripts/install.sh does) so the Swift runtime is inside the binary" >&2
        exit 1
    fi
    packages+=("$owner")
done < <(
    # The libraries the binary names itself (readelf's NEEDED), where ldd finds them; theirs come with their packages.
    readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | while read -r needed; do
        ldd "$binary" | awk -v lib="$needed" '$1 == lib && $2 == "=>" { print $3 }'
    done)
depends=$(printf '%s\n' "${packages[@]}" | sort -u | paste -sd, | sed 's/,/, /g')

mkdir -p "$stage/root/DEBIAN"
installed_size=$(du -sk "$stage/root/usr" | cut -f1)
cat > "$stage/root/DEBIAN/control" <<CONTROL
Package: sel4img
Version: $version
Architecture: $arch
Maintainer: sel4img developers <sel4img@localhost>
Installed-Size: $installed_size
Depends: $depends
Recommends: git, cmake, ninja-build, python3, gcc-aarch64-linux-gnu, device-tree-compiler, qemu-system-arm
Section: devel
Priority: optional
Description: build seL4 systems from source to bootable, flashable images
 sel4img syncs the seL4 sources, applies verified patch sets, builds seL4
 images for QEMU and boards (Raspberry Pi 4, Jetson TX1/TX2), boots them with
 pass/fail detection, and flashes disks. 'sel4img doctor' lists the host
 tools a build needs.
CONTROL
deb="$outdir/sel4img_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$stage/root" "$deb" >&2
echo "$deb"
