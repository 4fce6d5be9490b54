#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# sfx-test-cycles.sh - issue 10: `suspendfix test --cycles 5` inside the guest, every S3 woken
# by the guest's RTC alarm (@@RTC-WAKES on: the host sends no system_wakeup), through the
# guest's own path: --through self (busybox), systemd and pm-utils (systemd guest), elogind
# (elogind guest). With the test driver bound and no profile, cycle 1 fails and the report
# names the edu device and sfx_brokenmod; with the profile, 5/5 and the device bound after.
# The NEC run goes first with the test driver unloaded (busybox coldplug loads it); the
# driver runs leave it bound, no profile installed, nothing recorded.
. /sfx/guest-lib.sh
require_suspendfix
check st.rtc_wakealarm test -w /sys/class/rtc/rtc0/wakealarm
check st.state_clean state_clean
case ${SFX_GUEST:-busybox} in
    systemd) paths="systemd pm-utils" ;;
    elogind) paths=elogind ;;
    *) paths=self ;;
esac
require_sfx_command test "issue 10"

st_run() { # P ARGS...: suspendfix test --json, its RTC wakes; /tmp/P.json, /tmp/P.err, ST_RC
    _sp=$1; shift
    emit "@@RTC-WAKES on"
    timer_start "$_sp.run"
    "$SFX_BIN" test --json "$@" > "/tmp/$_sp.json" 2> "/tmp/$_sp.err"
    ST_RC=$?
    timer_end "$_sp.run" >/dev/null
    emit "@@RTC-WAKES off"
    sed 's/^/  | /' "/tmp/$_sp.err"
}
st_cycles() { # FILE: how many cycles the run reports
    json_flat < "$1" | awk -F '\t' '$1 ~ /^\.cycles\[[0-9]+\]\.cycle$/ { n++ } END { print n + 0 }'
}
st_all_ok() { # FILE N: N cycles, each ok, slept, pre and post ran
    _n=$(st_cycles "$1"); echo "cycles: $_n"; [ "$_n" = "$2" ] || return 1
    _i=0
    while [ $_i -lt "$2" ]; do
        for _k in ok slept hook.pre hook.post; do
            json_expect "$1" ".cycles[$_i].$_k" true || return 1
        done
        _i=$((_i + 1))
    done
}
st_bound_each() { # FILE N SLOT: every cycle lists SLOT among its devices, bound again
    _i=0
    while [ $_i -lt "$2" ]; do
        _d=$(json_index "$1" ".cycles[$_i].devices" slot "$3") || { echo "cycle $_i: no $3"; return 1; }
        json_expect "$1" ".cycles[$_i].devices[$_d].bound_again" true || return 1
        _i=$((_i + 1))
    done
}
st_figures() { # P FILE: one @@INFO line per cycle: asleep, resume, whole cycle (seconds)
    _i=0
    while [ $_i -lt "$(st_cycles "$2")" ]; do
        info "$1 cycle $((_i + 1)): asleep $(json_get "$2" ".cycles[$_i].asleep_seconds") s," \
            "resume $(json_get "$2" ".cycles[$_i].resume_seconds") s," \
            "cycle $(json_get "$2" ".cycles[$_i].duration_seconds") s"
        _i=$((_i + 1))
    done
}

first=1
for through in $paths; do
    p=st.$through
    # The NEC alone once per guest: the fixed runs below bring the NEC back in every cycle too,
    # and pm-suspend cycles take ~25 s each under TCG.
    if [ $first = 1 ]; then
        if edu_slot >/dev/null && mod_loaded $DRV_MODULE; then
            check "$p.driver_out" rmmod $DRV_MODULE
        fi
        st_run "$p.nec" --cycles 5 --through "$through"
        check_eq "$p.nec.exit" 0 "$ST_RC"
        check "$p.nec.five_ok" st_all_ok "/tmp/$p.nec.json" 5
        check "$p.nec.nec_bound_each" st_bound_each "/tmp/$p.nec.json" 5 "$(nec_slot)"
        check "$p.nec.summary" json_expect "/tmp/$p.nec.json" .summary.ok true
        check "$p.nec.state_clean" state_clean
        check_nec_restored "$p.nec.after"
        st_figures "$p.nec" "/tmp/$p.nec.json"
        first=0
    fi
    if edu_slot >/dev/null; then
        EDU=$(edu_slot)
        require "$p.driver_bound" drv_enable
        st_run "$p.broken" --cycles 5 --through "$through"
        check_eq "$p.broken.exit" 3 "$ST_RC"
        check "$p.broken.one_cycle" json_expect "/tmp/$p.broken.json" .summary.run 1
        check "$p.broken.cycle1_failed" json_expect "/tmp/$p.broken.json" ".cycles[0].ok" false
        check "$p.broken.names_device" json_expect "/tmp/$p.broken.json" ".cycles[0].failure.device" "$EDU"
        check "$p.broken.names_module" json_expect "/tmp/$p.broken.json" ".cycles[0].failure.module" "$DRV_MODULE"
        check "$p.broken.errno" json_expect "/tmp/$p.broken.json" ".cycles[0].failure.errno" -16
        check "$p.broken.progress_line" grep -F "cycle 1/5: FAILED" "/tmp/$p.broken.err"
        check "$p.broken.state_clean" state_clean
        profile_install /sfx/profiles/broken-driver/vmtest-edu-unload.yaml >/dev/null
        st_run "$p.fixed" --cycles 5 --through "$through"
        check_eq "$p.fixed.exit" 0 "$ST_RC"
        check "$p.fixed.five_ok" st_all_ok "/tmp/$p.fixed.json" 5
        check "$p.fixed.edu_bound_each" st_bound_each "/tmp/$p.fixed.json" 5 "$EDU"
        check "$p.fixed.nec_bound_each" st_bound_each "/tmp/$p.fixed.json" 5 "$(nec_slot)"
        check "$p.fixed.bound_again" wait_for 10 edu_bound
        check "$p.fixed.state_clean" state_clean
        st_figures "$p.fixed" "/tmp/$p.fixed.json"
        profile_remove vmtest-edu-unload.yaml
    fi
done
exit 0
