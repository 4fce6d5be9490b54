#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the suspendfix .deb from this source tree and lints it (packaging/README.md).
#
#   packaging/build-deb.sh OUTDIR
#
# Copies the tree (git's tracked and untracked-but-not-ignored files) into a temporary
# directory with packaging/debian as debian/, installs missing build dependencies with apt-get
# (as root; SUSPENDFIX_NO_APT=1 forbids it), runs `dpkg-buildpackage -us -uc -b`, runs lintian
# on each .deb (fails on any error, prints warnings; reports in OUTDIR/lintian-*.txt), and
# leaves the .deb (with its -dbgsym .deb, .buildinfo and .changes) in OUTDIR.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

(($# == 1)) || {
  echo "usage: $0 OUTDIR" >&2
  exit 2
}
mkdir -p "$1"
outdir=$(cd "$1" && pwd)

sfx_prepare_source
sfx_build_and_lint "$source_dir" "$outdir"
