# guest-lib-clients.sh - one sleep through a real sleep client, and what that client logged
# (sourced by guest-lib.sh, runs INSIDE the guest; busybox sh or dash).
# shellcheck shell=dash
#
# client_sleep CLIENT P: one suspend-to-RAM through CLIENT; the host wakes S3 over QMP.
#   systemctl   `systemctl suspend` (systemd guest): logind -> systemd-suspend.service ->
#               systemd-sleep -> /usr/lib/systemd/system-sleep/*; returns at once, so wait
#               for a sleep attempt and for the service to finish (post hooks included)
#   loginctl    `loginctl suspend` (elogind guest): returns after the post hooks
#   pm-suspend  `pm-suspend`: /usr/lib/pm-utils/sleep.d hooks, writes mem itself
#   self        `suspendfix suspend --mode mem`
#   shim        the installed systemd-sleep hook, `pre suspend`, echo mem, `post suspend`
#               (what systemd-sleep does, for the busybox guests)
# Sets SFX_LAST_MARK (kernel log bookmark), SFX_CLIENT_RC (the client's exit status),
# SFX_CLIENT_OUT (file: its output), SFX_STATS_BEFORE / SFX_STATS_AFTER (suspend_stats
# snapshots), SFX_SLEEP_RESULT (success|fail|none, from the counters). Returns 0 when the
# client finished in time, whatever the sleep did. client_log prints what the client logged
# since (journal, pm-suspend.log, syslog + auth.log, or its output).
SFX_CLIENT_WAIT=${SFX_CLIENT_WAIT:-90}
SFX_CLIENT_OUT=/tmp/.sfx_client_out
SFX_STATS_BEFORE=/tmp/.sfx_stats_before
SFX_STATS_AFTER=/tmp/.sfx_stats_after
_cl_client=
_cl_cursor=
# a file's size now (the offset its new lines start at)
_cl_size() { if [ -f "$1" ]; then wc -c < "$1"; else echo 0; fi; }
_cl_attempted() { [ "$(stat_get success)" != "$_cl_s0" ] || [ "$(stat_get fail)" != "$_cl_f0" ]; }
_cl_service_done() {
    _cst=$(systemctl show -P ActiveState systemd-suspend.service 2>/dev/null)
    [ "$_cst" = inactive ] || [ "$_cst" = failed ]
}

client_sleep() {
    _cl_client=$1 _clp=$2
    [ -w /sys/power/mem_sleep ] && echo deep > /sys/power/mem_sleep 2>/dev/null
    stats_snapshot "$SFX_STATS_BEFORE"
    _cl_s0=$(stat_get success) _cl_f0=$(stat_get fail)
    case $_cl_client in
        systemctl) _cl_cursor=$(journalctl -q -n 0 --show-cursor 2>/dev/null | sed -n 's/^-- cursor: //p') ;;
        pm-suspend) _cl_off_pm=$(_cl_size /var/log/pm-suspend.log) ;;
        loginctl) _cl_off_sys=$(_cl_size /var/log/syslog) _cl_off_auth=$(_cl_size /var/log/auth.log) ;;
    esac
    SFX_LAST_MARK=$(dmesg_mark)
    timer_start "$_clp.client"
    emit "@@SLEEP mem"
    case $_cl_client in
        systemctl) systemctl suspend > "$SFX_CLIENT_OUT" 2>&1 ;;
        loginctl) loginctl suspend > "$SFX_CLIENT_OUT" 2>&1 ;;
        pm-suspend) pm-suspend > "$SFX_CLIENT_OUT" 2>&1 ;;
        self) "$SFX_BIN" suspend --mode mem > "$SFX_CLIENT_OUT" 2>&1 ;;
        shim)
            # shellcheck disable=SC2320  # the status of the write to /sys/power/state
            ( "$SFX_SYSTEMD_HOOK" pre suspend; echo mem > /sys/power/state
              _cl_w=$?; "$SFX_SYSTEMD_HOOK" post suspend; exit $_cl_w ) > "$SFX_CLIENT_OUT" 2>&1 ;;
        *) echo "client_sleep: unknown client $_cl_client"; return 1 ;;
    esac
    SFX_CLIENT_RC=$?
    _cl_ok=0
    if [ "$_cl_client" = systemctl ]; then
        # the job is queued: wait for the attempt, then for the post hooks to finish
        wait_for "$SFX_CLIENT_WAIT" _cl_attempted || { echo "no sleep attempt within ${SFX_CLIENT_WAIT}s"; _cl_ok=1; }
        wait_for "$SFX_CLIENT_WAIT" _cl_service_done || { echo "systemd-suspend.service still running"; _cl_ok=1; }
        systemctl reset-failed systemd-suspend.service 2>/dev/null
    fi
    emit "@@WOKE mem rc=$SFX_CLIENT_RC"
    timer_end "$_clp.client" >/dev/null
    stats_snapshot "$SFX_STATS_AFTER"
    if [ "$(stat_get success)" != "$_cl_s0" ]; then SFX_SLEEP_RESULT=success
    elif [ "$(stat_get fail)" != "$_cl_f0" ]; then SFX_SLEEP_RESULT=fail
    else SFX_SLEEP_RESULT=none; fi
    echo "$_cl_client: exit $SFX_CLIENT_RC, sleep $SFX_SLEEP_RESULT ($(stats_delta "$SFX_STATS_BEFORE" "$SFX_STATS_AFTER"))"
    sed 's/^/  | /' "$SFX_CLIENT_OUT"
    return $_cl_ok
}

# client_log: what the client of the last client_sleep logged since it started
client_log() {
    case $_cl_client in
        systemctl) journalctl -q --no-pager -o short-monotonic ${_cl_cursor:+--after-cursor="$_cl_cursor"} ;;
        pm-suspend) tail -c +$((_cl_off_pm + 1)) /var/log/pm-suspend.log ;;
        loginctl) tail -c +$((_cl_off_sys + 1)) /var/log/syslog; tail -c +$((_cl_off_auth + 1)) /var/log/auth.log ;;
        *) cat "$SFX_CLIENT_OUT" ;;
    esac 2>/dev/null
}
# client_log_has ERE: the client's log has a matching line (waits up to 5 s: syslog is async)
client_log_has() {
    _clh=0
    while ! client_log | grep -qE -- "$1"; do
        _clh=$((_clh + 1))
        [ $_clh -gt 50 ] && { echo "no /$1/ in the $_cl_client log:"; client_log | tail -n 25; return 1; }
        usleep 100000
    done
    client_log | grep -E -- "$1" | head -n 3
}
client_log_lacks() { ! client_log | grep -E -- "$1"; }
# client_says ERE: the client printed it, or logged it (elogind's loginctl logs to syslog)
client_says() { grep -E -- "$1" "$SFX_CLIENT_OUT" || client_log_has "$1"; }
# sleep_result WANT: the last client_sleep's sleep ended as WANT (success|fail|none)
sleep_result() { echo "sleep $SFX_SLEEP_RESULT, client exit $SFX_CLIENT_RC"; [ "$SFX_SLEEP_RESULT" = "$1" ]; }

# can_suspend: logind/elogind answers CanSuspend with "yes"
can_suspend() {
    dbus-send --system --print-reply --dest=org.freedesktop.login1 /org/freedesktop/login1 \
        org.freedesktop.login1.Manager.CanSuspend | grep -q '"yes"'
}

# client_hook_ran P: the client's log shows the suspendfix hook unloading xhci_pci before the
# sleep and loading it after (systemd: the journal of systemd-suspend.service; pm-utils:
# pm-suspend.log's hook lines; elogind: syslog, where the hook logs when its output is dropped)
client_hook_ran() {
    case $_cl_client in
        systemctl)
            check "$1.journal_pre" client_log_has "systemd-sleep.*suspendfix: pre suspend: unloaded 'xhci_pci'"
            # reload_at_wake (auto: yes under systemd-sleep): the watcher, a unit of its own,
            # loads back at the wake; post, when it takes the lock first
            check "$1.journal_loaded" client_log_has "(systemd-sleep.*suspendfix: post suspend|suspendfix\[[0-9]+\]: (suspendfix: )?self-heal): loaded 'xhci_pci'"
            info "$1: loaded back by $(client_log | grep -qE "self-heal: loaded 'xhci_pci'" && echo "the watcher at the wake" || echo post)" ;;
        pm-suspend)
            check "$1.pmlog_pre" client_log_has "Running hook /usr/lib/pm-utils/sleep.d/77suspendfix suspend suspend"
            check "$1.pmlog_pre_ok" client_log_has "/usr/lib/pm-utils/sleep.d/77suspendfix suspend suspend: success"
            check "$1.pmlog_post_ok" client_log_has "/usr/lib/pm-utils/sleep.d/77suspendfix resume suspend: success"
            check "$1.pmlog_unloaded" client_log_has "suspendfix: pre suspend: unloaded 'xhci_pci'" ;;
        loginctl)
            check "$1.syslog_post" client_log_has "suspendfix\[[0-9]+\]: post suspend: loaded 'xhci_pci'" ;;
    esac
}

# --------------------------------------------------------------- not yet on main ---
# sfx_has_command NAME: the installed suspendfix lists the subcommand NAME in its --help
# (`suspendfix NAME --help` would not tell: CLI11 prints the main help for an unknown one)
sfx_has_command() { "$SFX_BIN" --help 2>/dev/null | grep -qE "^  $1( |\$)"; }
# require_sfx_command NAME WHY: skip the rest of the scenario (rc 0) when suspendfix lacks
# NAME; for the scenarios written ahead of their code (diagnose, test)
require_sfx_command() {
    sfx_has_command "$1" && return 0
    skip "$1.available" "suspendfix has no '$1' command yet: $2"
    exit 0
}
# check_xfail VAR NAME cmd...: a check that is EXPECTED TO FAIL while VAR=1 (a known defect):
# failing gives @@XFAIL (reported, not a failure), passing gives @@FAIL "XPASS: set VAR=0";
# with VAR=0 it is an ordinary check
check_xfail() {
    _xv=$1 _xx=1; shift
    eval "_xx=\${$_xv:-1}"
    [ "$_xx" = 1 ] || { check "$@"; return; }
    _xn=$1; shift
    "$@" > "$_SFX_CO" 2>&1
    _xr=$?
    _sfx_show "$_xn" 1
    if [ $_xr -ne 0 ]; then
        emit "@@XFAIL $_xn expected failure while $_xv=1: $(_sfx_squash < "$_SFX_CO")"
        return 0
    fi
    emit "@@FAIL $_xn XPASS: passes now, set $_xv=0 to make it an ordinary check"
    return 1
}

# nec_client_cycles CLIENT P N: N sleeps of the NEC controller through CLIENT: bound to
# xhci_pci before; the sleep succeeds (suspend_stats success+1 only); in the kernel log
# xhci's USB buses go before "PM: suspend entry" and come back after "PM: suspend exit",
# without QEMU's "xHC error in resume" (so xhci really was unloaded over S3); bound again
# with its USB 3 root hub after; the client's log shows the hook; nothing left recorded
nec_client_cycles() {
    _nc=$1 _np=$2 _nn=$3 _ni=1
    _ns=$(nec_slot) || { fail "$_np.nec_present"; exit 1; }
    while [ $_ni -le "$_nn" ]; do
        _nq=$_np.$_ni
        check "$_nq.nec_bound_before" wait_for 10 dev_bound_to "$_ns" xhci_hcd xhci_pci
        check "$_nq.client" client_sleep "$_nc" "$_nq"
        check "$_nq.sleep_succeeded" sleep_result success
        check "$_nq.only_success_counted" stats_moved "$SFX_STATS_BEFORE" "$SFX_STATS_AFTER" "success+1"
        check_cycle_dmesg "$_nq" "$SFX_LAST_MARK"
        check_nec_restored "$_nq.after"
        check "$_nq.state_clean" state_clean
        client_hook_ran "$_nq"
        cycle_kernel_times "$_nq" "$SFX_LAST_MARK"
        _ni=$((_ni + 1))
    done
}

# guest_clients: the sleep clients of this guest, as client_sleep names them
guest_clients() {
    case ${SFX_GUEST:-busybox} in
        systemd) echo systemctl pm-suspend ;;
        elogind) echo loginctl ;;
        *) echo shim self ;;
    esac
}
