// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "hardware/device_backend.hpp"
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

/// The two things the executor acts on.
struct Backends {
  ModuleBackend& modules;
  DeviceBackend& devices;
};

/// `pre`: unbinds or removes the plan's devices, then unloads its modules, in order. Each
/// action is written to the state record before it is done (write-ahead), so a hook killed
/// mid-way still names what may be gone; a failure removes the record again. One failure never
/// stops the others.
std::vector<ActionResult> run_pre(const Plan& plan, const std::string& label, Backends backends,
                                  StateStore& store, const ExecutorOptions& options);

/// `post` and `restore`: undoes everything recorded, in reverse order (modules are loaded
/// before their devices are bound again or the bus rescanned), forgetting each record only once
/// it is undone and checked: a device must be bound again, or be back after the rescan. What
/// fails stays recorded for `restore`.
std::vector<ActionResult> run_post(const std::string& label, Backends backends, StateStore& store,
                                   const ExecutorOptions& options);

}  // namespace suspendfix
