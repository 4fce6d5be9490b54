// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleeptest/runner.hpp"

#include <algorithm>
#include <set>

#include "error.hpp"

namespace suspendfix {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
/// CLOCK_BOOTTIME - CLOCK_MONOTONIC read twice differs by a little jitter; a sleep by far more.
constexpr int64_t kAsleepJitterNs = 10'000'000;
/// How often the sleep log is read while waiting for a post.
constexpr int64_t kLogPollNs = 100'000'000;

std::string seconds_text(int64_t nanoseconds) { return std::to_string(nanoseconds / kSecond); }

/// One cycle: what it observes, in order.
class Cycle {
 public:
  Cycle(const RunnerOptions& options, TestClock& clock, SleepBackend& backend,
        TestObserver& observer, WakeAlarm& alarm)
      : options_(options), clock_(clock), backend_(backend), observer_(observer), alarm_(alarm) {}

  CycleObservation run(int number, TestProgress& progress) {
    observation_.number = number;
    observation_.started_ns = clock_.monotonic_ns();
    observation_.asleep_before_ns = clock_.asleep_ns();
    observation_.counters_before = observer_.counters();
    log_before_ = observer_.sleep_log();
    const std::vector<DeviceReturn> devices_before = observer_.bound_devices();
    observer_.mark_kernel_log();

    progress.cycle_waiting("sleeping");
    SleepCallbacks callbacks;
    callbacks.about_to_sleep = [this] { arm(); };
    callbacks.poll = [this] { poll(); };
    try {
      observation_.outcome = backend_.sleep(callbacks);
    } catch (const Error& error) {
      observation_.outcome.error = error.what();
    }
    poll();
    returned_ns_ = clock_.monotonic_ns();
    if (observation_.outcome.error.empty() && !observation_.outcome.pre_failed) {
      if (backend_.returns_early()) progress.cycle_waiting("waiting for the sleep and its post");
      wait_for_post();
    }
    backend_.settle([this] { poll(); });
    observation_.alarm_pending_after = armed_ && alarm_.pending();
    alarm_.disarm();
    observation_.counters_after = observer_.counters();
    observation_.asleep_after_ns = clock_.asleep_ns();
    progress.cycle_waiting("waiting for the devices");
    wait_for_devices(devices_before);
    observation_.failed_sleeps = observer_.failed_sleeps();
    observation_.pending_after = observer_.pending();
    observation_.ended_ns = clock_.monotonic_ns();
    return observation_;
  }

 private:
  void arm() {
    alarm_.arm(options_.wake_after_seconds);
    armed_ = true;
    armed_at_ns_ = clock_.monotonic_ns();
  }

  /// Notes the wake (the clocks part as soon as the machine slept), and keeps the alarm at
  /// least two seconds ahead of a sleep that has not begun yet (a client's slow pre): an
  /// alarm that fires before the sleep would leave nothing to wake it.
  void poll() {
    const int64_t now = clock_.monotonic_ns();
    if (!observation_.wake_ns &&
        clock_.asleep_ns() > observation_.asleep_before_ns + kAsleepJitterNs)
      observation_.wake_ns = now;
    const int64_t rearm_after =
        std::max<int64_t>(kSecond, (options_.wake_after_seconds - 3) * kSecond);
    if (!armed_ || observation_.wake_ns || now - armed_at_ns_ < rearm_after || attempted()) return;
    try {
      arm();
      ++observation_.rearms;
    } catch (const Error&) {
      // The alarm set before is still there; the next poll tries again.
    }
  }

  bool attempted() {
    const auto now = observer_.counters();
    return now && observation_.counters_before &&
           now->attempts() > observation_.counters_before->attempts();
  }

  /// The entries of the sleep log since the cycle began; post_done: a post after a pre.
  std::vector<SleepLogEntry> hook_entries(bool* pre_seen, bool* post_seen) {
    std::vector<SleepLogEntry> entries = new_sleep_log_entries(log_before_, observer_.sleep_log());
    *pre_seen = *post_seen = false;
    for (const SleepLogEntry& entry : entries) {
      *pre_seen |= entry.phase == SleepPhase::kPre;
      *post_seen |= *pre_seen && entry.phase == SleepPhase::kPost;
    }
    return entries;
  }

  void wait_for_post() {
    const bool early = backend_.returns_early();
    // A client that failed at once (systemctl refused: an inhibitor, no permission) starts
    // nothing: do not wait for a sleep that will not come.
    const bool refused = observation_.outcome.exit_status && *observation_.outcome.exit_status != 0;
    const int64_t deadline =
        returned_ns_ + (early && !refused ? options_.sleep_bound_ns : options_.post_grace_ns);
    bool pre = false, post = false;
    for (;;) {
      hook_entries(&pre, &post);
      if (post || (early && refused)) break;
      const int64_t now = clock_.monotonic_ns();
      if (now >= deadline) {
        observation_.outcome.timed_out = true;
        observation_.outcome.timed_out_what =
            pre ? "no post within " + seconds_text(deadline - returned_ns_) + " s of the sleep"
                : "no sleep began within " + seconds_text(deadline - returned_ns_) + " s";
        break;
      }
      for (int64_t waited = 0; waited < kLogPollNs; waited += options_.poll_ns) {
        clock_.pause_ns(options_.poll_ns);
        poll();
      }
    }
    // A post holds the state lock from its entry to its end: once it is free, the post is
    // done and its entry names what it brought back.
    if (post && !observer_.wait_for_hook(options_.post_grace_ns)) {
      observation_.outcome.timed_out = true;
      observation_.outcome.timed_out_what =
          "post did not finish within " + seconds_text(options_.post_grace_ns) + " s";
    }
    observation_.hook_entries = hook_entries(&pre, &post);
  }

  /// Waits for the devices of what post brought back: every PCI device that was bound to a
  /// module post loaded back, or that post bound again or brought back from a rescan.
  void wait_for_devices(const std::vector<DeviceReturn>& before) {
    std::set<std::string> modules, slots;
    for (const SleepLogEntry& entry : observation_.hook_entries)
      for (const SleepLogAction& action : entry.actions) {
        if (!action.back) continue;
        (action.kind == StateRecord::Kind::kModule ? modules : slots).insert(action.object);
      }
    for (const DeviceReturn& device : before)
      if ((!device.module.empty() && modules.count(device.module)) || slots.count(device.slot))
        observation_.devices.push_back(device);
    const int64_t from = observation_.wake_ns.value_or(returned_ns_);
    const int64_t deadline = clock_.monotonic_ns() + options_.bind_bound_ns;
    for (;;) {
      bool all = true;
      const int64_t now = clock_.monotonic_ns();
      for (DeviceReturn& device : observation_.devices) {
        if (!device.bound && observer_.bound_driver(device.slot) == device.driver) {
          device.bound = true;
          device.after_ns = std::max<int64_t>(0, now - from);
        }
        all &= device.bound;
      }
      if (all || now >= deadline) return;
      clock_.pause_ns(options_.poll_ns);
    }
  }

  const RunnerOptions& options_;
  TestClock& clock_;
  SleepBackend& backend_;
  TestObserver& observer_;
  WakeAlarm& alarm_;
  CycleObservation observation_;
  std::vector<SleepLogEntry> log_before_;
  bool armed_ = false;
  int64_t armed_at_ns_ = 0;
  int64_t returned_ns_ = 0;
};

}  // namespace

TestResult run_test(const RunnerOptions& options, TestClock& clock, SleepBackend& backend,
                    TestObserver& observer, WakeAlarm& alarm, TestProgress& progress,
                    const std::function<bool()>& stop_requested) {
  TestResult result;
  for (int number = 1; number <= options.cycles; ++number) {
    if (stop_requested && stop_requested()) {
      result.interrupted = true;
      break;
    }
    progress.cycle_started(number, options.cycles);
    Cycle cycle(options, clock, backend, observer, alarm);
    const CycleObservation observation = cycle.run(number, progress);
    CycleReport report =
        judge_cycle(observation, [&observer](CycleFailure& failure) { observer.resolve(failure); });
    progress.cycle_done(report, options.cycles);
    result.cycles.push_back(std::move(report));
    const CycleReport& done = result.cycles.back();
    // A cycle that did not end in time leaves the machine in a state no next cycle can judge.
    if ((!done.ok && !options.keep_going) || done.outcome.timed_out) {
      result.stopped_at_failure = number < options.cycles;
      break;
    }
  }
  return result;
}

}  // namespace suspendfix
