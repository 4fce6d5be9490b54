#!/bin/sh
# sfx-systemd-hook.sh - the systemd-sleep hook around real S3 cycles, called the way
# systemd-sleep calls it: "HOOK pre suspend", write mem, "HOOK post suspend"; and
# "post" without "pre" changes nothing.
. /sfx/guest-lib.sh
require_suspendfix
sleep_hook_scenario systemd "$SFX_SYSTEMD_HOOK" 2
exit 0
