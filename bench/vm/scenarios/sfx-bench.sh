#!/bin/sh
# sfx-bench.sh - VM benchmark (bench/vm/run.sh boots it; never part of the test groups).
# Per repetition, on the same guest, with the USB disk attached (not mounted):
#   sfx     installed systemd-sleep hook: "pre suspend", S3, "post suspend"; by default
#           (reload_at_wake: auto) the watcher loads back at the thaw, post finds it done
#   postld  the same with reload_at_wake: no: post loads back (as under elogind, pm-utils)
#   manual  what people write by hand: a systemd-sleep hook (a shell script) that runs
#           "modprobe -r xhci_pci" before S3 and "modprobe xhci_pci" after it
#   loaded  nothing: xhci_pci stays loaded over S3 (QEMU's xHC reinitialises on resume)
#   rmmod   "rmmod xhci_pci" (libkmod's remove, what the hook calls) and "modprobe xhci_pci",
#           no sleep: the kernel's own unload/load time without any tool around it
#   dryrun  "suspendfix hook --dry-run systemd-sleep pre suspend": the hook's scan alone;
#           also "suspendfix detect", "suspendfix --version" (process start) and
#           "suspendfix validate PROFILE_DIR" (parsing the shipped profiles) and the shim's
#           "post suspend" with nothing recorded (shim + start + configuration + state)
# All times come from the kernel log's timestamps (microseconds): markers written to
# /dev/kmsg with a shell builtin (no fork) right before and after each step, and the
# kernel's own "ACPI: PM: Low-level resume complete" as the moment of wake. Results are
# @@INFO "bench VARIANT REP key=seconds ..." lines; bench/vm/run.sh makes the table.
. /sfx/guest-lib.sh
require_suspendfix
N=$(sed -n 's/.*sfx\.bench_n=\([0-9]*\).*/\1/p' /proc/cmdline)
N=${N:-7}
HOOK=$SFX_SYSTEMD_HOOK
require bench.hook_installed test -x "$HOOK"
NEC=$(nec_slot) || { fail bench.nec_present; exit 1; }
require bench.usbdisk usbdisk_wait 20
require bench.nec_bound dev_bound_to "$NEC" xhci_hcd xhci_pci
PROFILES=$("$SFX_BIN" detect --json | json_flat | awk -F '\t' '$1 == ".profiles.directories[0]" { print $2 }')
info "bench: $N repetitions, NEC at $NEC, USB disk $(usbdisk_dev), shipped profiles in $PROFILES"

# bmark NAME: a kernel-log marker, no fork; BM = its text
_bn=0
bmark() { _bn=$((_bn + 1)); BM="sfxb:$1:$_bn;"; echo "<6>$BM" > /dev/kmsg; }
# bts MARKTEXT -> its kernel timestamp
bts() { dmesg | awk -v m="$1" 'index($0, m) { t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t); print t; exit }'; }
d() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "?"; else printf "%.3f", b - a }'; }
ready() { [ "$(dev_module "$NEC" 2>/dev/null)" = xhci_pci ] && nec_usb3_roothub "$NEC"; }
disk_ready() { usbdisk_dev >/dev/null; }
# poll cmd: every 10 ms, up to 30 s
poll() { _pn=3000; while [ $_pn -gt 0 ]; do "$@" && return 0; usleep 10000; _pn=$((_pn - 1)); done; return 1; }
settle() { poll ready && poll disk_ready && usleep 300000; }
# phases LOG: the hook's "timing: PHASE 1.234 ms" lines ($SUSPENDFIX_TIMINGS) as
# "phase_name=ms ..." (a phase met twice is summed), for bench/vm/run.sh's breakdown
phases() {
    awk '/timing: / { s = $0; sub(/.*timing: /, "", s); sub(/ ms$/, "", s); n = split(s, w, " ")
        k = w[1]; for (j = 2; j < n; j++) k = k "_" w[j]
        if (!(k in t)) o[++c] = k; t[k] += w[n] }
        END { for (j = 1; j <= c; j++) printf "%s=%.3f ", o[j], t[o[j]] }' "$1"
}
wake_ts() { dmesg_ts "$SFX_LAST_MARK" 'Low-level resume complete'; }
# probe_ts MARKTEXT: the kernel timestamp of the USB 3 root hub's registration (the second
# "Product: xHCI Host Controller" line) after MARKTEXT: the end of xhci_pci's probe
probe_ts() {
    dmesg | awk -v m="$1" 'index($0, m) { f = 1 } f && /Product: xHCI Host Controller/ && ++n == 2 {
        t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t); print t; exit }'
}
exit_ts() { dmesg_ts "$SFX_LAST_MARK" 'PM: suspend exit'; }

printf 'reload_at_wake: no\n' > /run/sfx-bench-postld.yaml
MANUAL_HOOK=/run/sfx-bench-manual-hook
cat > "$MANUAL_HOOK" <<'EOS'
#!/bin/sh
# a hand-written systemd-sleep hook, as in the guides that suspendfix replaces
case "$1" in
    pre) modprobe -r xhci_pci ;;
    post) modprobe xhci_pci ;;
esac
EOS
chmod 755 "$MANUAL_HOOK"
fails=0
i=1
while [ $i -le "$N" ]; do
    # ---- sfx: the installed hook -------------------------------------------------------
    settle
    bmark sfx-pre0; a=$BM
    SUSPENDFIX_TIMINGS=1 "$HOOK" pre suspend >/tmp/bench.pre.log 2>&1
    bmark sfx-pre1; b=$BM
    mod_unloaded xhci_pci && dev_unbound "$NEC" || { fails=$((fails + 1)); cat /tmp/bench.pre.log; }
    suspend_mem || fails=$((fails + 1))
    # As a sleep system does: post is started after the wake, while the watcher loads (post
    # waits for its lock). A poll running alongside would take the CPU from the watcher (a
    # 10 ms loop of forks under TCG), so "bound" is also read from the kernel log: probe_done.
    bmark sfx-post0; c=$BM
    "$HOOK" post suspend >/tmp/bench.post.log 2>&1
    bmark sfx-post1; e=$BM
    poll ready || fails=$((fails + 1)); bmark sfx-bound; f=$BM
    poll disk_ready || fails=$((fails + 1)); bmark sfx-disk; g=$BM
    w=$(wake_ts); x=$(exit_ts)
    info "bench sfx $i pre=$(d "$(bts "$a")" "$(bts "$b")") post=$(d "$(bts "$c")" "$(bts "$e")") wake_to_probe_done=$(d "$w" "$(probe_ts "$b")") wake_to_bound=$(d "$w" "$(bts "$f")") wake_to_disk=$(d "$w" "$(bts "$g")") kernel_resume=$(d "$w" "$x")"
    info "bench sfx_pre_ms $i $(phases /tmp/bench.pre.log)"

    # ---- postld: the same hook with reload_at_wake: no (post loads back) -------------------
    settle
    bmark pl-pre0; a=$BM
    SUSPENDFIX_CONFIG=/run/sfx-bench-postld.yaml "$HOOK" pre suspend >/tmp/bench.lpre.log 2>&1
    bmark pl-pre1; b=$BM
    mod_unloaded xhci_pci && dev_unbound "$NEC" || { fails=$((fails + 1)); cat /tmp/bench.lpre.log; }
    suspend_mem || fails=$((fails + 1))
    bmark pl-post0; c=$BM
    SUSPENDFIX_TIMINGS=1 SUSPENDFIX_CONFIG=/run/sfx-bench-postld.yaml "$HOOK" post suspend >/tmp/bench.lpost.log 2>&1
    bmark pl-post1; e=$BM
    poll ready || fails=$((fails + 1)); bmark pl-bound; f=$BM
    poll disk_ready || fails=$((fails + 1)); bmark pl-disk; g=$BM
    w=$(wake_ts); x=$(exit_ts)
    info "bench postld $i pre=$(d "$(bts "$a")" "$(bts "$b")") post=$(d "$(bts "$c")" "$(bts "$e")") wake_to_probe_done=$(d "$w" "$(probe_ts "$b")") wake_to_bound=$(d "$w" "$(bts "$f")") wake_to_disk=$(d "$w" "$(bts "$g")") kernel_resume=$(d "$w" "$x")"
    info "bench sfx_post_ms $i $(phases /tmp/bench.lpost.log)"

    # ---- manual: the hand-written hook's modprobe -r / modprobe ----------------------------
    settle
    bmark man-pre0; a=$BM
    "$MANUAL_HOOK" pre suspend >/dev/null 2>&1   # modprobe -r exits 1 while usb_storage holds usbcore (README)
    bmark man-pre1; b=$BM
    mod_unloaded xhci_pci && dev_unbound "$NEC" || fails=$((fails + 1))
    suspend_mem || fails=$((fails + 1))
    bmark man-post0; c=$BM
    "$MANUAL_HOOK" post suspend
    bmark man-post1; e=$BM
    poll ready || fails=$((fails + 1)); bmark man-bound; f=$BM
    poll disk_ready || fails=$((fails + 1)); bmark man-disk; g=$BM
    w=$(wake_ts); x=$(exit_ts)
    info "bench manual $i pre=$(d "$(bts "$a")" "$(bts "$b")") post=$(d "$(bts "$c")" "$(bts "$e")") wake_to_probe_done=$(d "$w" "$(probe_ts "$b")") wake_to_bound=$(d "$w" "$(bts "$f")") wake_to_disk=$(d "$w" "$(bts "$g")") kernel_resume=$(d "$w" "$x")"

    # ---- loaded: the driver stays loaded over S3 ------------------------------------------
    settle
    suspend_mem || fails=$((fails + 1))
    bmark ld-ret; r=$BM
    poll ready || fails=$((fails + 1)); bmark ld-bound; f=$BM
    poll disk_ready || fails=$((fails + 1)); bmark ld-disk; g=$BM
    w=$(wake_ts); x=$(exit_ts)
    reinit=no; dmesg_has "$SFX_LAST_MARK" 'xHC error in resume' && reinit=yes
    info "bench loaded $i wake_to_return=$(d "$w" "$(bts "$r")") wake_to_bound=$(d "$w" "$(bts "$f")") wake_to_disk=$(d "$w" "$(bts "$g")") kernel_resume=$(d "$w" "$x") xhc_reinit=$reinit"

    # ---- rmmod / modprobe without sleep, and the hook's scan alone ------------------------
    settle
    bmark rm0; a=$BM
    rmmod xhci_pci
    bmark rm1; b=$BM
    modprobe xhci_pci
    bmark rm2; c=$BM
    poll ready || fails=$((fails + 1)); bmark rm-bound; f=$BM
    info "bench rmmod $i pre=$(d "$(bts "$a")" "$(bts "$b")") post=$(d "$(bts "$b")" "$(bts "$c")") load_to_bound=$(d "$(bts "$b")" "$(bts "$f")")"
    settle
    bmark dry0; a=$BM
    "$SFX_BIN" hook --dry-run systemd-sleep pre suspend >/tmp/bench.dry.log 2>&1
    bmark dry1; b=$BM
    "$SFX_BIN" detect >/dev/null 2>&1
    bmark det1; c=$BM
    "$SFX_BIN" --version >/dev/null 2>&1
    bmark ver1; e=$BM
    "$SFX_BIN" validate "$PROFILES" >/dev/null 2>&1
    bmark val1; f=$BM
    "$HOOK" post suspend >/dev/null 2>&1
    bmark noop1; g=$BM
    info "bench dryrun $i pre=$(d "$(bts "$a")" "$(bts "$b")") detect=$(d "$(bts "$b")" "$(bts "$c")") version=$(d "$(bts "$c")" "$(bts "$e")") validate=$(d "$(bts "$e")" "$(bts "$f")") noop_post=$(d "$(bts "$f")" "$(bts "$g")")"
    i=$((i + 1))
done
settle
check bench.no_failures test "$fails" -eq 0
check bench.nec_bound_at_end dev_bound_to "$NEC" xhci_hcd xhci_pci
check bench.state_clean state_clean
info "bench: hook pre log of the last cycle: $(tr '\n' '|' < /tmp/bench.pre.log)"
info "bench: dry-run log: $(tr '\n' '|' < /tmp/bench.dry.log)"
exit 0
