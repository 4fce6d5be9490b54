#!/bin/bash
# build-initramfs.sh - build the busybox+kmod initramfs for the suspendfix VM tests.
#
# Usage: build-initramfs.sh -o OUT.cpio.gz [-c CACHE_DIR] [-k KVER] [-d DESTDIR]
#                           [-S SCENARIO_FILE] [-s SCENARIO_DIR]... [-m MODULE]...
#                           [-M MODULE_DIR]... [-K FILE.ko]... [-I INIT] [-P PAYLOAD_DIR]
#                           [-e EXPECT_FILE]
#
#   -c CACHE_DIR  the directory fetch-kernel.sh filled (default $SUSPENDFIX_VM_CACHE or
#                 ~/.cache/suspendfix-vm); the kernel version comes from its kernel.stamp
#   -k KVER       kernel version (default: from the stamp)
#   -d DESTDIR    an installed suspendfix tree (e.g. `DESTDIR=X cmake --install build`);
#                 its contents are copied to / in the guest, plus every shared library
#                 `ldd` lists for every ELF file in it. Optional (harness-only runs).
#   -S FILE       bake FILE in as /scenario.sh (run when sfx.scenario= is not given)
#   -s DIR        also copy DIR/*.sh to /sfx/scenarios/ (repeatable)
#   -m MODULE     extra kernel module to include (name as in modules.dep, - or _), repeatable
#   -M DIR        extra module directory below kernel/ (e.g. drivers/net/wireless), repeatable
#   -K FILE.ko    an out-of-tree module (the test driver, driver/build-driver.sh) to put in
#                 /lib/modules/KVER/updates/, found by modprobe and coldplug; repeatable
#   -I INIT       use INIT as /init instead of guest-init.sh (deb-init.sh: the boot initramfs
#                 of the full-userspace guests)
#   -P DIR        copy DIR to /payload (what deb-init.sh copies into the root image)
#   -e FILE       install FILE as /sfx/kernel-expect.sh: what the database lint says the NEC
#                 profile's holders and plan are on this kernel (lint-expect.py)
#   -o OUT        output file (gzip'ed newc cpio)
#
# Everything in tests/vm/scenarios/*.sh is copied to /sfx/scenarios/, guest-lib*.sh to
# /sfx/, guest-init.sh to /init (or -I), tests/vm/profiles/ to /sfx/profiles/. The guest
# uses a merged-/usr layout like Debian 12 (/bin, /sbin, /lib, /lib64 are links into /usr).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${SUSPENDFIX_VM_CACHE:-${HOME:-/root}/.cache/suspendfix-vm}
KVER=
DESTDIR_IN=
BAKED=
OUT=
EXTRA_MODS=()
EXTRA_DIRS=()
EXTRA_KOS=()
INIT=$HERE/guest-init.sh
PAYLOAD=
EXPECT=
SCEN_DIRS=("$HERE/scenarios")
while getopts "c:k:d:S:s:m:M:K:I:P:e:o:h" opt; do
    case $opt in
        c) CACHE=$OPTARG ;;
        k) KVER=$OPTARG ;;
        d) DESTDIR_IN=$OPTARG ;;
        S) BAKED=$OPTARG ;;
        s) SCEN_DIRS+=("$OPTARG") ;;
        m) EXTRA_MODS+=("$OPTARG") ;;
        M) EXTRA_DIRS+=("$OPTARG") ;;
        K) EXTRA_KOS+=("$OPTARG") ;;
        I) INIT=$OPTARG ;;
        P) PAYLOAD=$OPTARG ;;
        e) EXPECT=$OPTARG ;;
        o) OUT=$OPTARG ;;
        h) sed -n '2,33p' "$0"; exit 0 ;;
        *) sed -n '2,33p' "$0" >&2; exit 2 ;;
    esac
done
log() { echo "build-initramfs: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
[ -n "$OUT" ] || die "-o OUT is required"
# fetch-kernel.sh's stamp of the series SFX_VM_KERNEL names (kernel.stamp for 6.1, the default)
STAMP=kernel.stamp
[ "${SFX_VM_KERNEL:-6.1}" = 6.1 ] || STAMP=kernel-$SFX_VM_KERNEL.stamp
[ -n "$KVER" ] || KVER=$(cat "$CACHE/$STAMP" 2>/dev/null) || die "no $STAMP in $CACHE (run fetch-kernel.sh)"
KROOT=$CACHE/kernel-$KVER/root
MODSRC=$KROOT/lib/modules/$KVER
[ -f "$MODSRC/modules.dep" ] || die "no modules.dep in $MODSRC"
[ -x /bin/busybox ] || die "busybox-static missing"
KMOD=$(command -v kmod || true); [ -n "$KMOD" ] || KMOD=/usr/bin/kmod
[ -x "$KMOD" ] || die "kmod missing"
if [ -n "$DESTDIR_IN" ]; then
    [ -d "$DESTDIR_IN" ] || die "DESTDIR $DESTDIR_IN is not a directory"
    DESTDIR_IN=$(cd "$DESTDIR_IN" && pwd)
fi

ST=$(mktemp -d "${TMPDIR:-/tmp}/sfx-initramfs.XXXXXX")
trap 'rm -rf "$ST"' EXIT

# --- skeleton (merged /usr) -------------------------------------------------
mkdir -p "$ST"/usr/{bin,sbin,lib/x86_64-linux-gnu,lib64} \
         "$ST"/{dev,proc,sys,run,tmp,etc/modprobe.d,root,var/log,var/lib,mnt,sfx/scenarios}
ln -s usr/bin "$ST/bin"; ln -s usr/sbin "$ST/sbin"
ln -s usr/lib "$ST/lib"; ln -s usr/lib64 "$ST/lib64"
ln -s ../run "$ST/var/run"
chmod 1777 "$ST/tmp"
mknod -m 600 "$ST/dev/console" c 5 1 2>/dev/null || true
mknod -m 666 "$ST/dev/null" c 1 3 2>/dev/null || true
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$ST/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$ST/etc/group"
printf '/usr/local/lib\n/usr/lib/x86_64-linux-gnu\n/usr/lib\n' > "$ST/etc/ld.so.conf"
echo sfx-vm > "$ST/etc/hostname"

# --- busybox + applet links ---------------------------------------------------
cp /bin/busybox "$ST/usr/bin/busybox"
for a in $(/bin/busybox --list-full); do
    name=${a##*/}
    case $a in
        sbin/*|usr/sbin/*) dst=$ST/usr/sbin/$name ;;
        *) dst=$ST/usr/bin/$name ;;
    esac
    [ -e "$dst" ] || [ -L "$dst" ] || ln -s /usr/bin/busybox "$dst"
done

# --- kmod (the real one; busybox's modprobe does not use modules.*.bin) --------
cp -L "$KMOD" "$ST/usr/bin/kmod"
for t in modprobe rmmod lsmod depmod insmod modinfo; do
    rm -f "$ST/usr/bin/$t" "$ST/usr/sbin/$t"
    ln -s /usr/bin/kmod "$ST/usr/sbin/$t"
done
ln -s /usr/bin/kmod "$ST/usr/bin/lsmod"

# --- the installed suspendfix tree ---------------------------------------------
if [ -n "$DESTDIR_IN" ]; then
    log "copying installed tree $DESTDIR_IN"
    tar -C "$DESTDIR_IN" -cf - . | tar -C "$ST" -xf - --keep-directory-symlink --no-same-owner
fi

# --- shared libraries: ldd of kmod and of every ELF in the installed tree ------
elfs=("$ST/usr/bin/kmod")
if [ -n "$DESTDIR_IN" ]; then
    while IFS= read -r -d '' f; do
        if [ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ]; then elfs+=("$f"); fi
    done < <(find "$DESTDIR_IN" -type f -print0)
fi
copy_lib() { # host path
    local p=$1
    [ -e "$ST$p" ] && return 0
    mkdir -p "$ST$(dirname "$p")"
    cp -L "$p" "$ST$p"
}
missing=0
for e in "${elfs[@]}"; do
    out=$(ldd "$e" 2>&1) || {
        # static or not a dynamic executable: fine
        echo "$out" | grep -qiE 'not a dynamic|statically linked' && continue
        die "ldd $e failed: $out"
    }
    while read -r line; do
        case $line in
            *"not found"*)
                lib=${line%% *}
                if [ -n "$DESTDIR_IN" ] && [ -n "$(find "$DESTDIR_IN" -name "$lib" -print -quit)" ]; then
                    continue # shipped by the tree itself
                fi
                log "ERROR: $e needs $lib, which is not found"; missing=1 ;;
            *"=> /"*)
                p=${line#*=> }; p=${p%% (*}
                [ -n "$DESTDIR_IN" ] && case $p in "$DESTDIR_IN"/*) continue ;; esac
                copy_lib "$p" ;;
            /*)
                p=${line%% (*}; copy_lib "$p" ;;
        esac
    done <<< "$out"
done
[ $missing = 0 ] || die "unresolved shared libraries"
# debug info only slows the boot (RelWithDebInfo binaries are ~4x larger): strip the
# staged copies (never the tree itself) unless SFX_VM_NOSTRIP=1
if [ "${SFX_VM_NOSTRIP:-0}" != 1 ] && command -v strip >/dev/null && [ ${#elfs[@]} -gt 1 ]; then
    for e in "${elfs[@]:1}"; do
        strip --strip-debug "$ST${e#"$DESTDIR_IN"}" 2>/dev/null || true
    done
fi
ldconfig -r "$ST" 2>/dev/null || log "warning: ldconfig -r failed (loader will use default paths)"

# --- kernel modules: selected dirs + named modules + modules.dep closure --------
declare -A want=()
MODDIRS=(drivers/usb/common drivers/usb/core drivers/usb/host drivers/usb/storage drivers/usb/class
         drivers/hid/usbhid "${EXTRA_DIRS[@]}")
# ext4 (mounts ext2 too) and vfat: the mounted-USB-disk safety scenario; crc32c_generic because
# ext4/jbd2 ask for "crc32c" through the crypto API (no symbol dependency, so no modules.dep entry)
MODNAMES=(e1000e button sd_mod hid_generic evdev ext4 crc32c_generic vfat nls_cp437 nls_ascii nls_utf8
          "${EXTRA_MODS[@]}")
# map module name -> relative path from modules.dep
declare -A path_of=()
while IFS=: read -r rel _; do
    b=${rel##*/}; b=${b%%.ko*}; b=${b//-/_}
    path_of[$b]=$rel
done < "$MODSRC/modules.dep"
for d in "${MODDIRS[@]}"; do
    [ -d "$MODSRC/kernel/$d" ] || { log "warning: no module dir kernel/$d"; continue; }
    while IFS= read -r rel; do want[$rel]=1; done < <(cd "$MODSRC" && find "kernel/$d" -name '*.ko*')
done
for m in "${MODNAMES[@]}"; do
    m=${m//-/_}
    if [ -n "${path_of[$m]:-}" ]; then want[${path_of[$m]}]=1
    elif grep -qE "/${m//_/[-_]}\.ko" "$MODSRC/modules.builtin"; then :
    else log "warning: module $m not found"; fi
done
# dependency closure
declare -A deps_of=()
while IFS=: read -r rel dl; do deps_of[$rel]=$dl; done < "$MODSRC/modules.dep"
queue=("${!want[@]}")
while [ ${#queue[@]} -gt 0 ]; do
    rel=${queue[0]}; queue=("${queue[@]:1}")
    for d in ${deps_of[$rel]:-}; do
        [ -n "${want[$d]:-}" ] && continue
        want[$d]=1; queue+=("$d")
    done
done
MODDST=$ST/usr/lib/modules/$KVER
mkdir -p "$MODDST"
for rel in "${!want[@]}"; do
    mkdir -p "$MODDST/$(dirname "$rel")"
    cp "$MODSRC/$rel" "$MODDST/$rel"
done
for f in modules.builtin modules.builtin.modinfo modules.order; do
    [ -f "$MODSRC/$f" ] && cp "$MODSRC/$f" "$MODDST/"
done
for ko in "${EXTRA_KOS[@]}"; do
    [ -f "$ko" ] || die "no module file $ko"
    mkdir -p "$MODDST/updates"
    cp "$ko" "$MODDST/updates/"
done
depmod -b "$ST" "$KVER"
log "${#want[@]} kernel modules${EXTRA_KOS[*]:+ + ${EXTRA_KOS[*]##*/}}"

# --- test harness files ---------------------------------------------------------
install -m 0755 "$INIT" "$ST/init"
for lib in "$HERE"/guest-lib*.sh; do install -m 0644 "$lib" "$ST/sfx/"; done
if [ -n "$PAYLOAD" ]; then
    mkdir -p "$ST/payload"
    tar -C "$PAYLOAD" -cf - . | tar -C "$ST/payload" -xf - --no-same-owner
fi
# test profiles for the device-action scenarios (passed with --profiles, never installed)
if [ -d "$HERE/profiles" ]; then
    mkdir -p "$ST/sfx/profiles"
    cp -r "$HERE/profiles/." "$ST/sfx/profiles/"
fi
for d in "${SCEN_DIRS[@]}"; do
    for s in "$d"/*.sh; do
        [ -e "$s" ] && install -m 0755 "$s" "$ST/sfx/scenarios/"
    done
done
[ -n "$BAKED" ] && install -m 0755 "$BAKED" "$ST/scenario.sh"
[ -n "$EXPECT" ] && install -m 0644 "$EXPECT" "$ST/sfx/kernel-expect.sh"

# --- pack --------------------------------------------------------------------------
mkdir -p "$(dirname "$OUT")"
(cd "$ST" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -6 > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
log "wrote $OUT ($(du -h "$OUT" | cut -f1), kernel $KVER${DESTDIR_IN:+, tree $DESTDIR_IN})"
