// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "planner/plan.hpp"
#include "profiles/profile.hpp"

namespace suspendfix {

/// A module the administrator wants unloaded (pm-utils' SUSPEND_MODULES), optionally only
/// for some sleep types.
struct ConfiguredModule {
  std::string name;
  std::vector<SleepType> sleep;  // empty: every sleep type
};

/// /etc/suspendfix/config.yaml, documented in suspendfix.conf(5).
struct AdminConfig {
  std::vector<ConfiguredModule> unload_modules;
  std::vector<std::string> keep_modules;
  std::set<std::string> disable_profiles;
  std::vector<SleepType> sleep_types;  // the hook acts on these; empty: all
  int timeout_seconds = 30;            // the whole hook, well under systemd's 90 s for all hooks
  int busy_retry_ms = 1000;            // how long a module in use is retried before it is skipped
  int restore_after_seconds = 10;      // self-healing: how long to wait for a post; 0: never

  bool acts_on(SleepType type) const;
  /// The planner's view for one sleep type: extra modules, disabled profiles, keep list.
  PlanOptions plan_options(SleepType type) const;
};

/// Parses the configuration text. Throws ProfileError; unknown keys go to *warnings.
AdminConfig parse_admin_config(std::string_view yaml, const std::string& origin,
                               std::vector<ProfileError>* warnings);

/// Reads the file; a missing file gives the defaults. Throws ProfileError.
AdminConfig load_admin_config(const std::string& path, std::vector<ProfileError>* warnings);

}  // namespace suspendfix
