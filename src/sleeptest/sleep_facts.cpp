// SPDX-License-Identifier: GPL-2.0-or-later
// What preflight needs to know about the machine, read from /sys, /proc and the file system.
#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "config.hpp"
#include "sleep/state_store.hpp"
#include "sleeptest/os_side.hpp"

namespace suspendfix {
namespace {

std::optional<std::string> read_small(const std::string& path) {
  std::ifstream file(path);
  if (!file) return std::nullopt;
  std::string text;
  std::getline(file, text);
  if (file.bad()) return std::nullopt;
  return text;
}

std::optional<int64_t> read_number(const std::string& path) {
  const auto text = read_small(path);
  if (!text || text->empty()) return std::nullopt;
  char* end = nullptr;
  const long long value = std::strtoll(text->c_str(), &end, 10);
  if (*end != '\0' || value < 0) return std::nullopt;
  return value;
}

std::vector<PowerSupply> read_power_supplies() {
  std::vector<PowerSupply> supplies;
  const std::string base = "/sys/class/power_supply/";
  DIR* directory = opendir(base.c_str());
  if (!directory) return supplies;
  while (const dirent* entry = readdir(directory)) {
    const std::string name = entry->d_name;
    if (name.empty() || name[0] == '.') continue;
    const std::string path = base + name + "/";
    PowerSupply supply;
    supply.name = name;
    supply.type = read_small(path + "type").value_or("");
    supply.scope = read_small(path + "scope").value_or("");
    supply.status = read_small(path + "status").value_or("");
    if (const auto online = read_number(path + "online")) supply.online = *online != 0;
    if (const auto present = read_number(path + "present")) supply.present = *present != 0;
    if (const auto capacity = read_number(path + "capacity"))
      supply.capacity = static_cast<int>(*capacity);
    supply.now = read_number(path + "energy_now");
    supply.full = read_number(path + "energy_full");
    if (!supply.now || !supply.full) {
      supply.now = read_number(path + "charge_now");
      supply.full = read_number(path + "charge_full");
    }
    supplies.push_back(std::move(supply));
  }
  closedir(directory);
  return supplies;
}

/// Whether a process of this name runs (elogind has no marker file to ask).
bool process_running(const std::vector<std::string>& names) {
  DIR* proc = opendir("/proc");
  if (!proc) return false;
  bool found = false;
  while (const dirent* entry = readdir(proc)) {
    if (entry->d_name[0] < '1' || entry->d_name[0] > '9') continue;
    const auto comm = read_small(std::string("/proc/") + entry->d_name + "/comm");
    for (const std::string& name : names) found |= comm && *comm == name;
    if (found) break;
  }
  closedir(proc);
  return found;
}

PathFacts path_facts(const std::string& configured, std::vector<std::string> usual,
                     const std::string& file, const std::string& client, bool running) {
  PathFacts facts;
  usual.insert(usual.begin(), configured);
  for (const std::string& directory : usual) {
    const std::string place = directory + "/" + file;
    bool seen = false;
    for (const std::string& known : facts.hook_places) seen |= known == place;
    if (seen || directory.empty()) continue;
    facts.hook_places.push_back(place);
    if (facts.hook.empty() && access(place.c_str(), X_OK) == 0) facts.hook = place;
  }
  facts.client = find_program(client);
  facts.manager_running = running;
  return facts;
}

void read_state(const std::string& state_directory, SleepFacts& facts) {
  StateStore store(state_directory);
  facts.state_file = store.path();
  try {
    if (!store.open_for_reading()) return;
    const ParsedState parsed = store.read_parsed();
    if (parsed.foreign()) {
      facts.state_problem = store.path() + " is of another format (suspendfix status shows it)";
      return;
    }
    for (const StateRecord& record : parsed.file.records)
      facts.pending.push_back(record.damaged() ? "damaged line " + std::to_string(record.line)
                                               : std::string(state_kind_name(record.kind)) + " " +
                                                     record.object);
  } catch (const Error& error) {
    facts.state_problem = error.what();
  }
}

}  // namespace

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string directories = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  directories += ":/usr/local/sbin:/usr/sbin:/sbin";
  std::istringstream list(directories);
  for (std::string directory; std::getline(list, directory, ':');) {
    if (directory.empty() || directory[0] != '/') continue;  // never the working directory
    const std::string candidate = directory + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

SleepFacts read_sleep_facts(const std::string& state_directory) {
  SleepFacts facts;
  facts.root = geteuid() == 0;
  const std::string alarm = "/sys/class/rtc/rtc0/wakealarm";
  if (access(alarm.c_str(), F_OK) == 0) {
    facts.wakealarm = alarm;
    facts.wakealarm_writable = access(alarm.c_str(), W_OK) == 0;
  }
  facts.power_states = read_small("/sys/power/state");
  facts.mem_sleep = read_small("/sys/power/mem_sleep");
  facts.supplies = read_power_supplies();
  facts.paths[SleepPath::kSystemd] = path_facts(
      kSystemdSleepDir,
      {"/usr/lib/systemd/system-sleep", "/lib/systemd/system-sleep", "/etc/systemd/system-sleep"},
      "suspendfix", "systemctl", access("/run/systemd/system", F_OK) == 0);
  facts.paths[SleepPath::kElogind] = path_facts(
      kElogindSleepDir,
      {"/usr/lib/elogind/system-sleep", "/lib/elogind/system-sleep", "/etc/elogind/system-sleep"},
      "suspendfix", "loginctl", process_running({"elogind-daemon", "elogind"}));
  facts.paths[SleepPath::kPmUtils] =
      path_facts(kPmUtilsSleepDir, {"/usr/lib/pm-utils/sleep.d", "/etc/pm/sleep.d"}, "77suspendfix",
                 "pm-suspend", false);
  read_state(state_directory, facts);
  return facts;
}

}  // namespace suspendfix
