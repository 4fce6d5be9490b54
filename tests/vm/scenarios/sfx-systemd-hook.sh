#!/bin/sh
# sfx-systemd-hook.sh - the systemd-sleep hook around real S3 cycles, called the way
# systemd-sleep calls it: "HOOK pre suspend", write mem, "HOOK post suspend"; and
# "post" without "pre" changes nothing. Then an interrupted cycle (pre, and no post: the
# machine crashed or the hook was killed): `status` reports xhci_pci, `restore` loads it back.
. /sfx/guest-lib.sh
require_suspendfix
sleep_hook_scenario systemd "$SFX_SYSTEMD_HOOK" 2

NEC=$(nec_slot)
check systemd.interrupted.pre "$SFX_SYSTEMD_HOOK" pre suspend
check_nec_unloaded systemd.interrupted.after_pre
check systemd.interrupted.status sh -c "'$SFX_BIN' status | tee /dev/stderr | grep -q xhci_pci"
check systemd.interrupted.status_json sh -c "'$SFX_BIN' status --json | tee /dev/stderr | grep -q '\"xhci_pci\"'"
timed_check systemd.interrupted.restore "$SFX_BIN" restore
check_nec_restored systemd.interrupted.after_restore
check systemd.interrupted.state_empty state_clean
check systemd.interrupted.post_after_restore_noop "$SFX_SYSTEMD_HOOK" post suspend
check systemd.interrupted.still_bound dev_bound_to "$NEC" xhci_hcd xhci_pci
exit 0
