// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace suspendfix {

/// Why a sleep failed, as far as the log and the kernel's counters tell.
enum class FailureKind {
  kDevice,   // a driver's callback returned an error (suspend, late, noirq, resume...)
  kPrepare,  // a driver refused the prepare step
  kFreeze,   // tasks refused to freeze
  kWakeup,   // a wakeup event aborted the sleep
  kHook,     // the sleep manager or one of its hooks failed, and the kernel said nothing more
  kUnknown,  // the kernel says the sleep failed without naming why (pm_debug_messages off)
};
const char* failure_kind_name(FailureKind kind);

/// One reason a sleep failed. Strings are as read from the log (bytes, not yet escaped).
struct Failure {
  FailureKind kind = FailureKind::kUnknown;
  std::string device;         // the name the log gives: "0000:00:14.0", "usb3", "i2c-ELAN0000:00"
  std::string kernel_device;  // the journal's _KERNEL_DEVICE / kmsg's DEVICE= ("+pci:0000:00:14.0")
  std::string driver;         // the dev_printk prefix (5.12+): driver, or bus/class when unbound
  std::string phase;          // "suspend async", "resume noirq", "prepare", "freeze"
  std::optional<int> error;   // negative errno (-16); a pm-utils hook's exit status
  std::string callback;       // the bus callback that failed ("pci_pm_suspend")
  std::string driver_callback;     // the driver's own ("hcd_pci_suspend")
  std::string module;              // "[module]" of the callback lines
  std::string wakeup_source;       // "mmc0"
  std::vector<std::string> tasks;  // tasks that refused to freeze
  std::string hook;                // the pm-utils hook that failed
  std::string manager_error;       // systemd-sleep's text: "Device or resource busy"
  std::string message;             // the line that says it
  uint64_t line = 0;               // 1-based, in the log read
  std::string timestamp;
  bool from_counters = false;  // only the kernel's suspend_stats tell of it
};

/// One attempt to sleep, from "PM: suspend entry" (or what older kernels print first) to
/// "PM: suspend exit".
struct SleepAttempt {
  uint64_t index = 0;  // 1-based, in log order
  std::string mode;    // "deep", "s2idle", "shallow", "hibernate", "" when not printed
  uint64_t line = 0;
  std::string timestamp;
  bool failed = false;               // the kernel or the sleep manager said so
  std::string manager_error;         // systemd-sleep's or pm-utils' error text
  std::optional<int> manager_errno;  // that text as an errno (-22), when it is strerror()'s
  std::string failed_message;        // the first line that said the sleep failed
  uint64_t failed_line = 0;
  std::vector<Failure> failures;
};

/// What reading a log found, failed sleeps newest first.
struct LogFindings {
  std::vector<SleepAttempt> failed_sleeps;  // newest first
  uint64_t sleeps = 0;                      // every attempt seen
  uint64_t lines = 0;
  uint64_t bytes = 0;
  uint64_t cut_lines = 0;       // longer than the reader keeps
  uint64_t dropped_sleeps = 0;  // failed sleeps beyond what is kept (the oldest)
};

/// "EBUSY" for -16 / 16, "" when unknown.
std::string errno_name(int error);
/// The error number of strerror()'s text ("Device or resource busy" -> 16), or nullopt.
std::optional<int> errno_from_text(const std::string& text);

}  // namespace suspendfix
