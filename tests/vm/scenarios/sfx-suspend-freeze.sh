#!/bin/sh
# sfx-suspend-freeze.sh - "suspendfix suspend --mode freeze": the same cycle into
# s2idle, woken by the host's power-button press (not in the default set).
. /sfx/guest-lib.sh
require_suspendfix
nec_slot >/dev/null || { fail nec.present; exit 1; }
m=$(dmesg_mark)
timer_start freeze.cycle
check freeze.run s2idle_around "$SFX_BIN" suspend --mode freeze
timer_end freeze.cycle >/dev/null
check freeze.slept_s2idle dmesg_has "$m" 'PM: suspend entry \(s2idle\)'
check_cycle_dmesg freeze "$m"
check_nec_restored freeze.after
exit 0
