#!/bin/sh
# sfx-cli.sh - the installed suspendfix runs in the guest and sees the NEC controller on the
# real PCI bus: `detect` and `detect --json` find 1033:0194 bound to xhci_hcd by xhci_pci,
# match the shipped NEC profile (nec-upd720200-xhci) and plan to unload xhci_pci; `status`
# and `restore` with nothing recorded are no-ops; none of it changes the machine.
. /sfx/guest-lib.sh
require_suspendfix
NEC=$(nec_slot) || { fail nec.present; exit 1; }
PROFILE=nec-upd720200-xhci
J=/tmp/detect.json
has_usbdisk && check cli.usbdisk_initial usbdisk_wait 20
machine_snapshot > /tmp/cli.before

if [ -x /usr/lib/suspendfix-standin/elfprobe ]; then
    # the harness stand-in (tests/vm/standin): only what it implements
    check standin.elfprobe /usr/lib/suspendfix-standin/elfprobe 0x1033 0x0194
    check standin.detect_json_nec sh -c "'$SFX_BIN' detect --json | grep -q 0194"
    check standin.status "$SFX_BIN" status
    exit 0
fi

if is_elf "$SFX_BIN"; then
    check cli.libs_resolve sh -c "/lib64/ld-linux-x86-64.so.2 --list $SFX_BIN | grep -v 'not found' >/dev/null && ! /lib64/ld-linux-x86-64.so.2 --list $SFX_BIN | grep 'not found'"
fi
T=/tmp/detect.txt
timed_check cli.detect sh -c "'$SFX_BIN' detect > $T; rc=\$?; cat $T; exit \$rc"
check cli.detect_text_nec grep -E "^\* $NEC +1033:0194 .* xhci_hcd \(module xhci_pci\)" $T
check cli.detect_text_profile grep -E "^ +$PROFILE " $T
check cli.detect_text_plan grep -E "^ +1\. unload xhci_pci: bound to $NEC" $T

# --- detect --json: the fields, not just the shape ---------------------------------
timed_check cli.detect_json sh -c "'$SFX_BIN' detect --json > $J"
check cli.json.schema json_expect $J .schema 1
loaded_some() { _pl=$(json_get $J .profiles.loaded) && echo "loaded=$_pl" && [ "$_pl" -ge 1 ]; }
check cli.json.profiles_loaded loaded_some
check_not cli.json.no_profile_errors json_get $J '.profiles.errors[0]'
info "profiles loaded: $(json_get $J .profiles.loaded) from $(json_get $J '.profiles.directories[0]')"
# the NEC on the real bus, with the module that binds it
i=$(json_index $J .pci_devices slot "$NEC")
check cli.json.nec_listed test -n "$i"
check cli.json.nec_vendor json_expect $J ".pci_devices[$i].vendor" 1033
check cli.json.nec_device json_expect $J ".pci_devices[$i].device" 0194
check cli.json.nec_class json_expect $J ".pci_devices[$i].class" 0c0330
check cli.json.nec_driver json_expect $J ".pci_devices[$i].driver" xhci_hcd
check cli.json.nec_module json_expect $J ".pci_devices[$i].module" xhci_pci
# the profile matched, applies, and names this device
m=$(json_index $J .matches id "$PROFILE")
check cli.json.match_nec_profile test -n "$m"
check cli.json.match_applies json_expect $J ".matches[$m].applies" true
check cli.json.match_device_bus json_expect $J ".matches[$m].devices[0].bus" pci
check cli.json.match_device_slot json_expect $J ".matches[$m].devices[0].device" "$NEC"
info "applying profiles: $(json_flat < $J | awk -F '\t' '$1 ~ /^\.matches\[[0-9]+\]\.id$/ { id = $2 } $1 ~ /^\.matches\[[0-9]+\]\.applies$/ && $2 == "true" { printf "%s ", id }')"
# the plan: unload xhci_pci (the module bound to the NEC), first and for this profile
check cli.json.plan_sleep json_expect $J .plan.sleep suspend
check cli.json.plan_module0 json_expect $J '.plan.modules[0].name' xhci_pci
check cli.json.plan_decision json_expect $J '.plan.modules[0].decision' unload
check cli.json.plan_profile json_array_has $J '.plan.modules[0].profiles' "$PROFILE"
check cli.json.plan_affects_nec json_array_has $J '.plan.modules[0].devices' "$NEC"
check_not cli.json.plan_no_device_actions json_get $J '.plan.devices[0].slot'

# --- status / restore with nothing recorded -------------------------------------------
check cli.status "$SFX_BIN" status
check cli.status_json sh -c "'$SFX_BIN' status --json > /tmp/status.json && cat /tmp/status.json"
check cli.restore_nothing "$SFX_BIN" restore
check cli.state_clean state_clean

# --- detect (and status/restore) changed nothing ---------------------------------------
machine_snapshot > /tmp/cli.after
check cli.changes_nothing snapshot_same /tmp/cli.before /tmp/cli.after
check cli.nec_still_bound dev_bound_to "$NEC" xhci_hcd xhci_pci
exit 0
