#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# journey-diagnose.sh - issue 9's user journey, with no other step: a sleep fails (the test
# driver, no profile) -> `suspendfix diagnose` names the device, its driver and its MODULE
# (sfx_brokenmod, not the driver name sfx_broken) -> `suspendfix diagnose --write` installs a
# profile under <local profiles>/local/ -> `detect` shows it matching -> the next sleep, through
# the same client, succeeds and the device is bound again.
#
# Without `suspendfix diagnose` in the installed tree the scenario proves the first step and
# skips the rest (@@SKIP diagnose.available). JSON: suspendfix(8), JSON OUTPUT.
. /sfx/guest-lib.sh
require_suspendfix
require jd.driver_bound drv_enable
EDU=$(edu_slot)
client=$(guest_clients | cut -d' ' -f1)
check jd.no_profile_for_edu sh -c "! '$SFX_BIN' detect | grep -F 'unload $DRV_MODULE'"
check jd.fail.client client_sleep "$client" jd.fail
check jd.fail.sleep_failed sleep_result fail
check jd.fail.state_clean state_clean

require_sfx_command diagnose "issue 9"
# Root's user space can write any level to /dev/kmsg, but the kernel gives those lines another
# facility than its own (LOG_USER here), and journald keeps them as _TRANSPORT=kernel all the
# same. A whole "sleep" that failed at a slot with no device, written so, is not the kernel's.
SPOOF=0000:00:1f.7
printf '<6>PM: suspend entry (deep)\n' > /dev/kmsg
printf '<3>sfx_spoof %s: PM: failed to suspend async: error -16\n' "$SPOOF" > /dev/kmsg
printf '<6>PM: suspend exit\n' > /dev/kmsg
spoof_logged() {
    case ${SFX_GUEST:-busybox} in
        systemd) journalctl -k -q --no-pager | grep -qF "sfx_spoof $SPOOF" ;;
        *) dmesg | grep -qF "sfx_spoof $SPOOF" ;;
    esac
}
check jd.spoof_in_kernel_log wait_for 10 spoof_logged
"$SFX_BIN" diagnose > /tmp/jd.txt 2>&1
check_eq jd.exit_failures_found 3 $?
check jd.names_device grep -F "$EDU" /tmp/jd.txt
check jd.names_module grep -F "$DRV_MODULE" /tmp/jd.txt
check jd.user_space_lines_not_read sh -c "! grep -F '$SPOOF' /tmp/jd.txt"
"$SFX_BIN" diagnose --json > /tmp/jd.json 2>/dev/null
failure_of_edu() {
    _ji=$(json_index /tmp/jd.json .failures device "$EDU") || { echo "no failure for $EDU"; return 1; }
    json_expect /tmp/jd.json ".failures[$_ji].kind" device && json_expect /tmp/jd.json ".failures[$_ji].driver" "$DRV_NAME" &&
        json_expect /tmp/jd.json ".failures[$_ji].module" "$DRV_MODULE" && json_expect /tmp/jd.json ".failures[$_ji].errno" -16
}
check jd.json_failure failure_of_edu
local_dir=$(sfx_local_profiles)/local
"$SFX_BIN" diagnose --write > /tmp/jd.write 2>&1
check_eq jd.write_exit 3 $?
check jd.profile_written sh -c "ls '$local_dir'/*.yaml && grep -l '1234' '$local_dir'/*.yaml"
check jd.detect_matches sh -c "'$SFX_BIN' detect | grep -F 'unload $DRV_MODULE'"
check jd.ok.client client_sleep "$client" jd.ok
check jd.ok.sleep_succeeded sleep_result success
check jd.ok.bound_again wait_for 10 edu_bound
check jd.ok.state_clean state_clean
# a second --write never replaces the file; it names the profile (now matching the device)
sum_before=$(cat "$local_dir"/*.yaml | cksum)
written_id=$(basename "$(ls "$local_dir"/*.yaml | head -n 1)" .yaml)
"$SFX_BIN" diagnose --write > /tmp/jd.write2 2>&1
check_eq jd.second_write_keeps_file "$sum_before" "$(cat "$local_dir"/*.yaml | cksum)"
check jd.second_write_names_profile grep -F "$written_id" /tmp/jd.write2
rm -f "$local_dir"/*.yaml
exit 0
