#!/bin/sh
# fetch-kernel.sh [CACHE_DIR]
#
# Puts a Debian 12 kernel (vmlinuz + modules, depmod'ed) into CACHE_DIR without
# touching the host's /boot or /lib/modules, and prints the kernel version on
# stdout (the only thing written to stdout; progress goes to stderr).
#
# Layout produced:
#   CACHE_DIR/kernel.stamp              -> "KVER" of the ready tree
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
log() { echo "fetch-kernel: $*" >&2; }

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

if [ "${SUSPENDFIX_VM_KERNEL_REFRESH:-0}" != 1 ] && [ -f "$CACHE/kernel.stamp" ]; then
    kver=$(cat "$CACHE/kernel.stamp")
    if [ -n "$kver" ] && tree_ok "$kver"; then
        log "reusing cached kernel $kver in $CACHE"
        echo "$kver"
        exit 0
    fi
fi

# --- find the package -------------------------------------------------------
find_pkg() {
    # linux-image-amd64 Depends: linux-image-6.1.0-N-amd64
    apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1
}
pkg=$(find_pkg || true)
if [ -z "$pkg" ] || ! apt-cache show "$pkg" >/dev/null 2>&1; then
    log "linux-image-amd64 unknown to apt-cache; running apt-get update"
    apt-get update >&2
    pkg=$(find_pkg)
fi
[ -n "$pkg" ] || { log "cannot determine the linux-image package"; exit 1; }
kver=${pkg#linux-image-}
log "kernel package: $pkg (version $kver)"

if tree_ok "$kver"; then
    echo "$kver" > "$CACHE/kernel.stamp"
    log "reusing cached kernel $kver"
    echo "$kver"
    exit 0
fi

# --- download + unpack ------------------------------------------------------
dl="$CACHE/debs"
mkdir -p "$dl"
deb=$(ls "$dl"/"${pkg}"_*.deb 2>/dev/null | head -n1 || true)
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
echo "$kver" > "$CACHE/kernel.stamp"
# keep the .deb small-footprint: remove it once unpacked unless asked to keep
[ "${SUSPENDFIX_VM_KEEP_DEB:-0}" = 1 ] || rm -f "$deb"
log "kernel $kver ready in $work"
echo "$kver"
