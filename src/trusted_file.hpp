// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>

namespace suspendfix {

/// Who may have written a file that root acts on (STYLE.md section 11, as systemd and fwupd
/// refuse configuration that other users can write): root, and `owner`. Running as root the
/// two are the same; a user's own cache is theirs. Tests pass another uid to see refusals.
struct TrustRule {
  uid_t owner = 0;
};

/// What an entry is to the file being read; each has its own rule.
enum class TrustedEntry {
  kFile,       // the file itself: trusted owner, writable by nobody else
  kDirectory,  // a directory holding trusted files: nobody else may add one, sticky or not
  kAncestor,   // a directory above those: nobody else may rename what is in it (sticky is enough)
  kLink,       // a symbolic link on the way: trusted owner (its mode means nothing)
};

/// Why `info` cannot be trusted as `entry`, or "" when it can. Pure, for tests.
std::string untrusted_reason(const struct stat& info, TrustRule rule, TrustedEntry entry);

/// Throws FileError naming the first entry that cannot be trusted: `directory` itself (as a
/// kDirectory) or one above it (kAncestor), along the path as given and along the path with
/// every link resolved. A link on the way must have a trusted owner.
void check_trusted_directory(const std::string& directory, TrustRule rule);

struct TrustedRead {
  size_t limit = 256 * 1024;
  /// nullopt: type and size checks only (not root, or a directory given by hand).
  std::optional<TrustRule> rule;
  /// Also check the directories above the file (the profile loader checks its own).
  bool check_directories = true;
  /// Read through a symbolic link whose target is as trusted as a file in place would be (a
  /// link in profiles.d to a shipped profile). Never for files the program writes itself.
  bool follow_link = true;
};

/// Reads a file root may trust. Its type is checked with lstat before it is opened (opening a
/// device node can arm a watchdog), it is opened with O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC|O_NOCTTY
/// and checked again with fstat (the same regular file, at most limit bytes, trusted owner and
/// mode under a rule), then read. Throws FileError naming the file.
std::string read_trusted_file(const std::string& path, const TrustedRead& how);

}  // namespace suspendfix
