#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# deb-runner.sh systemd|elogind: runs the scenarios in a full-userspace guest, once the
# image's own init has brought the system up (systemd: sfx-vm.service after
# multi-user.target; sysvinit: inittab "once" after runlevel 2). Copied to /sfx by
# deb-init.sh. Speaks the same marker protocol as guest-init.sh (run-vm.py judges both).
#
# Kernel command line: sfx.scenario=a,b (default: deb-smoke), sfx.shell (a shell on the
# console instead of powering off).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/sfx/bin
export HOME=/root LANG=C
SFX_GUEST=${1:-unknown}
export SFX_GUEST

if [ -c /dev/ttyS1 ] && stty -F /dev/ttyS1 raw -echo 115200 2>/dev/null; then
    exec 9>/dev/ttyS1
    export SFX_MARKER_FD=9
fi
. /sfx/guest-lib.sh

scenarios=deb-smoke
want_shell=0
for arg in $(cat /proc/cmdline); do
    case $arg in
        sfx.scenario=*) scenarios=$(echo "${arg#sfx.scenario=}" | tr ',' ' ') ;;
        sfx.shell) want_shell=1 ;;
    esac
done

# the system is up: systemd has no jobs left (it says running or degraded); under sysvinit
# init starts us after runlevel 2 has finished
if [ "$SFX_GUEST" = systemd ]; then
    state=$(timeout 120 systemctl is-system-running --wait 2>&1)
else
    state=$(runlevel 2>&1)
fi
t_start=$(now)
# udev may still be loading drivers for the coldplugged devices
timeout 60 udevadm settle 2>/dev/null
t_settled=$(now)
emit "@@BOOTED $(uname -r) guest=$SFX_GUEST uptime=$(now) system=[$state] scenarios=[$scenarios]"
info "runner started at $t_start s of guest uptime, udev settled at $t_settled s, system up at $(now) s; modules: $(cut -d' ' -f1 /proc/modules | sort | tr '\n' ' ')"
if [ "$SFX_GUEST" = systemd ]; then
    info "systemd-analyze: $(systemd-analyze time 2>&1 | head -n 1)"
    [ "$state" = running ] || info "failed units: $(systemctl --failed --no-legend --plain 2>&1 | tr '\n' ';')"
fi

run_scenarios $scenarios

emit "@@DONE"
sync
if [ $want_shell = 1 ]; then
    setsid sh -c 'exec sh </dev/console >/dev/console 2>&1'
fi
# the image is a snapshot: nothing to shut down cleanly
/sfx/bin/busybox poweroff -f
