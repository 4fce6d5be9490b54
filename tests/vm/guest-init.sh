#!/bin/sh
# /init of the suspendfix VM test initramfs (busybox sh, PID 1). Installed by
# build-initramfs.sh; never run on the host.
#
# Kernel command line knobs:
#   sfx.scenario=a,b,c   run /sfx/scenarios/a.sh, b.sh, c.sh in order (default: /scenario.sh
#                        if baked in, else "smoke")
#   sfx.nocoldplug       do not load drivers for the devices found at boot
#   sfx.shell            drop to a shell on the console instead of powering off (debugging)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C

mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mount -t devtmpfs -o mode=0755 devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
exec </dev/console >/dev/console 2>&1
hostname sfx-vm

# dedicated marker channel on ttyS1 (the host reads it from a separate file)
if [ -c /dev/ttyS1 ] && stty -F /dev/ttyS1 raw -echo 115200 2>/dev/null; then
    exec 9>/dev/ttyS1
    export SFX_MARKER_FD=9
fi

. /sfx/guest-lib.sh

scenarios=
coldplug_on=1
want_shell=0
for arg in $(cat /proc/cmdline); do
    case $arg in
        sfx.scenario=*) scenarios=$(echo "${arg#sfx.scenario=}" | tr ',' ' ') ;;
        sfx.nocoldplug) coldplug_on=0 ;;
        sfx.shell) want_shell=1 ;;
    esac
done
if [ -z "$scenarios" ]; then
    if [ -f /scenario.sh ]; then scenarios=/scenario.sh; else scenarios=smoke; fi
fi

emit "@@BOOTED $(uname -r) uptime=$(now) scenarios=[$scenarios]"

if [ $coldplug_on = 1 ]; then
    timer_start init.coldplug
    coldplug pci acpi
    timer_end init.coldplug >/dev/null
fi
info "modules after coldplug: $(cut -d' ' -f1 /proc/modules | sort | tr '\n' ' ')"

run_scenarios $scenarios

emit "@@DONE"
sync
if [ $want_shell = 1 ]; then
    setsid cttyhack sh
fi
poweroff -f
# should not get here
echo o > /proc/sysrq-trigger
sleep 5
