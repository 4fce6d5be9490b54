#!/bin/sh
# sfx-kernel-plan.sh - on this kernel, the NEC profile's plan is the one the database lint
# computed for it (docs/kernel-lint.md; run-smoke.sh bakes its row for this kernel's series in
# as /sfx/kernel-expect.sh, tests/vm/lint-expect.py). The lint plans with every module that
# could hold a named or bound one loaded, so this loads the holders it lists (6.12:
# xhci_pci_renesas, a driver of its own on top of xhci_pci; 6.1: none), checks that the kernel
# really makes them holders of xhci_pci, and that `detect --json` unloads exactly the lint's
# list, holders first. The holders stay loaded and are listed in /run/sfx-nec-holders: the hook
# and ten-cycle scenarios after it in the same boot check that pre unloads them too and post
# loads them back (nec_holders).
. /sfx/guest-lib.sh
require_suspendfix
require kplan.expectations test -f /sfx/kernel-expect.sh
. /sfx/kernel-expect.sh
info "database lint on $SFX_EXPECT_KERNEL: holders [$SFX_EXPECT_HOLDERS], plan [$SFX_EXPECT_PLAN]"
NEC=$(nec_slot) || { fail nec.present; exit 1; }
series() { _r=$(uname -r); echo "$_r"; case $_r in "$SFX_EXPECT_KERNEL".*) return 0 ;; esac; return 1; }
require kplan.kernel_series series
check kplan.nec_bound dev_bound_to "$NEC" xhci_hcd xhci_pci
holds() { ls "/sys/module/$2/holders/"; [ -e "/sys/module/$2/holders/$1" ]; }
for h in $SFX_EXPECT_HOLDERS; do
    check "kplan.$h.loads" modprobe "$h"
    check "kplan.$h.holds_xhci_pci" holds "$h" xhci_pci
done
echo "$SFX_EXPECT_HOLDERS" > /run/sfx-nec-holders

J=/tmp/kplan.json
check kplan.detect_json sh -c "'$SFX_BIN' detect --json > $J"
# the names of .plan.modules[] whose decision is unload, in plan order
unloads() {
    json_flat < $J | awk -F '\t' '
        $1 ~ /^\.plan\.modules\[[0-9]+\]\.(name|decision)$/ {
            i = $1; sub(/^\.plan\.modules\[/, "", i); sub(/\].*/, "", i)
            if ($1 ~ /name$/) name[i] = $2; else dec[i] = $2; if (i + 1 > n) n = i + 1 }
        END { for (i = 0; i < n; i++) if (dec[i] == "unload") printf "%s%s", (s++ ? " " : ""), name[i] }'
}
check_eq kplan.plan_is_the_lints "$SFX_EXPECT_PLAN" "$(unloads)"
i=$(json_index $J .plan.modules name xhci_pci)
check kplan.xhci_pci_for_the_profile json_array_has $J ".plan.modules[$i].profiles" "$SFX_EXPECT_PROFILE"
check kplan.xhci_pci_affects_nec json_array_has $J ".plan.modules[$i].devices" "$NEC"
# each holder is in the plan because it holds xhci_pci (no profile names it)
why_holds() {
    _i=$(json_index $J .plan.modules name "$1") || { echo "$1 not in the plan"; return 1; }
    _w=$(json_get $J ".plan.modules[$_i].why")
    echo "why: $_w"
    [ "$_w" = "holds 'xhci_pci'" ]
}
for h in $SFX_EXPECT_HOLDERS; do check "kplan.$h.why" why_holds "$h"; done
check kplan.state_clean state_clean
exit 0
