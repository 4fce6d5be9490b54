#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# client-loginctl.sh - the NEC controller through elogind (sysvinit guest, elogind 246):
# `loginctl suspend` runs /usr/lib/elogind/system-sleep/suspendfix pre and post around a
# real S3 and returns after post; the hook logs to syslog (elogind drops a post hook's output).
. /sfx/guest-lib.sh
require_suspendfix
nec_client_cycles loginctl lc 2
exit 0
