// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <memory>
#include <string>

#include "modules/module_backend.hpp"
#include "sleeptest/preflight.hpp"
#include "sleeptest/runner.hpp"

namespace suspendfix {

/// The machine as preflight sees it: root, the RTC alarm, /sys/power, the power supplies, the
/// installed hooks and running sleep systems, what the state directory holds. Never throws.
SleepFacts read_sleep_facts(const std::string& state_directory);

/// CLOCK_MONOTONIC and CLOCK_BOOTTIME.
std::unique_ptr<TestClock> make_system_clock();

/// The RTC alarm through sysfs: "0", then "+S" (the kernel refuses to replace a set alarm).
std::unique_ptr<WakeAlarm> make_rtc_wake_alarm(
    const std::string& path = "/sys/class/rtc/rtc0/wakealarm");

/// The real observer: suspend_stats, the sleep log and state record in state_directory, PCI
/// devices through libudev, the kernel log from /dev/kmsg ($SUSPENDFIX_KMSG, for tests, names
/// a file in /dev/kmsg's format instead), culprits through libudev and libkmod.
std::unique_ptr<TestObserver> make_system_observer(const std::string& state_directory,
                                                   ModuleInspector& modules);

/// A sleep system's client, run from PATH in its own process group (so that Ctrl-C reaches
/// only `test`), its output kept for the report. systemd: returns when the job is queued.
std::unique_ptr<SleepBackend> make_client_sleep(SleepPath path, const std::string& mode,
                                                TestClock& clock);

/// The first executable called name in PATH, then the sbin directories; "" when none.
std::string find_program(const std::string& name);

}  // namespace suspendfix
