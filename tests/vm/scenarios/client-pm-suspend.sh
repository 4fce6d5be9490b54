#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# client-pm-suspend.sh - the NEC controller through pm-utils (systemd guest, pm-utils 1.4.1):
# `pm-suspend` runs /usr/lib/pm-utils/sleep.d/77suspendfix (suspend, then resume) around a
# real S3 it enters itself; checked in /var/log/pm-suspend.log and the kernel log.
. /sfx/guest-lib.sh
require_suspendfix
nec_client_cycles pm-suspend pm 1
check pm.log_finished client_log_has '^.*Finished\.?$|performing suspend'
exit 0
