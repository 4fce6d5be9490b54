// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "hardware/device.hpp"
#include "modules/module_backend.hpp"
#include "planner/matcher.hpp"
#include "planner/plan.hpp"
#include "profiles/profile_database.hpp"
#include "sleep/state_store.hpp"

namespace suspendfix {

/// Everything `detect` found, gathered once; the text and the JSON are two views of it.
struct DetectReport {
  Machine machine;
  std::vector<std::string> profile_directories;
  const ProfileDatabase* database = nullptr;
  std::vector<ProfileMatch> matches;
  Plan plan;
  std::map<std::string, ModuleStatus> device_modules;  // state of each device's module
  /// What an earlier sleep left undone (no post ran: elogind cancelled, a crash): restore it.
  std::vector<StateRecord> pending;
  std::string boot_id;  // this boot's, to tell pending records of another boot
  /// Who loads back after wake, and when (AdminConfig::describe_after_wake()).
  std::string after_wake;
};

void write_detect_text(const DetectReport& report, std::ostream& out);
/// Schema 1, documented in suspendfix(8). Keys snake_case, lists sorted.
void write_detect_json(const DetectReport& report, std::ostream& out);

/// "matched pci 0000:0f:00.0 [1033:0194] by vendor 1033, device 0194"
std::string describe_match(const Machine& machine, const Profile& profile,
                           const MatchedDevice& device);

}  // namespace suspendfix
