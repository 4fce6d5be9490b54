#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by build-deb.sh and build-model-deb.sh (sourced, not run). See packaging/README.md.
#
# Environment:
#   DEB_BUILD_OPTIONS       passed to dpkg-buildpackage; default "nocheck parallel=$(nproc)"
#   SUSPENDFIX_NO_APT=1     never run apt-get: fail with the list of missing packages instead
#   SUSPENDFIX_KEEP_BUILD=1 keep the temporary build directory (its path is printed)
#   SUSPENDFIX_WORKDIR=DIR  build in DIR (kept) instead of a temporary directory
#   SUSPENDFIX_REUSE_BUILD=1 with SUSPENDFIX_WORKDIR: when DIR holds an earlier build of the same
#                           version, take its compiled tree (dpkg-buildpackage -nc) and only
#                           refresh debian/: a second package from the same sources compiles
#                           nothing again (the package test builds the model package this way)

sfx_packaging_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sfx_top=$(cd "$sfx_packaging_dir/.." && pwd)

sfx_log() { echo "suspendfix-packaging: $*" >&2; }
sfx_die() {
  sfx_log "error: $*"
  exit 1
}

# "Dell XPS L501X" -> "dell-xps-l501x": a valid part of a Debian package name.
sfx_slug() {
  local slug
  slug=$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]' | sed -e 's/[^a-z0-9]\{1,\}/-/g' -e 's/^-//' -e 's/-$//')
  [[ -n $slug ]] || sfx_die "'$1' gives an empty package name"
  printf '%s\n' "$slug"
}

# Installs Debian packages that are not installed yet (as root), or says which are missing.
sfx_apt_install() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q '^install ok installed$' ||
      missing+=("$package")
  done
  ((${#missing[@]} == 0)) && return 0
  if [[ ${SUSPENDFIX_NO_APT:-} == 1 || $(id -u) -ne 0 ]]; then
    sfx_die "missing packages: ${missing[*]} (apt-get install ${missing[*]})"
  fi
  sfx_log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The tools the scripts themselves run, before the build dependencies can be read.
sfx_install_tools() {
  sfx_apt_install dpkg-dev lintian
}

# Copies the source tree to $1 with packaging/debian as $1/debian. In a git checkout: the
# tracked and the untracked-but-not-ignored files (what `git status` shows, so work in
# progress builds too, and build directories never do); otherwise the tree less build*/,
# obj-*/ and .git.
sfx_copy_source() {
  local destination=$1
  mkdir -p "$destination"
  # Only when $sfx_top is itself the top of a checkout: a snapshot copied into a build
  # directory lies inside the checkout, but git ignores it there and would list nothing.
  local toplevel
  toplevel=$(git -C "$sfx_top" rev-parse --show-toplevel 2>/dev/null || true)
  if [[ -n $toplevel && $toplevel == "$(cd "$sfx_top" && pwd -P)" ]]; then
    (
      cd "$sfx_top" || exit 1
      git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' file; do
          # Deleted but still tracked files are skipped; so is a debian/ at the top.
          [[ -e $file || -L $file ]] && [[ $file != debian/* ]] && printf '%s\0' "$file"
        done |
        tar --null -T - -cf - | tar -xf - -C "$destination"
    )
  else
    tar -C "$sfx_top" --exclude=./.git --exclude='./build*' --exclude='./obj-*' --exclude=./debian \
      -cf - . | tar -xf - -C "$destination"
  fi
  rm -rf "$destination/debian"
  cp -a "$sfx_packaging_dir/debian" "$destination/debian"
  chmod 0755 "$destination/debian/rules"
}

# Installs what dpkg-checkbuilddeps reports missing (the first of each alternative, without
# version constraints: Debian 12's versions satisfy them).
sfx_install_build_deps() {
  local source=$1 unmet packages=()
  unmet=$(cd "$source" && dpkg-checkbuilddeps 2>&1) && return 0
  unmet=$(printf '%s\n' "$unmet" | sed -n 's/.*Unmet build dependencies: //p')
  [[ -n $unmet ]] || sfx_die "dpkg-checkbuilddeps failed: $(cd "$source" && dpkg-checkbuilddeps 2>&1)"
  # "a (>= 1) | b c:native debhelper-compat (= 13)" -> "a c debhelper"
  read -r -a packages <<<"$(printf '%s\n' "$unmet" |
    sed -e 's/([^)]*)//g' -e 's/ *| *[^ ]*//g' -e 's/:[a-z]*//g' -e 's/debhelper-compat/debhelper/g')"
  sfx_apt_install "${packages[@]}"
}

# Runs dpkg-buildpackage -us -uc -b in $1 (the packages land in its parent directory), then
# lints every .deb and copies the .deb files to $2, with the .buildinfo and .changes unless $3
# is "debs-only" (a model build: its .changes would bear the source's name, suspendfix, and
# overwrite the main package's). The lintian report of each package goes to
# $2/lintian-PACKAGE.txt. Fails on any lintian error; warnings are printed.
sfx_build_and_lint() {
  local source=$1 outdir=$2 what=${3:-all} parent log status=0 deb package report errors=0
  parent=$(dirname "$source")
  log=$parent/dpkg-buildpackage.log
  local jobs
  jobs=$(nproc 2>/dev/null || echo 2)
  export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-nocheck parallel=$jobs}
  sfx_log "dpkg-buildpackage -us -uc -b (DEB_BUILD_OPTIONS='$DEB_BUILD_OPTIONS'), log: $log"
  local no_clean=()
  [[ ${sfx_reusing:-false} == true ]] && no_clean=(-nc)
  (cd "$source" && dpkg-buildpackage -us -uc -b "${no_clean[@]}") >"$log" 2>&1 || status=$?
  if ((status != 0)); then
    tail -n 60 "$log" >&2
    sfx_die "dpkg-buildpackage failed (exit $status); whole log: $log"
  fi
  shopt -s nullglob
  local debs=("$parent"/*.deb)
  ((${#debs[@]} > 0)) || sfx_die "dpkg-buildpackage made no .deb (log: $log)"
  mkdir -p "$outdir"
  for deb in "${debs[@]}"; do
    package=$(dpkg-deb -f "$deb" Package)
    report=$outdir/lintian-$package.txt
    # --fail-on error: warnings and infos are shown, not fatal (packaging/README.md lists them).
    if lintian --fail-on error --display-info "$deb" >"$report" 2>&1; then
      sfx_log "lintian $(basename "$deb"): no error"
    else
      sfx_log "lintian $(basename "$deb"): errors"
      errors=$((errors + 1))
    fi
    sed 's/^/  /' "$report" >&2
  done
  cp "${debs[@]}" "$outdir"/
  [[ $what == debs-only ]] || cp "$parent"/*.buildinfo "$parent"/*.changes "$outdir"/
  shopt -u nullglob
  ((errors == 0)) || sfx_die "lintian reported errors for $errors package(s)"
  for deb in "${debs[@]}"; do
    sfx_log "built $outdir/$(basename "$deb")"
  done
}

# A temporary directory, removed on exit unless SUSPENDFIX_KEEP_BUILD=1.
sfx_make_workdir() {
  if [[ -n ${SUSPENDFIX_WORKDIR:-} ]]; then
    mkdir -p "$SUSPENDFIX_WORKDIR"
    sfx_workdir=$(cd "$SUSPENDFIX_WORKDIR" && pwd)
    return
  fi
  sfx_workdir=$(mktemp -d "${TMPDIR:-/tmp}/suspendfix-deb.XXXXXX")
  if [[ ${SUSPENDFIX_KEEP_BUILD:-} == 1 ]]; then
    sfx_log "keeping the build directory $sfx_workdir"
  else
    trap 'rm -rf "$sfx_workdir"' EXIT
  fi
}

# Everything both package builds do before building: tools, a work directory, the source copied
# to $source_dir (suspendfix-VERSION, as dpkg-source expects) and its build dependencies.
sfx_prepare_source() {
  sfx_install_tools
  sfx_make_workdir
  local version
  version=$(dpkg-parsechangelog -l "$sfx_packaging_dir/debian/changelog" -S Version)
  source_dir=$sfx_workdir/suspendfix-${version%-*}
  sfx_reusing=false
  if [[ ${SUSPENDFIX_REUSE_BUILD:-} == 1 && -n ${SUSPENDFIX_WORKDIR:-} ]] &&
    compgen -G "$source_dir/obj-*/CMakeCache.txt" >/dev/null; then
    sfx_log "reusing the compiled tree in $source_dir"
    sfx_reusing=true
    rm -rf "$source_dir/debian"
    cp -a "$sfx_packaging_dir/debian" "$source_dir/debian"
    chmod 0755 "$source_dir/debian/rules"
    rm -f "$sfx_workdir"/*.deb
    return
  fi
  rm -rf "$source_dir"
  sfx_copy_source "$source_dir"
  sfx_install_build_deps "$source_dir"
}
