#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# systemd-killed.sh - systemd-sleep dies after our pre (a later hook kills it), so no post
# comes, and systemd kills whatever is left in systemd-suspend.service's cgroup: a watcher
# started as a plain child would die with it. Ours runs as its own transient unit
# (systemd-run, suspendfix-watch-N), sees systemd-sleep gone and brings the NEC back after
# restore_after_seconds (suspendfix(8), SELF-HEALING). Then a normal systemctl suspend.
. /sfx/guest-lib.sh
require_suspendfix
[ "$SFX_GUEST" = systemd ] || { fail killed.guest "needs the systemd guest, not ${SFX_GUEST:-busybox}"; exit 1; }
NEC=$(nec_slot) || { fail killed.nec_present; exit 1; }
BOUND=40  # the 10 s grace after systemd-sleep is gone, plus the Debian guest's TCG slack
check killed.nec_bound_before wait_for 10 dev_bound_to "$NEC" xhci_hcd xhci_pci
if mod_loaded sfx_brokenmod; then check killed.driver_out_of_the_way rmmod sfx_brokenmod; fi

# systemd 252 runs the hooks in parallel: the killer waits until our pre has recorded.
KILLER=/usr/lib/systemd/system-sleep/zz-sfx-kill
cat > "$KILLER" <<'HOOK'
#!/bin/sh
# VM test hook: kills systemd-sleep once suspendfix's pre has unloaded what it unloads
[ "$1" = pre ] || exit 0
i=0
while ! grep -q '^module xhci_pci ' /run/suspendfix/state 2>/dev/null && [ $i -lt 100 ]; do
    sleep 0.1; i=$((i + 1))
done
sleep 2  # the unload itself, and systemd-run starting the watcher's unit
pkill -KILL -x systemd-sleep
HOOK
chmod +x "$KILLER"
service_done() {
    s=$(systemctl show -P ActiveState systemd-suspend.service 2>/dev/null)
    [ "$s" = inactive ] || [ "$s" = failed ]
}
cursor=$(journalctl -q -n 0 --show-cursor 2>/dev/null | sed -n 's/^-- cursor: //p')
journal_has() {
    journalctl -q --no-pager ${cursor:+--after-cursor="$cursor"} | grep -qE -- "$1" && return 0
    journalctl -q --no-pager ${cursor:+--after-cursor="$cursor"} | tail -n 30
    return 1
}
s0=$(stat_get success) f0=$(stat_get fail)

systemctl suspend > /tmp/killed.out 2>&1
timer_start killed.self_heal
check killed.service_ended wait_for 90 service_done
check killed.pre_unloaded journal_has "pre suspend: unloaded 'xhci_pci'"
check killed.sleep_system_killed journal_has 'systemd-suspend.service: Main process exited, code=killed'
check killed.no_sleep_attempted sh -c "[ '$(stat_get success)' = '$s0' ] && [ '$(stat_get fail)' = '$f0' ]"
check killed.watcher_unit journal_has 'suspendfix-watch-[0-9]+'
check killed.nec_back_unattended wait_for $BOUND dev_bound_to "$NEC" xhci_hcd xhci_pci
timer_end killed.self_heal
check killed.watcher_says_why journal_has 'self-heal: no sleep happened and systemd-sleep \(pid [0-9]+\) has been done for 10\.0 s: the sleep was cancelled'
check killed.watcher_loaded journal_has "self-heal: loaded 'xhci_pci'"
check_nec_restored killed.restored
check killed.state_settled state_clean

rm -f "$KILLER"
systemctl reset-failed systemd-suspend.service suspend.target 2>/dev/null
nec_client_cycles systemctl killed.after 1
exit 0
