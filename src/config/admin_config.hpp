// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "error.hpp"
#include "planner/plan.hpp"
#include "profiles/profile.hpp"
#include "sleep/sleep_event.hpp"
#include "trusted_file.hpp"

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
  /// Where each id of disable_profiles was written (line, column), for the warning about one
  /// that names no profile; and the file read ("" for the defaults).
  std::map<std::string, std::pair<int, int>> disable_profiles_at;
  std::string origin;
  std::vector<SleepType> sleep_types;  // the hook acts on these; empty: all
  int timeout_seconds = 30;            // the whole hook, well under systemd's 90 s for all hooks
  int busy_retry_ms = 1000;            // how long a module in use is retried before it is skipped
  int restore_after_seconds = 10;      // self-healing: how long to wait for a post; 0: never
  /// Self-healing: whether the watcher loads back at the wake instead of leaving it to post.
  /// kAuto: where the sleep system starts its post hooks side by side (systemd-sleep), so
  /// that loading first changes no order a hook could rely on.
  enum class ReloadAtWake { kAuto, kYes, kNo };
  ReloadAtWake reload_at_wake = ReloadAtWake::kAuto;

  bool acts_on(SleepType type) const;
  /// reload_at_wake for a pre of this sleep system and type. Never for suspend-then-hibernate,
  /// whose wakes before the hibernation are not the end of the sleep.
  bool reloads_at_wake(HookFrontend frontend, SleepType type) const;
  /// Who loads back after a wake from this sleep type, and when, in words (for detect).
  std::string describe_after_wake(SleepType type) const;
  /// The planner's view for one sleep type: extra modules and disabled profiles. The keep list
  /// goes to the planner's Protection (planner/protection.hpp) with the other never-unload rules.
  PlanOptions plan_options(SleepType type) const;
};

/// Parses the configuration text. Throws ProfileError, for unknown keys too: a mistyped
/// keep_modules must not let `pre` unload what it protects.
AdminConfig parse_admin_config(std::string_view yaml, const std::string& origin);

struct ConfigFile {
  std::string path;
  /// Named by the user (--config): then a missing file is an error, not the defaults.
  bool given = false;
  /// Set when running as root: the file and the directories above it must be trusted.
  std::optional<TrustRule> trust;
};

/// Reads the file; a missing file gives the defaults unless it was given. Throws ProfileError.
AdminConfig load_admin_config(const ConfigFile& file);

/// A warning for each id of disable_profiles that names none of `profiles`, with its place
/// and the closest id.
std::vector<ProfileError> unknown_disabled_profiles(const AdminConfig& config,
                                                    const std::vector<Profile>& profiles);

}  // namespace suspendfix
