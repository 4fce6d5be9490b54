#!/bin/sh
# sfx-cli.sh - the installed suspendfix runs in the guest and sees the NEC controller.
#   suspendfix detect / detect --json / status; shared libraries resolve.
. /sfx/guest-lib.sh
require_suspendfix
NEC=$(nec_slot) || { fail nec.present; exit 1; }

if is_elf "$SFX_BIN"; then
    check cli.libs_resolve sh -c "/lib64/ld-linux-x86-64.so.2 --list $SFX_BIN | grep -v 'not found' >/dev/null && ! /lib64/ld-linux-x86-64.so.2 --list $SFX_BIN | grep 'not found'"
fi
check cli.detect "$SFX_BIN" detect
check cli.detect_mentions_nec sh -c "'$SFX_BIN' detect | grep -qiE '1033:0194|upd720200|$NEC'"
check cli.detect_json "$SFX_BIN" detect --json
check cli.detect_json_shape sh -c "'$SFX_BIN' detect --json | tr -d ' \n' | grep -qE '^[[{].*[]}]\$'"
check cli.detect_json_nec sh -c "'$SFX_BIN' detect --json | grep -qi '0194'"
check cli.status "$SFX_BIN" status
# detect must not change anything
check cli.detect_changes_nothing dev_bound_to "$NEC" xhci_hcd xhci_pci
if [ -x /usr/lib/suspendfix-standin/elfprobe ]; then
    check standin.elfprobe /usr/lib/suspendfix-standin/elfprobe 0x1033 0x0194
fi
exit 0
