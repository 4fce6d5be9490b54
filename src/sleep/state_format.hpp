// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "sleep/sleep_type.hpp"
#include "sleep/suspend_stats.hpp"

namespace suspendfix {

/// The version this suspendfix reads and writes; a file of another version is refused whole.
inline constexpr int kStateVersion = 2;

/// One thing `pre` did that `post` (or `restore`) must undo.
struct StateRecord {
  /// kUnreadable: a line of which nothing usable could be read; it is only carried along.
  enum class Kind { kModule, kUnbind, kRemove, kUnreadable };
  Kind kind = Kind::kModule;
  std::string object;  // module name, or PCI slot for unbind/remove
  std::string driver;  // unbind: the driver to bind back to; else empty
  SleepType sleep = SleepType::kSuspend;
  int64_t time = 0;      // unix seconds when recorded
  std::string profiles;  // comma-separated ids, empty when the configuration asked
  std::string boot_id;   // /proc/sys/kernel/random/boot_id of the boot that recorded it
  /// Set when the line could not be read whole: the line exactly as found, written back as it
  /// is, and what was wrong. Only kind and object (and an unbind's driver when it was usable)
  /// are then known.
  std::string verbatim;
  std::string problem;
  int line = 0;  // where it was read, for messages

  bool damaged() const { return !verbatim.empty(); }
  bool same_target(const StateRecord& other) const {
    return kind != Kind::kUnreadable && kind == other.kind && object == other.object;
  }
};
const char* state_kind_name(StateRecord::Kind kind);

/// The process a hook was called from, which the self-healing watcher watches (sleep/watch.hpp).
struct SleepCaller {
  /// kProcess ends with the sleep (systemd-sleep, pm-action, `suspendfix suspend`); kDaemon
  /// lives on (elogind) and is busy while it has children (its hooks); kNone is not watched.
  enum class Kind { kNone, kProcess, kDaemon };
  Kind kind = Kind::kNone;
  int pid = 0;
  uint64_t start_time = 0;  // /proc/PID/stat field 22: tells a reused pid apart
  std::string name;         // comm, for messages
};
const char* sleep_caller_kind_name(SleepCaller::Kind kind);

/// What `pre` notes for the watcher that brings things back when no `post` comes.
struct WatchHeader {
  uint64_t generation = 0;  // unique per pre (CLOCK_BOOTTIME in ns); a newer pre changes it
  std::string boot_id;
  int64_t pre_monotonic_ns = 0;  // CLOCK_MONOTONIC at pre
  int64_t asleep_ns = 0;         // CLOCK_BOOTTIME - CLOCK_MONOTONIC at pre: grows only in sleep
  int restore_after_seconds = 10;
  /// The watcher loads back as soon as it sees the sleep end, before any post (the
  /// configuration's reload_at_wake; never for suspend-then-hibernate, whose wakes in between
  /// are not the end of the sleep).
  bool reload_at_wake = false;
  SleepType sleep = SleepType::kSuspend;
  SleepCaller caller;
  SuspendStats counters;  // the kernel's suspend counters at pre (empty: none)
};

/// The whole state file: the watcher's header while a sleep is in progress, then the records
/// in the order they were done.
struct StateFile {
  std::optional<WatchHeader> watch;
  std::vector<StateRecord> records;
};

struct ParsedState {
  StateFile file;
  /// The version the header names. Another version than kStateVersion: nothing else is read.
  int version = kStateVersion;
  /// One per line that could not be read whole (records are kept, damaged header lines are
  /// dropped: they name nothing to undo).
  std::vector<ProfileError> errors;

  bool foreign() const { return version != kStateVersion; }
};

/// The state file's text form, version 2:
///   # suspendfix state 2: what 'pre' did and 'post' or 'restore' must undo
///   watch generation=N boot=UUID monotonic_ns=N asleep_ns=N restore_after=S sleep=TYPE
///         caller=KIND:PID:START:NAME [at_wake=1]              (one line; absent when settled)
///   counters success=N fail=N ...                             (with the watch line)
///   KIND OBJECT DRIVER SLEEP TIME PROFILES BOOT_ID            (one per record; "-" empty)
/// A record line that cannot be read whole is kept verbatim and understood as far as it goes
/// (a line cut after its module name still names the module). Pure, for tests.
ParsedState parse_state(std::string_view text, const std::string& origin);
std::string format_state(const StateFile& file);

/// "0c1f3b0e-...": 36 characters of lowercase hex and dashes, as the kernel prints it.
bool is_valid_boot_id(std::string_view text);
/// At most limit bytes of text, "..." when cut: for messages, which the log (and status,
/// through escape_for_terminal) escape on the way out.
std::string excerpt(std::string_view text, size_t limit = 120);

}  // namespace suspendfix
