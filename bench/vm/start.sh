#!/bin/bash
# bench/vm/start.sh [-n REPS] [CACHE_DIR] [BUILD_TREE] [OUT_DIR]
#
# Boots the VM of tests/vm with bench/vm/scenarios/sfx-start.sh: how long a process takes to
# start in the guest (busybox true, sh, kmod --version, suspendfix --version, the hook's dry
# run, detect), with the guest's address-space randomisation on and then off, in one boot.
# Prints medians in ms and the on/off ratio of each. About a minute. Arguments as
# bench/vm/run.sh; REPS defaults to 11.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BENCH_NAME=start
N=11
# shellcheck source=bench/vm/lib.sh
. "$HERE/lib.sh"
bench_args "$@"
bench_boot sfx-start $((120 + N * 10))

python3 - "$OUT/summary.json" "$N" "$KVER" "$LOAD" "${SFX_VM_SMP:-1}" <<'PY' | tee "$OUT/results.txt"
import json, statistics, sys
summary = json.load(open(sys.argv[1]))
n, kver, load, smp = sys.argv[2:6]
data = {}
for line in summary["scenarios"]["sfx-start"]["info"]:
    parts = line.split()
    if len(parts) < 4 or parts[0] != "start":
        continue
    values = [float(v) for v in parts[3:] if v != "?"]
    if values:
        data[(parts[1], parts[2])] = values
print(f"suspendfix VM process start: kernel {kver}, QEMU TCG, {smp} vCPU(s), {n} runs each, "
      f"host load {load}")
print("medians in ms [min-max], from kernel log timestamps\n")
labels = [("true", "/bin/true (busybox: fork + exec)"), ("sh", "sh -c :"),
          ("kmod", "kmod --version"), ("version", "suspendfix --version"),
          ("dryrun", "suspendfix hook --dry-run pre"), ("detect", "suspendfix detect")]
def cell(v):
    return f"{statistics.median(v):7.1f} [{min(v):.1f}-{max(v):.1f}]" if v else "-"
print(f"  {'':34s} {'ASLR on':>22s} {'ASLR off':>22s}  on/off")
for key, label in labels:
    on, off = data.get(("on", key), []), data.get(("off", key), [])
    r = f"{statistics.median(on) / statistics.median(off):5.2f}x" if on and off else "-"
    print(f"  {label:34s} {cell(on):>22s} {cell(off):>22s}  {r}")
for aslr in ("on", "off"):
    v, k = data.get((aslr, "version"), []), data.get((aslr, "kmod"), [])
    if v and k:
        print(f"\n  ASLR {aslr}: suspendfix --version / kmod --version "
              f"{statistics.median(v) / statistics.median(k):5.2f}x", end="")
print()
PY
say "logs and raw numbers in $OUT"
