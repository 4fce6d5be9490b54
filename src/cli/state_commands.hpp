// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "cli/context.hpp"

namespace suspendfix {

/// `suspendfix restore`: undoes everything recorded; 1 when something could not be undone.
int run_restore(const ScanOptions& scan, bool dry_run, bool forget_unreadable);

}  // namespace suspendfix
