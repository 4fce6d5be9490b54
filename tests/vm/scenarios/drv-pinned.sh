#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# drv-pinned.sh - the test driver loaded with pinned=1 holds a reference on its own module,
# like an always-busy driver: rmmod fails with EAGAIN. A profile that only unloads the bound
# module cannot help (the hook leaves it loaded and the sleep still fails); one with
# `fallback: unbind` unbinds the edu device before the sleep, which then SUCCEEDS, and binds
# it again after wake; the module never leaves. Run last: the module cannot be unloaded.
. /sfx/guest-lib.sh
require_suspendfix
EDU=$(edu_slot) || { fail pin.edu_present; exit 1; }
if mod_loaded $DRV_MODULE; then require pin.unload_unpinned rmmod $DRV_MODULE; fi
require pin.load_pinned drv_load pinned=1
check_eq pin.refcount 1 "$(cat /sys/module/$DRV_MODULE/refcnt)"
check_not pin.rmmod_refused rmmod $DRV_MODULE
check pin.still_bound edu_bound

# the unload profile alone: the module cannot go, the sleep fails, nothing is lost
require pin.unload_profile profile_install /sfx/profiles/broken-driver/vmtest-edu-unload.yaml
check pin.u.client client_sleep self pin.u
check pin.u.sleep_failed sleep_result fail
check pin.u.says_in_use grep -F "'$DRV_MODULE'" "$SFX_CLIENT_OUT"
check pin.u.state_clean state_clean
check pin.u.bound edu_bound
profile_remove vmtest-edu-unload.yaml

# the fallback profile: unbind instead
require pin.fallback_profile profile_install /sfx/profiles/broken-driver/vmtest-edu-fallback.yaml
"$SFX_BIN" detect --json > /tmp/pin.json 2>/dev/null
plan_unbinds() { _i=$(json_index /tmp/pin.json .plan.devices slot "$EDU") && json_expect /tmp/pin.json ".plan.devices[$_i].action" unbind; }
check pin.plan_unbinds_edu plan_unbinds
for client in $(guest_clients); do
    p=pin.$client
    check "$p.bound_before" wait_for 10 edu_bound
    check "$p.client" client_sleep "$client" "$p"
    check "$p.sleep_succeeded" sleep_result success
    check "$p.only_success_counted" stats_moved "$SFX_STATS_BEFORE" "$SFX_STATS_AFTER" success+1
    check "$p.unbound_before_sleep" dmesg_order "$SFX_LAST_MARK" "$DRV_NAME $EDU: unbound" 'PM: suspend entry'
    check "$p.bound_after_wake" dmesg_order "$SFX_LAST_MARK" 'PM: suspend exit' "$DRV_NAME $EDU: bound"
    check "$p.bound_again" wait_for 10 edu_bound
    check "$p.module_stayed" mod_loaded $DRV_MODULE
    check "$p.state_clean" state_clean
done
profile_remove vmtest-edu-fallback.yaml
exit 0
