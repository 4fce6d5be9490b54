// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/context.hpp"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "log.hpp"

namespace suspendfix {

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

Scan scan_machine(const ScanOptions& options, DeviceSource& devices) {
  Scan scan;
  scan.machine = devices.scan();
  if (!options.kernel_release.empty()) scan.machine.kernel_release = options.kernel_release;
  const auto directories = profile_directories(options.profile_dirs);
  for (const ProfileDirectory& directory : directories) scan.profile_directories.push_back(directory.path);
  LoadOptions load;
  load.check_ownership = geteuid() == 0;
  scan.database = load_profile_database(directories, load);
  for (const ProfileError& error : scan.database.errors) log_warning(std::string(error.what()) + ", skipping it");
  for (const ProfileError& warning : scan.database.warnings) log_info(std::string(warning.what()) + ", ignoring");
  scan.matches = ProfileIndex(scan.database.profiles).match(scan.machine);
  return scan;
}

}  // namespace suspendfix
