# guest-lib-sfx.sh - suspendfix, the NEC controller, state and machine snapshots, the USB
# disk's filesystem, JSON and cycle timing (sourced by guest-lib.sh, runs INSIDE the guest;
# busybox sh or dash). Split from guest-lib.sh, which keeps the protocol, checks, timing, PCI,
# modules, kernel log and sleep helpers.
# shellcheck shell=dash
# ------------------------------------------------------------- suspendfix ---
# The tree is installed with the prefix it was configured with (run-smoke.sh): /usr for
# packages, /usr/local for a plain `cmake -B build`. Take the first that exists.
_sfx_first() { for _f in "$@"; do [ -e "$_f" ] && { echo "$_f"; return 0; }; done; echo "$1"; }
SFX_BIN=${SFX_BIN:-$(_sfx_first /usr/bin/suspendfix /usr/local/bin/suspendfix)}
SFX_SYSTEMD_HOOK=${SFX_SYSTEMD_HOOK:-$(_sfx_first /usr/lib/systemd/system-sleep/suspendfix \
    /usr/local/lib/systemd/system-sleep/suspendfix)}
SFX_PMUTILS_HOOK=${SFX_PMUTILS_HOOK:-$(_sfx_first /usr/lib/pm-utils/sleep.d/77suspendfix \
    /usr/local/lib/pm-utils/sleep.d/77suspendfix)}
SFX_ELOGIND_HOOK=${SFX_ELOGIND_HOOK:-$(_sfx_first /usr/lib/elogind/system-sleep/suspendfix \
    /usr/local/lib/elogind/system-sleep/suspendfix)}
SFX_STATE=${SFX_STATE:-/run/suspendfix/state}
export SFX_TEST_PROFILES=/sfx/profiles
# require_suspendfix: FAIL (and exit the scenario) if the binary is not installed
require_suspendfix() {
    if [ ! -x "$SFX_BIN" ]; then
        emit "@@FAIL suspendfix.present suspendfix binary missing ($SFX_BIN)"
        exit 1
    fi
    emit "@@PASS suspendfix.present"
}

# NEC uPD720200 as emulated by QEMU's nec-usb-xhci
NEC_VEN=1033
NEC_DEV=0194

# nec_slot: slot of the (first) NEC controller, rc 1 if there is none
nec_slot() { pci_first $NEC_VEN $NEC_DEV; }
# nec_holders: the modules holding xhci_pci that sfx-kernel-plan.sh loaded in this boot, as
# the database lint lists them for this kernel (none on 6.1; xhci_pci_renesas on 6.12, where it
# became a driver of its own on top of xhci_pci); empty when that scenario did not run
nec_holders() { cat /run/sfx-nec-holders 2>/dev/null; return 0; }
# nec_holders_unloaded: pre unloaded every holder too, and recorded it for post
nec_holders_unloaded() {
    for _h in $(nec_holders); do
        mod_unloaded "$_h" || { echo "holder $_h still loaded"; return 1; }
        state_has module "$_h" || return 1
    done
}
# nec_holders_loaded: every holder is loaded again
nec_holders_loaded() {
    for _h in $(nec_holders); do mod_loaded "$_h" || { echo "holder $_h not loaded"; return 1; }; done
}
# check_nec_unloaded PREFIX: the state suspendfix must leave before sleeping
check_nec_unloaded() {
    _ns=$(nec_slot) || { fail "$1.nec_present"; return 1; }
    check "$1.nec_unbound" dev_unbound "$_ns"
    check "$1.xhci_pci_unloaded" mod_unloaded xhci_pci
    if [ -n "$(nec_holders)" ]; then check "$1.holders_unloaded" nec_holders_unloaded; fi
}
# check_nec_restored PREFIX: the state after resume
check_nec_restored() {
    _ns=$(nec_slot) || { fail "$1.nec_present"; return 1; }
    check "$1.nec_bound" wait_for 5 dev_bound_to "$_ns" xhci_hcd xhci_pci
    check "$1.xhci_pci_loaded" mod_loaded xhci_pci
    if [ -n "$(nec_holders)" ]; then check "$1.holders_loaded" nec_holders_loaded; fi
    check "$1.usb3_roothub_back" wait_for 5 nec_usb3_roothub "$_ns"
    if has_usbdisk; then check "$1.usbdisk_back" usbdisk_wait 20; fi
}
# check_cycle_dmesg PREFIX MARK: kernel log of an unload/sleep/reload cycle after MARK
check_cycle_dmesg() {
    dmesg_freeze "$2"
    check "$1.dmesg_entry" dmesg_has "$2" 'PM: suspend entry'
    check "$1.dmesg_exit" dmesg_has "$2" 'PM: suspend exit'
    check "$1.dmesg_unload_before_sleep" dmesg_order "$2" 'USB bus [0-9]+ deregistered' 'PM: suspend entry'
    check "$1.dmesg_reload_after_wake" dmesg_order "$2" 'PM: suspend exit' 'new USB bus registered'
    check "$1.dmesg_no_xhc_reinit" dmesg_lacks "$2" 'xHC error in resume'
    dmesg_thaw
}
# is_elf FILE
is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | tail -c 3)" = ELF ]; }

# pmutils_ok cmd...: success if cmd exits 0 or 254 (pm-utils' $NA, "not applicable")
pmutils_ok() {
    "$@"
    _pr=$?
    [ $_pr -eq 0 ] || [ $_pr -eq 254 ] || { echo "exit $_pr (want 0 or 254)"; return 1; }
}

# sleep_hook_scenario PREFIX HOOK CYCLES: a systemd-sleep/elogind style hook ("pre|post
# suspend") around real S3 cycles, plus "post without pre" (elogind and pm-utils' thaw can
# do that) which must change nothing.
sleep_hook_scenario() {
    _hp=$1 _hook=$2 _hn=${3:-2}
    require "$_hp.hook_installed" test -x "$_hook"
    _hs=$(nec_slot) || { fail "$_hp.nec_present"; exit 1; }
    if has_usbdisk; then check "$_hp.usbdisk_initial" usbdisk_wait 20; fi
    check "$_hp.nec_bound_before" dev_bound_to "$_hs" xhci_hcd xhci_pci
    check "$_hp.post_without_pre" "$_hook" post suspend
    check "$_hp.post_without_pre_keeps_bound" dev_bound_to "$_hs" xhci_hcd xhci_pci
    _hi=1
    while [ $_hi -le "$_hn" ]; do
        _hq=$_hp.$_hi
        _hm=$(dmesg_mark)
        timed_check "$_hq.pre" "$_hook" pre suspend
        _hpre=$SFX_T_LAST
        check_nec_unloaded "$_hq.after_pre"
        check "$_hq.state_recorded" state_has module xhci_pci
        check "$_hq.s3" suspend_mem "$_hq.s3"
        timed_check "$_hq.post" "$_hook" post suspend
        _hpost=$SFX_T_LAST
        check_nec_restored "$_hq.after_post"
        check "$_hq.state_empty_after_post" state_clean
        check_cycle_dmesg "$_hq" "$_hm"
        cycle_kernel_times "$_hq" "$_hm"
        cycle_info "$_hq" "$_hpre" "$_hpost"
        _hi=$((_hi + 1))
    done
}

# --------------------------------------------------------- state, snapshot ---
# state_clean: the hook left nothing recorded (state file absent or empty)
state_clean() {
    [ -s "$SFX_STATE" ] || return 0
    echo "state file $SFX_STATE still holds:"; cat "$SFX_STATE"; return 1
}
# state_has KIND OBJECT: a "KIND OBJECT ..." line is recorded
state_has() { grep -q "^$1 $2 " "$SFX_STATE" 2>/dev/null || { echo "no '$1 $2' in state:"; cat "$SFX_STATE" 2>/dev/null; return 1; }; }
# machine_snapshot: what "the machine as it started" means for the cycle tests: sorted module
# names, every PCI device's driver link, the USB devices, the network interfaces and the
# state file (absent and empty print the same)
machine_snapshot() {
    # few processes: each one costs ~0.1 s under TCG on a busy host
    echo "modules: $(cut -d' ' -f1 /proc/modules | sort | tr '\n' ' ')"
    for _d in /sys/bus/pci/devices/*; do
        read -r _v < "$_d/vendor"; read -r _p < "$_d/device"
        if [ -e "$_d/driver" ]; then _l=$(cd -P "$_d/driver" && pwd); _l=${_l##*/}; else _l=-; fi
        echo "pci ${_d##*/} $_v:$_p driver=$_l"
    done
    echo "usb: $(echo /sys/bus/usb/devices/* | sed 's|/sys/bus/usb/devices/||g')"
    echo "net: $(echo /sys/class/net/* | sed 's|/sys/class/net/||g')"
    echo "state: $({ tr '\n' ';' < "$SFX_STATE"; } 2>/dev/null)"
}
# snapshot_same FILE_BEFORE FILE_AFTER: identical, else print the diff
snapshot_same() {
    cmp -s "$1" "$2" && { echo "snapshot unchanged ($(wc -l < "$1") lines)"; return 0; }
    echo "snapshot differs:"; diff "$1" "$2"; return 1
}

# ------------------------------------------------------------- USB topology ---
# nec_roothubs SLOT -> "usbN:SPEED" of each root hub under the controller (480 = USB 2, 5000 = USB 3)
nec_roothubs() {
    for _u in /sys/bus/pci/devices/"$1"/usb[0-9]*; do
        [ -e "$_u/speed" ] && echo "${_u##*/}:$(cat "$_u/speed")"
    done
    return 0
}
nec_usb3_roothub() { nec_roothubs "$1" | grep -q ':5000$'; }
nec_no_roothub() { [ -z "$(nec_roothubs "$1")" ]; }

# ------------------------------------------------------- USB disk filesystem ---
SFX_MNT=/mnt/usbdisk
# usbdisk_mkfs: an ext2 filesystem on the USB disk (busybox mke2fs; ext2 never touches the
# first 1024 bytes, and the magic is written back into sector 0 anyway so usbdisk_dev still
# finds the disk); mounted with the ext4 driver (the Debian kernel has no separate ext2)
usbdisk_mkfs() {
    _ud=$(usbdisk_dev) || { echo "no usb disk"; return 1; }
    mke2fs -L sfxdisk "$_ud" >/dev/null 2>&1 || mke2fs "$_ud" || return 1
    printf '%s\n' "$USBDISK_MAGIC" | dd of="$_ud" bs=512 count=1 conv=notrunc 2>/dev/null
    sync
    usbdisk_dev >/dev/null || { echo "magic lost after mke2fs"; return 1; }
    echo "ext2 on $_ud"
}
usbdisk_mount() {
    _ud=$(usbdisk_dev) || { echo "no usb disk"; return 1; }
    mod_loaded ext4 || modprobe ext4 || return 1
    mkdir -p "$SFX_MNT"
    mount -t ext4 "$_ud" "$SFX_MNT" && grep " $SFX_MNT " /proc/mounts
}
usbdisk_mounted() { grep -q " $SFX_MNT " /proc/mounts; }
# drop_caches: the next read really goes to the device
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }

# ------------------------------------------------------------------- JSON ---
# json_flat < FILE: one "PATH<TAB>VALUE" line per scalar, e.g. ".plan.modules[0].name<TAB>xhci_pci";
# strings unquoted (\" \\ unescaped, \n and \t as blanks, \uXXXX as ?), null/true/false/numbers
# verbatim; empty arrays and objects print nothing. busybox awk, for `suspendfix detect --json`.
json_flat() {
    awk 'BEGIN { RS = "\001"; WS = " \t\r\n"; STOP = ",}] \t\r\n" }
    {
        s = $0; n = length(s); i = 1; depth = 0
        while (i <= n) {
            c = substr(s, i, 1)
            if (c == "{" || c == "[") { depth++; type[depth] = c; idx[depth] = 0; key[depth] = ""
                                        expectkey[depth] = (c == "{"); i++; continue }
            if (c == "}" || c == "]") { depth--; i++; continue }
            if (c == ",") { if (type[depth] == "[") idx[depth]++; else expectkey[depth] = 1; i++; continue }
            if (c == ":") { expectkey[depth] = 0; i++; continue }
            if (c == "\"") {
                j = i + 1; str = ""
                while (j <= n) {
                    d = substr(s, j, 1)
                    if (d == "\\") {
                        e = substr(s, j + 1, 1)
                        if (e == "n" || e == "t") str = str " "; else if (e == "u") str = str "?"; else str = str e
                        j += (e == "u") ? 6 : 2; continue
                    }
                    if (d == "\"") break
                    str = str d; j++
                }
                i = j + 1
                if (depth > 0 && type[depth] == "{" && expectkey[depth]) { key[depth] = str; continue }
                emit(str); continue
            }
            if (index(WS, c)) { i++; continue }
            j = i
            while (j <= n && !index(STOP, substr(s, j, 1))) j++
            emit(substr(s, i, j - i)); i = j
        }
    }
    function emit(v,   p, k) {
        p = ""
        for (k = 1; k <= depth; k++) p = p (type[k] == "[" ? "[" idx[k] "]" : "." key[k])
        print p "\t" v
    }'
}
# json_get FILE PATH -> the value at PATH exactly (rc 1 if absent)
json_get() { json_flat < "$1" | awk -F '\t' -v p="$2" '$1 == p { print $2; f = 1; exit } END { exit !f }'; }
# json_expect FILE PATH WANT: the value at PATH is WANT (prints what it saw)
json_expect() {
    _jv=$(json_get "$1" "$2") || { echo "$2: absent"; return 1; }
    echo "$2 = $_jv"
    [ "$_jv" = "$3" ] || { echo "  want $3"; return 1; }
}
# json_index FILE ARRAY FIELD VALUE -> the index i of the first ARRAY[i].FIELD == VALUE
json_index() {
    json_flat < "$1" | awk -F '\t' -v a="$2" -v f="$3" -v v="$4" '
        index($1, a "[") == 1 && $2 == v {
            rest = substr($1, length(a) + 2); i = rest; sub(/\].*/, "", i); sub(/^[0-9]+\]/, "", rest)
            if (rest == "." f) { print i; found = 1; exit } }
        END { exit !found }'
}
# json_array_has FILE ARRAY VALUE: some ARRAY[i] (a scalar array) is VALUE
json_array_has() {
    json_flat < "$1" | awk -F '\t' -v a="$2" -v v="$3" '
        index($1, a "[") == 1 && substr($1, length(a) + 1) ~ /^\[[0-9]+\]$/ && $2 == v { f = 1 }
        END { exit !f }'
}

# -------------------------------------------------------------- cycle timing ---
elapsed3() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }
# dmesg_ts MARK ERE -> kernel timestamp (s, us resolution) of the first line after MARK matching ERE
dmesg_ts() {
    dmesg_since "$1" | awk -v re="$2" '$0 ~ re { t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t)
                                                  print t; f = 1; exit } END { exit !f }'
}
# kmsg_ts: write a marker into the kernel log and print its kernel timestamp (us resolution)
kmsg_ts() { _km=$(dmesg_mark); dmesg | awk -v m="$_km" 'index($0, m) { t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t); print t; exit }'; }
# cycle_kernel_times PREFIX MARK: the kernel's own suspend and resume time for the sleep after
# MARK, from its log timestamps: suspend = "PM: suspend entry" .. "Preparing to enter system
# sleep state S3" (s2idle: .. "PM: suspend-to-idle"; freezing tasks and suspending devices),
# resume = "Low-level resume complete" (s2idle: "resume from suspend-to-idle") .. "PM: suspend
# exit" (resuming devices, thawing tasks). Emits @@TIME PREFIX.kernel_suspend/.kernel_resume,
# sets SFX_K_SUSPEND/SFX_K_RESUME.
cycle_kernel_times() {
    SFX_K_SUSPEND='?' SFX_K_RESUME='?'
    _ke=$(dmesg_ts "$2" 'PM: suspend entry') || return 0
    _kp=$(dmesg_ts "$2" 'Preparing to enter system sleep state S3|PM: suspend-to-idle') || return 0
    _kl=$(dmesg_ts "$2" 'Low-level resume complete|PM: resume from suspend-to-idle') || return 0
    _kx=$(dmesg_ts "$2" 'PM: suspend exit') || return 0
    SFX_K_SUSPEND=$(elapsed3 "$_ke" "$_kp")
    SFX_K_RESUME=$(elapsed3 "$_kl" "$_kx")
    emit "@@TIME $1.kernel_suspend $SFX_K_SUSPEND"
    emit "@@TIME $1.kernel_resume $SFX_K_RESUME"
}
# timed_check NAME cmd...: check NAME cmd with @@TSTART/@@TIME NAME around it; SFX_T_LAST = seconds
SFX_T_LAST='?'
timed_check() {
    _tcn=$1
    timer_start "$_tcn"
    check "$@"
    _tcr=$?
    timer_end "$_tcn" >/dev/null
    SFX_T_LAST=$(cat /tmp/.sfx_last_time 2>/dev/null || echo ?)
    return $_tcr
}
# cycle_info PREFIX PRE POST: one @@INFO line with the timings of a cycle (the kernel's from
# the last cycle_kernel_times, the sleep from the last suspend_mem/suspend_freeze)
cycle_info() {
    info "$1 timings: hook pre ${2}s, hook post ${3}s, kernel suspend ${SFX_K_SUSPEND:-?}s, kernel resume ${SFX_K_RESUME:-?}s, write-to-return (guest clock, +-1 s) ${SFX_LAST_SLEEP_TIME:-?}s"
}
# stats LIST... -> "min/median/max" of the numbers given
stats() {
    for _x in "$@"; do echo "$_x"; done | grep -E '^[0-9.]+$' | sort -n | awk '{ v[NR] = $1 }
        END { if (!NR) { print "-"; exit } m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "%s/%.3f/%s (n=%d)", v[1], m, v[NR], NR }'
}
