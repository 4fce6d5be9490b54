// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "enum_names.hpp"

namespace suspendfix {

/// The ways `suspendfix test` puts the machine to sleep: suspendfix's own pre, write, post,
/// or the client of the sleep system whose hook runs suspendfix, as the lid does.
enum class SleepPath { kSelf, kSystemd, kElogind, kPmUtils };
inline constexpr SleepPath kAllSleepPaths[] = {SleepPath::kSystemd, SleepPath::kElogind,
                                               SleepPath::kPmUtils, SleepPath::kSelf};
inline constexpr EnumName<SleepPath> kSleepPathNames[] = {{SleepPath::kSystemd, "systemd"},
                                                          {SleepPath::kElogind, "elogind"},
                                                          {SleepPath::kPmUtils, "pm-utils"},
                                                          {SleepPath::kSelf, "self"}};
const char* sleep_path_name(SleepPath path);
std::optional<SleepPath> sleep_path_from_name(std::string_view name);
/// The client's command for a mode (mem, disk): {"systemctl", "suspend"}; empty for self.
std::vector<std::string> sleep_path_command(SleepPath path, const std::string& mode);
/// "systemctl suspend", or "suspendfix's pre, /sys/power/state, post" for self.
std::string sleep_path_description(SleepPath path, const std::string& mode);

/// One entry of /sys/class/power_supply, as far as it could be read.
struct PowerSupply {
  std::string name;
  std::string type;    // Mains, Battery, USB, UPS, ...
  std::string scope;   // "Device" for a mouse's battery: not the machine's
  std::string status;  // Charging, Discharging, Full, Not charging
  std::optional<bool> online, present;
  std::optional<int> capacity;        // percent
  std::optional<uint64_t> now, full;  // energy_now/energy_full, else charge_now/charge_full
};

struct PowerVerdict {
  bool on_battery = false;
  std::optional<int> percent;  // the machine's batteries together, when on battery
  std::string text;            // "on AC power", "on battery, 54 %", "no battery"
};
/// On AC when a mains (or USB) supply is online, or, with no mains supply to ask, when no
/// battery discharges. Several batteries count together (energy, else the mean capacity).
PowerVerdict judge_power(const std::vector<PowerSupply>& supplies);

/// What the machine says about one sleep path.
struct PathFacts {
  std::string hook;                      // suspendfix's hook for it, "" when not installed
  std::vector<std::string> hook_places;  // where it was looked for
  bool manager_running = false;          // systemd as init, elogind's daemon; pm-utils: n/a
  std::string client;                    // the client program found, "" when none
};

/// Everything preflight needs, read by the OS side (sleeptest/sleep_facts.cpp).
struct SleepFacts {
  bool root = false;
  std::string wakealarm;  // /sys/class/rtc/rtc0/wakealarm, "" when absent
  bool wakealarm_writable = false;
  std::optional<std::string> power_states;  // /sys/power/state: "freeze mem disk"
  std::optional<std::string> mem_sleep;     // /sys/power/mem_sleep: "s2idle [deep]"
  std::map<SleepPath, PathFacts> paths;
  std::vector<PowerSupply> supplies;
  std::vector<std::string> pending;  // what a previous sleep left recorded ("module xhci_pci")
  std::string state_problem;         // the state file or directory could not be read
  std::string state_file;
};

struct TestRequest {
  std::optional<SleepPath> through;  // nullopt: the machine's own path
  std::string mode = "mem";          // mem, freeze, disk
  std::string mem_sleep;             // s2idle, shallow, deep, or "" to leave it
  int min_battery = 20;              // percent
};

struct Preflight {
  SleepPath path = SleepPath::kSelf;
  std::string why_path;               // why this path was chosen
  std::vector<std::string> refusals;  // each a reason not to start; empty: go
  std::vector<std::string> notes;     // what a person should know (power, a missing hook)
};

/// Chooses the path (the one whose hook is installed and whose manager runs, systemd first,
/// then elogind, then pm-utils, else self) and lists every reason not to start. Pure.
Preflight check_preflight(const TestRequest& request, const SleepFacts& facts);

/// The words of a sysfs choice file ("s2idle [deep]" -> s2idle, deep) and the one in brackets.
std::vector<std::string> choice_words(std::string_view text);
std::string chosen_word(std::string_view text);

}  // namespace suspendfix
