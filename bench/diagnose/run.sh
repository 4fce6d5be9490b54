#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The diagnose log-reader benchmark (bench/diagnose/README.md): writes a large synthetic kernel
# log (real line shapes from tests/unit/log_excerpts_test.cpp, mostly unrelated lines, a failed
# sleep every few thousand lines), then times `suspendfix diagnose --log` and `grep -c 'PM:'`
# on the same file in this same script, with each one's peak RSS. Prints figures and ratios;
# asserts nothing.
#
#   bench/diagnose/run.sh BUILD_DIR [MEGABYTES]   (default 512)
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [MEGABYTES]}
megabytes=${2:-512}
binary=$build/suspendfix
[[ -x $binary ]] || { echo "no $binary: build first" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
log=$scratch/kern.log

python3 - "$log" "$megabytes" <<'PY'
import sys
path, megabytes = sys.argv[1], int(sys.argv[2])
noise = [
    "May 21 22:20:06 dell kernel: [  151.730049] Suspending console(s) (use no_console_suspend to debug)",
    "May 21 22:20:06 dell kernel: [  166.947628] nouveau 0000:01:00.0: DRM: failed to idle channel 0 [DRM]",
    "Sep 18 13:02:38 pop-os kernel: [14902.842002] e1000e: EEE TX LPI TIMER: 00000011",
    "Jan 02 21:52:54 legion16 wpa_supplicant[1193]: wlp4s0: CTRL-EVENT-DSCP-POLICY clear_all",
    "Apr 27 16:07:55 kernel: mpt2sas_cm0: search for end-devices: start",
]
sleep = [
    "May 21 22:20:06 dell kernel: [  166.900000] PM: suspend entry (deep)",
    "May 21 22:20:06 dell kernel: [  166.947666] pci_pm_suspend(): nouveau_pmops_suspend+0x0/0x80 [nouveau] returns -16",
    "May 21 22:20:06 dell kernel: [  166.947668] dpm_run_callback(): pci_pm_suspend+0x0/0x150 returns -16",
    "May 21 22:20:06 dell kernel: [  166.947670] PM: Device 0000:01:00.0 failed to suspend async: error -16",
    "May 21 22:20:06 dell kernel: [  167.123902] PM: Some devices failed to suspend, or early wake event detected",
    "May 21 22:20:06 dell kernel: [  167.200000] PM: suspend exit",
]
block = "\n".join([noise[i % len(noise)] for i in range(4000)] + sleep) + "\n"
target = megabytes * 1024 * 1024
with open(path, "w") as out:
    written = 0
    while written < target:
        out.write(block)
        written += len(block)
PY

# Runs a command with its output to /dev/null; prints "seconds peak_rss_kib".
measure() {
    python3 - "$@" <<'PY'
import os, subprocess, sys, time
start = time.monotonic()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(f"{time.monotonic() - start:.3f} {usage.ru_maxrss}")
PY
}

size=$(stat -c %s "$log")
read -r grep_seconds grep_rss < <(measure grep -c 'PM:' "$log")
read -r diag_seconds diag_rss < <(measure "$binary" diagnose --log "$log" --json --profiles "$scratch/none")
read -r small_seconds small_rss < <(measure "$binary" diagnose --log /dev/null --profiles "$scratch/none")
python3 - "$size" "$grep_seconds" "$grep_rss" "$diag_seconds" "$diag_rss" "$small_seconds" "$small_rss" <<'PY'
import sys
size, gs, gr, ds, dr, ss, sr = sys.argv[1:]
size, gs, ds, ss = int(size), float(gs), float(ds), float(ss)
mib = size / 1048576
print(f"log: {mib:.0f} MiB")
print(f"grep -c 'PM:'       {gs:8.3f} s  {mib / gs:8.1f} MiB/s  peak RSS {int(gr) / 1024:7.1f} MiB")
print(f"suspendfix diagnose {ds:8.3f} s  {mib / ds:8.1f} MiB/s  peak RSS {int(dr) / 1024:7.1f} MiB")
print(f"diagnose of an empty log: peak RSS {int(sr) / 1024:.1f} MiB (memory stays flat: "
      f"{int(dr) / max(int(sr), 1):.2f}x on {mib:.0f} MiB)")
print(f"ratio diagnose/grep: {ds / gs:.2f}x the time")
PY
