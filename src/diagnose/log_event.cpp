// SPDX-License-Identifier: GPL-2.0-or-later
// Reading the kernel's and the sleep managers' messages about a failed sleep. Formats:
// drivers/base/power/main.c (pm_dev_err, dpm_run_callback, dpm_prepare), kernel/power/process.c
// (try_to_freeze_tasks), drivers/base/power/wakeup.c, systemd's sleep.c, pm-utils' pm-functions.
#include "diagnose/log_event.hpp"

namespace suspendfix {
namespace {

using Type = LogEvent::Type;
constexpr auto npos = std::string_view::npos;

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}
bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}
bool contains(std::string_view text, std::string_view part) { return text.find(part) != npos; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '.'))
    text.remove_suffix(1);
  return text;
}

/// A decimal integer at the start of text ("-16", "2"), within the range a kernel errno or
/// an exit code has. nullopt for anything else.
std::optional<int> leading_int(std::string_view text) {
  bool negative = false;
  if (!text.empty() && text[0] == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  int value = 0;
  size_t n = 0;
  while (n < text.size() && text[n] >= '0' && text[n] <= '9' && n < 6) {
    value = value * 10 + (text[n] - '0');
    ++n;
  }
  if (n == 0) return std::nullopt;
  return negative ? -value : value;
}

/// Splits a dev_printk prefix "<driver or bus or class> <device>" (the driver may contain
/// spaces; the device name does not).
void split_device_prefix(std::string_view prefix, LogEvent& event) {
  prefix = trim(prefix);
  const size_t space = prefix.rfind(' ');
  if (space == npos) {
    event.device = prefix;
    return;
  }
  event.device = prefix.substr(space + 1);
  event.driver = trim(prefix.substr(0, space));
}

/// "<phase>: error <n>" after "failed to ".
bool read_phase_error(std::string_view rest, std::string_view marker, LogEvent& event) {
  const size_t at = rest.rfind(marker);
  if (at == npos) return false;
  event.phase = trim(rest.substr(0, at));
  event.error = leading_int(rest.substr(at + marker.size()));
  return !event.phase.empty() && event.phase.size() < 40;
}

std::optional<LogEvent> device_failure(std::string_view message) {
  LogEvent event{Type::kDeviceFailed};
  // 5.12+: "<driver> <device>: PM: failed to <verb><info>: error <n>".
  if (const size_t at = message.find(": PM: failed to "); at != npos) {
    split_device_prefix(message.substr(0, at), event);
    if (read_phase_error(message.substr(at + 16), ": error ", event) && !event.device.empty())
      return event;
    return std::nullopt;
  }
  // Up to 5.11: "PM: Device <device> failed to <verb><info>: error <n>".
  if (const size_t at = message.find("PM: Device "); at != npos) {
    const std::string_view rest = message.substr(at + 11);
    if (const size_t failed = rest.find(" failed to "); failed != npos) {
      event.device = rest.substr(0, failed);
      if (read_phase_error(rest.substr(failed + 11), ": error ", event) && !event.device.empty())
        return event;
    }
    if (const size_t prepared = rest.find(" not prepared for power transition: code ");
        prepared != npos) {
      event.type = Type::kNotPrepared;
      event.device = rest.substr(0, prepared);
      event.phase = "prepare";
      event.error = leading_int(rest.substr(prepared + 41));
      return event;
    }
  }
  if (const size_t at = message.find(": PM: not prepared for power transition: code ");
      at != npos) {
    event.type = Type::kNotPrepared;
    split_device_prefix(message.substr(0, at), event);
    event.phase = "prepare";
    event.error = leading_int(message.substr(at + 47));
    return event;
  }
  return std::nullopt;
}

/// "[<prefix>: ][PM: ]<caller>(): <function>[+0x0/0x150] [[module]] returns <n>".
std::optional<LogEvent> callback_failure(std::string_view message) {
  const size_t returns = message.rfind(" returns ");
  if (returns == npos) return std::nullopt;
  const auto error = leading_int(message.substr(returns + 9));
  if (!error || *error >= 0) return std::nullopt;
  const size_t call = message.rfind("(): ", returns);
  if (call == npos) return std::nullopt;
  LogEvent event{Type::kCallbackFailed};
  event.error = error;
  size_t name = call;
  while (name > 0 && message[name - 1] != ' ' && message[name - 1] != ':') --name;
  event.caller = message.substr(name, call - name);
  if (event.caller.empty()) return std::nullopt;
  for (char c : event.caller)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return std::nullopt;
  std::string_view callee = trim(message.substr(call + 4, returns - call - 4));
  if (const size_t bracket = callee.find(" ["); bracket != npos) {
    std::string_view module = callee.substr(bracket + 2);
    module = module.substr(0, module.find_first_of(" ]"));  // "[btrfs 7ab35b9b...]"
    event.module = module;
    callee = callee.substr(0, bracket);
  }
  event.function = callee.substr(0, callee.find('+'));
  if (event.function.empty()) return std::nullopt;
  // What came before the caller: "<driver> <device>: PM: " (5.18+) or "PM: " or nothing.
  std::string_view before = message.substr(0, name);
  if (ends_with(before, "PM: ")) before.remove_suffix(4);
  before = trim(before);
  if (ends_with(before, ":")) {
    before.remove_suffix(1);
    split_device_prefix(before, event);
  }
  return event;
}

std::optional<LogEvent> freezer(std::string_view message) {
  if (!starts_with(message, "Freezing ")) return std::nullopt;
  LogEvent event{Type::kFreezeFailed};
  size_t at = message.find(" failed after ");
  if (at == npos) {
    at = message.find(" aborted");  // "Freezing of tasks aborted after 0.011 seconds"
    if (at == npos) return std::nullopt;
    event.type = Type::kFreezeAborted;
  }
  event.phase = "freeze";
  event.text = message.substr(9, at - 9);  // "of tasks", "user space processes", ...
  if (const size_t open = message.find('('); open != npos) {
    if (const auto count = leading_int(message.substr(open + 1)); count && *count >= 0)
      event.count = *count;
  }
  // Kernels before the task: dump format printed "(N tasks refusing to freeze):" alone.
  event.old_task_format = !contains(message, "wq_busy");
  return event;
}

std::optional<LogEvent> wakeup(std::string_view message) {
  if (ends_with(message, "Wakeup pending, aborting suspend")) return LogEvent{Type::kWakeupPending};
  for (std::string_view marker : {"last active wakeup source: ", "active wakeup source: "}) {
    if (const size_t at = message.find(marker); at != npos) {
      LogEvent event{Type::kWakeupSource};
      event.text = trim(message.substr(at + marker.size()));
      if (!event.text.empty()) return event;
    }
  }
  return std::nullopt;
}

std::optional<LogEvent> kernel_message(std::string_view message) {
  if (!contains(message, "PM:") && !starts_with(message, "Freezing ") &&
      !contains(message, "(): ") && !contains(message, "wakeup") && !contains(message, "Wakeup") &&
      !starts_with(message, "Restarting tasks"))
    return std::nullopt;  // the common case: a line that says nothing about sleep
  if (auto event = device_failure(message)) return event;
  if (auto event = callback_failure(message)) return event;
  if (auto event = freezer(message)) return event;
  if (auto event = wakeup(message)) return event;
  for (std::string_view marker :
       {"PM: suspend entry", "PM: hibernation: hibernation entry", "PM: hibernation entry"}) {
    if (const size_t at = message.find(marker); at != npos) {
      LogEvent event{Type::kSleepEntry};
      if (marker != "PM: suspend entry") event.phase = "hibernate";
      if (const size_t open = message.find('(', at); open != npos)
        event.phase = message.substr(open + 1, message.find(')', open) - open - 1);
      return event;
    }
  }
  for (std::string_view marker :
       {"PM: suspend exit", "PM: hibernation: hibernation exit", "PM: hibernation exit"})
    if (contains(message, marker)) return LogEvent{Type::kSleepExit};
  if (contains(message, "PM: Syncing filesystems") || contains(message, "PM: Preparing system for"))
    return LogEvent{Type::kSleepStart};
  if (starts_with(message, "Restarting tasks")) return LogEvent{Type::kRestartingTasks};
  if (contains(message, "PM: Some devices failed to ")) return LogEvent{Type::kDevicesFailed};
  struct Phase {
    std::string_view marker, phase;
  };
  for (const Phase& summary : {Phase{"PM: late suspend of devices failed", "suspend late"},
                               Phase{"PM: noirq suspend of devices failed", "suspend noirq"},
                               Phase{"PM: suspend of devices aborted", "suspend"}}) {
    if (contains(message, summary.marker)) {
      LogEvent event{Type::kDevicesFailed};
      event.phase = summary.phase;
      return event;
    }
  }
  return std::nullopt;
}

std::optional<LogEvent> manager_message(std::string_view message) {
  for (std::string_view marker : {"Failed to put system to sleep", "Failed to suspend system",
                                  "Failed to hibernate system", "Failed to put system to"}) {
    if (const size_t at = message.find(marker); at != npos) {
      LogEvent event{Type::kManagerFailed};
      if (const size_t again = message.find("System resumed again: "); again != npos)
        event.text = trim(message.substr(again + 22));
      return event;
    }
  }
  if (const size_t again = message.find("System resumed again: "); again != npos) {
    LogEvent event{Type::kManagerError};
    event.text = trim(message.substr(again + 22));
    return event;
  }
  return std::nullopt;
}

std::optional<LogEvent> pm_utils_message(std::string_view message) {
  if (const size_t at = message.find("Returned exit code "); at != npos) {
    LogEvent event{Type::kHookFailed};
    event.error = leading_int(message.substr(at + 19));
    std::string_view hook = trim(message.substr(0, at));
    if (ends_with(hook, ":")) hook.remove_suffix(1);
    event.device = hook.substr(0, hook.find(' '));  // the hook's path, without its arguments
    return event;
  }
  if (starts_with(message, "Running hook ")) {
    LogEvent event{Type::kHookRunning};
    const std::string_view rest = message.substr(13);
    event.device = rest.substr(0, rest.find(' '));
    return event;
  }
  if (const size_t at = message.find("Inhibit found, will not perform "); at != npos) {
    LogEvent event{Type::kInhibited};
    event.phase = trim(message.substr(at + 32));
    return event;
  }
  if (const size_t at = message.find(": performing "); at != npos && !contains(message, "PM:")) {
    LogEvent event{Type::kSleepStart};
    event.phase = trim(message.substr(at + 13));
    return event;
  }
  if (const size_t at = message.find("echo: write error: "); at != npos) {
    LogEvent event{Type::kWriteError};
    event.text = trim(message.substr(at + 19));
    return event;
  }
  return std::nullopt;
}

}  // namespace

std::optional<LogEvent> classify_message(std::string_view message, std::string_view identifier) {
  const bool unknown = identifier.empty();
  if (unknown || identifier == "kernel")
    if (auto event = kernel_message(message)) return event;
  if (unknown || identifier == "systemd-sleep" || identifier == "elogind" ||
      identifier == "elogind-daemon" || identifier == "systemd-logind")
    if (auto event = manager_message(message)) return event;
  if (unknown || identifier == "pm-suspend" || identifier == "pm-utils")
    if (auto event = pm_utils_message(message)) return event;
  return std::nullopt;
}

std::optional<std::string_view> task_dump_name(std::string_view message, bool old_format) {
  std::string_view text = message;
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  if (starts_with(text, "task:")) {
    text.remove_prefix(5);
    const size_t state = text.find(" state:");
    const std::string_view name = trim(text.substr(0, state));
    if (!name.empty()) return name;
    return std::nullopt;
  }
  if (!old_format) return std::nullopt;
  // sched_show_task() before "task:": "%-15.15s %c" then "running task" or a stack address.
  if (message.size() > 18 && message[15] == ' ' && message[16] != ' ' && message[17] == ' ') {
    const char state = message[16];
    if ((state >= 'A' && state <= 'Z') || (state >= 'a' && state <= 'z')) {
      const std::string_view name = trim(message.substr(0, 15));
      if (!name.empty() && name.find(' ') == npos) return name;
    }
  }
  return std::nullopt;
}

}  // namespace suspendfix
