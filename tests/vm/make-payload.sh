#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make-payload.sh -o DIR [-c CACHE_DIR] [-k KVER] [-d DESTDIR] [-K FILE.ko]...
#
# Stages what a full-userspace guest gets on top of its cached image (deb-init.sh copies it
# over the root before switch_root), so that the image is never rebuilt for a new build:
#   - DESTDIR, the suspendfix tree as a package installs it (hooks in
#     /usr/lib/systemd/system-sleep, /usr/lib/elogind/system-sleep, /usr/lib/pm-utils/sleep.d),
#     folded into merged /usr (bin, sbin, lib go below usr/), ELF files stripped;
#   - each -K module in /usr/lib/modules/KVER/updates/ with the kernel's module index
#     rebuilt on the host (depmod over a hard-linked copy of the cached modules, which are
#     exactly the image's), so modprobe, udev and libkmod find it by name and alias, and
#     blacklisted in /etc/modprobe.d/sfx-vm-blacklist.conf until a scenario drops that;
#   - /sfx: guest-lib*.sh, deb-runner.sh, scenarios/, profiles/, and busybox-static with its
#     applets in /sfx/bin (last in the runner's PATH: usleep and friends Debian lacks).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${SUSPENDFIX_VM_CACHE:-${HOME:-/root}/.cache/suspendfix-vm}
KVER=
DESTDIR_IN=
OUT=
KOS=()
while getopts "c:k:d:K:o:h" opt; do
    case $opt in
        c) CACHE=$OPTARG ;;
        k) KVER=$OPTARG ;;
        d) DESTDIR_IN=$OPTARG ;;
        K) KOS+=("$OPTARG") ;;
        o) OUT=$OPTARG ;;
        *) sed -n '3,15p' "$0" >&2; exit 2 ;;
    esac
done
log() { echo "make-payload: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
[ -n "$OUT" ] || die "-o DIR is required"
# fetch-kernel.sh's stamp of the series SFX_VM_KERNEL names (kernel.stamp for 6.1, the default)
STAMP=kernel.stamp
[ "${SFX_VM_KERNEL:-6.1}" = 6.1 ] || STAMP=kernel-$SFX_VM_KERNEL.stamp
[ -n "$KVER" ] || KVER=$(cat "$CACHE/$STAMP" 2>/dev/null) || die "no $STAMP in $CACHE"
MODSRC=$CACHE/kernel-$KVER/root/lib/modules/$KVER
[ -f "$MODSRC/modules.dep" ] || die "no modules.dep in $MODSRC"
rm -rf "$OUT"
mkdir -p "$OUT/usr" "$OUT/sfx/scenarios" "$OUT/sfx/bin"

# --- the suspendfix tree, merged-/usr ------------------------------------------------------
if [ -n "$DESTDIR_IN" ]; then
    [ -d "$DESTDIR_IN" ] || die "DESTDIR $DESTDIR_IN is not a directory"
    tar -C "$DESTDIR_IN" -cf - . | tar -C "$OUT" -xf - --no-same-owner
    for d in bin sbin lib lib64; do
        if [ ! -d "$OUT/$d" ] || [ -L "$OUT/$d" ]; then continue; fi
        mkdir -p "$OUT/usr/$d"
        tar -C "$OUT/$d" -cf - . | tar -C "$OUT/usr/$d" -xf -
        rm -rf "${OUT:?}/$d"
    done
    if [ "${SFX_VM_NOSTRIP:-0}" != 1 ] && command -v strip >/dev/null; then
        while IFS= read -r -d '' f; do
            [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] && strip --strip-debug "$f"
        done < <(find "$OUT/usr" -type f -print0)
    fi
fi

# --- out-of-tree modules and the module index ------------------------------------------------
if [ ${#KOS[@]} -gt 0 ]; then
    M=$(mktemp -d "${TMPDIR:-/tmp}/sfx-payload-mods.XXXXXX")
    trap 'rm -rf "$M"' EXIT
    mkdir -p "$M/lib/modules"
    cp -al "$MODSRC" "$M/lib/modules/" 2>/dev/null || cp -a "$MODSRC" "$M/lib/modules/"
    dst=$OUT/usr/lib/modules/$KVER
    mkdir -p "$dst/updates" "$M/lib/modules/$KVER/updates"
    for ko in "${KOS[@]}"; do
        [ -f "$ko" ] || die "no module file $ko"
        cp "$ko" "$dst/updates/"
        cp "$ko" "$M/lib/modules/$KVER/updates/"
    done
    depmod -b "$M" "$KVER"
    cp "$M/lib/modules/$KVER"/modules.* "$dst/"
    # udev must not load them at boot: the guest's first scenarios need a sleep that works;
    # guest-lib-driver.sh's drv_enable drops this and replays the device's add event
    mkdir -p "$OUT/etc/modprobe.d"
    for ko in "${KOS[@]}"; do
        m=${ko##*/}; echo "blacklist ${m%.ko}"
    done > "$OUT/etc/modprobe.d/sfx-vm-blacklist.conf"
fi

# --- the harness -----------------------------------------------------------------------------
install -m 0644 "$HERE"/guest-lib*.sh "$OUT/sfx/"
install -m 0755 "$HERE/deb-runner.sh" "$OUT/sfx/"
install -m 0755 "$HERE"/scenarios/*.sh "$OUT/sfx/scenarios/"
[ -d "$HERE/profiles" ] && cp -r "$HERE/profiles" "$OUT/sfx/profiles"
cp /bin/busybox "$OUT/sfx/bin/busybox"
for a in $(/bin/busybox --list); do
    [ "$a" = busybox ] || ln -s busybox "$OUT/sfx/bin/$a"
done
log "staged $OUT ($(du -sh "$OUT" | cut -f1)${DESTDIR_IN:+, tree $DESTDIR_IN}${KOS[*]:+, ${KOS[*]##*/}})"
