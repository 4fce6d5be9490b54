#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One command on a fresh Debian 12: install build dependencies, build, run `suspendfix detect`.
# Extra arguments go to detect (e.g. --json). Reads only; changes nothing on the machine.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/deps.sh
source "$top/scripts/deps.sh"
suspendfix_install "${SUSPENDFIX_BUILD_DEPS[@]}"
build=${SUSPENDFIX_BUILD_DIR:-$top/build}
# A new build tree is configured without tests (their dependencies are not installed here); a
# tree scripts/test.sh configured keeps them. Same prefix as test.sh, so neither rebuilds the
# other's work.
testing=()
[[ -f $build/CMakeCache.txt ]] || testing=(-DBUILD_TESTING=OFF)
cmake -S "$top" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
  "${testing[@]}" >/dev/null
cmake --build "$build" --target suspendfix >/dev/null
exec "$build/suspendfix" detect --profiles "$top/profiles" "$@"
