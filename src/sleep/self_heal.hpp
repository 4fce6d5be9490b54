// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace suspendfix {

/// The self-healing watcher's decision, pure so that it can be tested with a fake clock and
/// fake observations (cli/watch.cpp makes the observations). Times are CLOCK_MONOTONIC
/// nanoseconds, which stand still while the machine sleeps.
///
/// After a `pre` that left something pending, the watcher polls until one of:
///  - the record is settled: `post` or `restore` ran, or a newer `pre` took over -> exit;
///  - a sleep happened (the suspend counters moved, or CLOCK_BOOTTIME - CLOCK_MONOTONIC
///    jumped), the sleep system is no longer busy and `restore_after` passed since the wake
///    without a `post` -> restore;
///  - no sleep happened, the sleep system is no longer busy (or is not watched), and
///    `restore_after` passed since pre or since it was last seen busy: the sleep was
///    cancelled -> restore.
/// A sleep system still busy `busy_cap` after pre (or after the wake) counts as no longer
/// busy: a hung sleep system must not keep modules away for good.
/// With `restore_at_wake` (the configuration's reload_at_wake), the first poll that sees a
/// sleep restores at once, whoever is busy: the watcher is already running when the machine
/// wakes, so it loads before any post hook could have started.
struct WatchPolicy {
  int64_t restore_after_ns = 10'000'000'000;
  int64_t busy_cap_ns = 120'000'000'000;
  bool restore_at_wake = false;
};

/// What one poll saw.
struct WatchObservation {
  int64_t now_ns = 0;
  bool settled = false;         // no record, no watch header, or another generation
  bool counters_moved = false;  // success + fail in /sys/power/suspend_stats grew
  bool time_jumped = false;     // CLOCK_BOOTTIME - CLOCK_MONOTONIC grew: the machine slept
  bool caller_busy = false;     // the watched sleep system is still at work; false: unwatched
  bool thawed = false;          // a stop ended the watcher's pause lately (WatchPause): a thaw
};

/// What the watcher remembers between polls; start it with start_watch_memory().
struct WatchMemory {
  int64_t started_ns = 0;                // pre
  std::optional<int64_t> sleep_seen_ns;  // the first poll that saw a sleep
  int64_t quiet_since_ns = 0;            // since when the sleep system was not busy
};
WatchMemory start_watch_memory(int64_t pre_monotonic_ns);

enum class WatchVerdict { kWait, kRestore, kExit };
const char* watch_verdict_name(WatchVerdict verdict);

struct WatchDecision {
  WatchVerdict verdict = WatchVerdict::kWait;
  std::string reason;  // for the log, with kRestore and kExit
};

/// One step: updates memory and says what to do. caller_name names the sleep system in the
/// reason ("systemd-sleep (pid 812)"), empty when it is not watched.
WatchDecision decide_watch(const WatchPolicy& policy, const WatchObservation& observation,
                           WatchMemory& memory, const std::string& caller_name = "");

}  // namespace suspendfix
