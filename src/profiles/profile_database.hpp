// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "error.hpp"
#include "profiles/profile.hpp"
#include "trusted_file.hpp"

namespace suspendfix {

/// One directory of profiles. System directories (the vendor one and /etc) get the ownership
/// check when running as root; a directory given with --profiles or $SUSPENDFIX_PROFILES_DIR
/// does not.
struct ProfileDirectory {
  std::filesystem::path path;
  bool system = true;
};

struct LoadOptions {
  /// Set when running as root: refuse the files, links and directories of system directories,
  /// and the directories above them, that someone else could have written (trusted_file.hpp).
  std::optional<TrustRule> trust;
  /// Unknown keys are errors (validate) rather than warnings (hook, detect).
  bool strict = false;
  /// Where to keep the parsed database between runs ("" for no cache). It is rebuilt whenever
  /// any file of the search path changes (size, mtime, ctime, inode, mode, owner, mask). The
  /// directory is created with mode 0755 and, like the cache file, must be trusted under
  /// `trust` (else the effective user): otherwise no cache is used.
  std::string cache_directory;
};

/// The profiles that apply after overrides and masks, with what went wrong on the way.
/// A bad file is an error and is left out; the others still load.
struct ProfileDatabase {
  std::vector<Profile> profiles;  // sorted by relative name
  std::vector<FileError> errors;
  std::vector<FileError> warnings;
  size_t files_read = 0;
  bool from_cache = false;
};

/// Reads *.yaml files below each directory, recursively. A file with the same relative name
/// in a later directory replaces the earlier one (fwupd quirks.d, hwdb); a link to /dev/null,
/// absolute or relative, masks it. Missing directories are simply empty.
ProfileDatabase load_profile_database(const std::vector<ProfileDirectory>& directories,
                                      const LoadOptions& options);

/// Loads the given files and directories as validate does: every problem is an error.
ProfileDatabase load_profile_paths(const std::vector<std::filesystem::path>& paths);

/// The default search path: the vendor directory, then /etc/suspendfix/profiles.d.
std::vector<ProfileDirectory> default_profile_directories();

}  // namespace suspendfix
