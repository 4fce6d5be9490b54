#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# drv-profile.sh - the same broken driver WITH a profile for 1234:11e8 in the local profile
# directory (/etc/suspendfix/profiles.d/vmtest-edu-unload.yaml, unload_bound_module: true):
# through each client of the guest the sleep now SUCCEEDS: real S3, suspend_stats success+1
# only, sfx_brokenmod unloaded before "PM: suspend entry" and the edu device bound to
# sfx_broken again after wake, nothing left recorded. The profile is removed at the end.
. /sfx/guest-lib.sh
require_suspendfix
require pr.driver_bound drv_enable
EDU=$(edu_slot)
require pr.profile_installed profile_install /sfx/profiles/broken-driver/vmtest-edu-unload.yaml
check pr.detect_plans_unload sh -c "'$SFX_BIN' detect | grep -F 'unload $DRV_MODULE'"
for client in $(guest_clients); do
    p=pr.$client
    check "$p.bound_before" wait_for 10 edu_bound
    check "$p.client" client_sleep "$client" "$p"
    check "$p.sleep_succeeded" sleep_result success
    check "$p.only_success_counted" stats_moved "$SFX_STATS_BEFORE" "$SFX_STATS_AFTER" success+1
    dmesg_freeze "$SFX_LAST_MARK"
    check "$p.unbound_before_sleep" dmesg_order "$SFX_LAST_MARK" "$DRV_NAME $EDU: unbound" 'PM: suspend entry'
    check "$p.s3" dmesg_has "$SFX_LAST_MARK" 'ACPI: PM: Waking up from system sleep state S3'
    check "$p.bound_after_wake" dmesg_order "$SFX_LAST_MARK" 'PM: suspend exit' "$DRV_NAME $EDU: bound"
    check "$p.no_device_failure" dmesg_lacks "$SFX_LAST_MARK" 'PM: failed to suspend'
    dmesg_thaw
    check "$p.bound_again" wait_for 10 edu_bound
    check "$p.module_loaded" mod_loaded $DRV_MODULE
    check_nec_restored "$p.after"
    check "$p.state_clean" state_clean
    case $client in
        systemctl) check "$p.journal_unloaded" client_log_has "suspendfix: pre suspend: unloaded '$DRV_MODULE'" ;;
        pm-suspend) check "$p.pmlog_unloaded" client_log_has "suspendfix: pre suspend: unloaded '$DRV_MODULE'" ;;
        loginctl) check "$p.syslog_loaded" client_log_has "suspendfix\[[0-9]+\]: post suspend: loaded '$DRV_MODULE'" ;;
        self|shim) check "$p.says_unloaded" grep -F "unloaded '$DRV_MODULE'" "$SFX_CLIENT_OUT" ;;
    esac
done
check pr.profile_removed profile_remove vmtest-edu-unload.yaml
exit 0
