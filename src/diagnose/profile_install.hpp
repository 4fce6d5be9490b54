// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>

namespace suspendfix {

struct InstallResult {
  std::string path;
  bool existed = false;  // a file of that name was there: nothing was written
};

/// Installs text as DIRECTORY/FILE_NAME, atomically and never over an existing file: it is
/// written to a temporary file in the same directory (O_EXCL, O_NOFOLLOW, mode 0644, owned by
/// root when running as root), synced, then hard-linked to its name, which fails when the
/// name exists. Missing directories are created 0755. As root, a directory on the way that
/// is not root's, or that group or others may write, is refused. Throws Error.
InstallResult install_profile(const std::string& directory, const std::string& file_name,
                              const std::string& text);

}  // namespace suspendfix
