#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lint-expect-test.sh - the VM test's expectations from the database lint (lint-expect.py):
# docs/kernel-lint.md has a readable row for the NEC profile on every kernel series the lint
# checks (tests/kernel-lint/kernels.list), so neither kernel's VM run lacks its expectations
# after the kernels change; and a report without the row, or with a cell it cannot read, is an
# error naming the file, the line and what is missing. No VM, no kernel: label lint.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../../.." && pwd)
X=$HERE/../lint-expect.py
REPORT=$TOP/docs/kernel-lint.md
W=$(mktemp -d "${TMPDIR:-/tmp}/sfx-lint-expect.XXXXXX")
trap 'rm -rf "$W"' EXIT
failed=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; failed=1; }

# every kernel of the lint, by the release its package carries
has_xhci_pci() { # the assignments lint-expect.py printed: a plan that unloads xhci_pci
    local SFX_EXPECT_PLAN=
    eval "$1"
    case " $SFX_EXPECT_PLAN " in *" xhci_pci "*) return 0 ;; esac
    return 1
}
while read -r pkg; do
    case $pkg in ''|'#'*) continue ;; esac
    kver=${pkg#linux-image-}
    if ! out=$(python3 "$X" "$REPORT" nec-upd720200-xhci "$kver" 2>&1); then
        bad "$kver: $out"
    elif has_xhci_pci "$out"; then
        ok "$kver: $(echo "$out" | tr '\n' ' ')"
    else
        bad "$kver: no plan unloading xhci_pci: $out"
    fi
done < "$TOP/tests/kernel-lint/kernels.list"

# expect_error NAME REPORT KVER ERE: exit 1 and a message matching ERE
expect_error() {
    local out rc
    out=$(python3 "$X" "$2" nec-upd720200-xhci "$3" 2>&1); rc=$?
    if [ $rc -eq 1 ] && echo "$out" | grep -qE -- "$4"; then ok "$1: $out"; else bad "$1: rc=$rc: $out"; fi
}
expect_error "a series the report lacks" "$REPORT" 5.10.0-30-amd64 "kernel-lint\.md:[0-9]+: .*none for 5\.10"
grep -v 'nec-upd720200-xhci' "$REPORT" > "$W/no-row.md"
expect_error "no row for the profile" "$W/no-row.md" 6.12.1 "no-row\.md: no row for profile 'nec-upd720200-xhci'"
# shellcheck disable=SC2016  # backquotes of the markdown, not of the shell
sed 's/^\(|  |  | 6\.12 | `pci 1033:0194`.*\)| `xhci_pci_renesas` → `xhci_pci` |$/\1| `xhci_pci_renesas` → ??? |/' \
    "$REPORT" > "$W/bad-plan.md"
expect_error "an unreadable plan" "$W/bad-plan.md" 6.12.1 "bad-plan\.md:[0-9]+: cannot read the plan step"
# shellcheck disable=SC2016
sed 's/^\(|  |  | 6\.12 | `pci 1033:0194`.*\)| `xhci_pci` ← xhci_pci_renesas |/\1| xhci_pci xhci_pci_renesas |/' \
    "$REPORT" > "$W/bad-holders.md"
expect_error "an unreadable holders cell" "$W/bad-holders.md" 6.12.1 "bad-holders\.md:[0-9]+: cannot read the holders"
expect_error "a missing report" "$W/absent.md" 6.12.1 "absent\.md"
exit $failed
