#!/bin/bash
# selftest.sh [CACHE_DIR] - proves run-vm.py cannot pass a broken run:
#   a failing check, a scenario without checks, a non-zero scenario exit, the suspendfix
#   scenarios without a binary, an expected failure that passes (XPASS), a hang (timeout),
#   a guest that powers off before @@DONE, and a kernel that never reaches /init must all
#   be reported as failures with the right exit code; a trivial passing scenario, an
#   expected failure (@@XFAIL) and a scenario skipping what is not written yet must pass.
# Runs 5 short VMs, two at a time (~1-1.5 min on 2 cores; the hang case waits out a 60 s timeout).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VM=$(dirname "$HERE")
CACHE=${1:-${SUSPENDFIX_VM_CACHE:-${HOME:-/root}/.cache/suspendfix-vm}}
W=$(mktemp -d "${TMPDIR:-/tmp}/sfx-selftest.XXXXXX")
trap '[ "${KEEP:-0}" = 1 ] || rm -rf "$W"' EXIT

"$VM/fetch-kernel.sh" "$CACHE" >/dev/null || exit 4
"$VM/build-initramfs.sh" -c "$CACHE" -s "$HERE/scenarios" -o "$W/st.gz" || exit 4
# an initramfs without /init: the kernel panics (no root), QEMU exits (-no-reboot)
mkdir -p "$W/empty/dev" && (cd "$W/empty" && echo dev | cpio --quiet -o -H newc | gzip) > "$W/noinit.gz"

RUN=("$VM/run-vm.py" --cache "$CACHE")
declare -A want=() pids=()
start() { # name expected-rc run-vm args...
    local name=$1 rc=$2; shift 2
    want[$name]=$rc
    "${RUN[@]}" --name "$name" --json "$W/$name.json" "$@" > "$W/$name.out" 2>&1 &
    pids[$name]=$!
}
finish() { # name
    local name=$1 got
    wait "${pids[$name]}"; got=$?
    if [ "$got" = "${want[$name]}" ]; then
        echo "selftest PASS $name (exit $got as expected)"
    else
        echo "selftest FAIL $name: exit $got, expected ${want[$name]}"; sed 's/^/    /' "$W/$name.out"
        bad=1
    fi
}
bad=0
start pass 0 --initrd "$W/st.gz" --scenario st-pass,st-xfail --timeout 90
start multi 1 --initrd "$W/st.gz" --scenario st-fail,st-nochecks,st-exit,sfx-cli,st-xpass --timeout 90
finish pass; finish multi
start hang 2 --initrd "$W/st.gz" --scenario st-hang --timeout 60
start nodone 1 --initrd "$W/st.gz" --scenario st-nodone --timeout 90
finish hang; finish nodone
start noboot 3 --initrd "$W/noinit.gz" --timeout 60
finish noboot

# the multi run must name every problem
for p in "st-fail: 1 failed" "st-nochecks ran no checks" "st-exit exited rc=3" \
         "scenario sfx-cli exited rc=1" "suspendfix binary missing" "XPASS: passes now"; do
    if grep -qF "$p" "$W/multi.out"; then echo "selftest PASS multi reports '$p'"
    else echo "selftest FAIL multi does not report '$p'"; bad=1; fi
done
for p in "XFAIL st.known_defect" "SKIP no-such-command.available"; do
    if grep -qF "$p" "$W/pass.out"; then echo "selftest PASS pass reports '$p'"
    else echo "selftest FAIL pass does not report '$p'"; bad=1; fi
done
grep -qF "no @@DONE" "$W/nodone.out" && echo "selftest PASS nodone reports missing @@DONE" \
    || { echo "selftest FAIL nodone"; bad=1; }
grep -qF "guest never booted" "$W/noboot.out" && echo "selftest PASS noboot reports never booted" \
    || { echo "selftest FAIL noboot"; bad=1; }
[ $bad = 0 ] && echo "selftest: ALL OK" || echo "selftest: FAILURES"
exit $bad
