// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "hardware/device_source.hpp"
#include "modules/module_backend.hpp"
#include "planner/matcher.hpp"
#include "planner/plan.hpp"
#include "profiles/profile_database.hpp"

namespace suspendfix {

/// Options shared by the commands that look at the machine (detect, hook, suspend).
struct ScanOptions {
  std::vector<std::string> profile_dirs;  // --profiles; empty: the default search path
  std::string kernel_release;             // --kernel-release; empty: the running kernel
  bool use_hwdb = true;
};

/// The machine, the database and the matches, read once per run.
struct Scan {
  Machine machine;
  std::vector<std::string> profile_directories;
  ProfileDatabase database;
  std::vector<ProfileMatch> matches;
};

/// Reads devices (libudev) and profiles, and matches them. Bad profiles are logged and left out.
Scan scan_machine(const ScanOptions& options, DeviceSource& devices);

/// The profile directories in force: --profiles, else $SUSPENDFIX_PROFILES_DIR (colon-separated),
/// else the vendor directory then /etc/suspendfix/profiles.d.
std::vector<ProfileDirectory> profile_directories(const std::vector<std::string>& given);

}  // namespace suspendfix
