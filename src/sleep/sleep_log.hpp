// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"
#include "sleep/private_directory.hpp"
#include "sleep/sleep_event.hpp"
#include "sleep/sleep_type.hpp"
#include "sleep/state_format.hpp"
#include "sleep/suspend_stats.hpp"

namespace suspendfix {

/// One thing a `post` undid, or could not undo (it stays recorded), as its entry names it.
struct SleepLogAction {
  StateRecord::Kind kind = StateRecord::Kind::kModule;
  std::string object;  // module name or PCI slot
  bool back = true;    // undone; false: it stays recorded for restore

  bool operator==(const SleepLogAction& other) const {
    return kind == other.kind && object == other.object && back == other.back;
  }
};

/// One hook call as the sleep log keeps it: every `pre` (even one that changed nothing) notes
/// the kernel's suspend counters before the sleep, every `post` the counters after it, so that
/// `diagnose` and `test` can tell which sleep failed and how (compare a pre with the post that
/// follows it: SuspendStatsDelta).
struct SleepLogEntry {
  SleepPhase phase = SleepPhase::kPre;
  std::string boot_id;   // /proc/sys/kernel/random/boot_id
  int64_t realtime = 0;  // unix seconds
  SleepType sleep = SleepType::kSuspend;
  HookFrontend frontend = HookFrontend::kSystemd;
  /// CLOCK_BOOTTIME - CLOCK_MONOTONIC in milliseconds: time asleep since boot. A post's value
  /// minus its pre's is how long the machine slept (0 when the sleep failed early).
  int64_t asleep_ms = 0;
  SuspendStats counters;  // only the counters; empty when the kernel keeps none
  /// post: what it brought back and what it could not, once it is done (`test` reads it);
  /// empty for a pre, and for a post that found nothing recorded or did not finish.
  std::vector<SleepLogAction> actions;
};
/// Whether two entries are the same hook call (`test` finds the entries of its cycle by the
/// last one it saw before). A post's actions are left out: they are added once it is done.
bool same_sleep_log_entry(const SleepLogEntry& a, const SleepLogEntry& b);

/// The log keeps the last this many entries of the running boot.
inline constexpr size_t kSleepLogEntries = 32;

struct SleepLog {
  std::vector<SleepLogEntry> entries;  // oldest first
  std::vector<ProfileError> errors;    // lines that could not be read (skipped)
};

/// The text form, <state dir>/sleeps: "# suspendfix sleeps 1", then one line per entry,
/// "PHASE BOOT_ID REALTIME SLEEP FRONTEND asleep_ms=N success=N fail=N ...", and on a post
/// "back=KIND:OBJECT,..." and "left=KIND:OBJECT,..." (readers skip words they do not know).
/// Pure.
SleepLog parse_sleep_log(std::string_view text, const std::string& origin);
std::string format_sleep_log(const std::vector<SleepLogEntry>& entries);

/// Reads <state_directory>/sleeps without taking the lock (writes are atomic) and writes
/// nothing. An absent directory or file gives an empty log. Throws Error when the directory or
/// file is refused (another owner, writable by others, a link, not a regular file).
SleepLog read_sleep_log(const std::string& state_directory);

/// An entry for now: the boot id, the time, the clocks and the counters.
SleepLogEntry sleep_log_entry_now(SleepPhase phase, SleepType sleep, HookFrontend frontend);

/// Appends entry, keeping the last kSleepLogEntries of the running boot. The caller holds the
/// state lock (StateStore::lock). Throws Error.
void append_sleep_log(PrivateDirectory& directory, const SleepLogEntry& entry);

/// Notes what a post did on its own entry, the log's last (a post writes its entry first, so
/// that a post cut off still shows; then this). Does nothing when the last entry is not a
/// post of this boot. The caller holds the state lock. Throws Error.
void note_post_actions(PrivateDirectory& directory, const std::vector<SleepLogAction>& actions);

}  // namespace suspendfix
