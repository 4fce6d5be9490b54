# guest-lib-driver.sh - the broken test driver and what the kernel records about a failed
# sleep (sourced by guest-lib.sh, runs INSIDE the guest; busybox sh or dash).
# shellcheck shell=dash
#
# The driver (driver/sfx_brokenmod.c): module sfx_brokenmod, driver sfx_broken, binds QEMU's
# edu device (PCI 1234:11e8, run-vm.py --edu). Its parameters live in
# /sys/module/sfx_brokenmod/parameters: phase (suspend|suspend_late|suspend_noirq|resume|
# resume_early|resume_noirq|none), err (errno, default 16), pinned, failures.

EDU_VEN=1234
EDU_DEV=11e8
DRV_MODULE=sfx_brokenmod
DRV_NAME=sfx_broken
STATS=/sys/power/suspend_stats

# edu_slot: slot of the edu device, rc 1 if there is none
edu_slot() { pci_first $EDU_VEN $EDU_DEV; }
# edu_bound: the edu device is bound to sfx_broken from module sfx_brokenmod
edu_bound() { _es=$(edu_slot) || { echo "no edu device"; return 1; }; dev_bound_to "$_es" $DRV_NAME $DRV_MODULE; }
# drv_set NAME VALUE: change a driver parameter at run time
drv_set() { echo "$2" > /sys/module/$DRV_MODULE/parameters/"$1"; }
drv_get() { cat /sys/module/$DRV_MODULE/parameters/"$1"; }
# drv_load [PARAM=VALUE...]: load the driver (modprobe) and wait until it is bound
drv_load() { modprobe $DRV_MODULE "$@" && wait_for 5 edu_bound; }

# stat_get NAME: one value of /sys/power/suspend_stats
stat_get() { cat "$STATS/$1" 2>/dev/null; }
# stats_snapshot FILE: every counter and last_* value, "name value" per line
stats_snapshot() {
    for _f in "$STATS"/*; do echo "${_f##*/} $(tr '\n' ' ' < "$_f" | sed 's/ *$//')"; done > "$1"
}
# stats_delta BEFORE AFTER: the counters that moved, e.g. "fail+1 failed_suspend+1"
stats_delta() {
    awk 'NR == FNR { v[$1] = $2; next }
         $2 ~ /^[0-9]+$/ && v[$1] ~ /^[0-9]+$/ && $2 != v[$1] { printf "%s%s+%d", s, $1, $2 - v[$1]; s = " " }
         END { print "" }' "$1" "$2"
}
# stats_moved BEFORE AFTER WANT: exactly the counters WANT moved ("fail+1 failed_suspend+1",
# in any order)
_sfx_words_sorted() { echo "$1" | tr ' ' '\n' | grep . | sort | tr '\n' ' '; }
stats_moved() {
    _sd=$(stats_delta "$1" "$2")
    echo "suspend_stats moved: [$_sd]"
    [ "$(_sfx_words_sorted "$_sd")" = "$(_sfx_words_sorted "$3")" ] || { echo "  want [$3]"; return 1; }
}

# check_failed_sleep P BEFORE AFTER MARK COUNTER STEP [N]: the kernel recorded N failed sleep
# attempts (default 1) in phase COUNTER (failed_suspend, failed_suspend_late, ...) for the edu
# device: fail+N and COUNTER+N only, last_failed_dev the edu slot, last_failed_errno -16,
# last_failed_step STEP (empty on 6.1 for the late phase), the device line in the log.
# systemd-sleep and elogind try each state of SuspendState= in turn ("mem standby freeze"):
# after deep fails they try s2idle (standby is not offered), which fails again: N=2.
check_failed_sleep() {
    _fp=$1 _fb=$2 _fa=$3 _fm=$4 _fc=$5 _fs=$6 _fn=${7:-1}
    check "$_fp.stats_fail_counted" stats_moved "$_fb" "$_fa" "fail+$_fn $_fc+$_fn"
    check_eq "$_fp.last_failed_dev" "$(edu_slot)" "$(stat_get last_failed_dev)"
    check_eq "$_fp.last_failed_errno" -16 "$(stat_get last_failed_errno)"
    check_eq "$_fp.last_failed_step" "$_fs" "$(stat_get last_failed_step)"
    check "$_fp.kernel_device_line" dmesg_has "$_fm" "$DRV_NAME $(edu_slot): PM: failed to suspend( async)?: error -16"
    if [ "$_fn" = 2 ]; then
        check "$_fp.then_s2idle_tried" dmesg_order "$_fm" 'PM: suspend entry \(deep\)' 'PM: suspend entry \(s2idle\)'
    fi
}

# ------------------------------------------------------------ local profiles ---
# The local profile directory of the installed tree (/etc for a /usr build).
sfx_local_profiles() {
    case $SFX_BIN in
        /usr/local/*) echo /usr/local/etc/suspendfix/profiles.d ;;
        *) echo /etc/suspendfix/profiles.d ;;
    esac
}
# profile_install FILE: copy a test profile (from /sfx/profiles/...) into the local directory
profile_install() { mkdir -p "$(sfx_local_profiles)" && cp "$1" "$(sfx_local_profiles)/" && echo "installed $(sfx_local_profiles)/${1##*/}"; }
# profile_remove NAME.yaml
profile_remove() { rm -f "$(sfx_local_profiles)/$1"; }

# drv_enable: make sure sfx_brokenmod drives the edu device. The full-userspace guests'
# payload blacklists it, so that their boot and their NEC scenarios see a sleep that works;
# dropping the blacklist and replaying the device's "add" event has udev load it by its
# alias, as at boot. The busybox guests' coldplug loaded it already.
DRV_BLACKLIST=/etc/modprobe.d/sfx-vm-blacklist.conf
drv_enable() {
    _es=$(edu_slot) || { echo "no edu device (run-vm.py --edu)"; return 1; }
    edu_bound >/dev/null 2>&1 && { edu_bound && echo "already bound"; return 0; }
    rm -f "$DRV_BLACKLIST"
    if command -v udevadm >/dev/null && udevadm control --ping 2>/dev/null; then
        udevadm trigger --action=add "/sys/bus/pci/devices/$_es" && udevadm settle
        echo "udev add event replayed for $_es"
    else
        modprobe $DRV_MODULE
    fi
    wait_for 10 edu_bound
    edu_bound && dmesg | grep -F "$DRV_NAME $_es: bound" | tail -n 1
}
