// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

namespace suspendfix {

/// A directory that only the effective user can write (/run/suspendfix), and the small files in
/// it: the state record, its lock and the sleep log. Root trusts only what only root can write,
/// so the directory and every file are refused, with the reason, when another user owns them
/// or group or others may write them; nothing is ever chmod'ed into shape. No operation follows
/// a symbolic link or blocks on a FIFO or device: files are opened with O_NOFOLLOW|O_NONBLOCK
/// and must be regular files.
class PrivateDirectory {
 public:
  explicit PrivateDirectory(std::filesystem::path path);
  ~PrivateDirectory();
  PrivateDirectory(const PrivateDirectory&) = delete;
  PrivateDirectory& operator=(const PrivateDirectory&) = delete;

  /// Opens and checks the directory, creating it with mode 0700 when create is set. Returns
  /// false when it does not exist and create is not set. Throws Error when it is refused.
  bool open(bool create);
  bool is_open() const { return fd_ >= 0; }

  /// The contents of NAME, at most limit bytes; nullopt when it does not exist. Throws Error
  /// when it is refused (a link, not a regular file, another owner, writable by others, too
  /// large) or cannot be read.
  /// what names the file in messages ("state file").
  std::optional<std::string> read(const std::string& name, size_t limit,
                                  const std::string& what = "file") const;
  /// Replaces NAME atomically: NAME.tmp, fsync, rename, fsync of the directory. On failure
  /// NAME is unchanged and NAME.tmp removed. Throws Error.
  void replace(const std::string& name, const std::string& text) const;
  /// Removes NAME; absent is fine. Throws Error.
  void remove(const std::string& name) const;
  /// Opens NAME (created 0600) for flock(2), checked as read() checks files. Throws Error.
  int open_lock(const std::string& name) const;

  std::string path_of(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  /// Throws Error(context, path, why) unless info is owned by the effective user and not
  /// writable by group or others.
  static void check_private(const struct stat& info, const std::string& path, const char* what);

  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace suspendfix
