#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# drv-phases.sh - what the kernel records when the test driver fails in each phase (busybox
# guest with -device edu, plain `echo mem`, no suspendfix involved): the suspend_stats
# counters that move, last_failed_dev/errno/step, and the kernel's device line. Facts for
# `suspendfix diagnose` (issue 9), printed as @@INFO lines too. Kernel 6.1: every suspend
# phase says "failed to suspend async"; resume says "async", "async early", "async noirq";
# last_failed_step is empty for suspend_late and resume_early; a resume failure still counts
# as a success and keeps the errno of the last failed suspend.
. /sfx/guest-lib.sh
EDU=$(edu_slot) || { fail drv.edu_present "no edu device (run-vm.py --edu)"; exit 1; }
require drv.bound_by_coldplug wait_for 5 edu_bound
check_eq drv.driver_name_differs_from_module "sfx_broken sfx_brokenmod" "$(dev_driver "$EDU") $(dev_module "$EDU")"

# phase_cycle PHASE ERR WANT_RC COUNTERS STEP DEVLINE_ERE
phase_cycle() {
    drv_set phase "$1"; drv_set err "$2"
    stats_snapshot /tmp/ph.before
    _pm=$(dmesg_mark)
    sleep_write mem
    _prc=$?
    stats_snapshot /tmp/ph.after
    dmesg_freeze "$_pm"
    info "phase $1 err $2: write rc=$_prc; suspend_stats $(stats_delta /tmp/ph.before /tmp/ph.after); last_failed_dev=$(stat_get last_failed_dev) errno=$(stat_get last_failed_errno) step=[$(stat_get last_failed_step)]; kernel: $(dmesg_since "$_pm" | grep -E "$DRV_NAME|PM: (Some|late|noirq)" | sed 's/^\[[ 0-9.]*\] //' | tr '\n' '|')"
    check_eq "ph.$1.write_rc" "$3" "$_prc"
    check "ph.$1.counters" stats_moved /tmp/ph.before /tmp/ph.after "$4"
    check_eq "ph.$1.last_failed_dev" "$EDU" "$(stat_get last_failed_dev)"
    check_eq "ph.$1.last_failed_step" "$5" "$(stat_get last_failed_step)"
    check "ph.$1.device_line" dmesg_has "$_pm" "$DRV_NAME $EDU: PM: $6"
    dmesg_thaw
}
# the suspend phases fail the write with the errno (EIO here, to show any errno goes through)
phase_cycle suspend_late -5 1 "fail+1 failed_suspend_late+1" "" "failed to suspend async: error -5"
check_eq ph.suspend_late.errno -5 "$(stat_get last_failed_errno)"
phase_cycle suspend_noirq -16 1 "fail+1 failed_suspend_noirq+1" suspend_noirq "failed to suspend async: error -16"
check_eq ph.suspend_noirq.errno -16 "$(stat_get last_failed_errno)"
# a resume failure: the sleep happened (success+1), the device is reported, errno unchanged
phase_cycle resume -5 0 "success+1 failed_resume+1" resume "failed to resume async: error -5"
phase_cycle resume_early -5 0 "success+1 failed_resume_early+1" "" "failed to resume async early: error -5"
phase_cycle resume_noirq -5 0 "success+1 failed_resume_noirq+1" resume_noirq "failed to resume async noirq: error -5"
check_eq ph.resume.errno_not_saved -16 "$(stat_get last_failed_errno)"
check_eq ph.failures_counted 5 "$(drv_get failures)"
# back to the default (suspend, -EBUSY) for the scenarios after this one
drv_set phase suspend; drv_set err -16
check ph.still_bound edu_bound
exit 0
