// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleeptest/cycle.hpp"

#include <algorithm>
#include <cstring>

namespace suspendfix {
namespace {

std::string record_name(StateRecord::Kind kind, const std::string& object) {
  return std::string(state_kind_name(kind)) + " " + object;
}

/// "failed_suspend_late" -> "suspend late": the counter's step in words.
std::string step_words(std::string step) {
  if (step.rfind("failed_", 0) == 0) step.erase(0, 7);
  for (char& c : step)
    if (c == '_') c = ' ';
  return step.empty() ? "sleep" : step;
}

std::string describe(const CycleFailure& failure) {
  std::string out;
  switch (failure.kind) {
    case FailureKind::kDevice:
    case FailureKind::kPrepare: {
      out = failure.driver.empty() ? "device " + failure.device
                                   : failure.driver + " " + failure.device;
      if (!failure.module.empty()) out += " (module " + failure.module + ")";
      out +=
          failure.kind == FailureKind::kPrepare
              ? " refused to prepare"
              : " failed to " + (failure.phase.empty() ? step_words(failure.step) : failure.phase);
      break;
    }
    case FailureKind::kFreeze: {
      out = "tasks refused to freeze";
      for (size_t i = 0; i < failure.tasks.size() && i < 5; ++i)
        out += (i == 0 ? ": " : ", ") + failure.tasks[i];
      break;
    }
    case FailureKind::kWakeup:
      out = "a wakeup event aborted it" +
            (failure.wakeup_source.empty() ? "" : " (wakeup source " + failure.wakeup_source + ")");
      break;
    case FailureKind::kHook:
    case FailureKind::kUnknown:
      out = failure.message.empty() ? "the kernel does not say why" : failure.message;
      break;
  }
  if (failure.error && failure.kind != FailureKind::kHook) {
    out += ": error " + std::to_string(*failure.error);
    const std::string name = errno_name(*failure.error);
    if (!name.empty()) out += " (" + name + ")";
  }
  return out;
}

CycleFailure from_log(const Failure& failure) {
  CycleFailure out;
  out.kind = failure.kind;
  out.device = failure.device;
  out.kernel_device = failure.kernel_device;
  out.driver = failure.driver;
  out.module = failure.module;
  out.phase = failure.phase;
  out.error = failure.error;
  out.message = failure.message;
  out.wakeup_source = failure.wakeup_source;
  out.tasks = failure.tasks;
  return out;
}

}  // namespace

std::vector<SleepLogEntry> new_sleep_log_entries(const std::vector<SleepLogEntry>& before,
                                                 const std::vector<SleepLogEntry>& after) {
  if (before.empty()) return after;
  for (size_t i = after.size(); i-- > 0;)
    if (same_sleep_log_entry(after[i], before.back()))
      return {after.begin() + static_cast<std::ptrdiff_t>(i) + 1, after.end()};
  return after;  // the window moved past what was seen: everything is new
}

std::optional<CycleFailure> cycle_failure(const CycleObservation& observation) {
  std::optional<SuspendStatsDelta> delta;
  if (observation.counters_before && observation.counters_after)
    delta = diff(*observation.counters_before, *observation.counters_after);
  std::string step;
  if (delta) {
    if (const auto counter = delta->device_step())
      step = suspend_stats_counter_name(*counter);
    else if (const auto early = delta->early_step())
      step = suspend_stats_counter_name(*early);
  }
  // The first attempt of the cycle: a retry in another state fails the same way, or not at all.
  for (auto sleep = observation.failed_sleeps.rbegin(); sleep != observation.failed_sleeps.rend();
       ++sleep) {
    if (sleep->failures.empty()) continue;
    CycleFailure failure = from_log(sleep->failures.front());
    failure.step = step;
    if (failure.kind == FailureKind::kHook && failure.message.empty())
      failure.message = sleep->manager_error;
    return failure;
  }
  const bool kernel_failed = delta && (delta->failed() || delta->device_step());
  if (!kernel_failed && observation.outcome.write_error == 0) return std::nullopt;
  CycleFailure failure;
  failure.step = step;
  const SuspendStats* after = observation.counters_after ? &*observation.counters_after : nullptr;
  if (delta && delta->device_step() && after && !after->last_failed_devices.empty()) {
    // last_failed_dev describes this cycle only because a device step moved (diagnose.md).
    failure.kind = FailureKind::kDevice;
    failure.device = after->last_failed_devices.front();
    if (!after->last_failed_errnos.empty()) failure.error = after->last_failed_errnos.front();
    if (!after->last_failed_steps.empty()) failure.phase = after->last_failed_steps.front();
  } else if (step == "failed_freeze") {
    failure.kind = FailureKind::kFreeze;
  } else if (step == "failed_prepare") {
    failure.kind = FailureKind::kPrepare;
  } else if (observation.outcome.write_error != 0) {
    failure.kind = FailureKind::kUnknown;
    failure.message = std::string("writing to /sys/power/state failed: ") +
                      std::strerror(observation.outcome.write_error);
  }
  return failure;
}

CycleReport judge_cycle(const CycleObservation& observation,
                        const std::function<void(CycleFailure&)>& resolve) {
  CycleReport report;
  const SleepOutcome& outcome = observation.outcome;
  report.number = observation.number;
  report.outcome = outcome;
  report.devices = observation.devices;
  report.pending_after = observation.pending_after;
  report.duration_ms = (observation.ended_ns - observation.started_ns) / 1'000'000;
  report.asleep_ms =
      std::max<int64_t>(0, observation.asleep_after_ns - observation.asleep_before_ns) / 1'000'000;
  const SuspendStats* before =
      observation.counters_before ? &*observation.counters_before : nullptr;
  const SuspendStats* after = observation.counters_after ? &*observation.counters_after : nullptr;
  if (before && after && !after->empty()) {
    report.counters = diff(*before, *after);
    report.attempts = static_cast<int>(report.counters->moved[SuspendStats::kSuccess] +
                                       report.counters->moved[SuspendStats::kFail]);
    report.failed_attempts = static_cast<int>(report.counters->moved[SuspendStats::kFail]);
    report.slept = report.counters->moved[SuspendStats::kSuccess] > 0;
    if (before->total_hw_sleep_us && after->total_hw_sleep_us)
      report.hw_sleep_us = *after->total_hw_sleep_us - *before->total_hw_sleep_us;
    else if (after->last_hw_sleep_us && report.slept)
      report.hw_sleep_us = *after->last_hw_sleep_us;
  } else {
    report.slept = report.asleep_ms > 10;  // no counters: only the clocks tell (10 ms: jitter)
    report.attempts = report.slept ? 1 : 0;
  }

  // The sleep.
  const bool started = outcome.error.empty();
  if (!started) report.problems.push_back("could not start the sleep: " + outcome.error);
  if (outcome.pre_failed)
    report.problems.push_back("pre could not run, so the machine did not sleep");
  report.failure = cycle_failure(observation);
  if (report.failure && resolve) resolve(*report.failure);
  const bool failed = report.failed_attempts > 0 || outcome.write_error != 0 ||
                      (!report.counters && report.failure && !report.slept);
  if (failed)
    report.problems.push_back("the sleep failed: " + (report.failure ? describe(*report.failure)
                                                                     : "the kernel does not say"));
  else if (report.failure)  // the machine slept, and a device failed to resume
    report.problems.push_back("a device failed after the sleep: " + describe(*report.failure));
  if (outcome.exit_status && *outcome.exit_status != 0)
    report.problems.push_back("the sleep command exited with status " +
                              std::to_string(*outcome.exit_status));
  if (outcome.timed_out) report.problems.push_back(outcome.timed_out_what);
  if (started && !outcome.pre_failed && !failed && !report.slept && !outcome.timed_out)
    report.problems.push_back("the machine did not sleep: the kernel counted no sleep");

  // The hook.
  for (const SleepLogEntry& entry : observation.hook_entries) {
    if (entry.phase == SleepPhase::kPre) report.pre_ran = true;
    if (entry.phase != SleepPhase::kPost || !report.pre_ran) continue;
    report.post_ran = true;
    report.brought_back.insert(report.brought_back.end(), entry.actions.begin(),
                               entry.actions.end());
  }
  if (started && !report.pre_ran)
    report.problems.push_back("suspendfix's pre did not run (nothing in the sleep log)");
  else if (started && !report.post_ran)
    report.problems.push_back("suspendfix's post did not run (nothing in the sleep log)");
  for (const SleepLogAction& action : report.brought_back)
    if (!action.back)
      report.problems.push_back("post could not bring back " +
                                record_name(action.kind, action.object));
  for (const DeviceReturn& device : observation.devices)
    if (!device.bound)
      report.problems.push_back(device.slot + " is not bound to " + device.driver + " again");
  for (const StateRecord& record : observation.pending_after)
    report.problems.push_back("still recorded after the cycle: " +
                              record_name(record.kind, record.object));

  if (observation.wake_ns && !observation.devices.empty()) {
    int64_t slowest = 0;
    bool all = true;
    for (const DeviceReturn& device : observation.devices) {
      all &= device.bound && device.after_ns.has_value();
      if (device.after_ns) slowest = std::max(slowest, *device.after_ns);
    }
    if (all) report.resume_ms = slowest / 1'000'000;
  }
  if (report.slept && observation.alarm_pending_after)
    report.notes.push_back("woke before the RTC alarm: something else woke the machine");
  if (observation.rearms > 0)
    report.notes.push_back("the sleep began late: the RTC alarm was pushed back " +
                           (observation.rearms == 1
                                ? std::string("once")
                                : std::to_string(observation.rearms) + " times"));
  if (report.attempts > 1)
    report.notes.push_back("the kernel counted " + std::to_string(report.attempts) +
                           " attempts: the sleep system tried again in another state");
  report.ok = report.problems.empty();
  return report;
}

}  // namespace suspendfix
