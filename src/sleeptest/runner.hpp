// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sleeptest/cycle.hpp"

namespace suspendfix {

/// The clocks `test` reads. The real one is CLOCK_MONOTONIC and CLOCK_BOOTTIME; tests fake it.
class TestClock {
 public:
  virtual ~TestClock() = default;
  virtual int64_t monotonic_ns() = 0;
  /// CLOCK_BOOTTIME - CLOCK_MONOTONIC: grows only while the machine sleeps.
  virtual int64_t asleep_ns() = 0;
  virtual void pause_ns(int64_t nanoseconds) = 0;
};

/// The RTC wake alarm (/sys/class/rtc/rtc0/wakealarm).
class WakeAlarm {
 public:
  virtual ~WakeAlarm() = default;
  /// Sets the alarm `seconds` from now, replacing one that is set. Throws Error.
  virtual void arm(int seconds) = 0;
  /// Clears it. Never throws.
  virtual void disarm() = 0;
  /// An alarm is set and has not fired yet.
  virtual bool pending() = 0;
};

/// What a backend gets while it performs a sleep.
struct SleepCallbacks {
  /// Just before the sleep starts (self: after pre, before the write; a client: before it is
  /// started): arms the alarm.
  std::function<void()> about_to_sleep;
  /// To be called every few milliseconds while waiting (for a client to exit), and once as
  /// soon as a blocking sleep returned: notes the wake, keeps the alarm ahead of a late sleep.
  std::function<void()> poll;
};

/// Performs one sleep through one path (sleep_path.hpp): suspendfix's own pre, write, post,
/// or the client of a sleep system.
class SleepBackend {
 public:
  virtual ~SleepBackend() = default;
  /// Returns when the path is done with it: self and loginctl/pm-suspend after post,
  /// systemctl as soon as the job is queued (returns_early()). Throws Error when the sleep
  /// cannot be started at all.
  virtual SleepOutcome sleep(const SleepCallbacks& callbacks) = 0;
  virtual bool returns_early() const { return false; }
  /// After the cycle, waits (bounded) until the sleep system is idle again, so that the next
  /// sleep is not refused as one already in progress.
  virtual void settle(const std::function<void()>& poll) { (void)poll; }
};

/// What `test` looks at: the kernel's counters and log, the hook's sleep log and state record,
/// the devices. The real one is sleeptest/os_observer.cpp.
class TestObserver {
 public:
  virtual ~TestObserver() = default;
  virtual std::optional<SuspendStats> counters() = 0;
  virtual std::vector<SleepLogEntry> sleep_log() = 0;
  /// Waits until no hook holds the state lock (a post that wrote its entry is done then).
  /// False when it stayed held for timeout_ns.
  virtual bool wait_for_hook(int64_t timeout_ns) = 0;
  virtual std::vector<StateRecord> pending() = 0;
  /// Every PCI device that has a driver: slot, driver, module.
  virtual std::vector<DeviceReturn> bound_devices() = 0;
  virtual std::string bound_driver(const std::string& slot) = 0;
  /// Bookmarks the end of the kernel log; failed_sleeps() reads what came after it.
  virtual void mark_kernel_log() = 0;
  virtual std::vector<SleepAttempt> failed_sleeps() = 0;
  /// Completes a failing device's driver and module from the machine.
  virtual void resolve(CycleFailure& failure) = 0;
};

/// Where the progress goes: a live line on a terminal, plain lines otherwise (test_report).
class TestProgress {
 public:
  virtual ~TestProgress() = default;
  virtual void cycle_started(int number, int total) = 0;
  virtual void cycle_waiting(const std::string& what) = 0;
  virtual void cycle_done(const CycleReport& report, int total) = 0;
};

struct RunnerOptions {
  int cycles = 5;
  int wake_after_seconds = 5;
  bool keep_going = false;
  int64_t poll_ns = 20'000'000;
  /// From the start of a sleep through systemctl (which returns at once) to its post.
  int64_t sleep_bound_ns = 180'000'000'000;
  /// After a client that returns after post: for its post entry to show.
  int64_t post_grace_ns = 10'000'000'000;
  /// From the wake to the devices of the modules post brought back being bound again.
  int64_t bind_bound_ns = 30'000'000'000;
};

struct TestResult {
  std::vector<CycleReport> cycles;
  bool interrupted = false;  // stop_requested() between cycles (Ctrl-C)
  bool stopped_at_failure = false;
};

/// Runs the cycles: each one bookmarks the counters, the sleep log, the devices and the kernel
/// log, arms the RTC alarm, sleeps through the backend, waits for the hook's post and for the
/// devices to be bound again, and judges (judge_cycle). Stops after the first failed cycle
/// unless keep_going, after a cycle that did not end in time, and when stop_requested()
/// turns true (checked between cycles).
TestResult run_test(const RunnerOptions& options, TestClock& clock, SleepBackend& backend,
                    TestObserver& observer, WakeAlarm& alarm, TestProgress& progress,
                    const std::function<bool()>& stop_requested);

}  // namespace suspendfix
