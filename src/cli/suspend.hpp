// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <functional>
#include <string>

#include "cli/context.hpp"

namespace suspendfix {

/// One sleep through suspendfix's own hook, as `suspendfix suspend` does it and `suspendfix
/// test --through self` repeats it.
struct SuspendRequest {
  ScanOptions scan;
  std::string mode = "mem";  // what goes into /sys/power/state: mem, freeze, disk
  std::string mem_sleep;     // written to /sys/power/mem_sleep first, unless empty
  bool dry_run = false;
  /// Called after pre and sync(2), just before the write to /sys/power/state (test: arm the
  /// RTC alarm), and right after the write returned, before post (test: note the wake).
  std::function<void()> before_write;
  std::function<void()> after_write;
};

struct SuspendOutcome {
  int open_error = 0;   // /sys/power/state could not be opened: nothing was done
  bool pre_ok = true;   // false: pre could not run, and no sleep was attempted
  bool wrote = false;   // the write to /sys/power/state was attempted
  int write_error = 0;  // its errno: the kernel refused to sleep
  bool post_ok = true;  // post loaded back everything recorded
  int status = 0;       // `suspend`'s exit status: 0, or 1 when anything above went wrong
};

/// Opens /sys/power/state (the point of no return known before anything changes), runs pre,
/// writes the mode, runs post. Throws UsageError for a bad mode or mem_sleep.
SuspendOutcome suspend_once(const SuspendRequest& request);

}  // namespace suspendfix
