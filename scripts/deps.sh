#!/bin/bash
# shellcheck disable=SC2034  # the arrays are used by the scripts that source this file
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs what building and testing suspendfix needs, from Debian's archive (Debian 12).
# Sourced by scripts/detect.sh and scripts/test.sh; does nothing when all is present.
set -euo pipefail

SUSPENDFIX_BUILD_DEPS=(
  cmake ninja-build g++ pkg-config
  libudev-dev libkmod-dev libyaml-cpp-dev nlohmann-json3-dev libcli11-dev
)
SUSPENDFIX_TEST_DEPS=(
  libgtest-dev libgmock-dev umockdev libumockdev-dev gcc kmod udev pciutils shellcheck
  python3 python3-yaml zsh bash-completion
  scdoc man-db groff-base lintian dpkg-dev fakeroot debhelper
  qemu-system-x86 busybox-static cpio valgrind
  clang libclang-rt-14-dev
  make mmdebstrap eatmydata e2fsprogs
)

suspendfix_install() {
  local missing=()
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed$' ||
      missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0
  echo "suspendfix: installing ${missing[*]}" >&2
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
