#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# /init of the boot initramfs of the full-userspace guests (busybox sh, PID 1); installed
# by build-initramfs.sh -I. Never run on the host.
#
# Loads what Debian's kernel needs to mount the root image (virtio_pci, virtio_blk, ext4),
# mounts /dev/vda read-write (QEMU opened it with snapshot=on, so nothing reaches the image
# file), copies /payload (the suspendfix tree as a package installs it, the test driver with
# the kernel's module index, /sfx) over it and hands over to the image's own init, which
# starts /sfx/deb-runner.sh when the system is up.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
say() { echo "deb-init: $*"; }
stop() { say "ERROR: $*"; echo "@@INFO deb-init failed: $*"; sleep 1; poweroff -f; }

for m in virtio_pci virtio_blk ext4 crc32c_generic; do modprobe -q "$m" || say "modprobe $m failed"; done
n=0
while [ ! -b /dev/vda ] && [ $n -lt 100 ]; do usleep 100000; n=$((n + 1)); done
[ -b /dev/vda ] || stop "no /dev/vda (is the image attached with --disk?)"
mkdir -p /newroot
mount -t ext4 -o rw /dev/vda /newroot || stop "cannot mount /dev/vda"
[ -L /newroot/sbin/init ] || [ -x /newroot/sbin/init ] || stop "no /sbin/init in the image"
cp -a /payload/. /newroot/ || stop "copying the payload failed"
say "payload copied ($(du -s /payload | cut -f1) KiB), switching to $(readlink /newroot/sbin/init || echo /sbin/init)"
umount /sys /proc
mount --move /dev /newroot/dev 2>/dev/null || umount /dev
exec switch_root /newroot /sbin/init
