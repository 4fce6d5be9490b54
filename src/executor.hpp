// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hardware/device_backend.hpp"
#include "modules/module_backend.hpp"
#include "planner/plan.hpp"
#include "sleep/sleep_log.hpp"
#include "sleep/state_store.hpp"

namespace suspendfix {

/// What happened to one planned action.
struct ActionResult {
  enum class Outcome { kDone, kSkipped, kFailed };
  std::string object;
  Outcome outcome = Outcome::kDone;
  std::string reason;
  /// post: the kind of record it undid (module, unbind, remove).
  StateRecord::Kind kind = StateRecord::Kind::kModule;
};

/// What a post's results say for the sleep log: each record it undid or could not undo.
std::vector<SleepLogAction> sleep_log_actions(const std::vector<ActionResult>& results);

struct ExecutorOptions {
  /// No new action starts after this; what is left is skipped (pre) or stays recorded (post).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  /// How long a module in use (EAGAIN/EBUSY) is retried before it is left loaded.
  std::chrono::milliseconds busy_retry{1000};
  bool dry_run = false;
  /// Seams for tests: time and waiting.
  std::function<void(std::chrono::milliseconds)> wait;
  std::function<int64_t()> unix_time;
  /// This boot's id, written into every record. Records of another boot are never undone by
  /// `post`; `restore` undoes them only where this boot does not have them back already.
  std::string boot_id;
  /// pre: the header for the self-healing watcher. It is written with the first record (or at
  /// once over what an earlier pre left pending), then start_watcher is called with it.
  std::optional<WatchHeader> watch;
  std::function<void(const WatchHeader&)> start_watcher;
  /// post: `restore` rather than a hook's post (records of another boot are settled too), and
  /// whether lines of which nothing could be read are forgotten (they are logged verbatim).
  bool restore = false;
  bool forget_unreadable = false;
};

/// The two things the executor acts on.
struct Backends {
  ModuleBackend& modules;
  DeviceBackend& devices;
};

/// `pre`: first settles what an earlier pre left recorded (what is back is forgotten, what is
/// still gone stays and is undone after this sleep), then unbinds or removes the plan's
/// devices and unloads its modules, in order. Each action is written to the state record
/// before it is done (write-ahead), so a hook killed mid-way still names what may be gone; a
/// failure removes the record again. One failed action never stops the others; a record that
/// cannot be written stops everything after it. Throws Error when the state file is refused.
std::vector<ActionResult> run_pre(const Plan& plan, const std::string& label, Backends backends,
                                  StateStore& store, const ExecutorOptions& options);

/// `post` and `restore`: settles the record (the watcher stops), then undoes everything
/// recorded in this boot, in reverse order (modules are loaded before their devices are bound
/// again or the bus rescanned), forgetting each record only once it is undone and checked: a
/// device must be bound again, or be back after the rescan. A damaged record is undone as far
/// as it can be read. What fails stays recorded for `restore`. Throws Error when the state
/// file is refused.
std::vector<ActionResult> run_post(const std::string& label, Backends backends, StateStore& store,
                                   const ExecutorOptions& options);

}  // namespace suspendfix
