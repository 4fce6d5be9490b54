#!/bin/sh
# sfx-diagnose.sh - the journey of issue 9: a real driver makes the sleep fail, `suspendfix
# diagnose --write` names it and installs a profile, and the next sleep succeeds with no other
# step. Needs the failing test driver of tests/vm (the `vmguest` work: a PCI driver for QEMU's
# edu device, 1234:11e8, whose suspend callback returns -EBUSY); without it the scenario skips.
# NOT yet in run-smoke.sh: wire it in with the guest that loads that driver.
. /sfx/guest-lib.sh
require_suspendfix
EDU=$(for d in /sys/bus/pci/devices/*; do
    [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x11e8 ] && basename "$d"
done | head -n 1)
if [ -z "$EDU" ] || [ ! -e "/sys/bus/pci/devices/$EDU/driver" ]; then
    skip diagnose.driver "no failing test driver bound to 1234:11e8"
    exit 0
fi
LOCAL=/etc/suspendfix/profiles.d/local
rm -rf "$LOCAL"
# 1. The sleep fails: the write to /sys/power/state returns an error.
check_not diagnose.first_sleep_fails suspend_mem
# 2. diagnose names the device and the module behind its driver, and installs the fix.
"$SFX_BIN" diagnose --json > /tmp/diagnose.json
check_eq diagnose.exit_failures_found 3 $?
check diagnose.names_device grep -q "\"device\": \"$EDU\"" /tmp/diagnose.json
# the module behind the driver (its name differs from the driver's in the test driver)
check diagnose.names_module grep -Eq '"module": "[A-Za-z0-9_]+"' /tmp/diagnose.json
check diagnose.write "$SFX_BIN" diagnose --write
check diagnose.installed sh -c "ls $LOCAL/*.yaml"
check diagnose.detect_matches sh -c "'$SFX_BIN' detect | grep -q 1234:11e8"
# 3. The next sleep succeeds, through the installed systemd-sleep hook as systemd runs it.
HOOK=$(ls /usr/lib/systemd/system-sleep/suspendfix /lib/systemd/system-sleep/suspendfix 2>/dev/null | head -n 1)
check diagnose.hook_pre "$HOOK" pre suspend
check diagnose.second_sleep_succeeds suspend_mem
check diagnose.hook_post "$HOOK" post suspend
check diagnose.device_bound_again test -e "/sys/bus/pci/devices/$EDU/driver"
