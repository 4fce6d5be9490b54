// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "error.hpp"
#include "profiles/profile.hpp"

namespace suspendfix {

/// One directory of profiles. System directories (the vendor one and /etc) get the ownership
/// check when running as root; a directory given with --profiles does not.
struct ProfileDirectory {
  std::filesystem::path path;
  bool system = true;
};

struct LoadOptions {
  /// Refuse files in system directories not owned by root or writable by group/others.
  bool check_ownership = false;
  /// Unknown keys are errors (validate) rather than warnings (hook, detect).
  bool strict = false;
  /// Where to keep the parsed database between runs ("" for no cache). It is rebuilt whenever
  /// any file of the search path changes (size, time, inode, mode, owner, mask).
  std::string cache_directory;
};

/// The profiles that apply after overrides and masks, with what went wrong on the way.
/// A bad file is an error and is left out; the others still load.
struct ProfileDatabase {
  std::vector<Profile> profiles;  // sorted by relative name
  std::vector<ProfileError> errors;
  std::vector<ProfileError> warnings;
  size_t files_read = 0;
  bool from_cache = false;
};

/// Reads *.yaml files below each directory, recursively. A file with the same relative name
/// in a later directory replaces the earlier one (fwupd quirks.d, hwdb); a link to /dev/null
/// masks it. Missing directories are simply empty.
ProfileDatabase load_profile_database(const std::vector<ProfileDirectory>& directories,
                                      const LoadOptions& options);

/// Loads the given files and directories as validate does: every problem is an error.
ProfileDatabase load_profile_paths(const std::vector<std::filesystem::path>& paths);

/// The default search path: the vendor directory, then /etc/suspendfix/profiles.d.
std::vector<ProfileDirectory> default_profile_directories();

}  // namespace suspendfix
