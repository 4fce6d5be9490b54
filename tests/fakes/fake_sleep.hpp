// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once
// A fake machine for `suspendfix test`'s runner: a clock that only moves when paused, an RTC
// alarm, the kernel's counters and log, the hook's sleep log and state record, PCI devices,
// and a sleep backend that behaves like suspendfix's own path (blocking) or like systemctl
// (returns at once; the sleep happens later, as clock events).
#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sleeptest/runner.hpp"

namespace suspendfix {

constexpr int64_t kFakeSecond = 1'000'000'000;

struct FakeMachine {
  int64_t monotonic = 1000 * kFakeSecond;
  int64_t asleep = 0;
  SuspendStats counters = parse_suspend_counters("success=0 fail=0 failed_suspend=0");
  std::vector<SleepLogEntry> log;
  std::vector<StateRecord> pending;
  std::vector<DeviceReturn> devices;          // slot, driver, module
  std::map<std::string, std::string> bound;   // slot -> driver now
  std::vector<SleepAttempt> kernel_failures;  // the kernel log since the mark
  bool hook_busy = false;                     // the state lock is held
  // the RTC alarm
  bool alarm_set = false;
  int64_t alarm_at = 0;
  int arms = 0, disarms = 0;
  int64_t least_alarm_lead = INT64_MAX;  // alarm time minus sleep start, over the sleeps
  int sleeps_without_alarm = 0;
  // events the clock runs when their time comes (systemd working in the background)
  std::multimap<int64_t, std::function<void()>> events;

  void advance(int64_t nanoseconds) {
    const int64_t until = monotonic + nanoseconds;
    while (!events.empty() && events.begin()->first <= until) {
      auto event = events.begin()->second;
      monotonic = std::max(monotonic, events.begin()->first);
      events.erase(events.begin());
      event();
    }
    monotonic = std::max(monotonic, until);
  }
  void at(int64_t delay, std::function<void()> event) {
    events.emplace(monotonic + delay, std::move(event));
  }

  void log_entry(SleepPhase phase, std::vector<SleepLogAction> actions = {}) {
    SleepLogEntry entry;
    entry.phase = phase;
    entry.boot_id = "0c1f3b0e-6a4d-4f5e-9c2b-7d8e9f0a1b2c";
    entry.realtime = monotonic / kFakeSecond;
    entry.asleep_ms = asleep / 1'000'000;
    entry.counters.counters = counters.counters;
    entry.actions = std::move(actions);
    log.push_back(entry);
  }
  /// The machine sleeps until the alarm (which must be set and ahead) and wakes.
  void sleep_until_alarm() {
    if (!alarm_set || alarm_at <= monotonic) {
      ++sleeps_without_alarm;  // a real machine would sleep until someone presses a key
      asleep += 600 * kFakeSecond;
    } else {
      least_alarm_lead = std::min(least_alarm_lead, alarm_at - monotonic);
      asleep += alarm_at - monotonic;  // CLOCK_MONOTONIC stands still
      alarm_set = false;               // it fired
    }
    counters.counters[SuspendStats::kSuccess] = counters.count(SuspendStats::kSuccess) + 1;
  }
  /// A device callback fails: the counters and the kernel log say so.
  void fail_sleep(const std::string& slot, int attempts = 1) {
    for (int i = 0; i < attempts; ++i) {
      counters.counters[SuspendStats::kFail] = counters.count(SuspendStats::kFail) + 1;
      counters.counters[SuspendStats::kFailedSuspend] =
          counters.count(SuspendStats::kFailedSuspend) + 1;
      SleepAttempt attempt;
      attempt.failed = true;
      attempt.mode = i == 0 ? "deep" : "s2idle";
      Failure failure;
      failure.kind = FailureKind::kDevice;
      failure.device = slot;
      failure.driver = "sfx_broken";
      failure.module = "sfx_brokenmod";
      failure.phase = "suspend async";
      failure.error = -16;
      attempt.failures.push_back(failure);
      kernel_failures.insert(kernel_failures.begin(), attempt);  // newest first
    }
    counters.last_failed_devices = {slot};
    counters.last_failed_errnos = {-16};
    counters.last_failed_steps = {"suspend"};
  }
};

class FakeClock : public TestClock {
 public:
  explicit FakeClock(FakeMachine& machine) : machine_(machine) {}
  int64_t monotonic_ns() override { return machine_.monotonic; }
  int64_t asleep_ns() override { return machine_.asleep; }
  void pause_ns(int64_t nanoseconds) override { machine_.advance(nanoseconds); }

 private:
  FakeMachine& machine_;
};

class FakeAlarm : public WakeAlarm {
 public:
  explicit FakeAlarm(FakeMachine& machine) : machine_(machine) {}
  void arm(int seconds) override {
    // "+S" on a clock with 1 s steps: between S-1 and S seconds from now (the worst case).
    machine_.alarm_set = true;
    machine_.alarm_at = machine_.monotonic + (seconds - 1) * kFakeSecond;
    ++machine_.arms;
  }
  void disarm() override {
    machine_.alarm_set = false;
    ++machine_.disarms;
  }
  bool pending() override { return machine_.alarm_set; }

 private:
  FakeMachine& machine_;
};

class FakeObserver : public TestObserver {
 public:
  explicit FakeObserver(FakeMachine& machine) : machine_(machine) {}
  std::optional<SuspendStats> counters() override { return machine_.counters; }
  std::vector<SleepLogEntry> sleep_log() override { return machine_.log; }
  bool wait_for_hook(int64_t timeout_ns) override {
    for (int64_t waited = 0; machine_.hook_busy && waited < timeout_ns; waited += kFakeSecond / 10)
      machine_.advance(kFakeSecond / 10);
    return !machine_.hook_busy;
  }
  std::vector<StateRecord> pending() override { return machine_.pending; }
  std::vector<DeviceReturn> bound_devices() override { return machine_.devices; }
  std::string bound_driver(const std::string& slot) override {
    const auto found = machine_.bound.find(slot);
    return found == machine_.bound.end() ? "" : found->second;
  }
  void mark_kernel_log() override { machine_.kernel_failures.clear(); }
  std::vector<SleepAttempt> failed_sleeps() override { return machine_.kernel_failures; }
  void resolve(CycleFailure& failure) override {
    for (const DeviceReturn& device : machine_.devices)
      if (device.slot == failure.device) failure.module = device.module;
  }

 private:
  FakeMachine& machine_;
};

/// How one sleep goes.
struct FakeSleepPlan {
  bool returns_early = false;        // like systemctl
  int64_t pre_ns = kFakeSecond / 2;  // from the start to the write
  std::vector<std::string> unloads = {"xhci_pci"};
  std::string fail_slot;  // a device fails suspend: the sleep fails
  int fail_attempts = 1;  // 2: systemd's retry in s2idle
  bool no_post = false;
  int64_t bind_delay_ns = kFakeSecond / 4;  // from post to the devices bound again
  std::optional<int> exit_status;           // a client's status
  bool refused = false;                     // the client is refused: nothing happens
};

class FakeSleepBackend : public SleepBackend {
 public:
  FakeSleepBackend(FakeMachine& machine, FakeSleepPlan plan) : machine_(machine), plan_(plan) {}
  SleepOutcome sleep(const SleepCallbacks& callbacks) override {
    ++sleeps;
    SleepOutcome outcome;
    outcome.exit_status = plan_.exit_status;
    if (plan_.returns_early) {
      callbacks.about_to_sleep();
      if (plan_.refused) return outcome;
      machine_.at(plan_.pre_ns / 2, [this] { pre(); });
      machine_.at(plan_.pre_ns, [this] { sleep_now(); });
      return outcome;
    }
    pre();
    for (int64_t waited = 0; waited < plan_.pre_ns; waited += kFakeSecond / 50) {
      machine_.advance(kFakeSecond / 50);
      callbacks.poll();
    }
    callbacks.about_to_sleep();
    if (!plan_.fail_slot.empty()) outcome.write_error = 16;
    sleep_now(&callbacks);
    return outcome;
  }
  bool returns_early() const override { return plan_.returns_early; }
  int sleeps = 0;

 private:
  void pre() {
    machine_.log_entry(SleepPhase::kPre);
    for (const DeviceReturn& device : machine_.devices)
      for (const std::string& module : plan_.unloads)
        if (device.module == module) machine_.bound.erase(device.slot);
  }
  /// callbacks: a blocking sleep, which calls poll as soon as it returns, before post.
  void sleep_now(const SleepCallbacks* callbacks = nullptr) {
    if (plan_.fail_slot.empty())
      machine_.sleep_until_alarm();
    else
      machine_.fail_sleep(plan_.fail_slot, plan_.fail_attempts);
    if (callbacks) callbacks->poll();
    if (plan_.no_post) return;
    std::vector<SleepLogAction> actions;
    for (const std::string& module : plan_.unloads)
      actions.push_back({StateRecord::Kind::kModule, module, true});
    machine_.hook_busy = true;
    machine_.log_entry(SleepPhase::kPost);  // post writes its entry first...
    machine_.at(kFakeSecond / 10, [this, actions] {
      machine_.log.back().actions = actions;  // ... and what it did once done
      machine_.hook_busy = false;
    });
    machine_.at(plan_.bind_delay_ns, [this] {
      for (const DeviceReturn& device : machine_.devices)
        machine_.bound[device.slot] = device.driver;
    });
    if (!plan_.returns_early) machine_.advance(kFakeSecond / 10);  // post runs in the call
  }
  FakeMachine& machine_;
  FakeSleepPlan plan_;
};

class RecordingProgress : public TestProgress {
 public:
  void cycle_started(int number, int) override {
    lines.push_back("start " + std::to_string(number));
  }
  void cycle_waiting(const std::string& what) override { lines.push_back("wait " + what); }
  void cycle_done(const CycleReport& report, int) override {
    lines.push_back("done " + std::to_string(report.number) + (report.ok ? " ok" : " failed"));
  }
  std::vector<std::string> lines;
};

}  // namespace suspendfix
