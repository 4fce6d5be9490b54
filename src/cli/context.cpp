// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/context.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <future>
#include <sstream>

#include "config.hpp"
#include "hardware/system_facts.hpp"
#include "log.hpp"
#include "planner/planner.hpp"
#include "planner/protection.hpp"
#include "timing.hpp"

namespace suspendfix {

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

}  // namespace

void add_scan_options(CLI::App& command, ScanOptions& options) {
  command
      .add_option("--profiles", options.profile_dirs,
                  "Read profiles from DIR instead of the default search path (repeatable)")
      ->type_name("DIR")
      ->allow_extra_args(false);  // one DIR per --profiles, so positionals may follow
  add_config_option(command, options);
}

void add_sleep_state_options(CLI::App& command, std::string& mode, std::string& mem_sleep,
                             const std::string& when_mem_sleep) {
  command
      .add_option("--mode", mode,
                  "What to write to /sys/power/state: mem (default), freeze or disk")
      ->check(CLI::IsMember({"mem", "freeze", "disk"}))
      ->type_name("MODE");
  command
      .add_option(
          "--mem-sleep", mem_sleep,
          "Write this to /sys/power/mem_sleep " + when_mem_sleep + ": s2idle, shallow or deep")
      ->check(CLI::IsMember({"s2idle", "shallow", "deep"}))
      ->type_name("KIND");
}

void add_config_option(CLI::App& command, ScanOptions& options) {
  command.add_option("--config", options.config_path, "Read the configuration from FILE")
      ->type_name("FILE")
      ->each([&options](const std::string&) { options.config_given = true; });
}

std::vector<ProfileDirectory> profile_directories(const std::vector<std::string>& given) {
  std::vector<ProfileDirectory> directories;
  for (const std::string& path : given) directories.push_back({path, false});
  if (!directories.empty()) return directories;
  if (const char* env = std::getenv("SUSPENDFIX_PROFILES_DIR"); env && *env) {
    std::stringstream list(env);
    std::string path;
    while (std::getline(list, path, ':'))
      if (!path.empty()) directories.push_back({path, false});
    return directories;
  }
  return default_profile_directories();
}

std::string state_directory() { return env_or("SUSPENDFIX_STATE_DIR", kStateDir); }

std::string cache_directory(const std::vector<ProfileDirectory>& directories) {
  // $SUSPENDFIX_CACHE_DIR, when set, is used for any search path ("" turns caching off); the
  // default cache only serves the default search path, so that a directory tried by hand
  // never leaves files in /var/cache.
  if (const char* env = std::getenv("SUSPENDFIX_CACHE_DIR")) return env;
  const bool system =
      !directories.empty() && std::all_of(directories.begin(), directories.end(),
                                          [](const ProfileDirectory& d) { return d.system; });
  return system ? kCacheDir : "";
}

AdminConfig load_config(const ScanOptions& options) {
  PhaseTimer timer("configuration");
  ConfigFile file;
  file.given = options.config_given;
  file.path = file.given ? options.config_path : env_or("SUSPENDFIX_CONFIG", kConfigFile);
  if (geteuid() == 0) file.trust = TrustRule{0};
  return load_admin_config(file);
}

void scan_machine(const ScanOptions& options, SleepType sleep, DeviceSource& devices,
                  ModuleInspector& modules, Scan& scan) {
  const auto directories = profile_directories(options.profile_dirs);
  for (const ProfileDirectory& directory : directories)
    scan.profile_directories.push_back(directory.path);
  LoadOptions load;
  if (geteuid() == 0) load.trust = TrustRule{0};
  load.cache_directory = cache_directory(directories);
  // The profiles do not depend on the devices: with a second CPU they load while libudev
  // reads the machine (the hook waits for both before it can unload anything). Where no
  // thread can be started, get() loads them here. Joined before anything forks.
  std::future<ProfileDatabase> profiles =
      std::async(std::launch::async | std::launch::deferred, [&directories, &load] {
        PhaseTimer profile_timer("profiles");
        return load_profile_database(directories, load);
      });
  PhaseTimer device_timer("device scan");
  scan.machine = devices.scan();
  device_timer.stop();
  if (!options.kernel_release.empty()) scan.machine.kernel_release = options.kernel_release;
  scan.database = profiles.get();
  for (const FileError& error : scan.database.errors)
    log_warning(std::string(error.what()) + ", skipping it");
  for (const FileError& warning : scan.database.warnings)
    log_info(std::string(warning.what()) + ", ignoring");
  for (const ProfileError& warning : unknown_disabled_profiles(scan.config, scan.database.profiles))
    log_warning(warning.what());
  if (scan.database.files_read == 0) {
    // A wrong install (profiles under another prefix) must not look like "nothing to do".
    std::string where;
    for (const std::string& directory : scan.profile_directories)
      where += (where.empty() ? "" : ", ") + directory;
    log_warning("no profiles found in " + where + ": nothing will be unloaded");
  }
  PhaseTimer match_timer("match");
  scan.matches = ProfileIndex(scan.database.profiles).match(scan.machine);
  match_timer.stop();
  PlanOptions plan_options = scan.config.plan_options(sleep);
  // The running system is read only when a rule must look at it, and only once.
  const std::unique_ptr<SystemFacts> facts = make_system_facts();
  Protection protection(scan.config.keep_modules, sleep, facts.get());
  plan_options.protection = &protection;
  PhaseTimer plan_timer("plan");
  scan.plan = make_plan(scan.machine, scan.matches, sleep, modules, plan_options);
}

}  // namespace suspendfix
