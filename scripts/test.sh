#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One command on a fresh Debian 12: install every dependency, build, run the whole test suite
# (unit, umockdev integration, fake-kernel, lint, packaging, and the QEMU end-to-end test).
# .ci/run calls exactly this. Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
started=$SECONDS
phases=()
phase_done() { phases+=("$(printf '%-10s %5d s' "$1" $((SECONDS - $2)))"); }

t=$SECONDS
# shellcheck source=scripts/deps.sh
source "$top/scripts/deps.sh"
suspendfix_install "${SUSPENDFIX_BUILD_DEPS[@]}" "${SUSPENDFIX_TEST_DEPS[@]}"
phase_done packages "$t"

build=${SUSPENDFIX_BUILD_DIR:-$top/build}
# Whatever build/ holds (scripts/detect.sh configures it without tests), the tests are built
# and run. Prefix /usr, as a distribution package has it: the end-to-end test installs this
# build into a VM guest, and the paths compiled into the binary and the hook shims must be the
# guest's. Nothing is installed on this machine.
t=$SECONDS
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSUSPENDFIX_WERROR=ON \
  -DCMAKE_INSTALL_PREFIX=/usr -DBUILD_TESTING=ON >/dev/null
cmake --build "$build" -j "$(nproc)"
phase_done build "$t"

t=$SECONDS
status=0
# written by the vm label (tests/vm/run-smoke.sh), one per kernel: vm-artefacts (6.1),
# vm-artefacts-k612 (6.12)
rm -f "$build"/vm-artefacts*/time-report.txt
(cd "$build" && ctest --no-tests=error --output-on-failure -j "$(nproc)" "$@") || status=$?
phase_done tests "$t"

# Where the time went: each phase, then each label (wall-clock of its slowest test and the
# sum over its tests, from CTest's own record of this run).
echo
echo "== Time =="
printf '%s\n' "${phases[@]}"
printf '%-10s %5d s\n' total $((SECONDS - started))
python3 "$top/scripts/label-times.py" "$build" || true
for vm_report in "$build"/vm-artefacts*/time-report.txt; do
  [[ -f $vm_report ]] || continue
  echo
  cat "$vm_report"
done
exit "$status"
