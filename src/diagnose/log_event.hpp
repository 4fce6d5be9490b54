// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string_view>

namespace suspendfix {

/// What one log message says about a system sleep, when it says anything. Views into the
/// message. The formats across kernels are in shared/notes/diagnose.md; classify_message()
/// reads them all.
struct LogEvent {
  enum class Type {
    kSleepEntry,       // "PM: suspend entry (deep)", "PM: hibernation: hibernation entry"
    kSleepStart,       // pre-4.15 kernels, pm-utils: "PM: Syncing filesystems", "performing"
    kSleepExit,        // "PM: suspend exit"
    kRestartingTasks,  // "Restarting tasks ... done." (the end of a sleep on old kernels)
    kDeviceFailed,     // "PM: Device X failed to suspend async: error -16", 5.12+ form
    kCallbackFailed,   // "dpm_run_callback(): pci_pm_suspend+0x0/0x150 returns -16"
    kNotPrepared,      // "PM: Device X not prepared for power transition: code -16"
    kFreezeFailed,     // "Freezing of tasks failed after 20.003 seconds (1 tasks ...)"
    kFreezeAborted,    // "Freezing of tasks aborted after 0.011 seconds" (a wakeup came)
    kTask,             // a task dump line after a freezer failure: "task:fstrim state:D"
    kWakeupPending,    // "PM: Wakeup pending, aborting suspend"
    kWakeupSource,     // "PM: active wakeup source: mmc0"
    kDevicesFailed,    // "PM: Some devices failed to suspend, or early wake event detected"
    kManagerFailed,    // systemd-sleep, elogind: "Failed to put system to sleep. ..."
    kManagerError,     // "... System resumed again: Invalid argument" (maybe on its own line)
    kHookFailed,       // pm-utils: "/etc/pm/sleep.d/20_x suspend suspend: Returned exit code 2."
    kHookRunning,      // pm-utils: "Running hook /etc/pm/sleep.d/20_x suspend suspend:"
    kInhibited,        // pm-utils: "Inhibit found, will not perform suspend"
    kWriteError,       // pm-utils' shell: "echo: write error: Device or resource busy"
  };
  explicit LogEvent(Type event_type) : type(event_type) {}

  Type type;
  std::string_view driver;    // the dev_printk prefix's first words: driver, bus or class
  std::string_view device;    // device name ("0000:00:14.0"), hook path, task name
  std::string_view phase;     // "suspend async", "resume noirq", "freeze", sleep mode "deep"
  std::string_view function;  // the failing callback ("pci_pm_suspend", "e1000e_pm_suspend")
  std::string_view caller;    // who printed it ("dpm_run_callback", "pci_pm_suspend")
  std::string_view module;    // "[e1000e]" without the brackets
  std::string_view text;      // wakeup source, manager error text, freezer summary
  std::optional<int> error;   // -16; hook exit codes are positive
  int count = -1;             // tasks refusing to freeze, when printed
  bool old_task_format = false;
};

/// Classifies one message (prefixes already taken off; see split_log_prefix()). identifier
/// is the syslog identifier, "" when unknown: kernel patterns are tried for "" and "kernel",
/// the sleep managers' for their own names and "". Pure, allocation-free.
std::optional<LogEvent> classify_message(std::string_view message, std::string_view identifier);

/// A task dump line as the freezer prints them after a failure, in the kernel's formats
/// ("task:NAME state:D ..." since 4.20ish, "NAME  D  0 289 2 0x0" before): the task's name.
std::optional<std::string_view> task_dump_name(std::string_view message, bool old_format);

}  // namespace suspendfix
