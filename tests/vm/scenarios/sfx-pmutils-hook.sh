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

m=$(dmesg_mark)
timer_start pmutils.suspend_hook
check pmutils.suspend "$HOOK" suspend
timer_end pmutils.suspend_hook >/dev/null
check_nec_unloaded pmutils.after_suspend
check pmutils.s3 suspend_mem pmutils.s3
timer_start pmutils.resume_hook
check pmutils.resume "$HOOK" resume
timer_end pmutils.resume_hook >/dev/null
check_nec_restored pmutils.after_resume
check_cycle_dmesg pmutils "$m"
exit 0
