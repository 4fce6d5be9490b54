#!/bin/sh
# sfx-suspend.sh - "suspendfix suspend --mode mem" does the whole cycle itself
# (unload, write mem, host wakes, reload), three times.
. /sfx/guest-lib.sh
require_suspendfix
nec_slot >/dev/null || { fail nec.present; exit 1; }
has_usbdisk && check suspend.usbdisk_initial usbdisk_wait 20

i=1
while [ $i -le 3 ]; do
    p=suspend.$i
    m=$(dmesg_mark)
    timed_check "$p.run" "$SFX_BIN" suspend --mode mem
    whole=$SFX_T_LAST
    check "$p.slept_deep" dmesg_has "$m" 'PM: suspend entry \(deep\)'
    check_cycle_dmesg "$p" "$m"
    check_nec_restored "$p.after"
    check "$p.state_empty" state_clean
    cycle_kernel_times "$p" "$m"
    info "$p timings: whole 'suspendfix suspend' ${whole}s (guest clock, +-1 s), kernel suspend ${SFX_K_SUSPEND}s, kernel resume ${SFX_K_RESUME}s"
    i=$((i + 1))
done
check suspend.status "$SFX_BIN" status
exit 0
