#!/bin/sh
# sfx-pmutils-hook.sh - the pm-utils hook around a real S3: "77suspendfix suspend",
# write mem, "77suspendfix resume"; and "resume" without a prior suspend is harmless
# (exit 0 or 254 = $NA, and nothing changes).
. /sfx/guest-lib.sh
require_suspendfix
HOOK=$SFX_PMUTILS_HOOK
require pmutils.hook_installed test -x "$HOOK"
NEC=$(nec_slot) || { fail nec.present; exit 1; }
has_usbdisk && check pmutils.usbdisk_initial usbdisk_wait 20

check pmutils.resume_without_suspend pmutils_ok "$HOOK" resume
check pmutils.resume_without_suspend_keeps_bound dev_bound_to "$NEC" xhci_hcd xhci_pci
check pmutils.not_ours_is_na sh -c "'$HOOK' frobnicate; rc=\$?; echo exit \$rc; [ \$rc -eq 254 ]"

m=$(dmesg_mark)
timed_check pmutils.suspend "$HOOK" suspend
pre=$SFX_T_LAST
check_nec_unloaded pmutils.after_suspend
check pmutils.state_recorded state_has module xhci_pci
check pmutils.s3 suspend_mem pmutils.s3
timed_check pmutils.resume "$HOOK" resume
post=$SFX_T_LAST
check_nec_restored pmutils.after_resume
check pmutils.state_empty_after_resume state_clean
check_cycle_dmesg pmutils "$m"
cycle_kernel_times pmutils "$m"
cycle_info pmutils "$pre" "$post"
exit 0
