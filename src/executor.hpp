// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "modules/module_backend.hpp"
#include "planner/plan.hpp"
#include "sleep/state_store.hpp"

namespace suspendfix {

/// What happened to one planned action.
struct ActionResult {
  enum class Outcome { kDone, kSkipped, kFailed };
  std::string object;
  Outcome outcome = Outcome::kDone;
  std::string reason;
};

struct ExecutorOptions {
  /// No new action starts after this; what is left is skipped (pre) or stays recorded (post).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  /// How long a module in use (EAGAIN/EBUSY) is retried before it is left loaded.
  std::chrono::milliseconds busy_retry{1000};
  bool dry_run = false;
  /// Seams for tests: time and waiting.
  std::function<void(std::chrono::milliseconds)> wait;
  std::function<int64_t()> unix_time;
};

/// `pre`: unloads the plan's modules in order. Each module is written to the state record
/// before it is unloaded (write-ahead), so a hook killed mid-way still names what may be gone;
/// a failure removes the record again. One module failing never stops the others.
std::vector<ActionResult> run_pre(const Plan& plan, const std::string& label, ModuleBackend& modules,
                                  StateStore& store, const ExecutorOptions& options);

/// `post` and `restore`: loads back everything recorded, in reverse order, forgetting each
/// record only once its module is loaded. A failed reload stays recorded for `restore`.
std::vector<ActionResult> run_post(const std::string& label, ModuleBackend& modules, StateStore& store,
                                   const ExecutorOptions& options);

}  // namespace suspendfix
