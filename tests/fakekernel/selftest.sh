#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# selftest.sh [path/to/libsuspendfix_fakekernel.so]
#
# Proves the fake kernel with the real kmod tools (modprobe/rmmod/insmod/
# lsmod, libkmod linked in statically) and the real shared libkmod.so.2
# (through kmodctl.c), against a tree from make_fake_root.sh.  Without an
# argument the shim is compiled here.  Needs gcc, kmod and libkmod-dev.
# Prints "N passed, N failed" and exits non-zero on any failure.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PATH="$PATH:/usr/sbin:/sbin"
kver=6.1.0-18-amd64
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

shim=${1:-}
if [[ -z $shim ]]; then
    shim=$tmp/libsuspendfix_fakekernel.so
    cc -std=gnu11 -Wall -Wextra -O2 -fPIC -shared -o "$shim" "$here/kmod_shim.c" -ldl || exit 1
fi
shim=$(realpath "$shim")
cc -std=gnu11 -Wall -Wextra -O2 -o "$tmp/kmodctl" "$here/kmodctl.c" -lkmod || exit 1

root=$tmp/root
log=$tmp/calls.log
"$here/make_fake_root.sh" --loaded xhci_pci "$root" "$kver" || exit 1

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; }

# fk CMD...: run CMD under the shim; sets $out (stdout+stderr) and $rc.
fk() {
    out=$(env LD_PRELOAD="$shim" SUSPENDFIX_FAKE_ROOT="$root" \
        SUSPENDFIX_FAKE_UNAME_R="$kver" SUSPENDFIX_FAKE_LOG="$log" "$@" 2>&1)
    rc=$?
}
# eq DESC EXPECTED ACTUAL
eq() {
    if [[ $2 == "$3" ]]; then ok "$1"; else
        not_ok "$1"; printf '  expected: %q\n  actual:   %q\n' "$2" "$3"; fi
}
# has DESC PATTERN TEXT (grep -E)
has() {
    if grep -Eq -- "$2" <<<"$3"; then ok "$1"; else
        not_ok "$1"; printf '  no match for %q in:\n%s\n' "$2" "$3"; fi
}
calls() { : >"$log"; }
logged() { cat "$log"; }
proc_names() { cut -d' ' -f1 "$root/proc/modules" | paste -sd' ' -; }

echo "# initial state: xhci chain loaded by make_fake_root.sh"
eq "proc/modules, newest first" "xhci_pci xhci_hcd usbcore usb_common" "$(proc_names)"
eq "proc/modules usbcore line" "usbcore $(stat -c %s "$root/lib/modules/$kver/kernel/drivers/usb/core/usbcore.ko") 2 xhci_hcd,xhci_pci, Live 0x0000000000000000" \
    "$(grep '^usbcore ' "$root/proc/modules")"
fk lsmod
has "lsmod sees xhci_hcd used by xhci_pci" '^xhci_hcd +[0-9]+ +1 xhci_pci$' "$out"
fk "$tmp/kmodctl" state xhci_hcd; eq "libkmod: xhci_hcd live" live "$out"
fk "$tmp/kmodctl" refcnt usb_common; eq "libkmod: usb_common refcnt" 2 "$out"
fk "$tmp/kmodctl" holders usbcore; eq "libkmod: usbcore holders" "xhci_hcd xhci_pci" "$(tr ' ' '\n' <<<"$out" | sort | paste -sd' ' -)"
fk "$tmp/kmodctl" state e1000e; eq "libkmod: e1000e not loaded" -ENOENT "$out"

echo "# path redirection and uname for ordinary programs"
fk uname -r; eq "uname -r faked" "$kver" "$out"
fk readlink -f /sys/module/xhci_hcd/holders/xhci_pci; eq "realpath hides the root" /sys/module/xhci_pci "$out"
fk cat /proc/cmdline; eq "/proc/cmdline is the fake (empty) one" "" "$out"
fk cat /sys/module/ahci/parameters/marvell_enable; eq "built-in ahci has parameters" 0 "$out"

echo "# removal while in use"
calls; fk rmmod xhci_hcd
has "rmmod xhci_hcd: in use by xhci_pci" 'in use by: xhci_pci' "$out"
eq "rmmod checked holders, made no syscall" "" "$(logged)"
calls; fk "$tmp/kmodctl" remove xhci_hcd
eq "libkmod remove with holder: EAGAIN" -EAGAIN "$(tail -n1 <<<"$out")"
eq "logged as EAGAIN" "delete xhci_hcd EAGAIN" "$(logged)"
calls; fk rmmod -f xhci_hcd
has "rmmod -f still refused (no force unload)" 'Resource temporarily unavailable' "$out"
eq "force flag logged" "delete xhci_hcd EAGAIN force" "$(logged)"

echo "# modprobe -r / modprobe in dependency order"
calls; fk modprobe -r xhci_pci
eq "modprobe -r xhci_pci rc" 0 "$rc"
# kmod 30 walks the dependency list in reverse and skips what is still in
# use at that moment, so usbcore and usb_common stay (as on a real kernel).
eq "modprobe -r removed xhci_pci then xhci_hcd" $'delete xhci_pci 0\ndelete xhci_hcd 0' "$(logged)"
eq "usbcore/usb_common left" "usbcore usb_common" "$(proc_names)"
eq "usbcore holders emptied" "" "$(ls "$root/sys/module/usbcore/holders")"
calls; fk modprobe -r -a usbcore usb_common
eq "modprobe -r -a usbcore usb_common" $'delete usbcore 0\ndelete usb_common 0' "$(logged)"
eq "nothing left in /proc/modules" "" "$(proc_names)"
eq "sysfs holds only built-in ahci" "ahci" "$(ls "$root/sys/module")"
calls; fk modprobe xhci_pci
eq "modprobe xhci_pci rc" 0 "$rc"
eq "loaded in dependency order" $'init usb_common 0\ninit usbcore 0\ninit xhci_hcd 0\ninit xhci_pci 0' "$(logged)"
eq "proc/modules after load" "xhci_pci xhci_hcd usbcore usb_common" "$(proc_names)"
eq "xhci_hcd holders" "xhci_pci" "$(ls "$root/sys/module/xhci_hcd/holders")"
eq "holder link target" "../../xhci_pci" "$(readlink "$root/sys/module/xhci_hcd/holders/xhci_pci")"
eq "usb_common refcnt" 2 "$(<"$root/sys/module/usb_common/refcnt")"

echo "# aliases"
fk modprobe -R pci:v00001033d00000194sv00001033sd00000194bc0Csc03i30
eq "modalias resolves to xhci_pci" xhci_pci "$(sort -u <<<"$out")"
fk "$tmp/kmodctl" lookup pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00
eq "libkmod lookup e1000e alias" e1000e "$out"
fk modprobe -r -a xhci_pci xhci_hcd
calls; fk modprobe pci:v00001033d00000194sv00001033sd00000194bc0Csc03i30
eq "modprobe by modalias loads xhci_hcd, xhci_pci" $'init xhci_hcd 0\ninit xhci_pci 0' "$(logged)"

echo "# kernel-side checks"
calls; fk "$tmp/kmodctl" insert xhci_pci
eq "insert loaded module (FAIL_ON_LOADED): EEXIST" -EEXIST "$out"
fk insmod "$root/lib/modules/$kver/kernel/drivers/usb/host/xhci-pci.ko"
has "insmod of a live module: File exists" 'File exists' "$out"
calls; fk insmod "$root/lib/modules/$kver/kernel/net/mac80211/mac80211.ko"
has "insmod without its dependency: Unknown symbol" 'Unknown symbol' "$out"
eq "logged as ENOENT" "init mac80211 ENOENT" "$(logged)"
calls; fk modprobe iwlmvm
eq "modprobe iwlmvm rc" 0 "$rc"
eq "iwlmvm chain: 4 inits, iwlmvm last" "4 iwlmvm" "$(wc -l <"$log") $(tail -n1 "$log" | cut -d' ' -f2)"
eq "mac80211 held by iwlmvm" "iwlmvm" "$(ls "$root/sys/module/mac80211/holders")"

echo "# modprobe.d options"
fk modprobe --show-depends e1000e
has "show-depends carries options" "^insmod /lib/modules/$kver/kernel/drivers/net/ethernet/intel/e1000e/e1000e.ko InterruptThrottleRate=1" "$out"
calls; fk modprobe e1000e
has "init_module got the options" '^init e1000e 0 InterruptThrottleRate=1' "$(logged)"
eq "parameter visible in sysfs" 1 "$(<"$root/sys/module/e1000e/parameters/InterruptThrottleRate")"

echo "# error injection"
export SUSPENDFIX_FAKE_DELETE_ERRORS=e1000e:EBUSY:2
calls
fk rmmod e1000e; r1=$rc; o1=$out
fk rmmod e1000e; r2=$rc
fk rmmod e1000e; r3=$rc
unset SUSPENDFIX_FAKE_DELETE_ERRORS
eq "EBUSY twice, then success" "1 1 0" "$r1 $r2 $r3"
has "rmmod reports EBUSY" 'Device or resource busy' "$o1"
eq "injected calls logged" $'delete e1000e EBUSY\ndelete e1000e EBUSY\ndelete e1000e 0' "$(logged)"
calls; SUSPENDFIX_FAKE_INIT_ERRORS=btusb:EIO,psmouse:19 fk modprobe psmouse
has "injected init ENODEV by number" 'No such device' "$out"
eq "logged as ENODEV" "init psmouse ENODEV" "$(logged)"
if [[ -e $root/sys/module/psmouse ]]; then not_ok "psmouse not created"; else ok "psmouse not created"; fi

echo "# built-in modules"
calls; fk modprobe ahci
eq "modprobe ahci: rc 0" 0 "$rc"
eq "modprobe ahci: no init_module" "" "$(logged)"
fk modprobe -r ahci
has "modprobe -r ahci: builtin" 'Module ahci is builtin' "$out"
fk rmmod sd_mod
has "rmmod sd_mod: builtin" 'Module sd_mod is builtin' "$out"
fk "$tmp/kmodctl" state sd_mod; eq "libkmod: sd_mod builtin" builtin "$out"
fk modprobe -R pci:v00008086d00002922sv00001043sd00008277bc01sc06i01
eq "built-in alias resolves to ahci" ahci "$out"

echo "# safety: no fake root, no syscalls"
out=$(env -u SUSPENDFIX_FAKE_ROOT LD_PRELOAD="$shim" rmmod -f suspendfix_selftest_no_such_module 2>&1)
rc=$?
eq "aborts without SUSPENDFIX_FAKE_ROOT" 134 "$rc"
has "explains why" 'refusing to reach the real kernel' "$out"
out=$(env LD_PRELOAD="$shim" SUSPENDFIX_FAKE_ROOT=relative/dir rmmod -f suspendfix_selftest_no_such_module 2>&1)
eq "aborts with a relative root" 134 "$?"

echo "$passed passed, $failed failed"
((failed == 0))
