// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diagnose/failure.hpp"
#include "diagnose/log_event.hpp"

namespace suspendfix {

/// Reads a kernel log one line at a time and keeps only what concerns failed sleeps, so that
/// memory does not grow with the log: at most kMaxFailedSleeps failed sleeps (the newest),
/// kMaxFailures failures in each, kMaxTasks task names in each freezer failure.
class KernelLogReader {
 public:
  static constexpr size_t kMaxFailedSleeps = 32;
  static constexpr size_t kMaxFailures = 16;
  static constexpr size_t kMaxTasks = 32;
  /// Lines longer than this are cut (the kernel's own records are at most 1 KiB).
  static constexpr size_t kMaxLineLength = 4096;

  /// One line of text, with its end of line or without. kernel_device is the journal's
  /// _KERNEL_DEVICE (or kmsg's DEVICE=) when the source has one; identifier the syslog
  /// identifier when the source knows it ("" for text, where the line's prefix says it).
  /// timestamp, when given, replaces what the line's prefix says (a journal entry's time).
  void feed(std::string_view line, std::string_view kernel_device = {},
            std::string_view identifier = {}, std::string_view timestamp = {});
  /// Marks the last line fed as cut (a line longer than the reader keeps).
  void note_cut_line() { ++findings_.cut_lines; }

  /// Closes the sleep still open and returns what was found, failed sleeps newest first.
  LogFindings finish();

 private:
  void apply(const LogEvent& event, std::string_view raw, std::string_view timestamp,
             std::string_view kernel_device);
  SleepAttempt& sleep(std::string_view timestamp);  // the open sleep; opens one if none
  void open_sleep(std::string_view mode, std::string_view timestamp, bool explicit_entry);
  void close_sleep();
  Failure& add_failure(FailureKind kind, std::string_view raw, std::string_view timestamp);
  void device_failed(const LogEvent& event, std::string_view raw, std::string_view timestamp,
                     std::string_view kernel_device);
  void commit_recent();

  struct PendingCallback {
    std::string driver, device, caller, function, module, message, timestamp;
    int error = 0;
    uint64_t line = 0;
  };
  static void merge_callback(Failure& failure, const PendingCallback& callback);
  void attach_callbacks(Failure& failure);
  void flush_callbacks();

  LogFindings findings_;
  std::deque<SleepAttempt> kept_;  // failed sleeps, oldest first
  SleepAttempt current_;
  bool open_ = false;
  // The sleep closed last, until the next opens: systemd-sleep's line comes after "suspend
  // exit" in the journal, and still belongs to it.
  SleepAttempt recent_;
  bool has_recent_ = false;
  Failure overflow_;             // where failures past kMaxFailures go
  bool explicit_entry_ = false;  // opened by "PM: suspend entry" (closed by "suspend exit")
  bool entry_only_ = false;      // nothing but the entry line yet (a second entry line merges)
  std::vector<PendingCallback> callbacks_;
  std::string fragment_;      // the first half of a wrapped callback line
  int collecting_tasks_ = 0;  // lines left in which task dump lines belong to a freezer failure
  bool old_task_format_ = false;
  // pm-utils: the hook running, and the one that last returned an error, with its status.
  std::string running_hook_;
  std::string failed_hook_;
  std::optional<int> failed_hook_status_;
};

}  // namespace suspendfix
