#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# install_tree test: `DESTDIR=WORK/destdir cmake --install BUILD --prefix /usr`, then
#  - the installed files and their modes are exactly packaging/expected-install.txt, with the
#    profiles taken from profiles/ itself (or from the build's profile selection);
#  - no directory is left empty;
#  - nothing was written outside DESTDIR: as root, the install runs in a private mount
#    namespace where / is read-only and only DESTDIR and the build directory are writable, so
#    a stray write fails the install; and the host paths of every installed file (and the
#    standard hook paths) are compared before and after.
# Usage: install-tree.sh INSTALL_TEST_ENV EXPECTED_INSTALL_TXT WORKDIR
set -euo pipefail
(($# == 3)) || {
  echo "usage: $0 INSTALL_TEST_ENV EXPECTED_INSTALL_TXT WORKDIR" >&2
  exit 2
}
env_file=$1 expected_file=$2 work=$3
# shellcheck source=/dev/null
source "$env_file"  # CMAKE_COMMAND, PROJECT_*_DIR, the install dirs and options
prefix=/usr
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

below_prefix() {  # a GNUInstallDirs or cache path: absolute as is, else below the prefix
  case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$prefix/$1" ;;
  esac
}

rm -rf "$work"
mkdir -p "$work/destdir"
destdir=$work/destdir

# The expected list: @PROFILE@ lines expanded from profiles/ through the same selection code
# the install uses.
"$CMAKE_COMMAND" -DPROFILES_DIR="$PROJECT_SOURCE_DIR/profiles" \
  -DSELECTION="$SUSPENDFIX_PROFILE_SELECTION" -DDMI="$SUSPENDFIX_MODEL_DMI" \
  -DOUTPUT="$work/profiles.txt" -P "$(dirname "$expected_file")/cmake/list-profiles.cmake"
mapfile -t profiles <"$work/profiles.txt"
((${#profiles[@]} > 0)) || fail "no profile found below $PROJECT_SOURCE_DIR/profiles"

bindir=$(below_prefix "$CMAKE_INSTALL_BINDIR")
datadir=$(below_prefix "$CMAKE_INSTALL_DATADIR")
mandir=$(below_prefix "$CMAKE_INSTALL_MANDIR")
declare -A option=(
  [SUSPENDFIX_SYSTEMD_SLEEP_HOOK]=$SUSPENDFIX_SYSTEMD_SLEEP_HOOK
  [SUSPENDFIX_ELOGIND_HOOK]=$SUSPENDFIX_ELOGIND_HOOK
  [SUSPENDFIX_PMUTILS_HOOK]=$SUSPENDFIX_PMUTILS_HOOK
)
is_on() {
  case ${1^^} in
    1 | ON | YES | TRUE | Y) return 0 ;;
    *) return 1 ;;
  esac
}

declare -A required=()  # path (no leading /) -> mode
optional_globs=() optional_modes=()
while read -r line; do
  [[ -z $line || $line == \#* ]] && continue
  if [[ $line =~ ^\[([A-Z_]+)\][[:space:]]+(.*)$ ]]; then
    name=${BASH_REMATCH[1]}
    [[ -v option[$name] ]] || fail "expected-install.txt: unknown option [$name]"
    is_on "${option[$name]:-OFF}" || continue
    line=${BASH_REMATCH[2]}
  fi
  optional=false
  if [[ $line == '? '* ]]; then
    optional=true
    line=${line#? }
  fi
  read -r mode path <<<"$line"
  path=${path//@BINDIR@/$bindir}
  path=${path//@DATADIR@/$datadir}
  path=${path//@MANDIR@/$mandir}
  path=${path//@SYSTEMD_SLEEP_DIR@/$(below_prefix "$SYSTEMD_SLEEP_DIR")}
  path=${path//@ELOGIND_SLEEP_DIR@/$(below_prefix "$ELOGIND_SLEEP_DIR")}
  path=${path//@PM_SLEEPHOOKS_DIR@/$(below_prefix "$PM_SLEEPHOOKS_DIR")}
  path=${path#/}
  if $optional; then
    optional_globs+=("$path")
    optional_modes+=("$mode")
  elif [[ $path == *@PROFILE@* ]]; then
    for profile in "${profiles[@]}"; do required[${path//@PROFILE@/$profile}]=$mode; done
  else
    required[$path]=$mode
  fi
done <"$expected_file"

# Host paths that must not change: every required file's final location, and the standard
# hook locations whatever this build's configuration.
watched=(/usr/lib/systemd/system-sleep/suspendfix /lib/systemd/system-sleep/suspendfix
  /usr/lib/elogind/system-sleep/suspendfix /usr/lib/pm-utils/sleep.d/77suspendfix
  /usr/local/lib/systemd/system-sleep/suspendfix /etc/suspendfix)
for path in "${!required[@]}"; do watched+=("/$path"); done
snapshot() {
  local path
  for path in "${watched[@]}"; do
    if [[ -e $path || -L $path ]]; then
      printf '%s %s\n' "$path" "$(stat -c '%i %s %Y %Z' "$path")"
    else
      printf '%s absent\n' "$path"
    fi
  done | sort
}
snapshot >"$work/host-before.txt"

install_command=("$CMAKE_COMMAND" --install "$PROJECT_BINARY_DIR" --prefix "$prefix")
if [[ $(id -u) -eq 0 ]] && unshare --mount --propagation private true 2>/dev/null; then
  echo "install_tree: installing with / read-only in a private mount namespace"
  # shellcheck disable=SC2016  # expanded by the inner shell
  unshare --mount --propagation private -- bash -euc '
    destdir=$1 build=$2
    shift 2
    mount --bind "$destdir" "$destdir"
    mount --bind "$build" "$build"
    mount -o remount,bind,ro /
    DESTDIR=$destdir "$@"
  ' install-tree "$destdir" "$PROJECT_BINARY_DIR" "${install_command[@]}" >"$work/install.log" 2>&1 ||
    {
      cat "$work/install.log" >&2
      fail "cmake --install failed (a write outside DESTDIR fails it here)"
    }
else
  echo "install_tree: not root or no mount namespaces: checking the host paths only"
  DESTDIR=$destdir "${install_command[@]}" >"$work/install.log" 2>&1 || {
    cat "$work/install.log" >&2
    fail "cmake --install failed"
  }
fi

snapshot >"$work/host-after.txt"
if ! diff -u "$work/host-before.txt" "$work/host-after.txt" >&2; then
  fail "the install changed files outside DESTDIR"
fi

# What was installed, as "MODE PATH" (symbolic links are reported as such: none is expected).
declare -A installed=()
while IFS=' ' read -r type mode path; do
  if [[ $type == l ]]; then
    installed[$path]=symlink
  else
    installed[$path]=$(printf '%04o' "$((8#$mode))")
  fi
done < <(find "$destdir" -mindepth 1 \( -type f -o -type l \) -printf '%y %m %P\n')

for path in "${!required[@]}"; do
  if [[ ! -v installed[$path] ]]; then
    fail "not installed: /$path"
  elif [[ ${installed[$path]} != "${required[$path]}" ]]; then
    fail "/$path has mode ${installed[$path]}, expected ${required[$path]}"
  fi
done
optional_found=0
for path in "${!installed[@]}"; do
  [[ -v required[$path] ]] && continue
  matched=false
  for i in "${!optional_globs[@]}"; do
    # shellcheck disable=SC2053  # the right-hand side is a glob on purpose
    if [[ $path == ${optional_globs[$i]} ]]; then
      matched=true
      optional_found=$((optional_found + 1))
      [[ ${installed[$path]} == "${optional_modes[$i]}" ]] ||
        fail "/$path has mode ${installed[$path]}, expected ${optional_modes[$i]}"
      break
    fi
  done
  $matched || fail "unexpected file installed: /$path (${installed[$path]}); add it to $expected_file"
done

# No empty directory (the profile selection removes the directories it empties).
while IFS= read -r directory; do
  fail "empty directory installed: /$directory"
done < <(find "$destdir" -mindepth 1 -type d -empty -printf '%P\n')

echo "install_tree: ${#installed[@]} file(s) installed: ${#required[@]} required" \
  "(${#profiles[@]} profile(s)), $optional_found optional (man pages, completions)"
if ((failures > 0)); then
  echo "install_tree: $failures failure(s); the install log is $work/install.log" >&2
  exit 1
fi
echo "install_tree: passed"
