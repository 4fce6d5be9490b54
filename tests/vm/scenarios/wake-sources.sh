#!/bin/sh
# wake-sources.sh - harness self-check of the wake paths: S3 woken by the RTC alarm
# (host holds back its QMP wakeup), and repeated s2idle cycles woken by the host's
# ACPI power-button press.
. /sfx/guest-lib.sh

check rtc.present test -w /sys/class/rtc/rtc0/wakealarm
check rtc.s3_cycle suspend_mem_rtc 2 rtc.s3_cycle
check rtc.s3_dmesg last_cycle_ok
check rtc.alarm_consumed sh -c '[ -z "$(cat /sys/class/rtc/rtc0/wakealarm)" ]'

i=1
while [ $i -le 5 ]; do
    check "s2idle.$i.cycle" suspend_freeze "s2idle.$i.cycle"
    check "s2idle.$i.dmesg" dmesg_has "$SFX_LAST_MARK" 'PM: suspend entry \(s2idle\)'
    check "s2idle.$i.exit" dmesg_has "$SFX_LAST_MARK" 'PM: suspend exit'
    i=$((i + 1))
done
# S3 still works after s2idle cycles
check s3.after_s2idle suspend_mem s3.after_s2idle
check s3.after_s2idle_dmesg last_cycle_ok
