#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# drv-no-profile.sh - the test driver bound to edu and no profile for it: each sleep REALLY
# fails, through each client of the guest (busybox: the systemd-sleep hook around echo mem,
# and `suspendfix suspend`; systemd guest: systemctl suspend, pm-suspend; elogind guest:
# loginctl suspend). The client sees the write error (EBUSY); suspend_stats counts fail+1
# and failed_suspend+1 (+2 through systemd-sleep and elogind, which try s2idle after deep
# fails) with last_failed_dev = the edu slot, errno -16, step suspend; the
# kernel logs "sfx_broken <slot>: PM: failed to suspend async: error -16". The hook loses
# nothing: it unloads xhci_pci (the NEC profile) and loads it back after the failed write,
# the state record is clean, and modules and drivers are as before.
. /sfx/guest-lib.sh
require_suspendfix
require np.driver_bound drv_enable
check np.no_profile_for_edu sh -c "! '$SFX_BIN' detect | grep -F 'unload $DRV_MODULE'"
# the USB disk (busybox guests) re-enumerates after the earlier sleeps: let it settle first
if has_usbdisk; then usbdisk_wait 20 >/dev/null; fi
for client in $(guest_clients); do
    p=np.$client
    machine_snapshot > /tmp/np.before
    check "$p.client" client_sleep "$client" "$p"
    check "$p.sleep_failed" sleep_result fail
    attempts=1
    case $client in systemctl|loginctl) attempts=2 ;; esac
    check_failed_sleep "$p" "$SFX_STATS_BEFORE" "$SFX_STATS_AFTER" "$SFX_LAST_MARK" failed_suspend suspend $attempts
    case $client in
        systemctl) check "$p.systemd_sleep_says" client_log_has 'Failed to put system to sleep\. System resumed again: Device or resource busy' ;;
        pm-suspend) check "$p.pm_suspend_exit" sh -c "[ $SFX_CLIENT_RC -ne 0 ]"
                    info "pm-suspend exit $SFX_CLIENT_RC; pm-suspend.log: $(client_log | grep -vE '^(Running hook|/usr/lib/pm-utils|$)' | tr '\n' '|' | cut -c1-400)" ;;
        loginctl) check "$p.loginctl_exit" sh -c "[ $SFX_CLIENT_RC -eq 1 ]"
                  check "$p.loginctl_says" client_says 'Failed to suspend system via elogind: Device or resource busy'
                  check "$p.elogind_says" client_log_has 'elogind-daemon\[[0-9]+\]: Failed to suspend system\. System resumed again: Device or resource busy' ;;
        self) check "$p.exit_status" sh -c "[ $SFX_CLIENT_RC -eq 1 ]"
              check "$p.says_busy" grep -F 'Device or resource busy' "$SFX_CLIENT_OUT" ;;
        shim) check "$p.write_error" grep -F 'Device or resource busy' "$SFX_CLIENT_OUT" ;;
    esac
    # the hook lost nothing: xhci_pci went and came back around the failed write
    check "$p.hook_unloaded_xhci" dmesg_order "$SFX_LAST_MARK" 'USB bus [0-9]+ deregistered' 'PM: suspend entry'
    check "$p.hook_reloaded_xhci" dmesg_order "$SFX_LAST_MARK" 'PM: suspend exit' 'new USB bus registered'
    check_nec_restored "$p.after"
    check "$p.state_clean" state_clean
    check "$p.still_bound" edu_bound
    machine_snapshot > /tmp/np.after
    check "$p.machine_unchanged" snapshot_same /tmp/np.before /tmp/np.after
done
exit 0
