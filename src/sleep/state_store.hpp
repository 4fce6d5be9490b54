// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "profiles/profile.hpp"

namespace suspendfix {

/// One thing `pre` did that `post` (or `restore`) must undo.
struct StateRecord {
  enum class Kind { kModule, kUnbind, kRemove };
  Kind kind = Kind::kModule;
  std::string object;  // module name, or PCI slot for unbind/remove
  std::string driver;  // unbind: the driver to bind back to; else empty
  SleepType sleep = SleepType::kSuspend;
  int64_t time = 0;      // unix seconds when recorded
  std::string profiles;  // comma-separated ids, empty when the configuration asked

  bool same_target(const StateRecord& other) const {
    return kind == other.kind && object == other.object;
  }
};
const char* state_kind_name(StateRecord::Kind kind);

struct ParsedState {
  std::vector<StateRecord> records;
  std::vector<ProfileError> errors;  // one per line that could not be read
};

/// The state file's text form: a header line, then one record per line,
/// "KIND OBJECT DRIVER SLEEP TIME PROFILES", e.g.
/// "module xhci_pci - suspend 1732850000 nec-upd720200-xhci" ("-" for an empty field). Pure, for
/// tests.
ParsedState parse_state(std::string_view text, const std::string& origin);
std::string format_state(const std::vector<StateRecord>& records);

/// The state directory (/run/suspendfix): created 0700, opened without following links, locked
/// with flock so that doubled or concurrent hooks run one after the other. Every write is
/// atomic (temporary file, fsync, rename, fsync of the directory).
class StateStore {
 public:
  explicit StateStore(std::filesystem::path directory);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  /// Opens the directory and takes the lock, waiting until deadline. Throws Error.
  void lock(std::chrono::steady_clock::time_point deadline);
  /// Opens the directory without the lock, to look (status). Returns false when it is absent.
  bool open_for_reading();

  /// The records; unreadable lines are logged, and the file is kept as state.corrupt.
  /// Throws Error when the file exists but cannot be read safely (a planted link).
  std::vector<StateRecord> read();
  /// Replaces the records; an empty list removes the file. Throws Error.
  void write(const std::vector<StateRecord>& records);

  std::string path() const { return (directory_ / "state").string(); }

 private:
  void open_directory(bool create);

  std::filesystem::path directory_;
  int directory_fd_ = -1;
  int lock_fd_ = -1;
};

}  // namespace suspendfix
