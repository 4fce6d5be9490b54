// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleep/sleep_log.hpp"

#include <ctime>
#include <sstream>

#include "sleep/state_format.hpp"
#include "sleep/system_probe.hpp"

namespace suspendfix {
namespace {

constexpr char kHeader[] = "# suspendfix sleeps 1";
constexpr char kFile[] = "sleeps";
constexpr size_t kMaxBytes = 64 * 1024;

std::optional<int64_t> parse_time(const std::string& text, int64_t high) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    if (value > (high - (c - '0')) / 10) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::optional<HookFrontend> frontend_from_name(const std::string& name) {
  for (auto frontend : {HookFrontend::kSystemd, HookFrontend::kElogind, HookFrontend::kPmUtils,
                        HookFrontend::kSelf, HookFrontend::kWatcher})
    if (name == hook_frontend_name(frontend)) return frontend;
  return std::nullopt;
}

std::optional<StateRecord::Kind> action_kind(std::string_view name) {
  for (auto kind :
       {StateRecord::Kind::kModule, StateRecord::Kind::kUnbind, StateRecord::Kind::kRemove})
    if (name == state_kind_name(kind)) return kind;
  return std::nullopt;
}

/// "module:xhci_pci,unbind:0000:00:02.0" (a slot holds colons: the kind ends at the first).
/// Items that cannot be read are skipped: the list is for reports, nothing acts on it.
void read_actions(std::string_view list, bool back, std::vector<SleepLogAction>& out) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    const size_t colon = item.find(':');
    if (colon == std::string_view::npos || colon + 1 == item.size() || item.size() > 200) continue;
    if (const auto kind = action_kind(item.substr(0, colon)))
      out.push_back({*kind, std::string(item.substr(colon + 1)), back});
  }
}

std::string format_actions(const std::vector<SleepLogAction>& actions, bool back) {
  std::string list;
  for (const SleepLogAction& action : actions) {
    // Objects are module names and PCI slots; anything that would break the line is left out.
    if (action.back != back || action.object.empty() ||
        action.object.find_first_of(" ,\t\n") != std::string::npos)
      continue;
    list +=
        (list.empty() ? "" : ",") + std::string(state_kind_name(action.kind)) + ":" + action.object;
  }
  return list.empty() ? "" : std::string(back ? " back=" : " left=") + list;
}

/// One entry line; "" when it was read, else what is wrong.
std::string read_entry(const std::string& line, SleepLogEntry& entry) {
  std::istringstream stream(line);
  std::string phase, boot, realtime, sleep, frontend, asleep;
  stream >> phase >> boot >> realtime >> sleep >> frontend >> asleep;
  if (phase != "pre" && phase != "post") return "unknown phase '" + excerpt(phase, 20) + "'";
  entry.phase = phase == "pre" ? SleepPhase::kPre : SleepPhase::kPost;
  if (boot != "-" && !is_valid_boot_id(boot)) return "bad boot id";
  entry.boot_id = boot == "-" ? "" : boot;
  const auto time = parse_time(realtime, 253402300799);
  if (!time) return "bad time '" + excerpt(realtime, 30) + "'";
  entry.realtime = *time;
  const auto type = sleep_type_from_name(sleep);
  if (!type) return "bad sleep type '" + excerpt(sleep, 30) + "'";
  entry.sleep = *type;
  const auto caller = frontend_from_name(frontend);
  if (!caller) return "bad frontend '" + excerpt(frontend, 30) + "'";
  entry.frontend = *caller;
  const auto ms = asleep.rfind("asleep_ms=", 0) == 0
                      ? parse_time(asleep.substr(10), INT64_MAX / 1'000'000)
                      : std::nullopt;
  if (!ms) return "bad asleep_ms '" + excerpt(asleep, 40) + "'";
  entry.asleep_ms = *ms;
  std::string rest;
  std::getline(stream, rest);
  entry.counters = parse_suspend_counters(rest);
  std::istringstream words(rest);
  for (std::string word; words >> word;) {
    if (word.rfind("back=", 0) == 0)
      read_actions(std::string_view(word).substr(5), true, entry.actions);
    if (word.rfind("left=", 0) == 0)
      read_actions(std::string_view(word).substr(5), false, entry.actions);
  }
  return "";
}

}  // namespace

SleepLog parse_sleep_log(std::string_view text, const std::string& origin) {
  SleepLog log;
  std::istringstream lines{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (number == 1 && line != kHeader) {
      log.errors.emplace_back(origin, 1, 0, "not a suspendfix sleep log of format 1");
      return log;
    }
    if (line.empty() || line[0] == '#') continue;
    SleepLogEntry entry;
    if (const std::string problem = read_entry(line, entry); !problem.empty()) {
      log.errors.emplace_back(origin, number, 0, "skipping line: " + problem);
      continue;
    }
    log.entries.push_back(entry);
  }
  return log;
}

std::string format_sleep_log(const std::vector<SleepLogEntry>& entries) {
  std::string out = std::string(kHeader) + "\n";
  for (const SleepLogEntry& entry : entries) {
    out += std::string(entry.phase == SleepPhase::kPre ? "pre " : "post ") +
           (entry.boot_id.empty() ? "-" : entry.boot_id) + " " + std::to_string(entry.realtime) +
           " " + sleep_type_name(entry.sleep) + " " + hook_frontend_name(entry.frontend) +
           " asleep_ms=" + std::to_string(entry.asleep_ms);
    const std::string counters = format_suspend_counters(entry.counters);
    out += (counters.empty() ? "" : " " + counters) + format_actions(entry.actions, true) +
           format_actions(entry.actions, false) + "\n";
  }
  return out;
}

bool same_sleep_log_entry(const SleepLogEntry& a, const SleepLogEntry& b) {
  return a.phase == b.phase && a.boot_id == b.boot_id && a.realtime == b.realtime &&
         a.sleep == b.sleep && a.frontend == b.frontend && a.asleep_ms == b.asleep_ms &&
         a.counters.counters == b.counters.counters;
}

SleepLog read_sleep_log(const std::string& state_directory) {
  PrivateDirectory directory(state_directory);
  if (!directory.open(false)) return {};
  const auto text = directory.read(kFile, kMaxBytes, "sleep log");
  if (!text) return {};
  return parse_sleep_log(*text, directory.path_of(kFile));
}

SleepLogEntry sleep_log_entry_now(SleepPhase phase, SleepType sleep, HookFrontend frontend) {
  SleepLogEntry entry;
  entry.phase = phase;
  entry.boot_id = read_boot_id();
  entry.realtime = static_cast<int64_t>(std::time(nullptr));
  entry.sleep = sleep;
  entry.frontend = frontend;
  entry.asleep_ms = std::max<int64_t>(0, asleep_ns() / 1'000'000);
  if (const auto stats = read_suspend_stats()) entry.counters.counters = stats->counters;
  return entry;
}

void append_sleep_log(PrivateDirectory& directory, const SleepLogEntry& entry) {
  std::vector<SleepLogEntry> entries;
  if (const auto text = directory.read(kFile, kMaxBytes, "sleep log"))
    for (const SleepLogEntry& old : parse_sleep_log(*text, directory.path_of(kFile)).entries)
      if (old.boot_id == entry.boot_id) entries.push_back(old);  // per boot
  entries.push_back(entry);
  if (entries.size() > kSleepLogEntries)
    entries.erase(entries.begin(), entries.end() - static_cast<std::ptrdiff_t>(kSleepLogEntries));
  directory.replace(kFile, format_sleep_log(entries));
}

void note_post_actions(PrivateDirectory& directory, const std::vector<SleepLogAction>& actions) {
  if (actions.empty()) return;
  const auto text = directory.read(kFile, kMaxBytes, "sleep log");
  if (!text) return;
  std::vector<SleepLogEntry> entries = parse_sleep_log(*text, directory.path_of(kFile)).entries;
  if (entries.empty() || entries.back().phase != SleepPhase::kPost ||
      entries.back().boot_id != read_boot_id())
    return;
  entries.back().actions = actions;
  directory.replace(kFile, format_sleep_log(entries));
}

}  // namespace suspendfix
