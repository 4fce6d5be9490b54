#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds suspendfix for one laptop model: the package suspendfix-model-SLUG, with the program,
# its hooks, and only the chosen profiles (packaging/README.md, "Per-model packages").
#
#   packaging/build-model-deb.sh MODEL_NAME "PROFILE ..." OUTDIR
#
# MODEL_NAME   e.g. "Dell XPS L501X": the package is suspendfix-model-dell-xps-l501x.
# PROFILE ...  profile ids or paths relative to profiles/ (dell-xps-l501x, nec/upd720200),
#              separated by blanks or commas; may be "" when SUSPENDFIX_MODEL_DMI is set.
# OUTDIR       where the .deb goes.
# SUSPENDFIX_MODEL_DMI="sys_vendor=Dell Inc.;product_name=XPS L501X" adds every profile whose
# match.dmi matches those values (see -DSUSPENDFIX_MODEL_DMI).
#
# The package Provides, Conflicts with and Replaces suspendfix: it is the same program with
# fewer profiles, so it takes the place of the full package (installing it removes
# suspendfix, and the other way round). It installs the profiles at the same paths, below
# /usr/share/suspendfix/profiles. Otherwise as build-deb.sh (lintian, DEB_BUILD_OPTIONS, ...),
# except that only the .deb files are left in OUTDIR.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

(($# == 3)) || {
  echo "usage: $0 MODEL_NAME \"PROFILE ...\" OUTDIR" >&2
  exit 2
}
model=$1 selection=$2
dmi=${SUSPENDFIX_MODEL_DMI:-}
[[ -n ${selection//[ ,]/} || -n $dmi ]] || sfx_die "no profile given (and SUSPENDFIX_MODEL_DMI is empty)"
[[ $model != *$'\n'* ]] || sfx_die "the model name must be one line"
package=suspendfix-model-$(sfx_slug "$model")
mkdir -p "$3"
outdir=$(cd "$3" && pwd)

sfx_prepare_source

# Resolve the selection now (cmake is a build dependency): a typo fails here, and the
# package description can list the profiles.
cmake -DPROFILES_DIR="$source_dir/profiles" -DSELECTION="$selection" -DDMI="$dmi" \
  -DOUTPUT="$sfx_workdir/profiles.txt" -P "$sfx_packaging_dir/cmake/list-profiles.cmake"
mapfile -t profiles <"$sfx_workdir/profiles.txt"
sfx_log "$package: ${#profiles[@]} profile(s): ${profiles[*]}"

# The selection, for CMake: debian/rules passes debian/initial-cache.cmake to cmake -C.
# Bracket arguments need no escaping unless the text holds "]==]".
[[ $selection != *']==]'* && $dmi != *']==]'* ]] || sfx_die "the selection may not contain ']==]'"
# FORCE: a reused build tree (SUSPENDFIX_REUSE_BUILD) already has these in its cache.
cat >"$source_dir/debian/initial-cache.cmake" <<CACHE
# Written by packaging/build-model-deb.sh for $package.
set(SUSPENDFIX_PROFILE_SELECTION [==[$selection]==] CACHE STRING "" FORCE)
set(SUSPENDFIX_MODEL_DMI [==[$dmi]==] CACHE STRING "" FORCE)
CACHE
# The maintainer scripts belong to the one binary package, whatever its name.
mv "$source_dir/debian/suspendfix.postrm" "$source_dir/debian/$package.postrm"

# debian/control: the source stanza as it is, and one binary package for the model.
{
  sed '/^$/q' "$sfx_packaging_dir/debian/control"
  cat <<CONTROL
Package: $package
Architecture: linux-any
Depends: \${misc:Depends},
         \${shlibs:Depends},
Recommends: systemd | elogind | pm-utils,
Suggests: kmod,
Provides: suspendfix (= \${binary:Version}),
Conflicts: suspendfix,
Replaces: suspendfix,
Description: suspendfix for the $model only
 suspendfix unloads the kernel modules that break suspend on some machines
 before sleep, and loads back exactly what it unloaded after wake. It reads
 the machine through libudev, matches it against a database of profiles, and
 acts through libkmod from the systemd-sleep, elogind or pm-utils hook.
 .
CONTROL
  # Wrapped: the model name has any length, lintian wants lines of at most 80 columns.
  fold -s -w 72 <<TEXT | sed -e 's/ *$//' -e 's/^/ /'
This build is for the $model: it ships the program and its hooks with only these profiles, and takes the place of the suspendfix package, which ships them all:
TEXT
  for profile in "${profiles[@]}"; do
    printf '  %s\n' "${profile%.yaml}"
  done
} >"$source_dir/debian/control"

sfx_build_and_lint "$source_dir" "$outdir" debs-only
