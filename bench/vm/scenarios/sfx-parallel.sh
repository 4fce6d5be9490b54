#!/bin/sh
# sfx-parallel.sh - VM benchmark of loading two drivers back after S3 (bench/vm/parallel.sh
# boots it; never part of the test groups). Two devices, two drivers that need nothing of each
# other: the NEC (xhci_pci, the USB disk on its bus) and QEMU's e1000e (e1000e). Per
# repetition, in the same guest:
#   two     two profiles (the shipped NEC one and /sfx/profiles/side-by-side): post loads
#           xhci_pci and e1000e side by side
#   one     one profile that unloads both (written to /run): post loads them in turn
#   manual  a hand-written hook: "modprobe -r" both before S3, "modprobe" both after it
# Times from kernel log timestamps, as sfx-bench.sh: post's command, and wake -> both devices
# bound again (NEC: xhci_pci and its USB 3 root hub; e1000e: e1000e and its network device).
# Results: @@INFO "par VARIANT REP key=seconds ..." lines.
. /sfx/guest-lib.sh
require_suspendfix
N=$(sed -n 's/.*sfx\.bench_n=\([0-9]*\).*/\1/p' /proc/cmdline)
N=${N:-7}
NEC=$(nec_slot) || { fail par.nec_present; exit 1; }
E=$(pci_first 8086 10d3) || { fail par.e1000e_present; exit 1; }
require par.usbdisk usbdisk_wait 20
SHIPPED=$("$SFX_BIN" detect --json | json_flat | awk -F '\t' '$1 == ".profiles.directories[0]" { print $2 }')
TWO=$SFX_TEST_PROFILES/side-by-side
ONE=/run/sfx-bench-one
mkdir -p "$ONE"
cat > "$ONE/nec-and-network.yaml" <<'EOS'
id: bench-nec-and-network
description: The NEC's driver and the e1000e's, from one profile (loaded back in turn)
sources: [bench/vm]
match:
  pci: [{vendor: "1033", device: "0194"}]
actions:
  unload_bound_module: true
  unload_modules: [{name: e1000e}]
EOS
MANUAL=/run/sfx-bench-manual-two
cat > "$MANUAL" <<'EOS'
#!/bin/sh
case "$1" in
    pre) modprobe -r xhci_pci; modprobe -r e1000e ;;
    post) modprobe e1000e; modprobe xhci_pci ;;
esac
EOS
chmod 755 "$MANUAL"
info "par: $N repetitions, NEC at $NEC, e1000e at $E"

_bn=0
bmark() { _bn=$((_bn + 1)); BM="sfxp:$1:$_bn;"; echo "<6>$BM" > /dev/kmsg; }
bts() { dmesg | awk -v m="$1" 'index($0, m) { t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t); print t; exit }'; }
d() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "?"; else printf "%.3f", b - a }'; }
both_ready() {
    [ "$(dev_module "$NEC" 2>/dev/null)" = xhci_pci ] && nec_usb3_roothub "$NEC" &&
        [ "$(dev_module "$E" 2>/dev/null)" = e1000e ] && [ -n "$(ls "/sys/bus/pci/devices/$E/net" 2>/dev/null)" ]
}
poll() { _pn=3000; while [ $_pn -gt 0 ]; do "$@" && return 0; usleep 10000; _pn=$((_pn - 1)); done; return 1; }
settle() { poll both_ready && poll usbdisk_dev >/dev/null && usleep 300000; }
wake_ts() { dmesg_ts "$SFX_LAST_MARK" 'Low-level resume complete'; }
two() { "$SFX_BIN" hook --profiles "$SHIPPED" --profiles "$TWO" systemd-sleep "$1" suspend; }
one() { "$SFX_BIN" hook --profiles "$ONE" systemd-sleep "$1" suspend; }
manual() { "$MANUAL" "$1" suspend; }
# cycle VARIANT: VARIANT pre, S3, VARIANT post, then wake -> both bound again
cycle() {
    settle
    "$1" pre >/tmp/par.pre.log 2>&1
    mod_unloaded xhci_pci && mod_unloaded e1000e || { fails=$((fails + 1)); cat /tmp/par.pre.log; }
    suspend_mem || fails=$((fails + 1))
    bmark "$1-post0"; _c=$BM
    "$1" post >/tmp/par.post.log 2>&1
    bmark "$1-post1"; _e=$BM
    poll both_ready || fails=$((fails + 1)); bmark "$1-both"; _f=$BM
    _w=$(wake_ts)
    info "par $1 $i post=$(d "$(bts "$_c")" "$(bts "$_e")") wake_to_both=$(d "$_w" "$(bts "$_f")")"
}
fails=0
i=1
while [ $i -le "$N" ]; do
    cycle two
    grep -q "side by side" /tmp/par.post.log || { fails=$((fails + 1)); cat /tmp/par.post.log; }
    cycle one
    grep -q "side by side" /tmp/par.post.log && fails=$((fails + 1))
    cycle manual
    i=$((i + 1))
done
check par.every_cycle_worked test "$fails" -eq 0
