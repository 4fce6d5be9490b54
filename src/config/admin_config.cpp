// SPDX-License-Identifier: GPL-2.0-or-later
#include "config/admin_config.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "profiles/yaml_reader.hpp"
#include "spelling.hpp"

namespace suspendfix {

bool AdminConfig::acts_on(SleepType type) const {
  return sleep_types.empty() ||
         std::find(sleep_types.begin(), sleep_types.end(), type) != sleep_types.end();
}

bool AdminConfig::reloads_at_wake(HookFrontend frontend, SleepType type) const {
  if (type == SleepType::kSuspendThenHibernate) return false;
  switch (reload_at_wake) {
    case ReloadAtWake::kYes:
      return true;
    case ReloadAtWake::kNo:
      return false;
    case ReloadAtWake::kAuto:
      // systemd-sleep starts every post hook at once (EXEC_DIR_PARALLEL): ours may already
      // run first. elogind and pm-utils run them in order, and `suspendfix suspend` loads
      // back itself as soon as its write returns.
      return frontend == HookFrontend::kSystemd;
  }
  return false;
}

std::string AdminConfig::describe_after_wake(SleepType sleep) const {
  using Reload = ReloadAtWake;
  if (restore_after_seconds == 0)
    return "After wake the post hook loads back (no watcher: restore_after_seconds is 0).";
  if (sleep == SleepType::kSuspendThenHibernate)
    return "After wake the post hook loads back; if none comes, the watcher does\n  " +
           std::to_string(restore_after_seconds) + " s later (never at once for this sleep type).";
  switch (reload_at_wake) {
    case Reload::kYes:
      return "After wake the watcher loads back at once, before any post hook "
             "(reload_at_wake: yes).";
    case Reload::kNo:
      return "After wake the post hook loads back; if none comes, the watcher does\n  " +
             std::to_string(restore_after_seconds) + " s later (reload_at_wake: no).";
    case Reload::kAuto:
      break;
  }
  return "After wake, under systemd-sleep the watcher loads back at once; under elogind\n"
         "  and pm-utils the post hook does (reload_at_wake: auto).";
}

PlanOptions AdminConfig::plan_options(SleepType type) const {
  PlanOptions options;
  options.disabled_profiles = disable_profiles;
  for (const ConfiguredModule& module : unload_modules)
    if (module.sleep.empty() ||
        std::find(module.sleep.begin(), module.sleep.end(), type) != module.sleep.end())
      options.extra_modules.push_back(module.name);
  return options;
}

AdminConfig parse_admin_config(std::string_view yaml, const std::string& origin) {
  AdminConfig config;
  config.origin = origin;
  const YamlNode root = parse_yaml(yaml, origin);
  if (root.kind == YamlNode::Kind::kNull) return config;  // an empty file: the defaults
  const YamlReader reader(origin, nullptr, YamlReader::UnknownKeys::kError);
  auto whole_number = [&](const YamlNode& node, const std::string& what, int low, int high) {
    const std::string text = reader.string(node, what);
    char* end = nullptr;
    errno = 0;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (errno != 0 || *end != '\0' || value < low || value > high)
      reader.fail(node, "bad " + what + " '" + text + "': expected a whole number from " +
                            std::to_string(low) + " to " + std::to_string(high));
    return static_cast<int>(value);
  };
  reader.map(
      root, "configuration",
      {{"unload_modules",
        [&](const YamlNode& list) {
          reader.list(list, "unload_modules", [&](const YamlNode& item) {
            ConfiguredModule module;
            module.name = reader.module_entry(item, "unload_modules",
                                              {{"sleep", [&](const YamlNode& v) {
                                                  module.sleep = reader.sleep_types(v, "sleep");
                                                }}});
            config.unload_modules.push_back(module);
          });
        }},
       {"keep_modules",
        [&](const YamlNode& list) {
          reader.list(list, "keep_modules", [&](const YamlNode& item) {
            config.keep_modules.push_back(reader.module_name(item));
          });
        }},
       {"disable_profiles",
        [&](const YamlNode& list) {
          reader.list(list, "disable_profiles", [&](const YamlNode& item) {
            const std::string id = reader.string(item, "disable_profiles");
            config.disable_profiles.insert(id);
            config.disable_profiles_at.emplace(id, std::make_pair(item.line, item.column));
          });
        }},
       {"sleep_types",
        [&](const YamlNode& v) { config.sleep_types = reader.sleep_types(v, "sleep_types"); }},
       {"timeout_seconds",
        [&](const YamlNode& v) {
          config.timeout_seconds = whole_number(v, "timeout_seconds", 1, 80);
        }},
       {"busy_retry_ms",
        [&](const YamlNode& v) {
          config.busy_retry_ms = whole_number(v, "busy_retry_ms", 0, 10000);
        }},
       {"restore_after_seconds",
        [&](const YamlNode& v) {
          config.restore_after_seconds = whole_number(v, "restore_after_seconds", 0, 600);
        }},
       {"reload_at_wake", [&](const YamlNode& v) {
          const std::string text = reader.string(v, "reload_at_wake");
          using Reload = AdminConfig::ReloadAtWake;
          if (text == "auto")
            config.reload_at_wake = Reload::kAuto;
          else if (text == "true" || text == "yes")
            config.reload_at_wake = Reload::kYes;
          else if (text == "false" || text == "no")
            config.reload_at_wake = Reload::kNo;
          else
            reader.fail(v, "'reload_at_wake' must be auto, true or false, not '" + text + "'");
        }}});
  return config;
}

AdminConfig load_admin_config(const ConfigFile& file) {
  if (file.path.empty()) throw FileError("''", 0, 0, "empty configuration file name");
  struct stat info {};
  if (lstat(file.path.c_str(), &info) != 0 && errno == ENOENT) {
    if (file.given) throw FileError(file.path, 0, 0, "no such configuration file");
    return {};
  }
  TrustedRead how;
  how.rule = file.trust;
  return parse_admin_config(read_trusted_file(file.path, how), file.path);
}

std::vector<ProfileError> unknown_disabled_profiles(const AdminConfig& config,
                                                    const std::vector<Profile>& profiles) {
  std::vector<std::string> ids;
  for (const Profile& profile : profiles) ids.push_back(profile.id);
  std::vector<ProfileError> warnings;
  for (const auto& [id, place] : config.disable_profiles_at) {
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) continue;
    warnings.emplace_back(
        config.origin, place.first, place.second,
        "disable_profiles names no known profile '" + id + "'" + did_you_mean(id, ids));
  }
  return warnings;
}

}  // namespace suspendfix
