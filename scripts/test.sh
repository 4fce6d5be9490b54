#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One command on a fresh Debian 12: install every dependency, build, run the whole test suite
# (unit, umockdev integration, fake-kernel, lint, packaging, and the QEMU end-to-end test).
# .ci/run calls exactly this. Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/deps.sh
source "$top/scripts/deps.sh"
suspendfix_install "${SUSPENDFIX_BUILD_DEPS[@]}" "${SUSPENDFIX_TEST_DEPS[@]}"
build=${SUSPENDFIX_BUILD_DIR:-$top/build}
# Prefix /usr, as a distribution package has it: the end-to-end test installs this build into a
# VM guest, and the paths compiled into the binary and the hook shims must be the guest's.
# Nothing is installed on this machine.
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSUSPENDFIX_WERROR=ON \
  -DCMAKE_INSTALL_PREFIX=/usr >/dev/null
cmake --build "$build" -j "$(nproc)"
cd "$build"
ctest --output-on-failure -j "$(nproc)" "$@"
