#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# deb-smoke.sh - a full-userspace guest is what the client scenarios assume: suspendfix
# installed as a package installs it (binary, its libraries, the hooks where the sleep
# systems look), udev bound the NEC to xhci_pci by itself, logind/elogind offers suspend.
. /sfx/guest-lib.sh
require_suspendfix
check deb.libraries_resolve sh -c "! ldd '$SFX_BIN' | grep 'not found'"
case $SFX_GUEST in
    systemd)
        check deb.systemd_is_pid1 sh -c '[ "$(cat /proc/1/comm)" = systemd ]'
        check deb.systemd_hook_installed test -x /usr/lib/systemd/system-sleep/suspendfix
        check deb.pmutils_hook_installed test -x /usr/lib/pm-utils/sleep.d/77suspendfix ;;
    elogind)
        check deb.sysvinit_is_pid1 sh -c '[ "$(cat /proc/1/comm)" = init ]'
        check deb.elogind_hook_installed test -x /usr/lib/elogind/system-sleep/suspendfix ;;
    *) fail deb.guest "unknown guest '$SFX_GUEST'" ;;
esac
check deb.can_suspend can_suspend
[ "$SFX_GUEST" = elogind ] && check deb.elogind_activated pidof elogind-daemon elogind
check deb.mem_sleep_deep grep -q '\[deep\]' /sys/power/mem_sleep
NEC=$(nec_slot) || { fail deb.nec_present; exit 1; }
check deb.udev_bound_nec wait_for 20 dev_bound_to "$NEC" xhci_hcd xhci_pci
check deb.state_clean state_clean
check deb.detect_plans_xhci sh -c "'$SFX_BIN' detect | grep -F 'unload xhci_pci'"
exit 0
