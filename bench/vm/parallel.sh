#!/bin/bash
# bench/vm/parallel.sh [-n REPS] [CACHE_DIR] [BUILD_TREE] [OUT_DIR]
#
# Boots the VM of tests/vm with bench/vm/scenarios/sfx-parallel.sh: two drivers that need
# nothing of each other (the NEC's xhci_pci and QEMU's e1000e) unloaded before S3 and loaded
# back after it, three ways in the same guest: by suspendfix from two profiles (side by
# side), by suspendfix from one profile (in turn), and by a hand-written hook. Prints medians
# of post's command and of wake -> both devices bound again, and their ratios. About 4
# minutes with 7 repetitions. Arguments, SFX_VM_SMP and SFX_VM_ASLR as bench/vm/run.sh; REPS
# defaults to 7.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BENCH_NAME=parallel
N=7
# shellcheck source=bench/vm/lib.sh
. "$HERE/lib.sh"
bench_args "$@"
bench_aslr
bench_boot sfx-parallel $((120 + N * 40)) --usb-disk-mb 8

PYTHONPATH=$HERE python3 - "$OUT/summary.json" "$N" "$KVER" "$LOAD" "${SFX_VM_SMP:-1}" "$ASLR" <<'PY' | tee "$OUT/results.txt"
import sys
from report import Samples, ratio
n, kver, load, smp, aslr = sys.argv[2:7]
samples = Samples(sys.argv[1], "sfx-parallel", "par")
med, cell = samples.med, samples.cell
print(f"suspendfix VM benchmark, two drivers after S3: kernel {kver}, QEMU TCG, {smp} vCPU(s), "
      f"guest ASLR {aslr}, {n} repetitions each, host load {load}")
print("medians in seconds [min-max], from kernel log timestamps\n")
labels = [("two", "suspendfix, two profiles (side by side)"),
          ("one", "suspendfix, one profile (in turn)"),
          ("manual", "hand-written hook (modprobe, modprobe)")]
for key, title in (("post", "post: command start -> return"),
                   ("wake_to_both", "wake -> NEC and e1000e bound again")):
    print(title)
    for variant, label in labels:
        print(f"  {label:42s} {cell(variant, key)}")
    print()
print("ratios of medians")
for key, title in (("post", "post command"), ("wake_to_both", "wake -> both bound")):
    print(f"  {title}, side by side / in turn          {ratio(med('two', key), med('one', key))}")
    print(f"  {title}, side by side / hand-written    {ratio(med('two', key), med('manual', key))}")
PY
say "logs and raw numbers in $OUT"
