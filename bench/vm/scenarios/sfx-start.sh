#!/bin/sh
# sfx-start.sh - VM benchmark of process start (bench/vm/start.sh boots it; never part of
# the test groups). Times each command REPS times with the guest's address-space
# randomisation on (the default), then off (randomize_va_space=0), in the same boot:
#   true      /bin/true (busybox, static): the cost of fork + exec alone
#   sh        sh -c : (the shell a hook shim or a hand-written hook starts)
#   kmod      kmod --version (the C tool a hand-written hook runs)
#   version   suspendfix --version (shared C++ runtime, libudev, libkmod, yaml-cpp)
#   dryrun    suspendfix hook --dry-run systemd-sleep pre suspend (start + scan + plan)
#   detect    suspendfix detect
# QEMU 7.2's TCG looks translated code up by virtual address as well as physical, so with
# randomisation every process start translates again all the code it runs (README.md,
# "Process start under TCG"). Results: @@INFO "start ASLR NAME ms ms ..." lines.
. /sfx/guest-lib.sh
require_suspendfix
N=$(sed -n 's/.*sfx\.bench_n=\([0-9]*\).*/\1/p' /proc/cmdline)
N=${N:-11}
_bn=0
bmark() { _bn=$((_bn + 1)); BM="sfxs:$1:$_bn;"; echo "<6>$BM" > /dev/kmsg; }
bts() { dmesg | awk -v m="$1" 'index($0, m) { t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t); print t; exit }'; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "?"; else printf "%.1f", (b - a) * 1000 }'; }
# timed ASLR NAME CMD...: N runs of CMD, one @@INFO line of milliseconds
timed() {
    _aslr=$1 _name=$2; shift 2
    _out="" _i=1
    while [ $_i -le "$N" ]; do
        bmark "$_name-a"; _a=$BM
        "$@" >/dev/null 2>&1
        bmark "$_name-b"; _b=$BM
        _out="$_out $(ms "$(bts "$_a")" "$(bts "$_b")")"
        _i=$((_i + 1))
    done
    info "start $_aslr $_name$_out"
}
all() {
    timed "$1" true /bin/true
    timed "$1" sh sh -c :
    timed "$1" kmod kmod --version
    timed "$1" version "$SFX_BIN" --version
    timed "$1" dryrun "$SFX_BIN" hook --dry-run systemd-sleep pre suspend
    timed "$1" detect "$SFX_BIN" detect
}
"$SFX_BIN" detect >/dev/null 2>&1   # the profile cache, as on an installed system
aslr_was=$(cat /proc/sys/kernel/randomize_va_space)
all on
echo 0 > /proc/sys/kernel/randomize_va_space
all off
echo "$aslr_was" > /proc/sys/kernel/randomize_va_space
pass start.done
