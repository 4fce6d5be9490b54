// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnose/log_reader.hpp"

#include <algorithm>

#include "diagnose/log_line.hpp"

namespace suspendfix {
namespace {

using Type = LogEvent::Type;

constexpr size_t kMaxPendingCallbacks = 8;
constexpr size_t kMaxMessage = 512;
constexpr int kTaskDumpLines = 600;  // a dump of a few tasks with their call traces

std::string clip(std::string_view text) { return std::string(text.substr(0, kMaxMessage)); }

bool resume_side(std::string_view phase) {
  for (std::string_view verb : {"resume", "thaw", "restore", "recover"})
    if (phase.substr(0, verb.size()) == verb) return true;
  return false;
}

}  // namespace

void KernelLogReader::feed(std::string_view line, std::string_view kernel_device,
                           std::string_view identifier, std::string_view timestamp) {
  ++findings_.lines;
  findings_.bytes += line.size();
  if (line.size() > kMaxLineLength) {
    line = line.substr(0, kMaxLineLength);
    ++findings_.cut_lines;
  }
  LogLine parts = split_log_prefix(line);
  if (identifier.empty()) identifier = parts.identifier;
  if (!timestamp.empty()) parts.timestamp = timestamp;
  if (collecting_tasks_ > 0) {
    --collecting_tasks_;
    if (const auto name = task_dump_name(parts.message, old_task_format_)) {
      if (open_ && !current_.failures.empty() &&
          current_.failures.back().kind == FailureKind::kFreeze &&
          current_.failures.back().tasks.size() < kMaxTasks)
        current_.failures.back().tasks.emplace_back(clip(*name));
      return;
    }
  }
  // A callback line wrapped by a mail client or a terminal ("...: PM: dpm_run_callback():"
  // then "fn+0x0/0xd0 [module] returns -22"): read the two as one.
  if (!fragment_.empty()) {
    std::string joined;
    if (parts.message.find(" returns ") != std::string_view::npos &&
        parts.message.find("(): ") == std::string_view::npos)
      joined = fragment_ + " " + std::string(parts.message);
    fragment_.clear();
    if (!joined.empty()) {
      if (const auto event = classify_message(joined, identifier))
        apply(*event, line, parts.timestamp, kernel_device);
      return;
    }
  }
  const std::string_view message = parts.message;
  if (message.size() > 3 && message.substr(message.size() - 3) == "():" && message.size() < 512) {
    fragment_.assign(message);
    return;
  }
  if (const auto event = classify_message(message, identifier))
    apply(*event, line, parts.timestamp, kernel_device);
}

void KernelLogReader::open_sleep(std::string_view mode, std::string_view timestamp,
                                 bool explicit_entry) {
  if (open_) close_sleep();
  commit_recent();
  current_ = SleepAttempt{};
  current_.index = ++findings_.sleeps;
  current_.mode = clip(mode);
  current_.line = findings_.lines;
  current_.timestamp = clip(timestamp);
  open_ = true;
  explicit_entry_ = explicit_entry;
  entry_only_ = explicit_entry;
  callbacks_.clear();
  collecting_tasks_ = 0;
}

SleepAttempt& KernelLogReader::sleep(std::string_view timestamp) {
  if (!open_) open_sleep("", timestamp, false);
  entry_only_ = false;
  return current_;
}

void KernelLogReader::close_sleep() {
  if (!open_) return;
  flush_callbacks();
  open_ = false;
  collecting_tasks_ = 0;
  recent_ = std::move(current_);
  has_recent_ = true;
}

void KernelLogReader::commit_recent() {
  if (!has_recent_) return;
  has_recent_ = false;
  SleepAttempt& attempt = recent_;
  if (attempt.failures.empty() && (attempt.failed || !attempt.manager_error.empty())) {
    // The kernel (or the sleep manager) says it failed, and nothing more: say that much.
    Failure failure;
    failure.kind = attempt.manager_error.empty() ? FailureKind::kUnknown : FailureKind::kHook;
    failure.manager_error = attempt.manager_error;
    failure.error = attempt.manager_errno;
    failure.message = attempt.failed_message;
    failure.line = attempt.failed_line;
    failure.timestamp = attempt.timestamp;
    attempt.failures.push_back(std::move(failure));
  }
  if (attempt.failures.empty()) return;
  for (Failure& failure : attempt.failures)
    if (failure.manager_error.empty()) failure.manager_error = attempt.manager_error;
  kept_.push_back(std::move(attempt));
  if (kept_.size() > kMaxFailedSleeps) {
    kept_.pop_front();
    ++findings_.dropped_sleeps;
  }
}

Failure& KernelLogReader::add_failure(FailureKind kind, std::string_view raw,
                                      std::string_view timestamp) {
  SleepAttempt& attempt = sleep(timestamp);
  if (attempt.failures.size() >= kMaxFailures) {
    overflow_ = Failure{};  // counted in no sleep: the sleep keeps its first kMaxFailures
    return overflow_;
  }
  Failure failure;
  failure.kind = kind;
  failure.message = clip(raw);
  failure.line = findings_.lines;
  failure.timestamp = clip(timestamp);
  attempt.failures.push_back(std::move(failure));
  return attempt.failures.back();
}

void KernelLogReader::merge_callback(Failure& failure, const PendingCallback& callback) {
  // dpm_run_callback() names the bus callback, or the driver's own when it carries a
  // [module]; the bus layer (pci_pm_suspend(), pm_op()) names the driver's.
  if (callback.caller == "dpm_run_callback" && callback.module.empty()) {
    if (failure.callback.empty()) failure.callback = callback.function;
  } else {
    if (failure.driver_callback.empty()) failure.driver_callback = callback.function;
    if (failure.callback.empty() && callback.caller != "dpm_run_callback")
      failure.callback = callback.caller;
  }
  if (failure.module.empty()) failure.module = callback.module;
  if (failure.driver.empty()) failure.driver = callback.driver;
}

void KernelLogReader::attach_callbacks(Failure& failure) {
  std::vector<PendingCallback> left;
  for (const PendingCallback& callback : callbacks_) {
    const bool same =
        !callback.device.empty() ? callback.device == failure.device : !failure.device.empty();
    if (same)
      merge_callback(failure, callback);
    else
      left.push_back(callback);
  }
  callbacks_ = std::move(left);
}

void KernelLogReader::flush_callbacks() {
  // Callback lines whose "failed to" line never came (cut, rate-limited): still a failure,
  // of the device they name, or of an unnamed one when the sleep has nothing else.
  std::vector<PendingCallback> left;
  left.swap(callbacks_);
  const bool had_failures = !current_.failures.empty();
  for (const PendingCallback& callback : left) {
    if (callback.device.empty() && had_failures) continue;
    Failure* target = nullptr;
    for (Failure& known : current_.failures)
      if (known.kind == FailureKind::kDevice && known.device == callback.device) target = &known;
    if (!target) {
      target = &add_failure(FailureKind::kDevice, callback.message, callback.timestamp);
      target->device = callback.device;
      target->error = callback.error;
      target->line = callback.line;
      current_.failed = true;
    }
    merge_callback(*target, callback);
  }
}

void KernelLogReader::device_failed(const LogEvent& event, std::string_view raw,
                                    std::string_view timestamp, std::string_view kernel_device) {
  SleepAttempt& attempt = sleep(timestamp);
  for (const Failure& known : attempt.failures)
    if (known.kind == FailureKind::kDevice && known.device == event.device &&
        known.phase == event.phase)
      return;  // the same line twice (a log pasted with duplicates)
  Failure& failure =
      add_failure(event.type == Type::kNotPrepared ? FailureKind::kPrepare : FailureKind::kDevice,
                  raw, timestamp);
  failure.device = clip(event.device);
  failure.driver = clip(event.driver);
  failure.phase = clip(event.phase);
  failure.error = event.error;
  failure.kernel_device = clip(kernel_device);
  attach_callbacks(failure);
  if (!resume_side(event.phase)) attempt.failed = true;
}

void KernelLogReader::apply(const LogEvent& event, std::string_view raw, std::string_view timestamp,
                            std::string_view kernel_device) {
  switch (event.type) {
    case Type::kSleepEntry:
      if (open_ && entry_only_) {
        current_.mode = clip(event.phase);  // Android prints the entry twice
        return;
      }
      open_sleep(event.phase, timestamp, true);
      return;
    case Type::kSleepStart:
      if (!open_) open_sleep(event.phase, timestamp, false);
      return;
    case Type::kSleepExit:
      close_sleep();
      return;
    case Type::kRestartingTasks:
      collecting_tasks_ = 0;
      if (open_ && !explicit_entry_) close_sleep();
      return;
    case Type::kDeviceFailed:
    case Type::kNotPrepared:
      device_failed(event, raw, timestamp, kernel_device);
      return;
    case Type::kCallbackFailed: {
      sleep(timestamp);
      if (callbacks_.size() >= kMaxPendingCallbacks) callbacks_.erase(callbacks_.begin());
      callbacks_.push_back({clip(event.driver), clip(event.device), clip(event.caller),
                            clip(event.function), clip(event.module), clip(raw), clip(timestamp),
                            event.error.value_or(0), findings_.lines});
      return;
    }
    case Type::kFreezeFailed:
    case Type::kFreezeAborted: {
      Failure& failure = add_failure(
          event.type == Type::kFreezeFailed ? FailureKind::kFreeze : FailureKind::kWakeup, raw,
          timestamp);
      failure.phase = "freeze";
      failure.error = -16;  // try_to_freeze_tasks() returns -EBUSY
      current_.failed = true;
      collecting_tasks_ = event.type == Type::kFreezeFailed ? kTaskDumpLines : 0;
      old_task_format_ = event.old_task_format;
      return;
    }
    case Type::kTask:
      return;
    case Type::kWakeupPending: {
      for (const Failure& known : sleep(timestamp).failures)
        if (known.kind == FailureKind::kWakeup) return;
      Failure& failure = add_failure(FailureKind::kWakeup, raw, timestamp);
      failure.error = -16;  // pm_wakeup_pending() aborts with -EBUSY
      current_.failed = true;
      return;
    }
    case Type::kWakeupSource: {
      if (!open_) return;  // printed outside a sleep by a read of /sys/power/wakeup_count
      for (auto it = current_.failures.rbegin(); it != current_.failures.rend(); ++it) {
        if (it->kind == FailureKind::kWakeup) {
          if (it->wakeup_source.empty()) it->wakeup_source = clip(event.text);
          return;
        }
      }
      Failure& failure = add_failure(FailureKind::kWakeup, raw, timestamp);
      failure.wakeup_source = clip(event.text);
      return;
    }
    case Type::kDevicesFailed: {
      SleepAttempt& attempt = sleep(timestamp);
      attempt.failed = true;
      if (attempt.failed_message.empty()) {
        attempt.failed_message = clip(raw);
        attempt.failed_line = findings_.lines;
      }
      for (Failure& failure : attempt.failures)
        if (failure.kind == FailureKind::kWakeup && failure.phase.empty())
          failure.phase = clip(event.phase.empty() ? "suspend" : event.phase);
      return;
    }
    case Type::kManagerFailed:
    case Type::kManagerError:
    case Type::kWriteError: {
      SleepAttempt* attempt = open_ ? &current_ : has_recent_ ? &recent_ : nullptr;
      if (!attempt && event.type == Type::kManagerError) return;  // a stray continuation
      if (!attempt) {
        open_sleep("", timestamp, false);  // a log with the sleep manager's lines only
        attempt = &current_;
      }
      attempt->failed = true;
      if (attempt->failed_message.empty() || event.type == Type::kManagerFailed) {
        attempt->failed_message = clip(raw);
        attempt->failed_line = findings_.lines;
      }
      if (!event.text.empty() && attempt->manager_error.empty()) {
        attempt->manager_error = clip(event.text);
        if (const auto error = errno_from_text(attempt->manager_error))
          attempt->manager_errno = -*error;
      }
      return;
    }
    case Type::kHookRunning:
      running_hook_ = clip(event.device);
      return;
    case Type::kHookFailed:
      failed_hook_ = event.device.empty() ? running_hook_ : clip(event.device);
      failed_hook_status_ = event.error;
      return;
    case Type::kInhibited: {
      open_sleep(event.phase, timestamp, false);
      Failure& failure = add_failure(FailureKind::kHook, raw, timestamp);
      failure.hook = failed_hook_;
      failure.error = failed_hook_status_;
      failure.phase = "hook";
      current_.failed = true;
      close_sleep();
      return;
    }
  }
}

LogFindings KernelLogReader::finish() {
  close_sleep();
  commit_recent();
  LogFindings findings = findings_;
  findings.failed_sleeps.assign(kept_.rbegin(), kept_.rend());
  return findings;
}

}  // namespace suspendfix
