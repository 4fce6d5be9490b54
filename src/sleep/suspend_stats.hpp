// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace suspendfix {

/// What the kernel counts about system sleeps: /sys/power/suspend_stats (5.4+), or the one file
/// /sys/kernel/debug/suspend_stats of older kernels. The counters only grow, so two snapshots
/// tell whether a sleep was attempted between them and how it ended; the last_* fields are
/// stale two-entry rings the kernel never clears, to be trusted only when a device-phase
/// counter moved (see diff()). Pure: the readers below take text.
struct SuspendStats {
  enum Counter {
    kSuccess,
    kFail,
    kFailedFreeze,
    kFailedPrepare,
    kFailedSuspend,
    kFailedSuspendLate,
    kFailedSuspendNoirq,
    kFailedResume,
    kFailedResumeEarly,
    kFailedResumeNoirq,
    kCounterCount
  };
  /// nullopt for a counter this kernel does not have.
  std::array<std::optional<uint64_t>, kCounterCount> counters{};
  /// Newest first. sysfs shows one entry, debugfs both of the kernel's ring.
  std::vector<std::string> last_failed_devices;
  std::vector<int> last_failed_errnos;  // negative, as the kernel prints them (-16)
  std::vector<std::string> last_failed_steps;
  /// Microseconds in hardware sleep (6.4+, only where the FADT has the low-power-S0 flag).
  std::optional<uint64_t> last_hw_sleep_us, total_hw_sleep_us, max_hw_sleep_us;

  uint64_t count(Counter counter) const { return counters[counter].value_or(0); }
  /// success + fail: every attempt to sleep the kernel started (freeze failures included).
  uint64_t attempts() const { return count(kSuccess) + count(kFail); }
  bool empty() const;
};

/// The file name of a counter in /sys/power/suspend_stats ("failed_suspend_late").
const char* suspend_stats_counter_name(SuspendStats::Counter counter);

/// Applies one file of /sys/power/suspend_stats, by its name, to stats. Unknown names and
/// values that are not numbers are ignored (the kernel adds files; a reader must not break).
void apply_suspend_stats_file(SuspendStats& stats, std::string_view name, std::string_view text);

/// Parses /sys/kernel/debug/suspend_stats ("success: 3", ..., "failures:", then
/// "  last_failed_dev:\t<newest>" and "\t\t\t<older>" lines).
SuspendStats parse_debugfs_suspend_stats(std::string_view text);

/// Reads the sysfs directory, else the debugfs file; nullopt when the kernel offers neither.
/// Never blocks and never throws.
std::optional<SuspendStats> read_suspend_stats(
    const std::string& sysfs_dir = "/sys/power/suspend_stats",
    const std::string& debugfs_file = "/sys/kernel/debug/suspend_stats");

/// What changed between two snapshots of the counters.
struct SuspendStatsDelta {
  std::array<int64_t, SuspendStats::kCounterCount> moved{};

  bool attempted() const { return moved[SuspendStats::kSuccess] + moved[SuspendStats::kFail] > 0; }
  bool failed() const { return moved[SuspendStats::kFail] > 0; }
  /// The step a device callback failed in during these sleeps (failed_suspend..failed_resume_noirq
  /// moved), the one condition under which last_failed_dev describes them. nullopt otherwise.
  std::optional<SuspendStats::Counter> device_step() const;
  /// freeze or prepare failed (no device callback; last_failed_dev is stale then).
  std::optional<SuspendStats::Counter> early_step() const;
};
SuspendStatsDelta diff(const SuspendStats& before, const SuspendStats& after);

/// The counters as one line of words, "success=3 fail=1 failed_suspend=1 ...", for a state
/// record; parse_suspend_counters() reads it back (unknown or bad words are skipped).
std::string format_suspend_counters(const SuspendStats& stats);
SuspendStats parse_suspend_counters(std::string_view text);

}  // namespace suspendfix
