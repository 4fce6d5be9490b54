#!/bin/sh
# STAND-IN for /usr/bin/suspendfix, used only to prove the VM harness and its
# suspendfix scenarios before the real binary exists. It is NOT suspendfix: it knows
# only the NEC uPD720200 (1033:0194) and implements the documented interface with
# busybox sh:
#   suspendfix detect [--json] | status | hook pre|post | suspend --mode mem|freeze
# State: /run/suspendfix/state, one "MODULE SLOT" line per unloaded module.
STATE_DIR=/run/suspendfix
STATE=$STATE_DIR/state
PROBE=/usr/lib/suspendfix-standin/elfprobe

nec_devices() {
    for d in /sys/bus/pci/devices/*; do
        [ "$(cat "$d/vendor")" = 0x1033 ] && [ "$(cat "$d/device")" = 0x0194 ] && echo "${d##*/}"
    done
}
driver_of() { l=$(readlink "/sys/bus/pci/devices/$1/driver" 2>/dev/null) && echo "${l##*/}" || echo -; }
module_of() { l=$(readlink "/sys/bus/pci/devices/$1/driver/module" 2>/dev/null) && echo "${l##*/}" || echo -; }

cmd_detect() {
    json=0; [ "${1:-}" = --json ] && json=1
    [ -x "$PROBE" ] && "$PROBE" 0x1033 0x0194 >/dev/null 2>&1 # exercise libudev+libkmod
    sep=
    [ $json = 1 ] && printf '{"devices":['
    for s in $(nec_devices); do
        if [ $json = 1 ]; then
            printf '%s{"slot":"%s","vendor":"1033","device":"0194","driver":"%s","module":"%s","profile":"nec-upd720200"}' \
                "$sep" "$s" "$(driver_of "$s")" "$(module_of "$s")"
            sep=,
        else
            echo "$s 1033:0194 NEC uPD720200 USB 3.0 driver=$(driver_of "$s") module=$(module_of "$s") profile=nec-upd720200"
        fi
    done
    [ $json = 1 ] && printf ']}\n'
    return 0
}

cmd_pre() {
    mkdir -p "$STATE_DIR"
    [ -s "$STATE" ] && { echo "suspendfix(standin): state exists, pre already ran"; return 0; }
    : > "$STATE.tmp"
    for s in $(nec_devices); do
        m=$(module_of "$s")
        [ "$m" = - ] && continue
        grep -q "^$m " "$STATE.tmp" && continue
        if rmmod "$m"; then echo "$m $s" >> "$STATE.tmp"; echo "unloaded $m ($s)"
        else echo "suspendfix(standin): failed to unload $m" >&2; fi
    done
    mv "$STATE.tmp" "$STATE"
}

cmd_post() {
    [ -f "$STATE" ] || { echo "no state: nothing to restore"; return 0; }
    rc=0
    # reverse order
    for m in $(cut -d' ' -f1 "$STATE" | sed -n '1!G;h;$p'); do
        modprobe "$m" && echo "loaded $m" || { echo "suspendfix(standin): failed to load $m" >&2; rc=1; }
    done
    rm -f "$STATE"
    return $rc
}

case ${1:-} in
    detect) shift; cmd_detect "$@" ;;
    status) if [ -f "$STATE" ]; then echo "unloaded:"; cat "$STATE"; else echo "no saved state"; fi ;;
    hook) case ${2:-} in pre) cmd_pre ;; post) cmd_post ;; *) exit 2 ;; esac ;;
    suspend)
        mode=mem; [ "${2:-}" = --mode ] && mode=${3:-mem}
        cmd_pre || exit 1
        echo "$mode" > /sys/power/state
        # shellcheck disable=SC2320
        rc=$?
        cmd_post || rc=1
        exit $rc ;;
    --version) echo "suspendfix-standin 0" ;;
    *) echo "usage: suspendfix detect [--json]|status|suspend --mode mem|freeze" >&2; exit 2 ;;
esac
