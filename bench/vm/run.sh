#!/bin/bash
# bench/vm/run.sh [-n REPS] [CACHE_DIR] [BUILD_TREE] [OUT_DIR]
#
# Boots the VM of tests/vm (Debian's kernel under QEMU/TCG, NEC uPD720200, 8 MB USB disk on
# its bus) with bench/vm/scenarios/sfx-bench.sh and prints a table of medians:
#   - hook start -> modules gone: the installed systemd-sleep hook's "pre suspend" against
#     a hand-written hook that runs "modprobe -r xhci_pci" (and bare "rmmod xhci_pci"), same
#     guest, same boot;
#   - wake -> NEC bound again (xhci_pci bound, USB 3 root hub registered) and wake -> USB disk
#     back: the installed hook by default (under systemd-sleep its watcher loads back at the
#     wake) and with reload_at_wake: no (its "post suspend" loads), against the hand-written
#     hook's "modprobe xhci_pci" and against the driver simply staying loaded over S3.
# Every time is a difference of two kernel log timestamps (us resolution); "wake" is the
# kernel's "ACPI: PM: Low-level resume complete".
#
#   REPS        repetitions of each variant (default 7, at least 5)
#   CACHE_DIR   kernel cache (default $SUSPENDFIX_VM_CACHE or ~/.cache/suspendfix-vm)
#   BUILD_TREE  CMake build dir (installed with its configured prefix) or an installed tree
#               (default: the repository's build/)
#   OUT_DIR     console/markers logs, summary.json, results.txt (default /tmp/suspendfix-vm-bench)
# Never touches the host's kernel: everything runs inside the VM.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BENCH_NAME=bench
N=7
# shellcheck source=bench/vm/lib.sh
. "$HERE/lib.sh"
bench_args "$@"
[ "$N" -ge 5 ] || { say "-n must be >= 5"; exit 2; }
bench_aslr
bench_boot sfx-bench $((120 + N * 50)) --usb-disk-mb 8

PYTHONPATH=$HERE python3 - "$OUT/summary.json" "$N" "$KVER" "$LOAD" "${SFX_VM_SMP:-1}" "$ASLR" <<'PY' | tee "$OUT/results.txt"
import statistics, sys
from report import Samples, ratio
n, kver, load, smp, aslr = sys.argv[2:7]
samples = Samples(sys.argv[1], "sfx-bench", "bench")
data, med, cell = samples.data, samples.med, samples.cell
print(f"suspendfix VM benchmark: kernel {kver}, QEMU TCG, {smp} vCPU(s), guest ASLR {aslr}, "
      f"{n} repetitions each, host load {load}")
print("medians in seconds [min-max], from kernel log timestamps\n")
rows = [
    ("unload: start -> modules gone", [
        ("suspendfix hook pre suspend", "sfx", "pre"),
        ("hand-written hook: modprobe -r xhci_pci", "manual", "pre"),
        ("rmmod xhci_pci (bare libkmod remove)", "rmmod", "pre"),
        ("hook --dry-run pre (scan only)", "dryrun", "pre"),
        ("suspendfix detect (scan + report)", "dryrun", "detect"),
        ("suspendfix --version (process start)", "dryrun", "version"),
        ("suspendfix validate (shipped profiles)", "dryrun", "validate"),
        ("hook shim post, nothing recorded", "dryrun", "noop_post")]),
    ("reload: command start -> return", [
        ("suspendfix hook post suspend (watcher loaded first)", "sfx", "post"),
        ("same, reload_at_wake: no (post loads)", "postld", "post"),
        ("hand-written hook: modprobe xhci_pci", "manual", "post"),
        ("modprobe xhci_pci (no sleep)", "rmmod", "post")]),
    ("wake -> NEC bound again (xhci_pci + USB 3 root hub)", [
        ("suspendfix (default: the watcher)", "sfx", "wake_to_bound"),
        ("suspendfix, reload_at_wake: no (post)", "postld", "wake_to_bound"),
        ("hand-written hook (modprobe)", "manual", "wake_to_bound"),
        ("driver stayed loaded", "loaded", "wake_to_bound")]),
    ("wake -> xhci_pci's probe done (kernel log: USB 3 root hub registered)", [
        ("suspendfix (default: the watcher)", "sfx", "wake_to_probe_done"),
        ("suspendfix, reload_at_wake: no (post)", "postld", "wake_to_probe_done"),
        ("hand-written hook (modprobe)", "manual", "wake_to_probe_done")]),
    ("wake -> USB disk back", [
        ("suspendfix (default: the watcher)", "sfx", "wake_to_disk"),
        ("suspendfix, reload_at_wake: no (post)", "postld", "wake_to_disk"),
        ("hand-written hook (modprobe)", "manual", "wake_to_disk"),
        ("driver stayed loaded", "loaded", "wake_to_disk")]),
    ("kernel resume (Low-level resume complete -> PM: suspend exit)", [
        ("xhci unloaded (suspendfix)", "sfx", "kernel_resume"),
        ("xhci unloaded (hand-written hook)", "manual", "kernel_resume"),
        ("xhci loaded (xHC reinit)", "loaded", "kernel_resume")]),
]
for title, lines in rows:
    print(title)
    for label, variant, key in lines:
        print(f"  {label:42s} {cell(variant, key)}")
    print()
def phases(variant):
    keys = []
    for (v, k) in data:
        if v == variant and k not in keys:
            keys.append(k)
    return keys
for variant, title in (("sfx_pre_ms", "hook pre suspend"),
                       ("sfx_post_ms", "hook post suspend with reload_at_wake: no")):
    keys = phases(variant)
    if not keys:
        continue
    print(f"{title}: phases in ms, medians [min-max] ($SUSPENDFIX_TIMINGS; 'main' is all of main())")
    for k in keys:
        v = data[(variant, k)]
        print(f"  {k.replace('_', ' '):42s} {statistics.median(v):8.2f}  [{min(v):.2f}-{max(v):.2f}]")
    print()
pre_r = ratio(med("sfx", "pre"), med("manual", "pre"))
print("ratios of medians")
print(f"  unload, suspendfix hook / hand-written hook    {pre_r}")
print(f"  unload, suspendfix hook / rmmod                {ratio(med('sfx', 'pre'), med('rmmod', 'pre'))}")
print(f"  wake->bound, suspendfix / hand-written hook    {ratio(med('sfx', 'wake_to_bound'), med('manual', 'wake_to_bound'))}")
print(f"  wake->bound, suspendfix / driver stayed loaded {ratio(med('sfx', 'wake_to_bound'), med('loaded', 'wake_to_bound'))}")
print(f"  wake->bound, reload_at_wake: no / hand-written hook {ratio(med('postld', 'wake_to_bound'), med('manual', 'wake_to_bound'))}")
print(f"  wake->bound, reload_at_wake: no / stayed loaded {ratio(med('postld', 'wake_to_bound'), med('loaded', 'wake_to_bound'))}")
print(f"  wake->probe done, suspendfix / hand-written  {ratio(med('sfx', 'wake_to_probe_done'), med('manual', 'wake_to_probe_done'))}")
print(f"  wake->probe done, reload_at_wake: no / hand-written {ratio(med('postld', 'wake_to_probe_done'), med('manual', 'wake_to_probe_done'))}")
print(f"  unload, suspendfix hook with reload_at_wake: no / hand-written hook {ratio(med('postld', 'pre'), med('manual', 'pre'))}")
print(f"  wake->disk,  suspendfix / hand-written hook    {ratio(med('sfx', 'wake_to_disk'), med('manual', 'wake_to_disk'))}")
print(f"  wake->disk,  suspendfix / driver stayed loaded {ratio(med('sfx', 'wake_to_disk'), med('loaded', 'wake_to_disk'))}")
reinit = [l for l in samples.lines if "xhc_reinit=yes" in l]
print(f"\n'loaded' cycles with QEMU's 'xHC error in resume' reinit: {len(reinit)}")
PY
say "logs and raw numbers in $OUT (summary.json: @@INFO bench lines)"
