#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Renders each man page given as man(1) would on an 80-column terminal and fails when groff
# warns, when the page renders empty or without NAME, or when configure_file() left an
# @VARIABLE@ in it. Exits 77 (CTest's skip) when man is not installed (man-db, groff-base).
set -u
if ! command -v man >/dev/null 2>&1; then
  echo "man not found: install man-db and groff-base"
  exit 77
fi
# Rendering runs in man-db's seccomp sandbox, which some containers refuse; it adds nothing here.
MAN_DISABLE_SECCOMP=1
MANWIDTH=80
LC_ALL=C.UTF-8
export MAN_DISABLE_SECCOMP MANWIDTH LC_ALL
failed=0
for page in "$@"; do
  if ! text=$(man -l -E UTF-8 "$page" 2>/dev/null); then
    echo "FAIL $page: man -l failed"
    failed=1
    continue
  fi
  warnings=$(man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
  if [ -n "$warnings" ]; then
    echo "FAIL $page: groff warnings:"
    printf '%s\n' "$warnings"
    failed=1
  fi
  if ! printf '%s\n' "$text" | grep -q '^NAME$'; then
    echo "FAIL $page: no NAME section in the rendered page"
    failed=1
  fi
  if grep -n '@[A-Z_][A-Z_]*@' "$page"; then
    echo "FAIL $page: unsubstituted configure variables"
    failed=1
  fi
  [ "$failed" -eq 0 ] && echo "ok $page ($(printf '%s\n' "$text" | wc -l) lines at $MANWIDTH columns)"
done
exit "$failed"
