#!/bin/sh
# sfx-s2idle.sh - s2idle ("freeze", woken by the host pressing the ACPI power button) through
# suspendfix: the systemd-sleep hook around a freeze (systemd-sleep calls hooks with
# "suspend" whatever mem_sleep says), then "suspendfix suspend --mode freeze" on its own.
. /sfx/guest-lib.sh
require_suspendfix
HOOK=$SFX_SYSTEMD_HOOK
require s2idle.hook_installed test -x "$HOOK"
nec_slot >/dev/null || { fail nec.present; exit 1; }
has_usbdisk && check s2idle.usbdisk_initial usbdisk_wait 20
check s2idle.freeze_offered grep -qw freeze /sys/power/state

# --- the hook around s2idle ----------------------------------------------------------
m=$(dmesg_mark)
timed_check s2idle.hook.pre "$HOOK" pre suspend
pre=$SFX_T_LAST
check_nec_unloaded s2idle.hook.after_pre
check s2idle.hook.state_recorded state_has module xhci_pci
check s2idle.hook.cycle suspend_freeze s2idle.hook.cycle
check s2idle.hook.slept_s2idle dmesg_has "$m" 'PM: suspend entry \(s2idle\)'
timed_check s2idle.hook.post "$HOOK" post suspend
post=$SFX_T_LAST
check_nec_restored s2idle.hook.after_post
check s2idle.hook.state_empty state_clean
check_cycle_dmesg s2idle.hook "$m"
cycle_kernel_times s2idle.hook "$m"
cycle_info s2idle.hook "$pre" "$post"

# --- suspendfix suspend --mode freeze ---------------------------------------------------
m=$(dmesg_mark)
timed_check s2idle.suspend.run s2idle_around "$SFX_BIN" suspend --mode freeze
whole=$SFX_T_LAST
check s2idle.suspend.slept_s2idle dmesg_has "$m" 'PM: suspend entry \(s2idle\)'
check_cycle_dmesg s2idle.suspend "$m"
check_nec_restored s2idle.suspend.after
check s2idle.suspend.state_empty state_clean
cycle_kernel_times s2idle.suspend "$m"
info "s2idle.suspend timings: whole 'suspendfix suspend --mode freeze' ${whole}s, kernel suspend ${SFX_K_SUSPEND}s, kernel resume ${SFX_K_RESUME}s"
exit 0
