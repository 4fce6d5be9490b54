#!/bin/sh
# sfx-elogind-hook.sh - the elogind system-sleep hook (same calling convention as
# systemd's: "pre|post suspend"; elogind may run "post" without "pre").
. /sfx/guest-lib.sh
require_suspendfix
sleep_hook_scenario elogind "$SFX_ELOGIND_HOOK" 1
exit 0
