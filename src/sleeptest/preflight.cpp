// SPDX-License-Identifier: GPL-2.0-or-later
#include "sleeptest/preflight.hpp"

#include <algorithm>
#include <numeric>
#include <sstream>

#include "enum_names.hpp"

namespace suspendfix {
namespace {

constexpr EnumName<SleepPath> kHookNames[] = {{SleepPath::kSystemd, "systemd-sleep hook"},
                                              {SleepPath::kElogind, "elogind hook"},
                                              {SleepPath::kPmUtils, "pm-utils hook"},
                                              {SleepPath::kSelf, "hook"}};
const char* hook_name(SleepPath path) { return name_of(kHookNames, path); }

/// Who decides the sleep on that path; for self, suspendfix (never shown: self has no manager).
constexpr EnumName<SleepPath> kManagerNames[] = {{SleepPath::kSystemd, "systemd"},
                                                 {SleepPath::kElogind, "elogind"},
                                                 {SleepPath::kPmUtils, "pm-utils"},
                                                 {SleepPath::kSelf, "suspendfix"}};
const char* manager_name(SleepPath path) { return name_of(kManagerNames, path); }

std::string joined(const std::vector<std::string>& words, const char* separator) {
  std::string out;
  for (const std::string& word : words) out += (out.empty() ? "" : separator) + word;
  return out;
}

bool contains(const std::vector<std::string>& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

/// Chooses the machine's own path: what the lid's sleep goes through.
void choose_path(const SleepFacts& facts, Preflight& out) {
  for (SleepPath path : kAllSleepPaths) {
    if (path == SleepPath::kSelf) break;
    const auto found = facts.paths.find(path);
    if (found == facts.paths.end()) continue;
    const PathFacts& facts_of = found->second;
    const bool running = path == SleepPath::kPmUtils || facts_of.manager_running;
    if (running && !facts_of.hook.empty() && !facts_of.client.empty()) {
      out.path = path;
      out.why_path =
          std::string("suspendfix's ") + hook_name(path) + " " + facts_of.hook + " is installed" +
          (path == SleepPath::kPmUtils ? ""
                                       : std::string(" and ") + manager_name(path) + " is running");
      return;
    }
    if (facts_of.manager_running && facts_of.hook.empty())
      out.notes.push_back(std::string(manager_name(path)) + " is running but suspendfix's " +
                          hook_name(path) + " is not installed (looked for " +
                          joined(facts_of.hook_places, ", ") +
                          "): the sleeps it starts do not go through suspendfix");
  }
  out.path = SleepPath::kSelf;
  out.why_path = "no sleep system with suspendfix's hook is running";
}

void check_path(const TestRequest& request, const SleepFacts& facts, Preflight& out) {
  if (out.path == SleepPath::kSelf) return;
  const auto found = facts.paths.find(out.path);
  const PathFacts none;
  const PathFacts& path = found == facts.paths.end() ? none : found->second;
  const std::vector<std::string> command = sleep_path_command(out.path, request.mode);
  if (path.hook.empty())
    out.refusals.push_back(std::string("suspendfix's ") + hook_name(out.path) +
                           " is not installed (looked for " + joined(path.hook_places, ", ") +
                           "): a sleep through " + sleep_path_name(out.path) +
                           " would not go through suspendfix");
  if (path.client.empty() && !command.empty())
    out.refusals.push_back("'" + command.front() + "' is not installed (not found in PATH)");
  if (request.mode == "freeze")
    out.refusals.push_back(std::string("--mode freeze works only with --through self: ") +
                           manager_name(out.path) +
                           " chooses the sleep state itself (--mem-sleep s2idle makes its "
                           "suspend an s2idle one)");
}

void check_kernel(const TestRequest& request, const SleepFacts& facts, Preflight& out) {
  if (facts.wakealarm.empty())
    out.refusals.push_back(
        "no RTC wake alarm (/sys/class/rtc/rtc0/wakealarm is missing): nothing would wake the "
        "machine");
  else if (!facts.wakealarm_writable)
    out.refusals.push_back("cannot write the RTC wake alarm " + facts.wakealarm);
  if (!facts.power_states) {
    out.refusals.push_back("/sys/power/state cannot be read: this kernel offers no sleep");
  } else if (!contains(choice_words(*facts.power_states), request.mode)) {
    out.refusals.push_back("this kernel does not offer '" + request.mode + "' (/sys/power/state: " +
                           joined(choice_words(*facts.power_states), " ") + ")");
  }
  if (!request.mem_sleep.empty()) {
    if (request.mode != "mem")
      out.refusals.push_back("--mem-sleep applies to --mode mem only");
    else if (!facts.mem_sleep)
      out.refusals.push_back("/sys/power/mem_sleep cannot be read: --mem-sleep " +
                             request.mem_sleep + " cannot be chosen");
    else if (!contains(choice_words(*facts.mem_sleep), request.mem_sleep))
      out.refusals.push_back("this kernel does not offer mem_sleep '" + request.mem_sleep +
                             "' (/sys/power/mem_sleep: " + *facts.mem_sleep + ")");
  }
}

}  // namespace

const char* sleep_path_name(SleepPath path) { return name_of(kSleepPathNames, path); }

std::optional<SleepPath> sleep_path_from_name(std::string_view name) {
  return value_of(kSleepPathNames, name);
}

std::vector<std::string> sleep_path_command(SleepPath path, const std::string& mode) {
  const bool disk = mode == "disk";
  switch (path) {
    case SleepPath::kSystemd:
      return {"systemctl", disk ? "hibernate" : "suspend"};
    case SleepPath::kElogind:
      return {"loginctl", disk ? "hibernate" : "suspend"};
    case SleepPath::kPmUtils:
      return {disk ? "pm-hibernate" : "pm-suspend"};
    case SleepPath::kSelf:
      break;
  }
  return {};
}

std::string sleep_path_description(SleepPath path, const std::string& mode) {
  if (path == SleepPath::kSelf)
    return "suspendfix's own pre, '" + mode + "' to /sys/power/state, post";
  return joined(sleep_path_command(path, mode), " ");
}

std::vector<std::string> choice_words(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream stream{std::string(text)};
  for (std::string word; stream >> word;) {
    if (word.size() > 2 && word.front() == '[' && word.back() == ']')
      word = word.substr(1, word.size() - 2);
    words.push_back(word);
  }
  return words;
}

std::string chosen_word(std::string_view text) {
  std::istringstream stream{std::string(text)};
  for (std::string word; stream >> word;)
    if (word.size() > 2 && word.front() == '[' && word.back() == ']')
      return word.substr(1, word.size() - 2);
  return "";
}

PowerVerdict judge_power(const std::vector<PowerSupply>& supplies) {
  bool has_mains = false, mains_online = false, discharging = false;
  std::vector<const PowerSupply*> batteries;
  for (const PowerSupply& supply : supplies) {
    if (supply.type == "Battery") {
      if (supply.scope != "Device" && supply.present.value_or(true)) batteries.push_back(&supply);
      continue;
    }
    if (supply.scope == "Device") continue;
    has_mains = true;  // Mains, USB, UPS, Wireless: what charges the machine
    mains_online |= supply.online.value_or(false);
  }
  for (const PowerSupply* battery : batteries) discharging |= battery->status == "Discharging";
  PowerVerdict verdict;
  if (batteries.empty()) {
    verdict.text = "no battery";
    return verdict;
  }
  if (has_mains ? mains_online : !discharging) {
    verdict.text = "on AC power";
    return verdict;
  }
  verdict.on_battery = true;
  uint64_t now = 0, full = 0;
  bool energy = true;
  std::vector<int> capacities;
  for (const PowerSupply* battery : batteries) {
    energy &= battery->now && battery->full && *battery->full > 0;
    if (energy) now += *battery->now, full += *battery->full;
    if (battery->capacity) capacities.push_back(*battery->capacity);
  }
  if (energy)
    verdict.percent = static_cast<int>(std::min<uint64_t>(100, now * 100 / full));
  else if (capacities.size() == batteries.size())
    verdict.percent = std::accumulate(capacities.begin(), capacities.end(), 0) /
                      static_cast<int>(capacities.size());
  verdict.text = "on battery" + (verdict.percent ? ", " + std::to_string(*verdict.percent) + " %"
                                                 : std::string(", charge unknown"));
  return verdict;
}

Preflight check_preflight(const TestRequest& request, const SleepFacts& facts) {
  Preflight out;
  if (request.through) {
    out.path = *request.through;
    out.why_path = "asked for (--through)";
  } else {
    choose_path(facts, out);
  }
  if (!facts.root)
    out.refusals.push_back(
        "must run as root: it writes /sys/power/state and the RTC alarm, and the hook loads "
        "and unloads modules");
  check_kernel(request, facts, out);
  check_path(request, facts, out);
  if (!facts.state_problem.empty())
    out.refusals.push_back("cannot read what is recorded: " + facts.state_problem);
  else if (!facts.pending.empty())
    out.refusals.push_back("a previous sleep left records in " + facts.state_file + " (" +
                           joined(facts.pending, ", ") + "): run 'suspendfix restore' first");
  const PowerVerdict power = judge_power(facts.supplies);
  out.notes.push_back("power: " + power.text);
  if (power.on_battery && request.min_battery > 0) {
    if (!power.percent)
      out.refusals.push_back(
          "on battery, and its charge cannot be read: plug in the charger, or pass "
          "--min-battery 0 to run anyway");
    else if (*power.percent < request.min_battery)
      out.refusals.push_back("on battery at " + std::to_string(*power.percent) +
                             " %, below --min-battery " + std::to_string(request.min_battery) +
                             " %: plug in the charger (or lower --min-battery)");
  }
  return out;
}

}  // namespace suspendfix
