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
ROOT=$(cd "$HERE/../.." && pwd)
VM=$ROOT/tests/vm
N=11
if [ "${1:-}" = -n ]; then N=$2; shift 2; fi
[ "$N" -ge 3 ] 2>/dev/null || { echo "start: -n must be >= 3" >&2; exit 2; }
CACHE=${1:-${SUSPENDFIX_VM_CACHE:-${HOME:-/root}/.cache/suspendfix-vm}}
TREE=${2:-$ROOT/build}
OUT=${3:-${TMPDIR:-/tmp}/suspendfix-vm-start}
say() { echo "start: $*" >&2; }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/sfx-vm-start.XXXXXX")
trap 'rm -rf "$W"' EXIT

KVER=$("$VM/fetch-kernel.sh" "$CACHE") || { say "fetch-kernel failed"; exit 4; }
[ -d "$TREE" ] || { say "BUILD_TREE $TREE is not a directory"; exit 4; }
if [ -f "$TREE/CMakeCache.txt" ]; then
    DESTDIR="$W/destdir" cmake --install "$TREE" >"$W/install.log" 2>&1 \
        || { cat "$W/install.log" >&2; say "cmake --install failed"; exit 4; }
    DEST=$W/destdir
else
    DEST=$TREE
fi
"$VM/build-initramfs.sh" -c "$CACHE" -k "$KVER" -d "$DEST" -s "$HERE/scenarios" -o "$W/initrd.gz" \
    || { say "build-initramfs failed"; exit 4; }
load=$(cut -d' ' -f1-3 /proc/loadavg)
say "kernel $KVER, $N repetitions, ${SFX_VM_SMP:-1} vCPU(s), host load $load; booting"
"$VM/run-vm.py" --kernel "$CACHE/kernel-$KVER/root/boot/vmlinuz-$KVER" --initrd "$W/initrd.gz" \
    --smp "${SFX_VM_SMP:-1}" --scenario sfx-start --name start --timeout "${SFX_VM_TIMEOUT:-$((120 + N * 10))}" \
    --append "sfx.bench_n=$N" --artefacts "$OUT" --keep-logs --json "$OUT/summary.json" \
    > "$OUT/run-vm.out" 2>&1
rc=$?
[ $rc -eq 0 ] || { cat "$OUT/run-vm.out"; say "VM run failed (exit $rc), logs in $OUT/start"; exit $rc; }

python3 - "$OUT/summary.json" "$N" "$KVER" "$load" "${SFX_VM_SMP:-1}" <<'PY' | tee "$OUT/results.txt"
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
