#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fetch-kernels.sh [--resolve] [CACHE_DIR]
#
# Puts a small summary of each kernel in kernels.list (module alias, dependency and built-in
# tables, direct dependencies of every module) into CACHE_DIR/summary/KVER/, and prints one
# KVER per line on stdout (progress goes to stderr). The packages are fetched with
# `apt-get download` and unpacked with `dpkg -x` into a scratch directory, `depmod -b` builds
# the tables, and the unpacked tree is deleted once summarised: nothing is installed, nothing
# goes near the host's /boot or /lib/modules. The .deb is kept in CACHE_DIR/debs/ for the VM
# test, which runs the same kernels (tests/vm/fetch-kernel.sh takes it from there); when the
# VM test has unpacked the kernel already ($SUSPENDFIX_VM_CACHE/kernel-KVER), its tree is
# summarised and nothing is downloaded. Each kernel is downloaded once for both.
#
# A summary that is already complete is reused without asking apt (works offline).
# A package the archive no longer offers is replaced by the current one of its kind, with a
# warning (the report then needs regenerating). --resolve only prints the packages the archive
# offers now: Debian 12's kernel (the one linux-image-amd64 depends on) and the newest one.
#
# Exit status: 0 all summaries ready; 77 some kernel could not be fetched (the reason is on
# stderr); 1 anything else.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
log() { echo "fetch-kernels: $*" >&2; }

resolve_only=0
if [ "${1:-}" = --resolve ]; then
    resolve_only=1
    shift
fi
CACHE=${1:-${SUSPENDFIX_KERNEL_CACHE:-${HOME:-/root}/.cache/suspendfix-kernels}}
VM_CACHE=${SUSPENDFIX_VM_CACHE:-${HOME:-/root}/.cache/suspendfix-vm}

# Debian 12's kernel: what linux-image-amd64 depends on.
debian_kernel() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1
}

# The newest signed amd64 kernel package the archive offers (6.12.N+deb12 today).
newest_kernel() {
    apt-cache pkgnames linux-image- 2>/dev/null |
        grep -E '^linux-image-[0-9]+\.[0-9]+[.0-9]*(-[0-9]+)?(\+deb[0-9]+)?-amd64$' |
        sed 's/^linux-image-//' | sort -V | tail -n1 | sed 's/^/linux-image-/'
}

resolved() {
    a=$(debian_kernel)
    b=$(newest_kernel)
    if [ -z "$a" ] || [ -z "$b" ]; then
        log "apt does not know linux-image-amd64; running apt-get update"
        apt-get update >&2 || return 1
        a=$(debian_kernel)
        b=$(newest_kernel)
    fi
    [ -n "$a" ] && [ -n "$b" ] || return 1
    echo "$a"
    [ "$b" = "$a" ] || echo "$b"
}

if [ "$resolve_only" = 1 ]; then
    resolved || { log "cannot resolve the kernel packages"; exit 77; }
    exit 0
fi

mkdir -p "$CACHE/summary"
CACHE=$(cd "$CACHE" && pwd)

packages=$(grep -v '^#' "$HERE/kernels.list" | grep -v '^ *$')

# Downloads and summarises one package; prints its KVER.
fetch_one() {
    pkg=$1
    kver=${pkg#linux-image-}
    if [ -f "$CACHE/summary/$kver/.complete" ]; then
        log "reusing $kver"
        echo "$kver"
        return 0
    fi
    if ! apt-cache show "$pkg" >/dev/null 2>&1; then
        apt-get update >&2 || true
    fi
    if ! apt-cache show "$pkg" >/dev/null 2>&1; then
        case $pkg in
            linux-image-6.1.0-*) replacement=$(debian_kernel) ;;
            *) replacement=$(newest_kernel) ;;
        esac
        [ -n "$replacement" ] || { log "the archive offers neither $pkg nor a replacement"; return 77; }
        log "WARNING: the archive no longer offers $pkg; using $replacement (regenerate the report)"
        pkg=$replacement
        kver=${pkg#linux-image-}
        if [ -f "$CACHE/summary/$kver/.complete" ]; then
            echo "$kver"
            return 0
        fi
    fi
    # The VM test's unpacked, depmod'ed tree of the same kernel (tests/vm/fetch-kernel.sh):
    # summarise it in place, nothing is downloaded.
    vmtree=$VM_CACHE/kernel-$kver
    if [ -f "$vmtree/.complete" ] && [ -f "$vmtree/root/lib/modules/$kver/modules.dep.bin" ]; then
        log "summarising $kver from the VM test's tree $vmtree"
        rm -rf "$CACHE/summary/$kver"
        python3 "$HERE/kernel_summary.py" --package "$pkg" "$vmtree/root" "$kver" \
            "$CACHE/summary/$kver" || return 1
        echo "$kver"
        return 0
    fi
    work=$(mktemp -d "${TMPDIR:-/tmp}/suspendfix-kernel.XXXXXX")
    # apt drops privileges to _apt for downloads: give it a directory it can write to.
    chmod 755 "$work"
    chown _apt "$work" 2>/dev/null || true
    log "apt-get download $pkg"
    if ! (cd "$work" && apt-get download "$pkg" >&2); then
        rm -rf "$work"
        log "could not download $pkg"
        return 77
    fi
    log "unpacking and summarising $kver"
    dpkg -x "$work"/*.deb "$work/root" || return 1
    # the .deb stays in CACHE/debs for the VM test, which takes it from there instead of
    # downloading it again (and deletes it once unpacked)
    mkdir -p "$CACHE/debs"
    rm -f "$CACHE/debs/${pkg}"_*.deb
    mv "$work"/*.deb "$CACHE/debs/"
    if [ ! -d "$work/root/lib/modules/$kver" ] && [ -d "$work/root/usr/lib/modules/$kver" ]; then
        mkdir -p "$work/root/lib/modules"
        ln -s "../../usr/lib/modules/$kver" "$work/root/lib/modules/$kver"
    fi
    depmod -b "$work/root" "$kver" || return 1
    rm -rf "$CACHE/summary/$kver"
    python3 "$HERE/kernel_summary.py" --package "$pkg" "$work/root" "$kver" \
        "$CACHE/summary/$kver" || return 1
    rm -rf "$work"
    echo "$kver"
}

status=0
for pkg in $packages; do
    fetch_one "$pkg" || { rc=$?; [ "$rc" = 77 ] && status=77 || exit 1; }
done
exit "$status"
