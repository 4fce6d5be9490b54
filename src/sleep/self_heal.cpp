// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/self_heal.hpp"

#include "enum_names.hpp"

namespace suspendfix {
namespace {

std::string seconds_text(int64_t nanoseconds) {
  const int64_t tenths = nanoseconds / 100'000'000;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

}  // namespace

WatchMemory start_watch_memory(int64_t pre_monotonic_ns) {
  WatchMemory memory;
  memory.started_ns = pre_monotonic_ns;
  memory.quiet_since_ns = pre_monotonic_ns;
  return memory;
}

constexpr EnumName<WatchVerdict> kWatchVerdictNames[] = {
    {WatchVerdict::kWait, "wait"},
    {WatchVerdict::kRestore, "restore"},
    {WatchVerdict::kExit, "exit"},
};

const char* watch_verdict_name(WatchVerdict verdict) {
  return name_of(kWatchVerdictNames, verdict);
}

WatchDecision decide_watch(const WatchPolicy& policy, const WatchObservation& observation,
                           WatchMemory& memory, const std::string& caller_name) {
  if (observation.settled)
    return {WatchVerdict::kExit,
            "the record is settled: post or restore ran, or a newer pre "
            "took over"};
  const int64_t now = observation.now_ns;
  if ((observation.counters_moved || observation.time_jumped) && !memory.sleep_seen_ns) {
    memory.sleep_seen_ns = now;
    memory.quiet_since_ns = now;  // post's grace counts from the wake
  }
  if (policy.restore_at_wake && memory.sleep_seen_ns)
    return {WatchVerdict::kRestore,
            "a sleep ended (the " +
                std::string(observation.counters_moved ? "suspend counters moved"
                                                       : "boot clock jumped") +
                (observation.thawed ? ", seen at the thaw" : "") +
                "): loading back at once (reload_at_wake)"};
  const int64_t busy_from = memory.sleep_seen_ns.value_or(memory.started_ns);
  const bool busy = observation.caller_busy && now - busy_from < policy.busy_cap_ns;
  if (busy) {
    memory.quiet_since_ns = now;
    return {WatchVerdict::kWait, ""};
  }
  if (now - memory.quiet_since_ns < policy.restore_after_ns) return {WatchVerdict::kWait, ""};
  const std::string after = seconds_text(policy.restore_after_ns);
  std::string reason;
  if (memory.sleep_seen_ns) {
    reason = "the machine slept (" +
             std::string(observation.counters_moved ? "the suspend counters moved"
                                                    : "the boot clock jumped") +
             ") and no post came within " + after + " of the wake";
  } else if (caller_name.empty()) {
    reason = "no sleep happened within " + after + " of pre: the sleep was cancelled";
  } else if (observation.caller_busy) {
    reason = caller_name + " is still at work " + seconds_text(now - busy_from) +
             " after pre and no sleep happened: giving up waiting for it";
  } else {
    reason = "no sleep happened and " + caller_name + " has been done for " + after +
             ": the sleep was cancelled";
  }
  if (observation.caller_busy && memory.sleep_seen_ns)
    reason += "; " + caller_name + " is still at work " + seconds_text(now - busy_from) +
              " after the wake";
  return {WatchVerdict::kRestore, reason};
}

}  // namespace suspendfix
