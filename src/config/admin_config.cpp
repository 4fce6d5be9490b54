// SPDX-License-Identifier: GPL-2.0-or-later
#include "config/admin_config.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "planner/planner.hpp"
#include "profiles/yaml_reader.hpp"
#include "text_file.hpp"

namespace suspendfix {

bool AdminConfig::acts_on(SleepType type) const {
  return sleep_types.empty() ||
         std::find(sleep_types.begin(), sleep_types.end(), type) != sleep_types.end();
}

PlanOptions AdminConfig::plan_options(SleepType type) const {
  PlanOptions options;
  options.protected_modules = builtin_protected_modules();
  for (const std::string& name : keep_modules)
    options.protected_modules[name] = "kept by the administrator (keep_modules)";
  options.disabled_profiles = disable_profiles;
  for (const ConfiguredModule& module : unload_modules)
    if (module.sleep.empty() ||
        std::find(module.sleep.begin(), module.sleep.end(), type) != module.sleep.end())
      options.extra_modules.push_back(module.name);
  return options;
}

AdminConfig parse_admin_config(std::string_view yaml, const std::string& origin,
                               std::vector<ProfileError>* warnings) {
  AdminConfig config;
  const YamlNode root = parse_yaml(yaml, origin);
  if (root.kind == YamlNode::Kind::kNull) return config;  // an empty file: the defaults
  const Reader reader(origin, warnings);
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
            config.disable_profiles.insert(reader.string(item, "disable_profiles"));
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
       {"restore_after_seconds", [&](const YamlNode& v) {
          config.restore_after_seconds = whole_number(v, "restore_after_seconds", 0, 600);
        }}});
  return config;
}

AdminConfig load_admin_config(const std::string& path, std::vector<ProfileError>* warnings) {
  struct stat info {};
  if (lstat(path.c_str(), &info) != 0 && errno == ENOENT) return {};
  return parse_admin_config(read_text_file(path, 256 * 1024), path, warnings);
}

}  // namespace suspendfix
