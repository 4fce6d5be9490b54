#!/bin/bash
# run-smoke.sh [CACHE_DIR] [BUILD_TREE] [ARTEFACT_DIR]
#
# fetch kernel -> build initramfs -> boot the VM scenario groups (two VMs at a time).
#
#   CACHE_DIR     kernel cache (default $SUSPENDFIX_VM_CACHE or ~/.cache/suspendfix-vm)
#   BUILD_TREE    what to test:
#                   a CMake build dir (has CMakeCache.txt) -> `cmake --install` (with its
#                                                            configured prefix) into a temporary DESTDIR
#                   an installed tree (DESTDIR)            -> used as is
#                   "standin"                              -> tests/vm/standin (harness proof)
#                   "-", "none" or empty                   -> harness scenarios only
#   ARTEFACT_DIR  logs of failed VMs land in ARTEFACT_DIR/<group>/, and every group writes
#                 ARTEFACT_DIR/<group>.summary.json (default ${TMPDIR:-/tmp}/suspendfix-vm-artefacts)
#
# Groups (one VM each, scenarios run in order in one boot; the two run side by side):
#   with a suspendfix tree:
#     hooks   smoke,wake-sources,sfx-cli,sfx-systemd-hook,sfx-elogind-hook,sfx-pmutils-hook,sfx-s2idle
#     cycles  sfx-suspend,sfx-ten-cycles,sfx-device-actions,sfx-mounted-disk,sfx-self-heal
#   without:  harness = smoke,wake-sources;   standin: harness + standin = sfx-cli
# Override with SFX_VM_GROUPS="name=scen1,scen2 other=scen3".
# Env: SFX_VM_JOBS (parallel VMs, default min(2, nproc)), SFX_VM_TIMEOUT (per VM, 300 s),
#      SFX_VM_KEEP_LOGS=1 (keep logs of passing VMs too), SFX_VM_USBDISK_MB (8; 0 = no disk).
# Exit: 0 all groups passed; otherwise the first failing group's run-vm.py exit code
# (1 test failure, 2 timeout, 3 never booted, 4 harness error).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${1:-${SUSPENDFIX_VM_CACHE:-${HOME:-/root}/.cache/suspendfix-vm}}
TREE=${2:-}
ART=${3:-${TMPDIR:-/tmp}/suspendfix-vm-artefacts}
JOBS=${SFX_VM_JOBS:-$(( $(nproc) < 2 ? 1 : 2 ))}
TIMEOUT=${SFX_VM_TIMEOUT:-300}
DISK_MB=${SFX_VM_USBDISK_MB:-8}
t0=$(date +%s.%N)
say() { echo "run-smoke: $*" >&2; }

mkdir -p "$ART"
ART=$(cd "$ART" && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/sfx-vm-smoke.XXXXXX")
trap 'rm -rf "$W"' EXIT

# --- 1. kernel ------------------------------------------------------------------
KVER=$("$HERE/fetch-kernel.sh" "$CACHE") || { say "fetch-kernel failed"; exit 4; }
say "kernel $KVER"

# --- 2. the tree under test -----------------------------------------------------
DESTDIR_ARG=()
case $TREE in
    ""|-|none)
        say "no build tree given: harness scenarios only" ;;
    standin)
        "$HERE/standin/make-standin-tree.sh" "$W/destdir" >/dev/null || exit 4
        DESTDIR_ARG=(-d "$W/destdir")
        say "using the harness STAND-IN tree (not suspendfix)" ;;
    *)
        [ -d "$TREE" ] || { say "BUILD_TREE $TREE is not a directory"; exit 4; }
        if [ -f "$TREE/CMakeCache.txt" ]; then
            # Install with the prefix the tree was configured with: the binary has the profile
            # and configuration paths and the hook shims have the binary's path compiled in
            # from it, so `--prefix /usr` on a /usr/local build installs a broken tree (shims
            # exec a missing /usr/local/bin/suspendfix, the binary finds no profiles).
            prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:[A-Z]*=//p' "$TREE/CMakeCache.txt")
            say "installing $TREE into a temporary DESTDIR (its configured prefix ${prefix:-?})"
            DESTDIR="$W/destdir" cmake --install "$TREE" >"$W/install.log" 2>&1 \
                || { cat "$W/install.log" >&2; say "cmake --install failed"; exit 4; }
            DESTDIR_ARG=(-d "$W/destdir")
        else
            DESTDIR_ARG=(-d "$TREE")
        fi ;;
esac

# --- 3. initramfs -----------------------------------------------------------------
"$HERE/build-initramfs.sh" -c "$CACHE" -k "$KVER" "${DESTDIR_ARG[@]}" -o "$W/initrd.gz" \
    || { say "build-initramfs failed"; exit 4; }

# --- 4. VMs -------------------------------------------------------------------------
if [ -n "${SFX_VM_GROUPS:-}" ]; then
    read -r -a GROUPS_ <<< "$SFX_VM_GROUPS"
else
    case $TREE in
        ""|-|none) GROUPS_=("harness=smoke,wake-sources") ;;
        standin)   GROUPS_=("harness=smoke,wake-sources" "standin=sfx-cli") ;;
        # two VMs of about the same length (~100 s of scenarios each under TCG), run side by side
        *) GROUPS_=("hooks=smoke,wake-sources,sfx-cli,sfx-systemd-hook,sfx-elogind-hook,sfx-pmutils-hook,sfx-s2idle"
                    "cycles=sfx-suspend,sfx-ten-cycles,sfx-device-actions,sfx-mounted-disk,sfx-self-heal") ;;
    esac
fi
EXTRA=()
[ "${SFX_VM_KEEP_LOGS:-0}" = 1 ] && EXTRA+=(--keep-logs)
[ "$DISK_MB" -gt 0 ] && EXTRA+=(--usb-disk-mb "$DISK_MB")

declare -A pid_of=()
names=()
running=0
first_rc=0
reap() { # name
    local n=$1 rc
    wait "${pid_of[$n]}"; rc=$?
    cat "$W/$n.out"
    [ $rc -ne 0 ] && [ $first_rc -eq 0 ] && first_rc=$rc
    results+=("$n: $( [ $rc -eq 0 ] && echo PASS || echo "FAIL (exit $rc)")")
}
results=()
for g in "${GROUPS_[@]}"; do
    name=${g%%=*}; scen=${g#*=}
    if [ $running -ge "$JOBS" ]; then
        reap "${names[0]}"; names=("${names[@]:1}"); running=$((running - 1))
    fi
    "$HERE/run-vm.py" --kernel "$CACHE/kernel-$KVER/root/boot/vmlinuz-$KVER" \
        --initrd "$W/initrd.gz" --scenario "$scen" --name "$name" --timeout "$TIMEOUT" \
        --artefacts "$ART" --json "$ART/$name.summary.json" "${EXTRA[@]}" \
        > "$W/$name.out" 2>&1 &
    pid_of[$name]=$!
    names+=("$name")
    running=$((running + 1))
done
for n in "${names[@]}"; do reap "$n"; done

t1=$(date +%s.%N)
echo "==== run-smoke summary (kernel $KVER, $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}') s wall)"
for r in "${results[@]}"; do echo "  $r"; done
[ $first_rc -eq 0 ] && echo "==== ALL VM GROUPS PASSED" || echo "==== FAILED (logs in $ART)"
exit $first_rc
