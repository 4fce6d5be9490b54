// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

#include "sleep/private_directory.hpp"
#include "sleep/state_format.hpp"

namespace suspendfix {

/// The state directory (/run/suspendfix) and its state file. The directory is created 0700 and
/// refused when another user owns it or others may write it (PrivateDirectory); `pre`, `post`,
/// `restore` and the self-healing watcher take its lock with flock, so that doubled or
/// concurrent runs act one after the other. Every write is atomic.
class StateStore {
 public:
  explicit StateStore(std::filesystem::path directory);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  /// Opens the directory (creating it) and takes the lock, waiting until deadline. Throws Error.
  void lock(std::chrono::steady_clock::time_point deadline);
  /// Opens the directory without creating it or taking the lock, to look (status, the
  /// watcher's polls). Returns false when it is absent. Throws Error when it is refused.
  bool open_for_reading();

  /// The file as it is, damaged lines and another version included (status); an absent file
  /// reads as empty. raw, when given, receives the text. Writes nothing. Throws Error when the
  /// file itself is refused (see PrivateDirectory::read).
  ParsedState read_parsed(std::string* raw = nullptr);
  /// What `pre`, `post` and `restore` act on. Unreadable lines are logged and come back as
  /// damaged records, kept verbatim. Throws Error for a file of another version: it is left
  /// as it is, for a person.
  StateFile read();
  /// Replaces the file; without records (and so without a watch header) it is removed.
  /// Throws Error.
  void write(const StateFile& file);

  std::string path() const { return directory_.path_of("state"); }
  PrivateDirectory& directory() { return directory_; }

 private:
  PrivateDirectory directory_;
  int lock_fd_ = -1;
};

}  // namespace suspendfix
