#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# deb_package test (CTest label "package"):
#  1. build-deb.sh and build-model-deb.sh build the suspendfix .deb and a model .deb (Dell XPS
#     L501X, or the NEC uPD720200 profile when that profile is absent); both fail on any
#     lintian error;
#  2. the packages hold what they must, with the right modes (the model package exactly its
#     selected profiles);
#  3. as root: each is installed into a scratch dpkg root (dpkg --root), never into the
#     machine's own. The installed program then runs at its real paths inside a private mount
#     namespace where the scratch /usr is overlaid on the machine's: --version, validate and
#     detect on the installed profiles, and each hook shim in --dry-run. The model package
#     replaces suspendfix (Conflicts/Replaces/Provides), and purging leaves nothing behind.
# Nothing outside WORKDIR changes, apart from build dependencies that the build scripts install
# with apt-get when they are missing.
# Usage: deb-package.sh WORKDIR
# DEB_BUILD_OPTIONS defaults to "nocheck noddebs noopt parallel=2" here: an unoptimised build,
# to stay within the time budget; the scripts' own default is an optimised build.
set -euo pipefail
(($# == 1)) || {
  echo "usage: $0 WORKDIR" >&2
  exit 2
}
work=$1
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
step() { echo "deb_package: $* ($SECONDS s)"; }

for tool in dpkg-buildpackage lintian dh; do
  if ! command -v "$tool" >/dev/null && [[ $(id -u) -ne 0 ]]; then
    echo "deb_package: SKIP: $tool is missing and only root may install it" >&2
    exit 77
  fi
done

rm -rf "$work"
mkdir -p "$work"
# Build from a snapshot of the tree, and take the expectations from the same snapshot: the
# tree may change while the test runs (profiles being added, for one). The scripts in the
# snapshot then copy it again, without git (their other way of copying).
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "$0")/../lib.sh"
sfx_copy_source "$work/src"
rm -rf "$work/src/debian"
top=$work/src
packaging=$top/packaging
export DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS-nocheck noddebs noopt parallel=2}

# The model package: the Dell XPS L501X profile and its NEC controller's, or the NEC one alone.
if [[ -f $top/profiles/dell/xps-l501x.yaml ]]; then
  model_name="Dell XPS L501X" model_profiles="dell-xps-l501x nec/upd720200"
  model_package=suspendfix-model-dell-xps-l501x
else
  model_name="NEC uPD720200" model_profiles="nec/upd720200"
  model_package=suspendfix-model-nec-upd720200
fi

# Both packages come from one compiled tree: the model package only installs fewer profiles,
# so its build reuses the first one's (SUSPENDFIX_REUSE_BUILD) instead of compiling again.
export SUSPENDFIX_WORKDIR=$work/pkgbuild
step "building suspendfix"
bash "$packaging/build-deb.sh" "$work/main" >"$work/build-main.log" 2>&1 || {
  cat "$work/build-main.log" >&2
  echo "FAIL: build-deb.sh failed" >&2
  exit 1
}
step "building $model_package"
SUSPENDFIX_REUSE_BUILD=1 bash "$packaging/build-model-deb.sh" "$model_name" "$model_profiles" \
  "$work/model" >"$work/build-model.log" 2>&1 || {
  cat "$work/build-model.log" >&2
  echo "FAIL: build-model-deb.sh failed" >&2
  exit 1
}
grep -q 'reusing the compiled tree' "$work/build-model.log" ||
  fail "the model package was compiled again instead of reusing the first build"
step "built"
grep -h '' "$work"/main/lintian-*.txt "$work"/model/lintian-*.txt | grep -v '^running with root' |
  sed 's/^/  lintian: /' || true

upstream_version=$(dpkg-parsechangelog -l "$packaging/debian/changelog" -S Version)
upstream_version=${upstream_version%-*}
main_deb=$(echo "$work"/main/suspendfix_*.deb)
model_deb=$(echo "$work"/model/"$model_package"_*.deb)
[[ -f $main_deb ]] || fail "no suspendfix .deb in $work/main"
[[ -f $model_deb ]] || fail "no $model_package .deb in $work/model"
((failures == 0)) || exit 1
grep -q '^E:' "$work"/main/lintian-*.txt "$work"/model/lintian-*.txt && fail "lintian errors"

profiles_of() {  # SELECTION -> the relative profile paths it keeps, one a line
  cmake -DPROFILES_DIR="$top/profiles" -DSELECTION="$1" -DOUTPUT="$work/selection.txt" \
    -P "$packaging/cmake/list-profiles.cmake"
  cat "$work/selection.txt"
}
mapfile -t all_profiles < <(profiles_of "")
mapfile -t model_selection < <(profiles_of "$model_profiles")

# What a package must hold: "MODE PATH" lines, and "PATH" prefixes it may not use.
expected_files() {  # PACKAGE PROFILE...
  local package=$1 profile
  shift
  printf '0755 usr/bin/suspendfix\n'
  printf '0755 usr/lib/systemd/system-sleep/suspendfix\n'
  printf '0755 usr/lib/elogind/system-sleep/suspendfix\n'
  printf '0755 usr/lib/pm-utils/sleep.d/77suspendfix\n'
  printf '0644 usr/share/doc/%s/copyright\n' "$package"
  printf '0644 usr/share/doc/%s/changelog.Debian.gz\n' "$package"
  printf '0644 usr/share/doc/%s/examples/config.yaml\n' "$package"
  for profile in "$@"; do printf '0644 usr/share/suspendfix/profiles/%s\n' "$profile"; done
}
check_contents() {  # DEB PACKAGE PROFILE...
  local deb=$1 package=$2 mode path
  shift 2
  local listing
  # "-rwxr-xr-x root/root 969080 2026-11-29 03:35 ./usr/bin/suspendfix" -> "0755 usr/bin/suspendfix"
  listing=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {
      m = 0; p = substr($1, 2, 9)
      for (i = 1; i <= 9; i++) { m *= 2; if (substr(p, i, 1) != "-") m += 1 }
      path = $6; sub(/^\.\//, "", path); printf "%04o %s\n", m, path }')
  while read -r mode path; do
    grep -qxF "$mode $path" <<<"$listing" || fail "$package: $path missing or not mode $mode"
  done < <(expected_files "$package" "$@")
  # Exactly these profiles; nothing in /etc, /usr/local, /lib, /run, /var.
  local shipped expected
  shipped=$(sed -n 's|^[0-7]* usr/share/suspendfix/profiles/||p' <<<"$listing" | sort)
  expected=$(printf '%s\n' "$@" | sort)
  [[ $shipped == "$expected" ]] || fail "$package: profiles differ:"$'\n'"$(diff <(echo "$expected") <(echo "$shipped"))"
  if grep -E '^[0-7]+ (etc|usr/local|lib|run|var)/' <<<"$listing"; then
    fail "$package: files outside /usr"
  fi
  local control
  control=$(dpkg-deb -f "$deb" Package Depends Recommends Provides Conflicts Replaces)
  grep -q "^Package: $package$" <<<"$control" || fail "$package: wrong Package field"
  grep -q '^Depends: .*libkmod2' <<<"$control" || fail "$package: Depends lacks libkmod2 (\${shlibs:Depends})"
  grep -q '^Recommends: systemd | elogind | pm-utils$' <<<"$control" || fail "$package: Recommends"
  if [[ $package != suspendfix ]]; then
    grep -q '^Provides: suspendfix (= ' <<<"$control" || fail "$package: Provides suspendfix"
    grep -q '^Conflicts: suspendfix$' <<<"$control" || fail "$package: Conflicts suspendfix"
    grep -q '^Replaces: suspendfix$' <<<"$control" || fail "$package: Replaces suspendfix"
  fi
  # One maintainer script: postrm, which removes the profile cache on purge.
  local scripts
  scripts=$(dpkg-deb -I "$deb" | sed -nE 's/^ +[0-9]+ bytes, +[0-9]+ lines +\*? *((pre|post)(inst|rm)).*/\1/p')
  [[ $scripts == postrm ]] || fail "$package: maintainer scripts are '$scripts', expected postrm alone"
  # shellcheck disable=SC2016  # the script's own text, not to be expanded
  dpkg-deb -I "$deb" postrm | grep -q 'rm -rf "${DPKG_ROOT:-}/var/cache/suspendfix"' ||
    fail "$package: postrm does not remove the cache on purge"
}
step "checking contents"
check_contents "$main_deb" suspendfix "${all_profiles[@]}"
check_contents "$model_deb" "$model_package" "${model_selection[@]}"

if [[ $(id -u) -ne 0 ]]; then
  echo "deb_package: not root: the packages are not installed into a scratch root"
else
  root=$work/root
  mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
  touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
  # --log: dpkg.cfg's /var/log/dpkg.log is the machine's, not the scratch root's.
  # --force-depends: the scratch root has no libc; the machine's libraries serve.
  # --force-script-chrootless: the scratch root has no shell to chroot into; the maintainer
  # scripts run with DPKG_ROOT set to it, and must honour it (postrm does).
  dpkg_root=(dpkg --root="$root" --log="$work/dpkg.log" --force-depends --force-script-chrootless)
  status_of() { dpkg-query --admindir="$root/var/lib/dpkg" -W -f='${db:Status-Status}' "$1" 2>/dev/null || echo not-installed; }

  # Runs a command with the scratch /usr overlaid on the machine's, in a private namespace.
  overlay=false
  if unshare --mount --propagation private true 2>/dev/null; then overlay=true; fi
  in_root() {
    if $overlay; then
      # /var/cache too: detect run as root writes its profile cache there, which must land in
      # the scratch root (and go with the purge), never in the machine's.
      mkdir -p "$root/var/cache"
      # shellcheck disable=SC2016  # expanded by the inner shell
      unshare --mount --propagation private -- sh -c \
        'mount -t overlay overlay -o lowerdir="$1/usr":/usr /usr && mount --bind "$1/var/cache" /var/cache && shift && exec "$@"' \
        in-root "$root" "$@"
    else
      "$@"
    fi
  }

  check_installed() {  # PACKAGE PROFILE...
    local package=$1 path mode
    shift
    local count=$#
    [[ $(status_of "$package") == installed ]] || fail "$package is not installed"
    while read -r mode path; do
      [[ -f $root/$path ]] || {
        fail "$package: /$path not installed"
        continue
      }
      [[ $(stat -c '%04a' "$root/$path") == "$mode" ]] || fail "$package: /$path is not mode $mode"
    done < <(expected_files "$package" "$@")
    while read -r path; do
      [[ -e $root$path ]] || fail "$package: dpkg -L lists $path, which is not there"
    done < <("${dpkg_root[@]}" -L "$package")
    if ! $overlay; then
      echo "deb_package: no mount namespaces: running the binary from the scratch root"
      "$root/usr/bin/suspendfix" validate "$root/usr/share/suspendfix/profiles" >"$work/validate.txt" 2>&1 ||
        fail "$package: validate failed: $(cat "$work/validate.txt")"
      return
    fi
    local output
    output=$(in_root /usr/bin/suspendfix --version 2>&1) || fail "$package: --version failed"
    [[ $output == "suspendfix $upstream_version" ]] || fail "$package: --version says '$output'"
    output=$(in_root /usr/bin/suspendfix validate /usr/share/suspendfix/profiles 2>&1) ||
      fail "$package: validate failed: $output"
    [[ $output == *"$count file(s) checked, $count valid, 0 error(s)"* ]] ||
      fail "$package: validate says '$output', expected $count valid files"
    output=$(in_root /usr/bin/suspendfix detect --no-hwdb 2>&1) || fail "$package: detect failed: $output"
    grep -q "^Profiles: $count loaded from /usr/share/suspendfix/profiles" <<<"$output" ||
      fail "$package: detect does not load its $count profiles: $(grep '^Profiles' <<<"$output")"
    [[ -n $(find "$root/var/cache/suspendfix" -type f 2>/dev/null) ]] ||
      fail "$package: detect as root left no profile cache in /var/cache/suspendfix (the purge test would prove nothing)"
    # Each shim must reach the installed binary (SUSPENDFIX_DEBUG makes it speak); --dry-run
    # and a private state directory keep the machine as it is.
    local hook
    for hook in "/usr/lib/systemd/system-sleep/suspendfix pre suspend" \
      "/usr/lib/elogind/system-sleep/suspendfix pre suspend" \
      "/usr/lib/pm-utils/sleep.d/77suspendfix suspend"; do
      mkdir -p "$work/state"
      # shellcheck disable=SC2086  # the hook line is split into its words on purpose
      output=$(in_root env SUSPENDFIX_DEBUG=1 SUSPENDFIX_STATE_DIR="$work/state" $hook --dry-run 2>&1) ||
        fail "$package: '$hook' exited non-zero: $output"
      [[ $output == *"suspendfix: pre suspend"* ]] || fail "$package: '$hook' did not run the binary: '$output'"
    done
  }
  check_clean() {  # nothing left in the scratch root but dpkg's database
    local left
    left=$(cd "$root" && find . -mindepth 1 -not -path './var/lib/dpkg' -not -path './var/lib/dpkg/*' \
      -not -path ./var -not -path ./var/lib -not -path ./var/cache | sort)
    [[ -z $left ]] || fail "$1 left files behind: $left"
    [[ $(status_of suspendfix) == not-installed ]] || fail "$1: suspendfix still known to dpkg"
    [[ $(status_of "$model_package") == not-installed ]] || fail "$1: $model_package still known to dpkg"
  }

  step "installing suspendfix into a scratch root"
  "${dpkg_root[@]}" -i "$main_deb" >"$work/dpkg-i.log" 2>&1 || fail "dpkg -i suspendfix: $(cat "$work/dpkg-i.log")"
  check_installed suspendfix "${all_profiles[@]}"
  "${dpkg_root[@]}" --purge suspendfix >>"$work/dpkg-i.log" 2>&1 || fail "dpkg --purge suspendfix failed"
  check_clean "purging suspendfix"

  step "installing $model_package over suspendfix"
  "${dpkg_root[@]}" -i "$main_deb" >>"$work/dpkg-i.log" 2>&1 || fail "dpkg -i suspendfix (again) failed"
  "${dpkg_root[@]}" -i "$model_deb" >>"$work/dpkg-i.log" 2>&1 || fail "dpkg -i $model_package: $(cat "$work/dpkg-i.log")"
  # Removed, not purged: its postrm keeps it known to dpkg as config-files until a purge.
  case $(status_of suspendfix) in
    not-installed | config-files) ;;
    *) fail "installing $model_package did not remove suspendfix (status $(status_of suspendfix))" ;;
  esac
  check_installed "$model_package" "${model_selection[@]}"
  "${dpkg_root[@]}" --purge "$model_package" suspendfix >>"$work/dpkg-i.log" 2>&1 ||
    fail "dpkg --purge $model_package suspendfix failed"
  check_clean "purging $model_package"
fi

step "done"
if ((failures > 0)); then
  echo "deb_package: $failures failure(s); logs in $work" >&2
  exit 1
fi
echo "deb_package: passed"
