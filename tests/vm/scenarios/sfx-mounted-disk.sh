#!/bin/sh
# sfx-mounted-disk.sh - safety: with a filesystem on the USB disk (on the NEC's bus) mounted,
# the hook must not pull the disk away. `detect` plans xhci_pci as refused; the installed
# systemd-sleep hook's pre refuses to unload it and says why ("protected: needed by the
# filesystem on /mnt/usbdisk"); the real S3 cycle still completes (with xhci loaded); post
# changes nothing; the disk is still mounted, a file written before reads back after wake
# (caches dropped) and a new file can be written. Then the device-action test profiles with
# the disk still mounted: unbinding the NEC is refused too, while the e1000e (not in the
# disk's path) is removed and brought back. Unmounts; then the same disk as an active swap
# area: pre refuses again ("needed by swap /dev/sdX"), without a sleep.
. /sfx/guest-lib.sh
require_suspendfix
HOOK=$SFX_SYSTEMD_HOOK
DA=$SFX_TEST_PROFILES/device-actions
require safety.hook_installed test -x "$HOOK"
NEC=$(nec_slot) || { fail nec.present; exit 1; }
if ! has_usbdisk; then skip safety.all "no USB disk (SFX_VM_USBDISK_MB=0)"; exit 0; fi
require safety.usbdisk_present usbdisk_wait 20
DISK=$(usbdisk_dev)
info "USB disk $DISK on $NEC ($(readlink -f /sys/block/${DISK#/dev/} | sed 's|/sys/devices/||'))"

require safety.mkfs usbdisk_mkfs
require safety.mount usbdisk_mount
token=$(cat /proc/sys/kernel/random/uuid)
check safety.write_before sh -c "echo $token > $SFX_MNT/before.txt && sync && cat $SFX_MNT/before.txt"
machine_snapshot > /tmp/safety.before

# --- detect sees the protection ------------------------------------------------------
J=/tmp/safety-detect.json
check safety.detect_json sh -c "'$SFX_BIN' detect --json > $J"
check safety.plan_module0 json_expect $J '.plan.modules[0].name' xhci_pci
check safety.plan_refused json_expect $J '.plan.modules[0].decision' refused
note_says() { _nt=$(json_get "$J" '.plan.modules[0].note'); echo "note: $_nt"; echo "$_nt" | grep -qF "$1"; }
check safety.plan_note note_says "is protected: needed by the filesystem on $SFX_MNT"

# --- the installed hook around a real S3 ---------------------------------------------
m=$(dmesg_mark)
timed_check safety.pre sh -c "'$HOOK' pre suspend 2>/tmp/safety-pre.err; rc=\$?; cat /tmp/safety-pre.err; exit \$rc"
pre=$SFX_T_LAST
check safety.pre_says_why grep -F "skipped 'xhci_pci': 'xhci_pci' is protected: needed by the filesystem on $SFX_MNT" /tmp/safety-pre.err
check safety.pre_left_loaded mod_loaded xhci_pci
check safety.pre_left_bound dev_bound_to "$NEC" xhci_hcd xhci_pci
check safety.pre_recorded_nothing state_clean
check safety.s3 suspend_mem safety.s3
check safety.s3_entry dmesg_has "$m" 'PM: suspend entry \(deep\)'
check safety.s3_exit dmesg_has "$m" 'PM: suspend exit'
timed_check safety.post "$HOOK" post suspend
post=$SFX_T_LAST
check safety.post_keeps_bound dev_bound_to "$NEC" xhci_hcd xhci_pci
check safety.state_empty state_clean
cycle_kernel_times safety "$m"
cycle_info safety "$pre" "$post"
if dmesg_has "$m" 'xHC error in resume'; then info "as expected with xhci loaded over S3: xHC error in resume (QEMU), the kernel reinitialised the controller"; fi

# --- the disk survived -----------------------------------------------------------------
check safety.still_mounted usbdisk_mounted
check safety.same_disk sh -c "grep ' $SFX_MNT ' /proc/mounts | grep -q '^$DISK '"
drop_caches
check safety.read_after_wake sh -c "cat $SFX_MNT/before.txt && [ \"\$(cat $SFX_MNT/before.txt)\" = $token ]"
check safety.write_after_wake sh -c "echo after > $SFX_MNT/after.txt && sync && echo 3 > /proc/sys/vm/drop_caches && cat $SFX_MNT/after.txt"
check safety.no_io_errors dmesg_lacks "$m" 'I/O error|EXT4-fs error|remounting filesystem read-only|USB disconnect'
machine_snapshot > /tmp/safety.after
check safety.machine_unchanged snapshot_same /tmp/safety.before /tmp/safety.after

# --- device actions with the disk mounted: the NEC unbind is refused as well --------------
E=$(pci_first 8086 10d3) || { fail safety.e1000e_present; exit 1; }
check safety.da.pre sh -c "'$SFX_BIN' hook --profiles $DA systemd-sleep pre suspend 2>/tmp/safety-da.err; rc=\$?; cat /tmp/safety-da.err; exit \$rc"
check safety.da.unbind_refused sh -c "grep -F 'did not unbind $NEC' /tmp/safety-da.err | grep -F 'protected'"
check safety.da.nec_still_bound dev_bound_to "$NEC" xhci_hcd xhci_pci
check safety.da.e1000e_removed test ! -e "/sys/bus/pci/devices/$E"
check safety.da.state_remove_only sh -c "cat $SFX_STATE; grep -q '^remove $E ' $SFX_STATE && ! grep -q '^unbind ' $SFX_STATE"
check safety.da.post "$SFX_BIN" hook --profiles "$DA" systemd-sleep post suspend
check safety.da.e1000e_back wait_for 5 dev_bound_to "$E" e1000e e1000e
check safety.da.state_empty state_clean
check safety.da.still_mounted usbdisk_mounted

check safety.umount umount "$SFX_MNT"
check safety.magic_kept usbdisk_dev

# --- the same disk as an active swap area (the /proc/swaps path), pre/post without sleep ----
restamp() { printf '%s\n' "$USBDISK_MAGIC" | dd of="$DISK" bs=512 count=1 conv=notrunc 2>/dev/null; sync; usbdisk_dev; }
check safety.swap.mkswap sh -c "mkswap $DISK && true"
check safety.swap.restamp restamp
if check safety.swap.swapon swapon "$DISK"; then
    check safety.swap.pre sh -c "'$HOOK' pre suspend 2>/tmp/safety-swap.err; rc=\$?; cat /tmp/safety-swap.err; exit \$rc"
    check safety.swap.pre_says_why grep -F "skipped 'xhci_pci': 'xhci_pci' is protected: needed by swap $DISK" /tmp/safety-swap.err
    check safety.swap.left_bound dev_bound_to "$NEC" xhci_hcd xhci_pci
    check safety.swap.recorded_nothing state_clean
    check safety.swap.post "$HOOK" post suspend
    check safety.swap.still_active grep -q "^$DISK " /proc/swaps
    check safety.swap.swapoff swapoff "$DISK"
fi
check safety.swap.magic_kept restamp
exit 0
