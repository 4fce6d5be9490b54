# guest-lib.sh - helpers for suspendfix VM scenarios (busybox sh, runs INSIDE the guest).
# shellcheck shell=dash
#
# Source it:   . /sfx/guest-lib.sh
#
# Marker protocol (one line each, parsed by run-vm.py on the host):
#   @@BOOTED kver ...          printed by /init once userspace is up
#   @@BEGIN scenario           printed by /init before a scenario runs
#   @@END scenario rc=N        printed by /init after it
#   @@PASS name [detail]       a check passed
#   @@FAIL name [detail]       a check failed        (any FAIL makes the run fail)
#   @@SKIP name [reason]       a check was skipped   (reported, not a failure)
#   @@XFAIL name detail        an expected failure (check_xfail: a known defect; reported,
#                              not a failure; the same check passing is a @@FAIL "XPASS")
#   @@TSTART name              timer_start: the host notes its own clock
#   @@TIME name seconds        a measured duration (guest /proc/uptime, 10 ms resolution;
#                              the host also reports HOST-TIME from @@TSTART to @@TIME,
#                              which is the reliable number when a sleep is inside: the
#                              guest learns the time spent in S3 from the RTC, i.e. +-1 s)
#   @@INFO text                free text, echoed in the host summary
#   @@SLEEP mem|freeze         about to write /sys/power/state
#   @@WOKE mode rc=N           the write to /sys/power/state returned
#   @@WAKE-BY-POWERBUTTON      host: press the ACPI power button once the guest is in s2idle
#   @@WAKE-BY-RTC              host: do not QMP-wake the next S3, the RTC alarm will
#   @@RTC-WAKES on|off         host: from "on" to "off", QMP-wake no S3 (the guest's RTC
#                              alarm wakes each; the host steps in only after 15 s)
#   @@DONE                     printed by /init when all scenarios have run
# Check names must not contain spaces (use dots/underscores).
#
# Markers go to /dev/console (the serial console, ttyS0) and, when /init opened it, to
# a dedicated marker port (ttyS1, fd $SFX_MARKER_FD) that kernel messages never
# interleave with; the host prefers the marker port.

SFX_MARKER_FD=${SFX_MARKER_FD:-}

# emit LINE: write a marker line to the console (not to stdout, so markers are never
# captured by check's output capture) and to the marker port.
emit() {
    if [ -c /dev/console ]; then echo "$*" > /dev/console; else echo "$*"; fi
    if [ -n "$SFX_MARKER_FD" ]; then
        eval "echo \"\$*\" >&$SFX_MARKER_FD" 2>/dev/null
    fi
    return 0
}

# ---------------------------------------------------------------- results ---
pass() { _n=$1; shift; emit "@@PASS $_n${*:+ $*}"; return 0; }
fail() { _n=$1; shift; emit "@@FAIL $_n${*:+ $*}"; return 1; }
skip() { _n=$1; shift; emit "@@SKIP $_n${*:+ $*}"; return 0; }
info() { emit "@@INFO $*"; }

# one-line summary of command output for a FAIL detail
_sfx_squash() { tail -n 4 | tr '\n\r\t' '   ' | cut -c1-240; }

# check NAME cmd [args...]   -> @@PASS NAME if cmd exits 0, else @@FAIL NAME rc=N <output tail>
# cmd runs in the current shell (it may be a function from this library and may set
# variables, e.g. suspend_mem sets SFX_LAST_MARK); its output is captured and copied to
# the console prefixed with "  [NAME] " (always with SFX_VERBOSE=1, the default; else
# only on failure). Returns cmd's success. Do not nest checks.
_SFX_CO=/tmp/.sfx_check_out
SFX_VERBOSE=${SFX_VERBOSE:-1}
_sfx_show() { # NAME RC
    if [ "$SFX_VERBOSE" = 1 ] || [ "$2" != 0 ]; then sed "s/^/  [$1] /" "$_SFX_CO"; fi
}
check() {
    _cn=$1; shift
    "$@" > "$_SFX_CO" 2>&1
    _cr=$?
    _sfx_show "$_cn" "$_cr"
    if [ "$_cr" -eq 0 ]; then
        emit "@@PASS $_cn"
        return 0
    fi
    emit "@@FAIL $_cn rc=$_cr cmd=[$*] $(_sfx_squash < "$_SFX_CO")"
    return 1
}

# check_not NAME cmd...      -> PASS if cmd FAILS
check_not() {
    _cn=$1; shift
    "$@" > "$_SFX_CO" 2>&1
    _cr=$?
    _sfx_show "$_cn" 1
    if [ "$_cr" -ne 0 ]; then
        emit "@@PASS $_cn"
        return 0
    fi
    emit "@@FAIL $_cn unexpectedly-succeeded cmd=[$*] $(_sfx_squash < "$_SFX_CO")"
    return 1
}

# check_eq NAME EXPECTED ACTUAL
check_eq() {
    if [ "$2" = "$3" ]; then emit "@@PASS $1"; return 0; fi
    emit "@@FAIL $1 expected=[$2] got=[$3]"
    return 1
}

# require NAME cmd...: like check, but aborts the scenario (exit 1) on failure
require() { check "$@" || { emit "@@INFO aborting scenario after failed requirement $1"; exit 1; }; }

# runrc cmd... : run a command, show its output on the console (prefixed "  | "),
# return the command's exit status
runrc() {
    echo "+ $*"
    _rf=/tmp/.sfx_rc.$$
    { "$@" 2>&1; echo $? > "$_rf"; } | sed 's/^/  | /'
    _rr=$(cat "$_rf" 2>/dev/null || echo 255)
    rm -f "$_rf"
    return "$_rr"
}
run() { runrc "$@"; }

# run_scenarios NAME|/PATH...: run each scenario (/sfx/scenarios/NAME.sh or a path) in a
# subshell with cwd /tmp, between @@BEGIN/@@END, timed as scenario.NAME (guest-init.sh and
# deb-runner.sh)
run_scenarios() {
    for _s in "$@"; do
        case $_s in
            /*) _sf=$_s; _sn=$(basename "$_s" .sh) ;;
            *) _sf=/sfx/scenarios/$_s.sh; _sn=$_s ;;
        esac
        emit "@@BEGIN $_sn"
        timer_start "scenario.$_sn"
        if [ -f "$_sf" ]; then
            ( cd /tmp && exec sh "$_sf" )
            _sr=$?
        else
            emit "@@FAIL $_sn.exists no such scenario $_sf"
            _sr=127
        fi
        timer_end "scenario.$_sn" >/dev/null
        [ $_sr -eq 0 ] || emit "@@FAIL $_sn.exit scenario exited rc=$_sr"
        emit "@@END $_sn rc=$_sr"
    done
}

# ----------------------------------------------------------------- timing ---
# busybox date has no %N: use /proc/uptime (includes time spent suspended).
now() { read _u _i < /proc/uptime; echo "$_u"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }   # elapsed START END
_sfx_var() { echo "_sfx_t_$1" | tr -c 'A-Za-z0-9_\n' '_'; }
timer_start() { eval "$(_sfx_var "$1")=$(now)"; emit "@@TSTART $1"; }
# timer_end NAME: emits @@TIME NAME secs and prints secs
timer_end() {
    eval "_ts=\${$(_sfx_var "$1"):-}"
    [ -n "$_ts" ] || { emit "@@INFO timer $1 was never started"; return 1; }
    _te=$(elapsed "$_ts" "$(now)")
    emit "@@TIME $1 $_te"
    echo "$_te" > /tmp/.sfx_last_time
    return 0
}
# time_cmd NAME cmd... : runs cmd, emits @@TIME NAME, returns cmd's rc
time_cmd() {
    _tn=$1; shift
    timer_start "$_tn"
    "$@"
    _tr=$?
    timer_end "$_tn" >/dev/null
    return $_tr
}

# wait_for SECONDS cmd... : poll cmd every 0.1 s until it succeeds
wait_for() {
    _wl=$1; shift
    _wd=$(awk -v s="$_wl" 'BEGIN { printf "%d", s * 10 }')
    while [ "$_wd" -gt 0 ]; do
        "$@" >/dev/null 2>&1 && return 0
        usleep 100000
        _wd=$((_wd - 1))
    done
    "$@" >/dev/null 2>&1
}

# ----------------------------------------------------------------- PCI ------
# pci_find VENDOR DEVICE  (hex without 0x, e.g. 1033 0194) -> prints slots, one per line
pci_find() {
    for _d in /sys/bus/pci/devices/*; do
        [ -r "$_d/vendor" ] || continue
        [ "$(cat "$_d/vendor")" = "0x$1" ] && [ "$(cat "$_d/device")" = "0x$2" ] && basename "$_d"
    done
    return 0
}
# pci_first VENDOR DEVICE -> first slot, rc 1 if none
pci_first() { _pf=$(pci_find "$1" "$2" | head -n 1); [ -n "$_pf" ] && echo "$_pf"; }
pci_path() { echo "/sys/bus/pci/devices/$1"; }
dev_bound() { [ -e "/sys/bus/pci/devices/$1/driver" ]; }
dev_unbound() { [ -e "/sys/bus/pci/devices/$1" ] && [ ! -e "/sys/bus/pci/devices/$1/driver" ]; }
# dev_driver SLOT -> sysfs driver name (e.g. xhci_hcd); rc 1 if unbound
dev_driver() { _l=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null) || return 1; basename "$_l"; }
# dev_module SLOT -> module owning the bound driver (e.g. xhci_pci); rc 1 if none
dev_module() { _l=$(readlink "/sys/bus/pci/devices/$1/driver/module" 2>/dev/null) || return 1; basename "$_l"; }
# dev_bound_to SLOT DRIVER [MODULE]
dev_bound_to() {
    _dd=$(dev_driver "$1") || { echo "$1 unbound"; return 1; }
    [ "$_dd" = "$2" ] || { echo "$1 bound to $_dd, want $2"; return 1; }
    [ -z "${3:-}" ] && return 0
    _dm=$(dev_module "$1") || { echo "$1 driver $_dd has no module"; return 1; }
    [ "$_dm" = "$3" ] || { echo "$1 driver module $_dm, want $3"; return 1; }
}

# ---------------------------------------------------------------- modules ---
_sfx_modname() { echo "$1" | tr '-' '_'; }
mod_loaded() { grep -q "^$(_sfx_modname "$1") " /proc/modules; }
mod_unloaded() { ! mod_loaded "$1"; }

# coldplug [BUS...]: modprobe the modalias of every device on the given buses
# (default: pci acpi usb scsi), repeating until no new module appears (udev-less).
coldplug() {
    _buses=${*:-pci acpi usb scsi}
    _pass=0
    while [ $_pass -lt 6 ]; do
        _before=$(wc -l < /proc/modules)
        for _b in $_buses; do
            for _m in /sys/bus/$_b/devices/*/modalias; do
                [ -r "$_m" ] || continue
                modprobe -q -b "$(cat "$_m")" 2>/dev/null
            done
        done
        _after=$(wc -l < /proc/modules)
        [ "$_after" -eq "$_before" ] && [ $_pass -gt 0 ] && break
        usleep 300000
        _pass=$((_pass + 1))
    done
    return 0
}

# ---------------------------------------------------------------- USB disk ---
# run-vm.py --usb-disk-mb N attaches a usb-storage disk on the NEC bus whose sector 0
# starts with this magic, and adds sfx.usbdisk=1 to the kernel command line.
USBDISK_MAGIC=SUSPENDFIX-VM-USBDISK
has_usbdisk() { grep -qw sfx.usbdisk=1 /proc/cmdline; }
# usbdisk_dev -> /dev/sdX whose first sector carries the magic (rc 1 if none)
usbdisk_dev() {
    for _b in /sys/block/sd*; do
        [ -e "$_b" ] || continue
        _dv=/dev/${_b##*/}
        dd if="$_dv" bs=512 count=1 2>/dev/null | grep -q "$USBDISK_MAGIC" && { echo "$_dv"; return 0; }
    done
    return 1
}
# usbdisk_wait [SECONDS]: load usb-storage/sd_mod as devices appear, wait for the disk
usbdisk_wait() {
    _uw=$(awk -v s="${1:-15}" 'BEGIN { printf "%d", s * 2 }')
    while [ "$_uw" -gt 0 ]; do
        usbdisk_dev >/dev/null && return 0
        coldplug usb scsi
        usleep 500000
        _uw=$((_uw - 1))
    done
    usbdisk_dev >/dev/null || { echo "no usb disk with magic after ${1:-15}s"; ls /sys/bus/usb/devices; return 1; }
}

# ------------------------------------------------------------------ dmesg ---
# dmesg_mark -> writes a unique marker into the kernel log, prints its id.
dmesg_mark() {
    _mk="sfxmark-$(cat /proc/sys/kernel/random/uuid)"
    echo "<6>$_mk" > /dev/kmsg
    echo "$_mk"
}
# dmesg_since MARK -> kernel log lines after the marker (all lines if the marker is gone);
# between dmesg_freeze MARK and dmesg_thaw, the lines as they were at dmesg_freeze (one
# dmesg for a series of checks: every process costs under TCG)
_SFX_FROZEN=
dmesg_freeze() { _SFX_FROZEN=; dmesg_since "$1" > /tmp/.sfx_dmesg_frozen; _SFX_FROZEN=$1; }
dmesg_thaw() { _SFX_FROZEN=; }
dmesg_since() {
    [ -n "$_SFX_FROZEN" ] && [ "$_SFX_FROZEN" = "$1" ] && { cat /tmp/.sfx_dmesg_frozen; return 0; }
    dmesg | awk -v m="$1" '{ l[NR] = $0 } !f && index($0, m) { f = NR }
                            END { for (i = f + 1; i <= NR; i++) print l[i] }'
}
# dmesg_has MARK PATTERN (grep -E)
dmesg_has() { dmesg_since "$1" | grep -qE -- "$2"; }
dmesg_lacks() { ! dmesg_has "$1" "$2"; }
# dmesg_order MARK PAT1 PAT2: first line matching PAT1 comes before first line matching PAT2
dmesg_order() {
    dmesg_since "$1" | awk -v a="$2" -v b="$3" '
        $0 ~ a && !ia { ia = NR } $0 ~ b && !ib { ib = NR }
        END { if (ia && ib && ia < ib) exit 0; printf "first[%s]=%d first[%s]=%d\n", a, ia, b, ib; exit 1 }'
}

# ------------------------------------------------------------------ sleep ---
SFX_LAST_MARK=
SFX_LAST_SLEEP_TIME=

# sleep_write MODE: write MODE to /sys/power/state with markers and timing.
# Sets SFX_LAST_MARK (dmesg mark taken before) and SFX_LAST_SLEEP_TIME.
sleep_write() {
    _mode=$1
    SFX_LAST_MARK=$(dmesg_mark)
    _t0=$(now)
    emit "@@SLEEP $_mode"
    # the exit status of echo is the status of the write(2) to /sys/power/state
    echo "$_mode" > /sys/power/state
    # shellcheck disable=SC2320
    _rc=$?
    _t1=$(now)
    SFX_LAST_SLEEP_TIME=$(elapsed "$_t0" "$_t1")
    emit "@@WOKE $_mode rc=$_rc t=$SFX_LAST_SLEEP_TIME"
    return $_rc
}

# suspend_mem [TIMENAME]: one real S3 cycle (host wakes it over QMP). @@TIME TIMENAME if given.
suspend_mem() {
    [ -w /sys/power/mem_sleep ] && echo deep > /sys/power/mem_sleep 2>/dev/null
    [ -n "${1:-}" ] && emit "@@TSTART $1"
    sleep_write mem
    _sr=$?
    [ -n "${1:-}" ] && emit "@@TIME $1 $SFX_LAST_SLEEP_TIME"
    return $_sr
}

# suspend_mem_rtc SECONDS [TIMENAME]: S3 woken by the RTC alarm instead of the host.
suspend_mem_rtc() {
    _w=/sys/class/rtc/rtc0/wakealarm
    echo 0 > $_w
    echo "+$1" > $_w || return 1
    emit "@@WAKE-BY-RTC"
    suspend_mem "${2:-}"
}

# s2idle_prepare / s2idle_restore: make the kernel print "PM: suspend-to-idle" on the
# console once it is really idle, and tell the host to press the power button then.
# Use around any command that ends in an s2idle (e.g. suspendfix suspend --mode freeze).
s2idle_prepare() {
    mod_loaded button || modprobe button
    _sfx_printk=$(cut -f1 /proc/sys/kernel/printk)
    echo 1 > /sys/power/pm_debug_messages 2>/dev/null
    echo 8 > /proc/sys/kernel/printk
    emit "@@WAKE-BY-POWERBUTTON"
}
s2idle_restore() {
    echo 0 > /sys/power/pm_debug_messages 2>/dev/null
    echo "${_sfx_printk:-4}" > /proc/sys/kernel/printk
}
# s2idle_around cmd...: run a command that ends in an s2idle itself (e.g.
# "suspendfix suspend --mode freeze"), with the power-button wake arranged; the host
# counts the wake when the kernel prints "PM: suspend exit". Returns cmd's rc.
s2idle_around() {
    s2idle_prepare
    "$@"
    _sa=$?
    s2idle_restore
    return $_sa
}
# suspend_freeze [TIMENAME]: one s2idle cycle, woken by the host's power-button press.
suspend_freeze() {
    s2idle_prepare
    [ -n "${1:-}" ] && emit "@@TSTART $1"
    sleep_write freeze
    _sr=$?
    s2idle_restore
    [ -n "${1:-}" ] && emit "@@TIME $1 $SFX_LAST_SLEEP_TIME"
    return $_sr
}

# pm_test_cycle LEVEL: a /sys/power/pm_test dry run (freezer|devices|platform|processors|core)
pm_test_cycle() {
    echo 1 > /sys/module/suspend/parameters/pm_test_delay 2>/dev/null
    echo "$1" > /sys/power/pm_test || return 1
    sleep_write mem
    _pr=$?
    echo none > /sys/power/pm_test
    return $_pr
}

# dmesg checks for the last sleep cycle
last_cycle_ok() {
    dmesg_has "$SFX_LAST_MARK" 'PM: suspend entry' || { echo "no 'PM: suspend entry'"; return 1; }
    dmesg_has "$SFX_LAST_MARK" 'PM: suspend exit' || { echo "no 'PM: suspend exit'"; return 1; }
}

# ------------------------------------------------------------- more helpers ---
# guest-lib-sfx.sh (suspendfix, the NEC, state, snapshots, JSON, cycle timing),
# guest-lib-driver.sh (the broken test driver, suspend_stats) and guest-lib-clients.sh (the
# real sleep clients of the full-userspace guests) live beside this file.
for _sfx_lib in "${SFX_LIB_DIR:-/sfx}"/guest-lib-*.sh; do
    # shellcheck disable=SC1090
    [ -r "$_sfx_lib" ] && . "$_sfx_lib"
done
