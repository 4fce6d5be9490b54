// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sleep/state_format.hpp"

namespace suspendfix {

/// /proc/sys/kernel/random/boot_id, "" when it cannot be read (records then carry "-", and
/// boots cannot be told apart).
std::string read_boot_id();

/// CLOCK_MONOTONIC in nanoseconds: stands still while the machine sleeps.
int64_t monotonic_ns();
/// CLOCK_BOOTTIME - CLOCK_MONOTONIC in nanoseconds: the time spent asleep since boot. It grows
/// only across a suspend or hibernation, so a jump means a sleep happened, even on kernels
/// without /sys/power/suspend_stats.
int64_t asleep_ns();

/// The fields of /proc/PID/stat the watcher needs.
struct ProcessStat {
  int pid = 0;
  std::string name;  // comm, at most 15 characters
  char state = '?';  // 'Z' for a zombie
  int parent = 0;
  uint64_t start_time = 0;  // in clock ticks since boot: with the pid, one process for good
};
/// Parses /proc/PID/stat; comm may hold spaces and parentheses. Pure.
std::optional<ProcessStat> parse_process_stat(std::string_view text);
std::optional<ProcessStat> read_process_stat(int pid);

/// The sleep system a hook was called from: walks up the parents from `from` (the hook's
/// parent) looking for systemd-sleep, pm-utils' pm-action shell (the outermost of its
/// subshells) or elogind. Anything else, a person's shell for one, is not watched (kind
/// kNone). read is the seam for tests. Pure given read.
SleepCaller find_sleep_caller(int from, const std::function<std::optional<ProcessStat>(int)>& read);

/// Whether the watched sleep system is still at work: a kProcess while it lives, a kDaemon
/// while it has children (the hooks it runs). False for kNone and for a reused pid.
bool sleep_caller_busy(const SleepCaller& caller);

}  // namespace suspendfix
