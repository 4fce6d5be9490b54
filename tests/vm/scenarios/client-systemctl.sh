#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# client-systemctl.sh - the NEC controller through the real systemd path (systemd guest):
# `systemctl suspend` -> logind -> systemd-suspend.service -> systemd-sleep -> the installed
# hook, around real S3, twice: xhci_pci unloaded before the sleep and bound again after,
# the hook's lines in the journal of systemd-suspend.service, nothing left recorded.
. /sfx/guest-lib.sh
require_suspendfix
nec_client_cycles systemctl cs 2
exit 0
