#!/bin/sh
# sfx-ten-cycles.sh - ten consecutive real S3 cycles through the installed systemd-sleep hook
# leave the machine exactly as it started: the snapshot (sorted /proc/modules names, every
# PCI device's driver link, the USB devices, the network interfaces, the state file) taken
# before the first cycle equals the one after the last. Every cycle: pre unloads xhci_pci
# and records it, S3 with no xHC reinit, post binds the NEC again with its USB 3 root hub and
# leaves nothing recorded. The next cycle starts without waiting for the USB disk to come
# back (a quick re-suspend); the disk must be back at the end. After sfx-kernel-plan (6.12)
# every cycle also unloads and reloads the holders of xhci_pci the database lint lists.
. /sfx/guest-lib.sh
require_suspendfix
HOOK=$SFX_SYSTEMD_HOOK
N=${SFX_TEN_CYCLES:-10}
require ten.hook_installed test -x "$HOOK"
NEC=$(nec_slot) || { fail nec.present; exit 1; }
has_usbdisk && check ten.usbdisk_initial usbdisk_wait 20
check ten.state_clean_before state_clean
machine_snapshot > /tmp/ten.before
sed 's/^/  [snapshot] /' /tmp/ten.before
m0=$(dmesg_mark)
usb_before=$(ls /sys/bus/usb/devices | wc -l)

# the checks of one cycle, as functions (check runs them in this shell)
# (with the holders of xhci_pci that sfx-kernel-plan loaded on this kernel: nec_holders)
after_pre() { dev_unbound "$NEC" && mod_unloaded xhci_pci && state_has module xhci_pci && nec_holders_unloaded; }
after_post() {
    wait_for 5 dev_bound_to "$NEC" xhci_hcd xhci_pci || { dev_bound_to "$NEC" xhci_hcd xhci_pci; return 1; }
    mod_loaded xhci_pci || { echo "xhci_pci not loaded"; return 1; }
    nec_holders_loaded || return 1
    wait_for 5 nec_usb3_roothub "$NEC" || { echo "no USB 3 root hub: $(nec_roothubs "$NEC")"; return 1; }
    state_clean
}
cycle_dmesg() {
    dmesg_has "$1" 'PM: suspend entry \(deep\)' || { echo "no suspend entry (deep)"; return 1; }
    dmesg_has "$1" 'PM: suspend exit' || { echo "no suspend exit"; return 1; }
    dmesg_order "$1" 'USB bus [0-9]+ deregistered' 'PM: suspend entry' || return 1
    dmesg_order "$1" 'PM: suspend exit' 'new USB bus registered' || return 1
    dmesg_lacks "$1" 'xHC error in resume' || { echo "xHC error in resume: xhci was loaded over S3"; return 1; }
}
usb_settled() { [ "$(ls /sys/bus/usb/devices | wc -l)" -ge "$usb_before" ]; }
exits_since() { _n=$(dmesg_since "$1" | grep -c 'PM: suspend exit'); echo "$_n suspend exits"; [ "$_n" -eq "$2" ]; }

pres='' posts='' ksus='' kres=''
ok=0
i=1
while [ $i -le "$N" ]; do
    p=ten.$i
    m=$(dmesg_mark)
    c=0
    timed_check "$p.pre" "$HOOK" pre suspend || c=1; pre=$SFX_T_LAST
    check "$p.unloaded" after_pre || c=1
    check "$p.s3" suspend_mem "$p.s3" || c=1
    timed_check "$p.post" "$HOOK" post suspend || c=1; post=$SFX_T_LAST
    check "$p.restored" after_post || c=1
    check "$p.dmesg" cycle_dmesg "$m" || c=1
    cycle_kernel_times "$p" "$m"
    cycle_info "$p" "$pre" "$post"
    pres="$pres $pre" posts="$posts $post" ksus="$ksus $SFX_K_SUSPEND" kres="$kres $SFX_K_RESUME"
    [ $c = 0 ] && ok=$((ok + 1))
    i=$((i + 1))
done
check_eq ten.all_cycles_clean "$N" "$ok"

has_usbdisk && check ten.usbdisk_back usbdisk_wait 20
# the USB devices re-enumerate in the background after the last reload; let them settle
wait_for 5 usb_settled
machine_snapshot > /tmp/ten.after
check ten.machine_as_it_started snapshot_same /tmp/ten.before /tmp/ten.after
check ten.state_clean_after state_clean
info "state directory after the last post: $(ls -la /run/suspendfix 2>&1 | tr '\n' ';')"
check ten.s3_count exits_since "$m0" "$N"
check ten.no_xhc_reinit dmesg_lacks "$m0" 'xHC error in resume'
check ten.no_kernel_warnings dmesg_lacks "$m0" 'WARNING:|Call Trace|BUG:'
info "ten cycles min/median/max: hook pre $(stats $pres) s; hook post $(stats $posts) s; kernel suspend $(stats $ksus) s; kernel resume $(stats $kres) s"
exit 0
