# bench/vm/lib.sh - sourced by bench/vm/run.sh, start.sh and parallel.sh: arguments, the
# shellcheck shell=bash
# installed tree, the initramfs and one boot of the VM of tests/vm with one bench scenario.
# bash; expects HERE (bench/vm) and N (default repetitions) set by the caller.
ROOT=$(cd "$HERE/../.." && pwd)
VM=$ROOT/tests/vm
say() { echo "${BENCH_NAME:-bench}: $*" >&2; }

# bench_args "$@": [-n REPS] [CACHE_DIR] [BUILD_TREE] [OUT_DIR] -> N, CACHE, TREE, OUT
bench_args() {
    if [ "${1:-}" = -n ]; then N=$2; shift 2; fi
    [ "$N" -ge 3 ] 2>/dev/null || { say "-n must be >= 3"; exit 2; }
    CACHE=${1:-${SUSPENDFIX_VM_CACHE:-${HOME:-/root}/.cache/suspendfix-vm}}
    TREE=${2:-$ROOT/build}
    OUT=${3:-${TMPDIR:-/tmp}/suspendfix-vm-$BENCH_NAME}
    mkdir -p "$OUT"
    OUT=$(cd "$OUT" && pwd)
}

# bench_aslr: SFX_VM_ASLR (on, the default, or off) -> ASLR, and BENCH_APPEND gets
# "norandmaps" for off: every process then maps its libraries at the same addresses, so QEMU
# 7.2's TCG finds the code it translated for the last process (its translation cache is keyed
# by virtual address too). bench/vm/README.md, "Process start under TCG".
# shellcheck disable=SC2034 # ASLR is for the caller's report
bench_aslr() {
    case ${SFX_VM_ASLR:-on} in
        on) ASLR=on ;;
        off) ASLR=off; BENCH_APPEND="${BENCH_APPEND:-} norandmaps" ;;
        *) say "SFX_VM_ASLR must be on or off"; exit 2 ;;
    esac
}

# bench_boot SCENARIO TIMEOUT [run-vm.py ARGS...]: installs TREE, builds the initramfs with
# bench/vm/scenarios and boots it once (kernel command line + $BENCH_APPEND); leaves
# summary.json in OUT and sets KVER and LOAD.
bench_boot() {
    local scenario=$1 timeout=$2 w rc
    shift 2
    w=$(mktemp -d "${TMPDIR:-/tmp}/sfx-vm-$BENCH_NAME.XXXXXX")
    # shellcheck disable=SC2064 # expand now: w is local
    trap "rm -rf '$w'" EXIT
    KVER=$("$VM/fetch-kernel.sh" "$CACHE") || { say "fetch-kernel failed"; exit 4; }
    [ -d "$TREE" ] || { say "BUILD_TREE $TREE is not a directory"; exit 4; }
    local dest=$TREE
    if [ -f "$TREE/CMakeCache.txt" ]; then
        DESTDIR="$w/destdir" cmake --install "$TREE" >"$w/install.log" 2>&1 \
            || { cat "$w/install.log" >&2; say "cmake --install failed"; exit 4; }
        dest=$w/destdir
    fi
    "$VM/build-initramfs.sh" -c "$CACHE" -k "$KVER" -d "$dest" -s "$HERE/scenarios" -o "$w/initrd.gz" \
        || { say "build-initramfs failed"; exit 4; }
    LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
    say "kernel $KVER, $N repetitions, ${SFX_VM_SMP:-1} vCPU(s)${ASLR:+, guest ASLR $ASLR}, host load $LOAD; booting"
    "$VM/run-vm.py" --kernel "$CACHE/kernel-$KVER/root/boot/vmlinuz-$KVER" --initrd "$w/initrd.gz" \
        --smp "${SFX_VM_SMP:-1}" --scenario "$scenario" --name "$BENCH_NAME" \
        --timeout "${SFX_VM_TIMEOUT:-$timeout}" --append "sfx.bench_n=$N${BENCH_APPEND:-}" --artefacts "$OUT" \
        --keep-logs --json "$OUT/summary.json" "$@" > "$OUT/run-vm.out" 2>&1
    rc=$?
    [ $rc -eq 0 ] || { cat "$OUT/run-vm.out"; say "VM run failed (exit $rc), logs in $OUT/$BENCH_NAME"; exit $rc; }
}
