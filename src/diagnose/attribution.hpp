// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "diagnose/failure.hpp"
#include "sleep/sleep_log.hpp"
#include "sleep/suspend_stats.hpp"

namespace suspendfix {

/// The kernel's counters around a stretch of time: before one sleep (or at boot) and after
/// it. This is the one way counters reach diagnose: one window per sleep from the hook's
/// sleep log (its counters at pre and at post: windows_from_sleep_log()), so that a failure
/// is tied to the sleep it happened in although the kernel's last_* fields are stale rings;
/// else one window from boot to now (windows_since_boot()).
struct CounterWindow {
  std::string label;                   // "this boot", "suspend at 12:04:31"
  std::optional<SuspendStats> before;  // nullopt: since boot, when every counter was 0
  SuspendStats after;
};

/// One window: this boot, from the counters as they are now.
std::vector<CounterWindow> windows_since_boot(const SuspendStats& now);

/// One window per sleep the hook saw this boot (entries of boot_id only), newest first: from a
/// pre's counters to the post that followed it, or, when no post came (a cancelled sleep, the
/// hook killed), to the next pre or to now. The kernel's last_failed_* fields describe the
/// newest window in which a device step moved, and only when no device step moved after it;
/// that window alone gets them. Empty when the log has no entry of this boot.
std::vector<CounterWindow> windows_from_sleep_log(const std::vector<SleepLogEntry>& entries,
                                                  const std::string& boot_id,
                                                  const SuspendStats& now);

/// What one window's counters say, and whether the log agrees.
struct CounterFinding {
  std::string label;
  uint64_t attempts = 0;
  uint64_t failed = 0;
  std::string step;                // the counter that moved: "failed_suspend", "failed_freeze"
  std::optional<Failure> failure;  // what the counters alone tell of the newest failure
  bool in_log = false;             // a failure in the log matches it
};

struct Attribution {
  std::vector<CounterFinding> windows;  // in the order given (newest first)
  uint64_t counted_failures = 0;        // sleeps the counters say failed
  uint64_t logged_failed_sleeps = 0;    // failed sleeps the log shows
};

/// Compares the counters with the failed sleeps of the log. A failure the counters show and
/// the log does not (lines rotated away or rate-limited, pm_debug_messages off) is added to
/// findings as a sleep of its own, newest first, with from_counters set.
Attribution attribute(LogFindings& findings, const std::vector<CounterWindow>& windows);

}  // namespace suspendfix
