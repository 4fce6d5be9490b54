#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build-image.sh -f systemd|elogind [-c CACHE_DIR] [-k KVER]
#
# Builds (once) a Debian 12 root filesystem image for the full-userspace VM guests, so that
# the real sleep systems run the installed hooks, and prints its path on stdout (the only
# thing written to stdout). run-vm.py opens it with snapshot=on: a run never writes to it.
#
#   systemd  systemd, systemd-sysv, udev, kmod, dbus, procps, kbd, pm-utils: `systemctl
#            suspend` (logind -> systemd-sleep) and `pm-suspend`
#   elogind  sysvinit-core, elogind, libpam-elogind, orphan-sysvinit-scripts, rsyslog, udev,
#            kmod, dbus, procps, kbd: `loginctl suspend`
#   both     libyaml-cpp0.7 (what the suspendfix binary needs besides libudev/libkmod), and
#            the VM kernel's modules (all of them, as an installed kernel has; depmod'ed)
#
# mmdebstrap (minbase, bookworm, from $SFX_VM_MIRROR or deb.debian.org; eatmydata when the
# host has it), then `mkfs.ext4 -d` into CACHE/images/FLAVOUR-KVER-HASH.img, HASH covering
# this script (package lists, configuration): an image is reused until one of them changes,
# and older images of the same flavour are deleted. Needs root (chroot, device nodes).
#
# The guest boots through the busybox initramfs (build-initramfs.sh -I deb-init.sh), which
# mounts this image and copies the run's payload (the suspendfix tree, the test driver,
# /sfx) into it before switch_root. The image starts /sfx/deb-runner.sh once booted: a
# systemd unit (after multi-user.target) or an inittab "once" entry (after runlevel 2).
set -euo pipefail

CACHE=${SUSPENDFIX_VM_CACHE:-${HOME:-/root}/.cache/suspendfix-vm}
KVER=
FLAVOUR=
while getopts "c:k:f:h" opt; do
    case $opt in
        c) CACHE=$OPTARG ;;
        k) KVER=$OPTARG ;;
        f) FLAVOUR=$OPTARG ;;
        *) sed -n '3,24p' "$0" >&2; exit 2 ;;
    esac
done
log() { echo "build-image[$FLAVOUR]: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
COMMON=udev,kmod,dbus,procps,kbd,libyaml-cpp0.7
case $FLAVOUR in
    systemd) PKGS=$COMMON,systemd,systemd-sysv,pm-utils ;;
    elogind) PKGS=$COMMON,sysvinit-core,elogind,libpam-elogind,orphan-sysvinit-scripts,rsyslog ;;
    *) die "-f systemd|elogind is required" ;;
esac
mkdir -p "$CACHE/images"
CACHE=$(cd "$CACHE" && pwd)
# fetch-kernel.sh's stamp of the series SFX_VM_KERNEL names (kernel.stamp for 6.1, the default)
STAMP=kernel.stamp
[ "${SFX_VM_KERNEL:-6.1}" = 6.1 ] || STAMP=kernel-$SFX_VM_KERNEL.stamp
[ -n "$KVER" ] || KVER=$(cat "$CACHE/$STAMP" 2>/dev/null) || die "no $STAMP in $CACHE (run fetch-kernel.sh)"
MODSRC=$CACHE/kernel-$KVER/root/lib/modules/$KVER
[ -f "$MODSRC/modules.dep" ] || die "no kernel modules in $MODSRC"

hash=$(sha256sum "$0" | cut -c1-12)
IMG=$CACHE/images/$FLAVOUR-$KVER-$hash.img
if [ -f "$IMG" ]; then
    log "reusing $IMG"
    echo "$IMG"
    exit 0
fi
command -v mmdebstrap >/dev/null || die "mmdebstrap missing (apt-get install mmdebstrap)"
command -v mkfs.ext4 >/dev/null || die "mkfs.ext4 missing (e2fsprogs)"

W=$(mktemp -d "$CACHE/images/.build-$FLAVOUR.XXXXXX")
cleanup() { if mountpoint -q "$W"; then umount "$W"; fi; rm -rf "$W"; }
trap cleanup EXIT
# a tmpfs for the tree when there is memory to spare: dpkg, mkfs -d and the final rm -rf
# spend most of their time waiting for the disk otherwise
if [ "$(awk '/^MemAvailable:/ { print int($2 / 1048576) }' /proc/meminfo)" -ge 6 ] &&
   mount -t tmpfs -o size=3G,mode=0755 sfx-image-build "$W" 2>/dev/null; then
    log "building in a tmpfs"
fi
R=$W/root
t0=$SECONDS
opts=(--variant=minbase --include="$PKGS" --aptopt='Acquire::Retries "3"')
eat=/usr/share/mmdebstrap/hooks/eatmydata
# dpkg's fsyncs dominate an install on a slow disk; eatmydata drops them (the image is a cache)
[ -d "$eat" ] && command -v eatmydata >/dev/null && opts+=(--hook-dir="$eat")
log "mmdebstrap bookworm ($PKGS)"
mmdebstrap "${opts[@]}" bookworm "$R" "${SFX_VM_MIRROR:-http://deb.debian.org/debian}" \
    >"$W/mmdebstrap.log" 2>&1 || { tail -n 30 "$W/mmdebstrap.log" >&2; die "mmdebstrap failed"; }
t1=$SECONDS

# --- the kernel's modules, as an installed linux-image package has them ------------------
mkdir -p "$R/usr/lib/modules"
# hard links when the cache and the build share a filesystem: mkfs.ext4 -d copies them anyway
cp -al "$MODSRC" "$R/usr/lib/modules/" 2>/dev/null || cp -a "$MODSRC" "$R/usr/lib/modules/"
rm -f "$R/usr/lib/modules/$KVER/build" "$R/usr/lib/modules/$KVER/source"
depmod -b "$R" "$KVER"

# --- configuration --------------------------------------------------------------------------
echo sfx-deb > "$R/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 sfx-deb\n' > "$R/etc/hosts"
# the initramfs mounts the root read-write; no fsck (the image is opened with snapshot=on)
printf '/dev/vda / ext4 rw,errors=remount-ro 0 0\n' > "$R/etc/fstab"
: > "$R/etc/machine-id"
# drivers for QEMU's other devices that the tests never use: udev loading them (the floppy
# probe above all) costs seconds of every TCG boot
printf 'blacklist %s\n' floppy pcspkr kvm kvm_amd kvm_intel ccp psmouse serio_raw drm \
    qemu_fw_cfg efi_pstore ata_piix ata_generic i2c_piix4 > "$R/etc/modprobe.d/sfx-vm-quiet.conf"
mask() { for u in "$@"; do ln -sf /dev/null "$R/etc/systemd/system/$u"; done; }
if [ "$FLAVOUR" = systemd ]; then
    # nothing that wakes up by itself during a test, no getty (no display; ttyS0 is the log)
    mask apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer \
         fstrim.timer systemd-tmpfiles-clean.timer e2scrub_reap.service getty@tty1.service \
         serial-getty@ttyS0.service
    cat > "$R/etc/systemd/system/sfx-vm.service" <<'EOF'
[Unit]
Description=suspendfix VM test runner
ConditionPathExists=/sfx/deb-runner.sh
After=multi-user.target

[Service]
Type=exec
ExecStart=/sfx/deb-runner.sh systemd
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
EOF
    mkdir -p "$R/etc/systemd/system/multi-user.target.wants"
    ln -sf ../sfx-vm.service "$R/etc/systemd/system/multi-user.target.wants/sfx-vm.service"
else
    # no gettys (no display); run the tests once runlevel 2 is up (after rsyslog, dbus, elogind)
    sed -i 's/^\([1-6]:[0-9]*:respawn:\)/#\1/' "$R/etc/inittab"
    echo 'sx:2345:once:/sfx/deb-runner.sh elogind' >> "$R/etc/inittab"
fi
rm -rf "$R/var/lib/apt/lists/"* "$R/var/cache/apt/"*.bin

# --- the image --------------------------------------------------------------------------------
mb=$(du -sm "$R" | cut -f1)
size=$(( mb + mb / 4 + 128 ))
TMPIMG=$CACHE/images/.$FLAVOUR.$$.img
mkfs.ext4 -q -F -m 0 -L sfxroot -d "$R" "$TMPIMG" "${size}M" >&2 || { rm -f "$TMPIMG"; die "mkfs.ext4 -d failed"; }
t2=$SECONDS
rm -f "$CACHE/images/$FLAVOUR-"*.img
mv "$TMPIMG" "$IMG"
cleanup
trap - EXIT
log "built $IMG (${mb} MB of files, ${size} MB image): mmdebstrap $((t1 - t0)) s, modules and mkfs $((t2 - t1)) s, clean-up $((SECONDS - t2)) s"
echo "$IMG"
