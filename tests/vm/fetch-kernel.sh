#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fetch-kernel.sh [CACHE_DIR [KERNEL]]
#
# Puts a Debian 12 kernel (vmlinuz + modules, depmod'ed) into CACHE_DIR without
# touching the host's /boot or /lib/modules, and prints the kernel version on
# stdout (the only thing written to stdout; progress goes to stderr).
#
# KERNEL (default $SFX_VM_KERNEL, else 6.1) says which:
#   6.1     Debian 12's own kernel: the linux-image-6.1.0-N-amd64 that
#           linux-image-amd64 depends on
#   6.12 (any other SERIES)
#           the package of that series in tests/kernel-lint/kernels.list (the one
#           the database lint checks, docs/kernel-lint.md); when the archive no
#           longer offers it, the newest linux-image-SERIES.*-amd64 it does offer
#
# The .deb is downloaded once for both users of the kernel: when the database
# lint already downloaded it (it keeps it in $SUSPENDFIX_KERNEL_CACHE/debs), it is
# taken from there, and the lint summarises this unpacked tree instead of
# downloading when the tree is here first (tests/kernel-lint/fetch-kernels.sh).
#
# Layout produced:
#   CACHE_DIR/kernel.stamp              -> "KVER" of the ready 6.1 tree
#   CACHE_DIR/kernel-SERIES.stamp       -> "KVER" of the ready tree of another series
#   CACHE_DIR/kernel-KVER/root/         -> dpkg -x of linux-image-KVER
#   CACHE_DIR/kernel-KVER/root/boot/vmlinuz-KVER
#   CACHE_DIR/kernel-KVER/root/lib/modules/KVER/modules.dep(.bin) ...
#
# Idempotent: if kernel.stamp names a complete tree, nothing is downloaded and
# apt is not consulted (works offline). SUSPENDFIX_VM_KERNEL_REFRESH=1 forces a
# new lookup of the current linux-image-amd64 dependency.
#
# Also makes sure the host tools the harness needs are present
# (qemu-system-x86, busybox-static, cpio, kmod), installing them with apt-get
# if missing. Nothing is modprobe'd and nothing is installed into /boot.
set -eu

CACHE=${1:-${SUSPENDFIX_VM_CACHE:-${HOME:-/root}/.cache/suspendfix-vm}}
SERIES=${2:-${SFX_VM_KERNEL:-6.1}}
LINT_CACHE=${SUSPENDFIX_KERNEL_CACHE:-${HOME:-/root}/.cache/suspendfix-kernels}
KERNELS_LIST=$(cd "$(dirname "$0")/../kernel-lint" && pwd)/kernels.list
log() { echo "fetch-kernel: $*" >&2; }
case $SERIES in
    6.1) STAMP=kernel.stamp ;;
    [0-9]*.[0-9]*) STAMP=kernel-$SERIES.stamp ;;
    *) log "KERNEL '$SERIES' is not a kernel series (6.1, 6.12)"; exit 2 ;;
esac

mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)

# --- host tools -------------------------------------------------------------
need_pkgs=""
command -v qemu-system-x86_64 >/dev/null 2>&1 || need_pkgs="$need_pkgs qemu-system-x86"
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx poweroff \
    && ldd /bin/busybox 2>&1 | grep -q 'not a dynamic' || need_pkgs="$need_pkgs busybox-static"
command -v cpio >/dev/null 2>&1 || need_pkgs="$need_pkgs cpio"
[ -x /usr/bin/kmod ] || [ -x /bin/kmod ] || need_pkgs="$need_pkgs kmod"
if [ -n "$need_pkgs" ]; then
    log "installing:$need_pkgs"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need_pkgs >&2; then
        log "apt-get install failed; running apt-get update and retrying"
        apt-get update >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $need_pkgs >&2
    fi
fi

# --- cached tree? -----------------------------------------------------------
tree_ok() { # KVER
    [ -f "$CACHE/kernel-$1/root/boot/vmlinuz-$1" ] &&
    [ -f "$CACHE/kernel-$1/root/lib/modules/$1/modules.dep.bin" ] &&
    [ -f "$CACHE/kernel-$1/.complete" ]
}

if [ "${SUSPENDFIX_VM_KERNEL_REFRESH:-0}" != 1 ] && [ -f "$CACHE/$STAMP" ]; then
    kver=$(cat "$CACHE/$STAMP")
    if [ -n "$kver" ] && tree_ok "$kver"; then
        log "reusing cached kernel $kver in $CACHE"
        echo "$kver"
        exit 0
    fi
fi

# --- find the package -------------------------------------------------------
# the lint's package of the series, if the archive offers it (kernels.list: one per line)
listed_pkg() {
    p=$(grep -v '^#' "$KERNELS_LIST" 2>/dev/null | grep -E "^linux-image-$(echo "$SERIES" | sed 's/\./\\./g')[.-]" | head -n1)
    [ -n "$p" ] && apt-cache show "$p" >/dev/null 2>&1 && echo "$p"
}
# the newest linux-image-SERIES.N...-amd64 the archive offers (fetch-kernels.sh's rule)
newest_pkg() {
    apt-cache pkgnames "linux-image-$SERIES." 2>/dev/null |
        grep -E '^linux-image-[0-9]+\.[0-9]+[.0-9]*(-[0-9]+)?(\+deb[0-9]+)?-amd64$' |
        sed 's/^linux-image-//' | sort -V | tail -n1 | sed -n 's/^./linux-image-&/p'
}
find_pkg() {
    if [ "$SERIES" = 6.1 ]; then
        # linux-image-amd64 Depends: linux-image-6.1.0-N-amd64
        apt-cache depends linux-image-amd64 2>/dev/null |
            sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1
    else
        listed_pkg || { p=$(newest_pkg); [ -n "$p" ] && log "WARNING: $KERNELS_LIST names no $SERIES package the archive offers; using $p"; echo "$p"; }
    fi
}
pkg=$(find_pkg || true)
if [ -z "$pkg" ] || ! apt-cache show "$pkg" >/dev/null 2>&1; then
    log "no $SERIES kernel package known to apt-cache; running apt-get update"
    apt-get update >&2
    pkg=$(find_pkg)
fi
[ -n "$pkg" ] || { log "cannot determine the linux-image package"; exit 1; }
kver=${pkg#linux-image-}
log "kernel package: $pkg (version $kver)"

if tree_ok "$kver"; then
    echo "$kver" > "$CACHE/$STAMP"
    log "reusing cached kernel $kver"
    echo "$kver"
    exit 0
fi

# --- download + unpack ------------------------------------------------------
dl="$CACHE/debs"
mkdir -p "$dl"
deb=$(ls "$dl"/"${pkg}"_*.deb 2>/dev/null | head -n1 || true)
if [ -z "$deb" ]; then
    # downloaded by the database lint already: take it (it is deleted below once unpacked,
    # and the lint summarises the unpacked tree from here from now on)
    ldeb=$(ls "$LINT_CACHE/debs/${pkg}"_*.deb 2>/dev/null | head -n1 || true)
    if [ -n "$ldeb" ]; then
        log "taking $(basename "$ldeb") from the database lint's cache $LINT_CACHE"
        mv "$ldeb" "$dl"/ && deb=$dl/$(basename "$ldeb")
    fi
fi
if [ -z "$deb" ]; then
    log "apt-get download $pkg"
    # apt drops privileges to _apt for downloads; use a dir it can write to.
    tmpdl=$(mktemp -d)
    chmod 755 "$tmpdl"
    chown _apt "$tmpdl" 2>/dev/null || true
    (cd "$tmpdl" && apt-get download "$pkg" >&2) || {
        log "download failed; apt-get update and retry"
        apt-get update >&2
        (cd "$tmpdl" && apt-get download "$pkg" >&2)
    }
    mv "$tmpdl"/*.deb "$dl"/
    rm -rf "$tmpdl"
    deb=$(ls "$dl"/"${pkg}"_*.deb | head -n1)
fi

work="$CACHE/kernel-$kver"
rm -rf "$work"
mkdir -p "$work/root"
log "unpacking $(basename "$deb")"
dpkg -x "$deb" "$work/root"
# Debian ships vmlinuz in /boot; modules in /lib/modules (or /usr/lib/modules).
if [ ! -d "$work/root/lib/modules/$kver" ] && [ -d "$work/root/usr/lib/modules/$kver" ]; then
    mkdir -p "$work/root/lib/modules"
    ln -s "../../usr/lib/modules/$kver" "$work/root/lib/modules/$kver"
fi
[ -f "$work/root/boot/vmlinuz-$kver" ] || { log "no vmlinuz-$kver in package"; exit 1; }
log "depmod -b $work/root $kver"
depmod -b "$work/root" "$kver"
touch "$work/.complete"
echo "$kver" > "$CACHE/$STAMP"
# keep the .deb small-footprint: remove it once unpacked unless asked to keep
[ "${SUSPENDFIX_VM_KEEP_DEB:-0}" = 1 ] || rm -f "$deb"
log "kernel $kver ready in $work"
echo "$kver"
