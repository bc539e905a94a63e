#!/usr/bin/env bash
# Installs sel4img under PREFIX: the binary as PREFIX/bin/sel4img, the data it
# builds from (boards/, apps/, manifests/, patches/, and the app sources under
# runner/ and Sources/) in PREFIX/share/sel4img, where the binary looks first,
# and bash, zsh and fish completion. With DESTDIR set, everything goes under
# DESTDIR/PREFIX instead (staging, as scripts/package-deb.sh uses it).
#
# Builds a release binary with the Swift runtime linked in statically (so it
# runs without the Swift toolchain), unless --binary names one. Safe to re-run:
# the data directory is replaced as a whole, the binary overwritten.
#
# Usage: scripts/install.sh [--binary FILE] PREFIX
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd -P)
binary=
while [ $# -gt 0 ]; do
    case $1 in
        --binary) binary=${2:?--binary needs a file}; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "error: unknown option '$1'" >&2; echo "hint: usage: scripts/install.sh [--binary FILE] PREFIX" >&2; exit 2 ;;
        *) break ;;
    esac
done
if [ $# -ne 1 ]; then
    echo "error: name one PREFIX, e.g. /usr/local" >&2
    echo "hint: usage: scripts/install.sh [--binary FILE] PREFIX" >&2
    exit 2
fi
prefix=$1
case $prefix in
    /*) ;;
    *) echo "error: PREFIX must be an absolute path; got '$prefix'" >&2; exit 2 ;;
esac
prefix=${prefix%/}
destination="${DESTDIR:-}$prefix"

# The data the binary reads: everything the apps' `sources.copy` and guest files name lives here.
data_paths=(boards apps manifests patches runner Sources/WasmEngine Sources/WASI)

if [ -z "$binary" ]; then
    # A scratch path of its own: a release build never disturbs the debug one tests use.
    # The static Foundation's URLSession (blob downloads) links -lcurl, which stays a shared
    # library; Debian has the libcurl.so link only in libcurl4-*-dev, so one is made here.
    scratch="$root/.build/release-static"
    curl=$(/sbin/ldconfig -p | awk '$1 == "libcurl.so.4" && /x86-64|aarch64/ { print $NF; exit }')
    if [ -z "$curl" ]; then
        echo "error: libcurl.so.4 is not installed; the static Swift Foundation needs it" >&2
        echo "hint: sudo apt-get install libcurl4" >&2
        exit 1
    fi
    mkdir -p "$scratch/link"
    ln -sfn "$curl" "$scratch/link/libcurl.so"
    swift build --package-path "$root" --scratch-path "$scratch" \
        -c release --static-swift-stdlib -Xlinker -L"$scratch/link" --product sel4img >&2
    binary="$root/.build/release-static/release/sel4img"
    # Its interpreter must be threaded code that cannot grow the stack.
    "$root/scripts/check-threaded.sh" "$binary" "release sel4img" >&2
fi
if [ ! -x "$binary" ]; then
    echo "error: $binary is not an executable file" >&2
    exit 1
fi

share="$destination/share/sel4img"
marker=.sel4img-installed
if [ -e "$share" ] && [ ! -e "$share/$marker" ]; then
    echo "error: $share exists and was not installed by scripts/install.sh; not replacing it" >&2
    echo "hint: move it away or choose another PREFIX" >&2
    exit 1
fi
mkdir -p "$destination/bin" "$destination/share"
staging=$(mktemp -d "$destination/share/.sel4img.XXXXXX")
trap 'rm -rf "$staging"' EXIT
for path in "${data_paths[@]}"; do
    mkdir -p "$staging/$(dirname "$path")"
    cp -R "$root/$path" "$staging/$path"
done
echo "Installed by scripts/install.sh; the whole directory is replaced on the next install." > "$staging/$marker"
chmod -R u+rwX,go+rX,go-w "$staging"
rm -rf "$share"
mv "$staging" "$share"
trap - EXIT

install -m 0755 "$binary" "$destination/bin/sel4img.new"
mv "$destination/bin/sel4img.new" "$destination/bin/sel4img"

# Completion scripts, from the installed binary (its names come from the data directory at completion time).
for shell in bash zsh fish; do
    case $shell in
        bash) file="$destination/share/bash-completion/completions/sel4img" ;;
        zsh) file="$destination/share/zsh/site-functions/_sel4img" ;;
        fish) file="$destination/share/fish/vendor_completions.d/sel4img.fish" ;;
    esac
    mkdir -p "$(dirname "$file")"
    SEL4IMG_DATA_DIR="$share" "$destination/bin/sel4img" --generate-completion-script "$shell" > "$file"
    chmod 0644 "$file"
done
echo "installed $destination/bin/sel4img and $share" >&2
