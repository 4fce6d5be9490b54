// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "diagnose/failure.hpp"
#include "sleep/sleep_log.hpp"
#include "sleep/state_format.hpp"
#include "sleep/suspend_stats.hpp"

namespace suspendfix {

/// A PCI device that had a driver before the cycle and whose driver's module (or the device
/// itself) the hook took away: it must be bound to the same driver again after the wake.
struct DeviceReturn {
  std::string slot;
  std::string driver;
  std::string module;
  bool bound = false;               // bound to `driver` again within the bound
  std::optional<int64_t> after_ns;  // from the wake (or from the sleep's end) to bound again
};

/// What the sleep itself said, from the path that performed it.
struct SleepOutcome {
  bool pre_failed = false;         // self: pre could not run, so no sleep was attempted
  int write_error = 0;             // self: the errno of the write to /sys/power/state
  std::optional<int> exit_status;  // a client's exit status (128 + N when killed by signal N)
  std::string output;              // a client's last output lines, for the report
  std::string error;               // the client could not be run ("pm-suspend: not found")
  bool timed_out = false;          // the client, the sleep or the post did not come in time
  std::string timed_out_what;      // "no post within 120 s"
};

/// Everything one cycle saw: the input of judge_cycle(). Times are CLOCK_MONOTONIC and
/// CLOCK_BOOTTIME - CLOCK_MONOTONIC ("asleep") in nanoseconds.
struct CycleObservation {
  int number = 0;
  std::optional<SuspendStats> counters_before, counters_after;
  int64_t asleep_before_ns = 0, asleep_after_ns = 0;
  int64_t started_ns = 0, ended_ns = 0;
  std::optional<int64_t> wake_ns;    // when this process first ran again after the sleep
  bool alarm_pending_after = false;  // the RTC alarm had not fired: woken by something else
  int rearms = 0;                    // times the alarm was pushed back while the sleep was late
  std::vector<SleepLogEntry> hook_entries;  // the sleep log's entries written in this cycle
  SleepOutcome outcome;
  std::vector<DeviceReturn> devices;
  std::vector<StateRecord> pending_after;   // what stays recorded after the cycle
  std::vector<SleepAttempt> failed_sleeps;  // from the kernel log since the cycle began
};

/// What went wrong in a failed sleep, as precisely as the kernel log and counters tell.
struct CycleFailure {
  FailureKind kind = FailureKind::kUnknown;
  std::string device;         // "0000:00:05.0"
  std::string kernel_device;  // "+pci:0000:00:05.0", from the journal or /dev/kmsg
  std::string driver;         // "sfx_broken"
  std::string module;         // "sfx_brokenmod": the module behind the driver
  std::string phase;          // "suspend async"
  std::string step;           // the counter that moved: "failed_suspend"
  std::optional<int> error;   // -16
  std::string message;        // the kernel's line, or what the path said
  std::string wakeup_source;
  std::vector<std::string> tasks;
};

/// One cycle's verdict and figures.
struct CycleReport {
  int number = 0;
  bool ok = false;
  std::vector<std::string> problems;  // why it failed, most important first
  std::vector<std::string> notes;     // what is worth knowing without failing it
  bool slept = false;                 // the kernel counted a successful sleep (or time asleep)
  int attempts = 0;                   // sleeps the kernel started (a retry in s2idle counts)
  int failed_attempts = 0;
  std::optional<SuspendStatsDelta> counters;  // nullopt: this kernel keeps no counters
  int64_t asleep_ms = 0;
  std::optional<int64_t> hw_sleep_us;  // time in hardware sleep, where the kernel says
  int64_t duration_ms = 0;
  std::optional<int64_t> resume_ms;  // wake -> every device of the hook bound again
  bool pre_ran = false, post_ran = false;
  std::vector<SleepLogAction> brought_back;  // what post undid (back) or could not (left)
  std::vector<DeviceReturn> devices;
  std::optional<CycleFailure> failure;
  SleepOutcome outcome;
  std::vector<StateRecord> pending_after;
};

/// The verdict: a cycle is good when the machine slept (the kernel counted a success and
/// no failure), the hook's pre and post both ran, post brought everything back, every device
/// of the modules it brought back is bound to its driver again, and nothing stays recorded.
/// resolve, when given, completes the failing device's driver and module (from sysfs: the
/// module behind the driver, never the driver's name). Pure but for resolve.
CycleReport judge_cycle(const CycleObservation& observation,
                        const std::function<void(CycleFailure&)>& resolve = {});

/// "0000:00:05.0" and the rest from the kernel log's failed sleeps (the first attempt of the
/// cycle), else from the counters (last_failed_dev is trusted only when a device step moved).
std::optional<CycleFailure> cycle_failure(const CycleObservation& observation);

/// The entries of `after` that are not in `before`: the sleep log is a window of the last
/// entries, so the new ones are those after the last entry `before` ended with.
std::vector<SleepLogEntry> new_sleep_log_entries(const std::vector<SleepLogEntry>& before,
                                                 const std::vector<SleepLogEntry>& after);

}  // namespace suspendfix
