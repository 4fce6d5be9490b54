#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# sfx-test-cycles.sh - issue 10: `suspendfix test --cycles 5` inside the guest, every S3 woken
# by the guest's RTC alarm (@@RTC-WAKES on: the host sends no system_wakeup), through the
# guest's own path: --through self (busybox), systemd and pm-utils (systemd guest), elogind
# (elogind guest). With the test driver bound and no profile, cycle 1 fails and the report
# names the edu device and sfx_brokenmod; with the profile, 5/5 and the device bound after.
#
# WRITTEN AHEAD OF `suspendfix test`: until the installed suspendfix has the command, the
# scenario checks its preconditions and skips the rest (@@SKIP test.available). The output
# checks use the text report; tighten them with the final --json schema.
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

st_run() { # P ARGS...: suspendfix test, its RTC wakes; output in /tmp/P.out, exit in ST_RC
    _sp=$1; shift
    emit "@@RTC-WAKES on"
    timer_start "$_sp.run"
    "$SFX_BIN" test "$@" > "/tmp/$_sp.out" 2>&1
    ST_RC=$?
    timer_end "$_sp.run" >/dev/null
    emit "@@RTC-WAKES off"
    sed 's/^/  | /' "/tmp/$_sp.out"
}
for through in $paths; do
    p=st.$through
    st_run "$p.nec" --cycles 5 --through "$through"
    check_eq "$p.nec.exit" 0 "$ST_RC"
    check "$p.nec.state_clean" state_clean
    check_nec_restored "$p.nec.after"
    if edu_slot >/dev/null; then
        EDU=$(edu_slot)
        require "$p.driver_bound" drv_enable
        st_run "$p.broken" --cycles 5 --through "$through"
        check "$p.broken.exit_nonzero" sh -c "[ $ST_RC -ne 0 ]"
        check "$p.broken.names_device" grep -F "$EDU" "/tmp/$p.broken.out"
        check "$p.broken.names_module" grep -F "$DRV_MODULE" "/tmp/$p.broken.out"
        profile_install /sfx/profiles/broken-driver/vmtest-edu-unload.yaml >/dev/null
        st_run "$p.fixed" --cycles 5 --through "$through"
        check_eq "$p.fixed.exit" 0 "$ST_RC"
        check "$p.fixed.bound_again" wait_for 10 edu_bound
        check "$p.fixed.state_clean" state_clean
        profile_remove vmtest-edu-unload.yaml
    fi
done
exit 0
