#!/bin/sh
# sfx-device-actions.sh - device actions from profiles (issue 6) on QEMU's devices through a
# real S3 cycle: with the test profiles in /sfx/profiles/device-actions (e1000e 8086:10d3
# "device: remove", NEC 1033:0194 "device: unbind"; passed with --profiles, which the hook
# shims cannot do, so the binary is called as "suspendfix hook --profiles DIR systemd-sleep
# pre|post suspend"). After pre the e1000e is gone from /sys/bus/pci/devices (and its
# netdev with it) and the NEC has no driver (xhci_pci stays loaded, the root hubs are gone);
# after S3 and post both are back and working: the e1000e bound to e1000e with an eth*
# interface that comes up, the NEC bound to xhci_hcd with its USB 3 root hub and the USB disk.
# Last, the shipped NEC profile with /sfx/profiles/side-by-side (the e1000e's driver) over S3:
# post loads xhci_pci and e1000e side by side.
. /sfx/guest-lib.sh
require_suspendfix
DA=$SFX_TEST_PROFILES/device-actions
require da.profiles_present test -r "$DA/e1000e-remove.yaml"
NEC=$(nec_slot) || { fail da.nec_present; exit 1; }
E=$(pci_first 8086 10d3) || { fail da.e1000e_present; exit 1; }
has_usbdisk && check da.usbdisk_initial usbdisk_wait 20
check da.e1000e_bound dev_bound_to "$E" e1000e e1000e
netdev_of() { ls "/sys/bus/pci/devices/$1/net" 2>/dev/null | head -n 1; }
IF=$(netdev_of "$E")
check da.netdev_before test -n "$IF"
info "e1000e at $E ($IF), NEC at $NEC (root hubs: $(nec_roothubs "$NEC" | tr '\n' ' '))"
check da.validate "$SFX_BIN" validate "$DA"
machine_snapshot > /tmp/da.before
usb_before=$(ls /sys/bus/usb/devices | wc -l)
usb_settled() { [ "$(ls /sys/bus/usb/devices | wc -l)" -ge "$usb_before" ]; }

# --- detect plans the two device actions and no module ---------------------------------
J=/tmp/da-detect.json
check da.detect_json sh -c "'$SFX_BIN' detect --json --profiles $DA > $J"
ie=$(json_index $J .plan.devices slot "$E")
in=$(json_index $J .plan.devices slot "$NEC")
check da.plan_e1000e_remove json_expect $J ".plan.devices[$ie].action" remove
check da.plan_e1000e_decision json_expect $J ".plan.devices[$ie].decision" unload
check da.plan_nec_unbind json_expect $J ".plan.devices[$in].action" unbind
check da.plan_nec_driver json_expect $J ".plan.devices[$in].driver" xhci_hcd
check da.plan_nec_decision json_expect $J ".plan.devices[$in].decision" unload
check_not da.plan_no_modules json_get $J '.plan.modules[0].name'

# --- pre --------------------------------------------------------------------------------
m=$(dmesg_mark)
timed_check da.pre "$SFX_BIN" hook --profiles "$DA" systemd-sleep pre suspend
pre=$SFX_T_LAST
check da.after_pre.e1000e_removed test ! -e "/sys/bus/pci/devices/$E"
check da.after_pre.netdev_gone test ! -e "/sys/class/net/$IF"
check da.after_pre.nec_unbound dev_unbound "$NEC"
check da.after_pre.xhci_pci_still_loaded mod_loaded xhci_pci
check da.after_pre.e1000e_module_still_loaded mod_loaded e1000e
check da.after_pre.nec_roothubs_gone nec_no_roothub "$NEC"
check da.after_pre.state_remove state_has remove "$E"
check da.after_pre.state_unbind state_has unbind "$NEC"

# --- S3 -----------------------------------------------------------------------------------
check da.s3 suspend_mem da.s3
check da.s3_entry dmesg_has "$m" 'PM: suspend entry \(deep\)'
check da.s3_exit dmesg_has "$m" 'PM: suspend exit'
check da.no_xhc_reinit dmesg_lacks "$m" 'xHC error in resume'

# --- post -----------------------------------------------------------------------------
timed_check da.post "$SFX_BIN" hook --profiles "$DA" systemd-sleep post suspend
post=$SFX_T_LAST
check da.after_post.e1000e_back wait_for 5 dev_bound_to "$E" e1000e e1000e
IF2=$(netdev_of "$E")
check da.after_post.netdev_back test -n "$IF2"
info "after post: e1000e at $E is ${IF2:-<none>} (was $IF)"
check da.after_post.link_up sh -c "ip link set '$IF2' up && ip link show '$IF2' | grep -q '<.*UP'"
check da.after_post.link_down ip link set "$IF2" down
check da.after_post.nec_bound wait_for 5 dev_bound_to "$NEC" xhci_hcd xhci_pci
check da.after_post.usb3_roothub wait_for 5 nec_usb3_roothub "$NEC"
has_usbdisk && check da.after_post.usbdisk_back usbdisk_wait 20
check da.after_post.state_empty state_clean
check da.dmesg_order_unbind dmesg_order "$m" 'USB bus [0-9]+ deregistered' 'PM: suspend entry'
check da.dmesg_order_bind dmesg_order "$m" 'PM: suspend exit' 'new USB bus registered'
cycle_kernel_times da "$m"
cycle_info da "$pre" "$post"
wait_for 5 usb_settled
machine_snapshot > /tmp/da.after
check da.machine_as_it_started snapshot_same /tmp/da.before /tmp/da.after

# --- both the shipped NEC profile (unload xhci_pci) and the unbind one, no sleep ------------
# Two profiles asking different things for the same device: whatever pre does, post must
# bring the machine back exactly.
SHIPPED=$("$SFX_BIN" detect --json | json_flat | awk -F '\t' '$1 == ".profiles.directories[0]" { print $2 }')
info "shipped profiles: $SHIPPED"
check da.both.pre sh -c "'$SFX_BIN' hook --profiles '$SHIPPED' --profiles $DA systemd-sleep pre suspend"
info "da.both after pre: NEC driver $(dev_driver "$NEC" || echo none), xhci_pci $(mod_loaded xhci_pci && echo loaded || echo unloaded), e1000e $([ -e /sys/bus/pci/devices/$E ] && echo present || echo removed); state: $(grep -v '^#' "$SFX_STATE" 2>/dev/null | tr '\n' ';')"
check da.both.nec_unbound dev_unbound "$NEC"
check da.both.e1000e_removed test ! -e "/sys/bus/pci/devices/$E"
check da.both.post "$SFX_BIN" hook --profiles "$SHIPPED" --profiles "$DA" systemd-sleep post suspend
check da.both.nec_bound wait_for 5 dev_bound_to "$NEC" xhci_hcd xhci_pci
check da.both.e1000e_back wait_for 5 dev_bound_to "$E" e1000e e1000e
check da.both.state_empty state_clean
has_usbdisk && check da.both.usbdisk_back usbdisk_wait 20
wait_for 5 usb_settled
machine_snapshot > /tmp/da.after2
check da.both.machine_as_it_started snapshot_same /tmp/da.before /tmp/da.after2

# --- two profiles, two drivers that need nothing of each other, S3: they load side by side
# (the NEC's xhci_pci and the e1000e's e1000e, each on a thread with its own libkmod context)
# and both devices work again. Under systemd-sleep the watcher loads them at the wake by
# default (reload_at_wake: auto), with the same code as post; whichever took the lock says so.
SBS=$SFX_TEST_PROFILES/side-by-side
SUSPENDFIX_WATCH_LOG=/tmp/sbs-watch.log
export SUSPENDFIX_WATCH_LOG
rm -f "$SUSPENDFIX_WATCH_LOG"
m=$(dmesg_mark)
check sbs.pre "$SFX_BIN" hook --profiles "$SHIPPED" --profiles "$SBS" systemd-sleep pre suspend
check sbs.after_pre.e1000e_unloaded mod_unloaded e1000e
check sbs.after_pre.xhci_pci_unloaded mod_unloaded xhci_pci
check sbs.s3 suspend_mem sbs.s3
check sbs.post sh -c "'$SFX_BIN' hook --verbose --profiles '$SHIPPED' --profiles '$SBS' systemd-sleep post suspend 2>/tmp/sbs-post.err; rc=\$?; cat /tmp/sbs-post.err >&2; exit \$rc"
touch "$SUSPENDFIX_WATCH_LOG"
info "sbs post: $(grep -E 'side by side|loaded' /tmp/sbs-post.err | tr '\n' ';') watcher: $(grep -E 'side by side|loaded' "$SUSPENDFIX_WATCH_LOG" | tr '\n' ';')"
check sbs.side_by_side grep -Eq "loading .*'(e1000e|xhci_pci)'.* side by side" /tmp/sbs-post.err "$SUSPENDFIX_WATCH_LOG"
check sbs.e1000e_back wait_for 5 dev_bound_to "$E" e1000e e1000e
check sbs.netdev_back sh -c "ls /sys/bus/pci/devices/$E/net | grep -q ."
check sbs.nec_bound wait_for 5 dev_bound_to "$NEC" xhci_hcd xhci_pci
check sbs.usb3_roothub wait_for 5 nec_usb3_roothub "$NEC"
has_usbdisk && check sbs.usbdisk_back usbdisk_wait 20
check sbs.state_empty state_clean
cycle_kernel_times sbs "$m"
unset SUSPENDFIX_WATCH_LOG
exit 0
