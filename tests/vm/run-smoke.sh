#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run-smoke.sh [CACHE_DIR] [BUILD_TREE] [ARTEFACT_DIR]
#
# fetch kernel -> build the test driver, initramfs, payload -> build the Debian images (cached)
# -> boot the VM scenario groups, two jobs at a time -> say where the time went.
#
#   CACHE_DIR     kernel, headers, driver and image cache (default $SUSPENDFIX_VM_CACHE or
#                 ~/.cache/suspendfix-vm)
#   BUILD_TREE    what to test:
#                   a CMake build dir (has CMakeCache.txt) -> `cmake --install` (with its
#                                                            configured prefix) into a temporary DESTDIR
#                   an installed tree (DESTDIR)            -> used as is
#                   "standin"                              -> tests/vm/standin (harness proof)
#                   "-", "none" or empty                   -> harness scenarios only
#   ARTEFACT_DIR  logs of failed VMs land in ARTEFACT_DIR/<group>/, and every group writes
#                 ARTEFACT_DIR/<group>.summary.json (default ${TMPDIR:-/tmp}/suspendfix-vm-artefacts)
#
# Kernel: SFX_VM_KERNEL = 6.1 (default: Debian 12's own) or 6.12 (the newer one the database lint
# checks), fetched by fetch-kernel.sh. The lint's row for the NEC profile on that kernel
# (docs/kernel-lint.md: the holders of xhci_pci and the plan) goes into the guest as
# /sfx/kernel-expect.sh for sfx-kernel-plan (lint-expect.py).
# Groups (one VM each, scenarios run in order in one boot), NAME[@GUEST][+edu]=SCENARIOS:
# GUEST is busybox (the initramfs guest, default), systemd or elogind (a Debian image:
# build-image.sh), +edu adds QEMU's edu device for the test driver. With a suspendfix tree, on 6.1:
#   hooks              smoke,wake-sources,sfx-cli,sfx-kernel-plan,sfx-systemd-hook,sfx-elogind-hook,sfx-pmutils-hook,sfx-s2idle
#   cycles             sfx-suspend,sfx-ten-cycles,sfx-device-actions,sfx-mounted-disk,sfx-self-heal
#   driver+edu         drv-phases,drv-no-profile,journey-diagnose,sfx-test-cycles,drv-profile,drv-pinned
#   systemd@systemd+edu deb-smoke,client-systemctl,client-pm-suspend,systemd-killed,drv-no-profile,journey-diagnose,drv-profile
#   elogind@elogind+edu deb-smoke,client-loginctl,elogind-cancel,drv-no-profile,drv-profile,sfx-test-cycles
#   sleeptest@systemd+edu sfx-test-cycles (systemctl and pm-suspend: ~6 min, its own VM)
#   without:  harness = smoke,wake-sources;   standin: harness + standin = sfx-cli
# on any other kernel only the NEC hook and ten-cycle scenarios, each group after the plan check
# (k612 for 6.12):
#   k612_hooks         sfx-kernel-plan,sfx-systemd-hook,sfx-elogind-hook,sfx-pmutils-hook
#   k612_cycles        sfx-kernel-plan,sfx-ten-cycles
# Override with SFX_VM_GROUPS="name=scen1,scen2 other@systemd=scen3".
# Env: SFX_VM_JOBS (parallel jobs, default min(2, nproc)), SFX_VM_TIMEOUT (per busybox VM,
#      300 s), SFX_VM_DEB_TIMEOUT (per Debian VM, 600 s), SFX_VM_DEB_SMP (vCPUs of a Debian VM,
#      1), SFX_VM_DEB=0 (drop the Debian groups), SFX_VM_KEEP_LOGS=1 (keep logs of passing VMs
#      too), SFX_VM_USBDISK_MB (8; 0 = no disk; busybox guests only).
# Exit: 0 all groups passed; otherwise the first failing group's run-vm.py exit code
# (1 test failure, 2 timeout, 3 never booted, 4 harness error; 4 also for a failed build).
# shellcheck disable=SC2317  # install_tree, image and vm are called through variables
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${1:-${SUSPENDFIX_VM_CACHE:-${HOME:-/root}/.cache/suspendfix-vm}}
TREE=${2:-}
ART=${3:-${TMPDIR:-/tmp}/suspendfix-vm-artefacts}
JOBS=${SFX_VM_JOBS:-$(( $(nproc) < 2 ? 1 : 2 ))}
DISK_MB=${SFX_VM_USBDISK_MB:-8}
say() { echo "run-smoke: $*" >&2; }

mkdir -p "$ART" "$CACHE"
ART=$(cd "$ART" && pwd)
CACHE=$(cd "$CACHE" && pwd)
export SUSPENDFIX_VM_CACHE=$CACHE
W=$(mktemp -d "${TMPDIR:-/tmp}/sfx-vm-smoke.XXXXXX")
trap 'rm -rf "$W"' EXIT
TIMES=$W/times.tsv     # kind, name, start, end (seconds since t0), detail
T0=$(date +%s.%N)
now() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
# step NAME CMD...: a timed preparation step (recorded for the report)
step() {
    local name=$1 s rc; shift
    s=$(now)
    "$@"; rc=$?
    printf 'step\t%s\t%s\t%s\t\n' "$name" "$s" "$(now)" >> "$TIMES"
    return $rc
}

# --- 1. kernel ------------------------------------------------------------------
KSERIES=${SFX_VM_KERNEL:-6.1}
KVER=$(step kernel "$HERE/fetch-kernel.sh" "$CACHE" "$KSERIES") || { say "fetch-kernel failed"; exit 4; }
say "kernel $KVER"

# --- 2. the tree under test -----------------------------------------------------
DESTDIR_IN=
install_tree() {
    local prefix
    # Install with the prefix the tree was configured with: the binary has the profile and
    # configuration paths and the hook shims have the binary's path compiled in from it, so
    # `--prefix /usr` on a /usr/local build installs a broken tree (shims exec a missing
    # /usr/local/bin/suspendfix, the binary finds no profiles).
    prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:[A-Z]*=//p' "$TREE/CMakeCache.txt")
    say "installing $TREE into a temporary DESTDIR (its configured prefix ${prefix:-?})"
    DESTDIR="$W/destdir" cmake --install "$TREE" >"$W/install.log" 2>&1 \
        || { cat "$W/install.log" >&2; say "cmake --install failed"; return 4; }
}
case $TREE in
    ""|-|none)
        say "no build tree given: harness scenarios only" ;;
    standin)
        "$HERE/standin/make-standin-tree.sh" "$W/destdir" >/dev/null || exit 4
        DESTDIR_IN=$W/destdir
        say "using the harness STAND-IN tree (not suspendfix)" ;;
    *)
        [ -d "$TREE" ] || { say "BUILD_TREE $TREE is not a directory"; exit 4; }
        if [ -f "$TREE/CMakeCache.txt" ]; then
            step install install_tree || exit 4
            DESTDIR_IN=$W/destdir
        else
            DESTDIR_IN=$TREE
        fi ;;
esac

# --- 3. groups --------------------------------------------------------------------
if [ -n "${SFX_VM_GROUPS:-}" ]; then
    read -r -a GROUPS_ <<< "$SFX_VM_GROUPS"
else
    case $TREE in
        ""|-|none) GROUPS_=("harness=smoke,wake-sources") ;;
        standin)   GROUPS_=("harness=smoke,wake-sources" "standin=sfx-cli") ;;
        *) if [ "$KSERIES" = 6.1 ]; then
               GROUPS_=("hooks=smoke,wake-sources,sfx-cli,sfx-kernel-plan,sfx-systemd-hook,sfx-elogind-hook,sfx-pmutils-hook,sfx-s2idle"
                        "cycles=sfx-suspend,sfx-ten-cycles,sfx-device-actions,sfx-mounted-disk,sfx-self-heal"
                        "driver+edu=drv-phases,drv-no-profile,journey-diagnose,sfx-test-cycles,drv-profile,drv-pinned"
                        "systemd@systemd+edu=deb-smoke,client-systemctl,client-pm-suspend,systemd-killed,drv-no-profile,journey-diagnose,drv-profile"
                        "elogind@elogind+edu=deb-smoke,client-loginctl,elogind-cancel,drv-no-profile,drv-profile,sfx-test-cycles"
                        "sleeptest@systemd+edu=sfx-test-cycles")
           else # another kernel: the NEC hook and ten-cycle scenarios, after the plan check
               k=k${KSERIES//./}
               GROUPS_=("${k}_hooks=sfx-kernel-plan,sfx-systemd-hook,sfx-elogind-hook,sfx-pmutils-hook"
                        "${k}_cycles=sfx-kernel-plan,sfx-ten-cycles")
           fi ;;
    esac
fi
declare -A g_scen=() g_guest=() g_edu=()
names=()
need_edu=0 need_deb=0
for g in "${GROUPS_[@]}"; do
    spec=${g%%=*}; scen=${g#*=}
    edu=0; case $spec in *+edu*) edu=1; spec=${spec//+edu/} ;; esac
    name=${spec%%@*}; guest=busybox
    case $spec in *@*) guest=${spec#*@} ;; esac
    case $guest in
        busybox) ;;
        systemd|elogind)
            [ "${SFX_VM_DEB:-1}" = 0 ] && { say "SFX_VM_DEB=0: skipping group $name ($guest)"; continue; }
            need_deb=1 ;;
        *) say "group $g: unknown guest '$guest' (busybox, systemd, elogind)"; exit 4 ;;
    esac
    [ $edu = 1 ] && need_edu=1
    g_scen[$name]=$scen; g_guest[$name]=$guest; g_edu[$name]=$edu
    names+=("$name")
done

# --- 4. driver, initramfs, payload -----------------------------------------------------
KO_ARG=()
if [ $need_edu = 1 ]; then
    KO=$(step driver "$HERE/driver/build-driver.sh" -c "$CACHE" -k "$KVER") || { say "building the test driver failed"; exit 4; }
    KO_ARG=(-K "$KO")
fi
DESTDIR_ARG=()
[ -n "$DESTDIR_IN" ] && DESTDIR_ARG=(-d "$DESTDIR_IN")
# what the database lint says the NEC profile's holders and plan are on this kernel
EXPECT_ARG=()
if python3 "$HERE/lint-expect.py" "$HERE/../../docs/kernel-lint.md" nec-upd720200-xhci "$KVER" \
        > "$W/kernel-expect.sh"; then
    EXPECT_ARG=(-e "$W/kernel-expect.sh")
    say "database lint on this kernel: $(tr '\n' ' ' < "$W/kernel-expect.sh")"
else
    say "no expectations from the database lint for $KVER: sfx-kernel-plan will fail"
fi
step initramfs "$HERE/build-initramfs.sh" -c "$CACHE" -k "$KVER" "${DESTDIR_ARG[@]}" "${KO_ARG[@]}" "${EXPECT_ARG[@]}" \
    -o "$W/initrd.gz" || { say "build-initramfs failed"; exit 4; }
if [ $need_deb = 1 ]; then
    step payload "$HERE/make-payload.sh" -c "$CACHE" -k "$KVER" "${DESTDIR_ARG[@]}" "${KO_ARG[@]}" \
        -o "$W/payload" || { say "make-payload failed"; exit 4; }
    step deb-initramfs "$HERE/build-initramfs.sh" -c "$CACHE" -k "$KVER" -I "$HERE/deb-init.sh" \
        -P "$W/payload" -m virtio_pci -m virtio_blk -o "$W/deb-initrd.gz" \
        || { say "build-initramfs (boot initramfs) failed"; exit 4; }
fi

# --- 5. jobs: the images, then the VMs, JOBS at a time -------------------------------------
declare -A j_cmd=() j_dep=() j_pid=() j_rc=() j_start=()
order=()
add_job() { j_cmd[$1]=$2; j_dep[$1]=${3:-}; order+=("$1"); }
for flavour in systemd elogind; do
    for n in "${names[@]}"; do
        if [ "${g_guest[$n]}" = "$flavour" ]; then add_job "image:$flavour" "image $flavour"; break; fi
    done
done
# the long Debian VMs first, then the busybox ones in the order given
for n in "${names[@]}"; do [ "${g_guest[$n]}" != busybox ] && add_job "vm:$n" "vm $n" "image:${g_guest[$n]}"; done
for n in "${names[@]}"; do [ "${g_guest[$n]}" = busybox ] && add_job "vm:$n" "vm $n"; done

image() { "$HERE/build-image.sh" -c "$CACHE" -k "$KVER" -f "$1"; }  # prints the image path
vm() { # GROUP
    local n=$1 args=()
    [ "${SFX_VM_KEEP_LOGS:-0}" = 1 ] && args+=(--keep-logs)
    [ "${g_edu[$n]}" = 1 ] && args+=(--edu)
    if [ "${g_guest[$n]}" = busybox ]; then
        args+=(--initrd "$W/initrd.gz" --timeout "${SFX_VM_TIMEOUT:-300}")
        [ "$DISK_MB" -gt 0 ] && args+=(--usb-disk-mb "$DISK_MB")
    else
        args+=(--initrd "$W/deb-initrd.gz" --disk "$(cat "$W/image:${g_guest[$n]}.out")"
               --rng --append concurrency=none --mem 1G --smp "${SFX_VM_DEB_SMP:-1}" --timeout "${SFX_VM_DEB_TIMEOUT:-600}")
    fi
    "$HERE/run-vm.py" --kernel "$CACHE/kernel-$KVER/root/boot/vmlinuz-$KVER" \
        --scenario "${g_scen[$n]}" --name "$n" --artefacts "$ART" --json "$ART/$n.summary.json" \
        "${args[@]}"
}

first_rc=0
results=()
finish() { # JOB RC
    local j=$1 rc=$2
    j_rc[$j]=$rc
    printf '%s\t%s\t%s\t%s\t%s\n' "${j%%:*}" "${j#*:}" "${j_start[$j]}" "$(now)" "$rc" >> "$TIMES"
    case $j in
        vm:*) [ -f "$W/$j.out" ] && cat "$W/$j.out"
              results+=("${j#vm:}: $( [ "$rc" -eq 0 ] && echo PASS || echo "FAIL (exit $rc)")") ;;
        image:*) [ "$rc" -eq 0 ] || { tail -n 20 "$W/$j.err" >&2; results+=("$j: FAIL (exit $rc)"); } ;;
    esac
    if [ "$rc" -ne 0 ] && [ "$first_rc" -eq 0 ]; then
        first_rc=$rc
        [ "${j%%:*}" = image ] && first_rc=4
    fi
    return 0
}
pending=("${order[@]}")
running=0
while [ ${#pending[@]} -gt 0 ] || [ $running -gt 0 ]; do
    rest=()
    for j in "${pending[@]}"; do
        d=${j_dep[$j]}
        if [ -n "$d" ] && [ -n "${j_rc[$d]:-}" ] && [ "${j_rc[$d]}" -ne 0 ]; then
            say "$j skipped: $d failed"; finish "$j" 4; continue
        fi
        if [ $running -lt "$JOBS" ] && { [ -z "$d" ] || [ "${j_rc[$d]:-}" = 0 ]; }; then
            j_start[$j]=$(now)
            say "[$(now) s] start $j"
            # shellcheck disable=SC2086
            ${j_cmd[$j]} > "$W/$j.out" 2> "$W/$j.err" &
            j_pid[$!]=$j
            running=$((running + 1))
        else
            rest+=("$j")
        fi
    done
    pending=("${rest[@]}")
    [ $running -eq 0 ] && continue
    wait -n -p done_pid; rc=$?
    j=${j_pid[$done_pid]}
    running=$((running - 1))
    say "[$(now) s] done $j (exit $rc)"
    finish "$j" "$rc"
done

echo "==== run-smoke summary (kernel $KVER, $(now) s wall, $JOBS jobs at a time)"
for r in "${results[@]}"; do echo "  $r"; done
# also kept as ARTEFACT_DIR/time-report.txt: scripts/test.sh prints it after ctest, which
# shows a passing test's output only in its log
python3 "$HERE/time-report.py" "$TIMES" "$ART" "$W" | tee "$ART/time-report.txt" || true
if [ "$first_rc" -eq 0 ]; then echo "==== ALL VM GROUPS PASSED"; else echo "==== FAILED (logs in $ART)"; fi
exit "$first_rc"
