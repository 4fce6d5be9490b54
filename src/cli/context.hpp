// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "config/admin_config.hpp"
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
  std::string config_path;                // --config; else $SUSPENDFIX_CONFIG or the default
  bool config_given = false;              // --config was given: the file must exist
  bool use_hwdb = true;
};

/// Adds --profiles and --config to a command.
void add_scan_options(CLI::App& command, ScanOptions& options);
/// Adds --mode (what goes into /sys/power/state: mem, freeze, disk) and --mem-sleep (what goes
/// into /sys/power/mem_sleep: s2idle, shallow, deep), each checked against the kernel's words.
/// when_mem_sleep says when the latter is written ("first", "for the run").
void add_sleep_state_options(CLI::App& command, std::string& mode, std::string& mem_sleep,
                             const std::string& when_mem_sleep);
/// Adds --config alone (restore).
void add_config_option(CLI::App& command, ScanOptions& options);

/// The machine, the database, the matches and the plan, read once per run. Matches point
/// into database.profiles, so a Scan is filled in place and never copied.
struct Scan {
  Machine machine;
  std::vector<std::string> profile_directories;
  ProfileDatabase database;
  std::vector<ProfileMatch> matches;
  AdminConfig config;
  Plan plan;
};

/// The administrator's configuration. Throws ProfileError for a broken file.
AdminConfig load_config(const ScanOptions& options);

/// Reads devices (libudev) and profiles, matches them, and plans for `sleep` with the
/// configuration and the storage protection. Bad profiles are logged and left out.
void scan_machine(const ScanOptions& options, SleepType sleep, DeviceSource& devices,
                  ModuleInspector& modules, Scan& scan);

/// The profile directories in force: --profiles, else $SUSPENDFIX_PROFILES_DIR (colon-separated),
/// else the vendor directory then /etc/suspendfix/profiles.d.
std::vector<ProfileDirectory> profile_directories(const std::vector<std::string>& given);

/// $SUSPENDFIX_STATE_DIR or /run/suspendfix.
std::string state_directory();

}  // namespace suspendfix
