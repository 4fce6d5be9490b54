#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build-driver.sh [-c CACHE_DIR] [-k KVER]
#
# Builds the VM test driver (sfx_brokenmod.ko, driver name sfx_broken, binds QEMU's -device
# edu) against the Debian kernel headers that match the VM's kernel, and prints the path of
# the .ko on stdout (the only thing written to stdout).
#
#   CACHE_DIR  the VM cache (default $SUSPENDFIX_VM_CACHE or ~/.cache/suspendfix-vm); KVER
#              defaults to its kernel.stamp (fetch-kernel.sh)
#
# The headers are never installed on the host: `apt-get download` linux-headers-KVER, its
# -common and the matching linux-kbuild (all of the kernel package's own version when apt
# still has it), `dpkg -x` into CACHE/headers-KVER/root, the flavour Makefile pointed at the
# unpacked -common tree. The module is built with the host's gcc (Debian 12's gcc-12 is the
# kernel's compiler) and cached as CACHE/driver/KVER-SRCHASH/sfx_brokenmod.ko, SRCHASH being
# a hash of the driver's sources: a cached .ko is reused without asking apt (offline OK).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${SUSPENDFIX_VM_CACHE:-${HOME:-/root}/.cache/suspendfix-vm}
KVER=
while getopts "c:k:h" opt; do
    case $opt in
        c) CACHE=$OPTARG ;;
        k) KVER=$OPTARG ;;
        *) sed -n '3,18p' "$0" >&2; exit 2 ;;
    esac
done
log() { echo "build-driver: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)
# fetch-kernel.sh's stamp of the series SFX_VM_KERNEL names (kernel.stamp for 6.1, the default)
STAMP=kernel.stamp
[ "${SFX_VM_KERNEL:-6.1}" = 6.1 ] || STAMP=kernel-$SFX_VM_KERNEL.stamp
[ -n "$KVER" ] || KVER=$(cat "$CACHE/$STAMP" 2>/dev/null) || die "no $STAMP in $CACHE (run fetch-kernel.sh)"

src_hash=$(cat "$HERE/sfx_brokenmod.c" "$HERE/Kbuild" | sha256sum | cut -c1-12)
OUT=$CACHE/driver/$KVER-$src_hash
if [ -f "$OUT/sfx_brokenmod.ko" ]; then
    log "reusing $OUT/sfx_brokenmod.ko"
    echo "$OUT/sfx_brokenmod.ko"
    exit 0
fi

# --- headers: apt-get download + dpkg -x, once per kernel version -----------------------
HROOT=$CACHE/headers-$KVER/root
HDIR=$HROOT/usr/src/linux-headers-$KVER
if [ ! -f "$CACHE/headers-$KVER/.complete" ]; then
    for tool in make gcc; do command -v "$tool" >/dev/null || die "$tool is needed"; done
    ver=$(apt-cache show "linux-image-$KVER" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
    if [ -z "$ver" ] || ! apt-cache show "linux-headers-$KVER=$ver" >/dev/null 2>&1; then
        # the same ABI name means the same symbol versions: any version of it will do
        ver=$(apt-cache show "linux-headers-$KVER" 2>/dev/null | sed -n 's/^Version: //p' | head -n1)
    fi
    if [ -z "$ver" ]; then
        log "linux-headers-$KVER unknown to apt-cache; running apt-get update"
        apt-get update >&2
        ver=$(apt-cache show "linux-headers-$KVER" | sed -n 's/^Version: //p' | head -n1)
    fi
    [ -n "$ver" ] || die "no linux-headers-$KVER in the archive"
    common=$(apt-cache show "linux-headers-$KVER=$ver" | sed -n 's/^Depends: //p' | head -n1 |
             tr ',' '\n' | sed -n 's/^ *\(linux-headers-[^ ]*-common\).*/\1/p')
    kbuild=$(apt-cache show "linux-headers-$KVER=$ver" | sed -n 's/^Depends: //p' | head -n1 |
             tr ',' '\n' | sed -n 's/^ *\(linux-kbuild-[^ ]*\).*/\1/p')
    if [ -z "$common" ] || [ -z "$kbuild" ]; then
        die "cannot read the dependencies of linux-headers-$KVER=$ver"
    fi
    log "headers: linux-headers-$KVER $common $kbuild, version $ver"
    dl=$(mktemp -d "${TMPDIR:-/tmp}/sfx-headers.XXXXXX")
    chmod 755 "$dl"
    chown _apt "$dl" 2>/dev/null || true # apt downloads as _apt
    (cd "$dl" && apt-get download "linux-headers-$KVER=$ver" "$common=$ver" "$kbuild=$ver" >&2) ||
        die "apt-get download of the headers failed"
    rm -rf "$CACHE/headers-$KVER"
    mkdir -p "$HROOT"
    for deb in "$dl"/*.deb; do dpkg -x "$deb" "$HROOT"; done
    rm -rf "$dl"
    [ -f "$HDIR/Makefile" ] || die "no $HDIR/Makefile in the headers package"
    # the flavour's Makefile includes /usr/src/linux-headers-*-common/Makefile: point it at ours
    sed -i "s|^include /usr/src/|include $HROOT/usr/src/|" "$HDIR/Makefile"
    touch "$CACHE/headers-$KVER/.complete"
fi

# --- build in a scratch copy, keep only the .ko -----------------------------------------
B=$(mktemp -d "${TMPDIR:-/tmp}/sfx-driver.XXXXXX")
trap 'rm -rf "$B"' EXIT
cp "$HERE/sfx_brokenmod.c" "$HERE/Kbuild" "$B/"
log "make -C $HDIR M=$B modules"
if ! make -C "$HDIR" M="$B" modules >"$B/build.log" 2>&1; then
    cat "$B/build.log" >&2
    die "building the driver failed"
fi
grep -iE 'warning|error' "$B/build.log" >&2 || true
vermagic=$(modinfo -F vermagic "$B/sfx_brokenmod.ko")
case $vermagic in
    "$KVER "*) ;;
    *) die "built for '$vermagic', not $KVER" ;;
esac
mkdir -p "$OUT"
cp "$B/sfx_brokenmod.ko" "$OUT/sfx_brokenmod.ko.tmp"
mv "$OUT/sfx_brokenmod.ko.tmp" "$OUT/sfx_brokenmod.ko"
log "built $OUT/sfx_brokenmod.ko ($vermagic)"
echo "$OUT/sfx_brokenmod.ko"
